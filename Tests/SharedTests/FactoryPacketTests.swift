import Testing

@testable import Shared

/// The factory families' rules that need generated lines (label and list limits) and their
/// canonical form, beyond the shared fixtures.
@Suite struct FactoryPacketTests {
    static func tag(text: String) -> String {
        #"KAFKATORIO/1 chart_tag 1 1 {"tag":1,"surface":"nauvis","force":"player","x":0,"y":0,"text":"\#(text)"}"#
    }

    @Test func labelsAreCappedAt1024Bytes() throws {
        let fits = String(repeating: "é", count: 512)  // 1024 bytes
        guard case .chartTag(let t) = try PacketLine.decode(Self.tag(text: fits)).payload else {
            Issue.record("not a chart tag")
            return
        }
        #expect(t.text == fits)
        #expect(throws: PacketError.self) { try PacketLine.decode(Self.tag(text: fits + "a")) }
        do {
            _ = try PacketLine.decode(Self.tag(text: fits + "a"))
        } catch {
            #expect(error.reason == .outOfRange && error.detail.contains("text"))
        }
        let stop = #"KAFKATORIO/1 train_stop 1 1 {"unit":1,"backer_name":"\#(fits)x","x":0,"y":0,"direction":0,"surface":"s","force":"f"}"#
        #expect { try PacketLine.decode(stop) } throws: { ($0 as? PacketError)?.reason == .outOfRange }
    }

    @Test func chartTagSetsAndTrainsHaveTheirListLimits() throws {
        let set = { (n: Int) in
            #"KAFKATORIO/1 chart_tags 1 1 {"surface":"nauvis","force":"player","tags":["#
                + (0..<n).map(String.init).joined(separator: ",") + "]}"
        }
        #expect(throws: Never.self) { try PacketLine.decode(set(PacketValidator.maxChartTags)) }
        #expect { try PacketLine.decode(set(PacketValidator.maxChartTags + 1)) } throws: {
            ($0 as? PacketError)?.reason == .outOfRange
        }
        let train = { (n: Int) in
            #"KAFKATORIO/1 train 1 1 {"id":1,"surface":"nauvis","force":"player","state":"on_the_path","manual":false,"speed":0,"carriages":["#
                + Array(repeating: "1,2,0.5", count: n).joined(separator: ",") + "]}"
        }
        #expect(throws: Never.self) { try PacketLine.decode(train(PacketValidator.maxCarriages)) }
        #expect { try PacketLine.decode(train(PacketValidator.maxCarriages + 1)) } throws: {
            ($0 as? PacketError)?.reason == .outOfRange
        }
    }

    @Test func canonicalFormOfTheFactoryTypes() throws {
        let train = try PacketLine.decode(
            #"KAFKATORIO/1 train 9 3 {"next_stop_unit":5,"carriages":[1.0,-0.0,0.25],"speed":-0.5,"manual":true,"state":"manual_control","force":"player","surface":"nauvis","id":2.0,"stop":null}"#
        )
        #expect(
            PacketLine.encodeString(train)
                == #"KAFKATORIO/1 train 9 3 {"id":2,"surface":"nauvis","force":"player","state":"manual_control","manual":true,"speed":-0.5,"carriages":[1,0,0.25],"next_stop_unit":5}"#
        )
        let platform = Packet(
            tick: 1, seq: 2,
            payload: .spacePlatform(
                SpacePlatformState(
                    index: 1, name: "P", surface: "platform-1", force: "player", state: "on_the_path", from: "nauvis",
                    to: "gleba", progress: 0.5, speed: 1, hub: MapPoint(x: 0, y: -1))))
        #expect(
            PacketLine.encodeString(platform)
                == #"KAFKATORIO/1 space_platform 1 2 {"index":1,"name":"P","surface":"platform-1","force":"player","state":"on_the_path","from":"nauvis","to":"gleba","progress":0.5,"speed":1,"hub":[0,-1]}"#
        )
        let tag = Packet(
            tick: 1, seq: 2,
            payload: .chartTag(
                ChartTag(tag: 3, surface: "nauvis", force: "player", x: 1.5, y: 2, text: "a\"<b>",
                    icon: SignalID(type: "item", name: "coal"), lastUser: "Sparkle")))
        #expect(
            PacketLine.encodeString(tag)
                == #"KAFKATORIO/1 chart_tag 1 2 {"tag":3,"surface":"nauvis","force":"player","x":1.5,"y":2,"text":"a\"<b>","icon":{"type":"item","name":"coal"},"last_user":"Sparkle"}"#
        )
        #expect(try PacketLine.decode(PacketLine.encode(tag)) == tag)
    }
}
