import Crypto
import Shared
import Testing

@Suite struct LineSignerTests {
    /// RFC 4231, test case 2.
    @Test func matchesTheRFC4231Vector() {
        let signer = LineSigner(secret: "Jefe")
        let data = Array("what do ya want for nothing?".utf8)
        #expect(signer.signature(of: data) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(signer.verify(data, signature: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
        #expect(signer.verify(data, signature: "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843"))
    }

    @Test func rejectsAlteredLinesWrongKeysAndMalformedSignatures() {
        let line = Array("KAFKATORIO/1 chat 1 1 {}".utf8)
        let signature = LineSigner(secret: "s3cret").signature(of: line)
        #expect(!LineSigner(secret: "s3cret").verify(line + [0x20], signature: signature))
        #expect(!LineSigner(secret: "other").verify(line, signature: signature))
        #expect(!LineSigner(secret: "s3cret").verify(line, signature: String(signature.dropLast())))
        #expect(!LineSigner(secret: "s3cret").verify(line, signature: "zz" + signature.dropFirst(2)))
        #expect(!LineSigner(secret: "s3cret").verify(line, signature: ""))
    }
}

/// The signer reuses one keyed HMAC state; these compare it with swift-crypto's one-shot API (the
/// slow path) for keys shorter than, equal to and longer than SHA-256's 64-byte block, lines
/// longer than a block, and interleaved calls (no state may carry over from one line to the next).
@Suite struct LineSignerGoldenTests {
    @Test(arguments: ["k", String(repeating: "b", count: 64), String(repeating: "long secret ", count: 20)])
    func matchesTheOneShotHMAC(secret: String) {
        let signer = LineSigner(secret: secret)
        let key = SymmetricKey(data: Array(secret.utf8))
        let lines: [[UInt8]] = [[], Array("KAFKATORIO/1 chat 1 1 {}".utf8), Array(repeating: 0x7a, count: 1000), [0xff, 0x00, 0xc3]]
        for line in lines + lines.reversed() {
            let expected = Hex.encode(HMAC<SHA256>.authenticationCode(for: line, using: key))
            #expect(signer.signature(of: line) == expected)
            var appended = Array("prefix:".utf8)
            signer.appendSignature(of: ArraySlice(line), to: &appended)
            #expect(appended == Array("prefix:\(expected)".utf8))
            #expect(signer.verify(line[...], signature: expected))
            #expect(!signer.verify(line + [0x0a], signature: expected))
        }
    }
}
