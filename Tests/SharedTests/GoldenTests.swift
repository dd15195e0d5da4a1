import TestSupport
import Testing

@testable import Shared

@Suite struct GoldenTests {
    @Test func validFixturesMatchReference() throws {
        let lines = try Fixtures.valid()
        #expect(lines.count >= 30)
        var seen = Set<PacketType>()
        for line in lines {
            let fast: Packet
            do { fast = try PacketLine.decode(line) } catch {
                Issue.record("fast decoder rejected \(line.text): \(error)")
                continue
            }
            seen.insert(fast.type)
            do {
                let reference = try ReferencePacketCodec.decode(line.text)
                #expect(fast == reference, "fast and reference differ for \(line.text)")
            } catch {
                Issue.record("reference rejected \(line.text): \(error)")
            }
        }
        #expect(seen == Set(PacketType.allCases))
    }

    @Test func roundTripAndCanonicalStability() throws {
        for line in try Fixtures.valid() {
            let p = try PacketLine.decode(line)
            let encoded = PacketLine.encode(p)
            #expect(PacketLine.isPacketLine(encoded))
            let again = try PacketLine.decode(encoded)
            #expect(again == p, "round trip changed \(line.text) → \(encoded.text)")
            #expect(PacketLine.encode(again) == encoded)
            #expect(PacketLine.encodeString(p) == encoded.text)
            #expect(try ReferencePacketCodec.decode(encoded.text) == p)
            #expect(!encoded.contains(0x0A) && !encoded.contains(0x0D))
        }
    }

    @Test func canonicalNumberAndKeyFormat() throws {
        let p = try PacketLine.decode(
            #"KAFKATORIO/1 player 5 6 {"afk":false,"online":true,"color":[1,0.5,0,1.0],"y":-0.0,"x":12.0,"surface":"nauvis","name":"a\"b","index":2.0}"#
        )
        #expect(
            PacketLine.encodeString(p)
                == #"KAFKATORIO/1 player 5 6 {"index":2,"name":"a\"b","surface":"nauvis","x":12,"y":0,"color":[1,0.5,0,1],"online":true,"afk":false}"#
        )
        let chat = Packet(tick: 1, seq: 2, payload: .chat(ChatMessage(player: nil, message: "a\nb\u{1}é")))
        #expect(PacketLine.encodeString(chat) == #"KAFKATORIO/1 chat 1 2 {"message":"a\nb\u0001é"}"#)
    }

    @Test func compressedEqualsPlain() throws {
        let lines = try Fixtures.valid()
        let compressed = lines.filter { $0.text.contains(" ~") }
        #expect(compressed.count >= 3)
        for line in compressed {
            let p = try PacketLine.decode(line)
            #expect(try PacketLine.decode(PacketLine.encode(p)) == p)
        }
    }
}
