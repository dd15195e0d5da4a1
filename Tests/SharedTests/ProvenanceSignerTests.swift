import Crypto
import Shared
import Testing

/// Provenance format 2 (`docs/packets.md` §7): the message layout, a vector computed with Python's
/// `hmac` (an independent implementation), and golden comparisons with swift-crypto's one-shot HMAC
/// over ``ProvenanceSigner/message(server:identity:value:)``.
@Suite struct ProvenanceSignerTests {
    static let line = Array(#"KAFKATORIO/1 chat 1 1 {"message":"hi"}"#.utf8)
    static let identity = RecordIdentity(kind: .raw, fingerprint: 0xAB, offset: 1234)

    @Test func theDocumentedVector() {
        let message = ProvenanceSigner.message(server: "srv-1", identity: Self.identity, value: Self.line)
        #expect(
            Hex.encode(message)
                == "02" + "00000005" + "7372762d31" + "01" + "00000000000000ab" + "00000000000004d2" + "00000026"
                + Hex.encode(Self.line))
        let signer = ProvenanceSigner(secret: "s3cret", server: "srv-1")
        #expect(signer.signature(Self.identity, value: Self.line) == "2:eee0d7e4aae5ca6f96e90b3789c852effcca2c7292d7f5b0fe96537499e02278")
    }

    @Test(arguments: ["k", String(repeating: "b", count: 64), String(repeating: "long secret ", count: 20)])
    func matchesTheOneShotHMACOfTheMessage(secret: String) {
        let key = SymmetricKey(data: Array(secret.utf8))
        let lines: [[UInt8]] = [[], Self.line, Array(repeating: 0x7a, count: 1000), [0xff, 0x00, 0xc3]]
        let identities = [
            Self.identity, RecordIdentity(kind: .console, fingerprint: 0, offset: 0),
            RecordIdentity(kind: .deadLetter, fingerprint: .max, offset: .max),
        ]
        for server in ["s", String(repeating: "x", count: 64)] {
            let signer = ProvenanceSigner(secret: secret, server: server)
            for id in identities + identities.reversed() {
                for line in lines + lines.reversed() {
                    let message = ProvenanceSigner.message(server: server, identity: id, value: line)
                    let expected = "2:" + Hex.encode(HMAC<SHA256>.authenticationCode(for: message, using: key))
                    #expect(signer.signature(id, value: line) == expected)
                    var appended = Array("prefix:".utf8)
                    signer.appendSignature(id, value: ArraySlice(line), to: &appended)
                    #expect(appended == Array("prefix:\(expected)".utf8))
                    #expect(signer.verify(id, value: line[...], signature: expected))
                    #expect(signer.verify(id, value: line, signature: expected.uppercased()))
                }
            }
        }
    }

    /// Every covered field changes the signature.
    @Test func everyFieldIsCovered() {
        let signer = ProvenanceSigner(secret: "s3cret", server: "srv-1")
        let signature = signer.signature(Self.identity, value: Self.line)
        #expect(signer.verify(Self.identity, value: Self.line, signature: signature))
        var id = Self.identity
        id.offset = .max
        #expect(!signer.verify(id, value: Self.line, signature: signature), "offset")
        id = Self.identity
        id.fingerprint ^= 1
        #expect(!signer.verify(id, value: Self.line, signature: signature), "fingerprint")
        id = Self.identity
        id.kind = .console
        #expect(!signer.verify(id, value: Self.line, signature: signature), "kind")
        #expect(!signer.verify(Self.identity, value: Self.line + [0x20], signature: signature), "value")
        #expect(!ProvenanceSigner(secret: "s3cret", server: "srv-2").verify(Self.identity, value: Self.line, signature: signature), "server")
        #expect(!ProvenanceSigner(secret: "other", server: "srv-1").verify(Self.identity, value: Self.line, signature: signature), "secret")
        #expect(!signer.verify(Self.identity, value: Self.line, signature: String(signature.dropLast())))
        #expect(!signer.verify(Self.identity, value: Self.line, signature: ""))
        #expect(!signer.verify(Self.identity, value: Self.line, signature: String(signature.dropFirst(2))), "no format prefix")
        #expect(!signer.verify(Self.identity, value: Self.line, signature: "3" + signature.dropFirst()), "another format")
        #expect(Provenance.split(signature).format == 2 && Provenance.split("ab12").format == 1)
        #expect(Provenance.split("x:ab").format == nil && Provenance.split("1234567890:ab").format == nil)
        // Lengths are prefixed: moving a byte between the server id and the value changes the message.
        #expect(
            ProvenanceSigner.message(server: "ab", identity: Self.identity, value: Array("c".utf8))
                != ProvenanceSigner.message(server: "a", identity: Self.identity, value: Array("bc".utf8)))
    }
}
