import ServiceSupport
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
