import TestSupport
import Testing

@testable import Shared

@Suite struct InvalidTests {
    @Test func invalidFixturesRejectWithExpectedReason() throws {
        let rows = try Fixtures.invalid()
        var reasons = Set<String>()
        for (expected, line) in rows {
            reasons.insert(expected)
            #expect(RejectReason(rawValue: expected) != nil, "unknown reason \(expected)")
            do {
                let p = try PacketLine.decode(line)
                Issue.record("accepted \(line.text) as \(p)")
            } catch {
                #expect(error.reason.rawValue == expected, "\(line.text): got \(error), want \(expected)")
            }
            #expect(throws: (any Error).self, "reference accepted \(line.text)") {
                try ReferencePacketCodec.decode(line.text)
            }
        }
        // line_too_long is generated in GeneratedTests; every other reason is in the file.
        let all = Set(RejectReason.allCases.map(\.rawValue)).subtracting(["line_too_long"])
        #expect(reasons == all)
    }

    @Test func isPacketLineIsCheap() {
        #expect(PacketLine.isPacketLine(Array("KAFKATORIO/1 chat 1 1 {}".utf8)))
        #expect(PacketLine.isPacketLine("KAFKATORIO/7 x"))
        #expect(!PacketLine.isPacketLine("KAFKATORIO"))
        #expect(!PacketLine.isPacketLine("2024-04-10 02:27:07 [CHAT] a: KAFKATORIO/1"))
        [UInt8]("KAFKATORIO/".utf8).withUnsafeBytes { #expect(PacketLine.isPacketLine($0)) }
    }
}
