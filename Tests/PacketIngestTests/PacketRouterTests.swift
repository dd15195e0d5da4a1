import Foundation
import Kafka
import Shared
import Testing

import PacketIngestCore
import KafkaModel

/// Routing rules, golden: fixture lines in → exact topic, key and value out.
@Suite struct PacketRouterTests {
    let topics = Topics(prefix: "t")
    var router: PacketRouter { PacketRouter(topics: topics) }

    static func fixtureLines() throws -> [String] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/packets/valid.txt")
        // Split on bytes: Swift treats "\r\n" as one Character, and one fixture line ends in CRLF.
        return try Data(contentsOf: url).split(separator: 0x0A)
            .map { String(decoding: $0, as: UTF8.self) }.filter { $0.hasPrefix("KAFKATORIO/") }
    }

    func raw(_ line: String, server: String? = "srv-1", source: String? = "abc:42") -> RawLine {
        RawLine(bytes: Array(line.utf8), server: server, source: source)
    }

    @Test func everyValidFixtureIsRoutedToItsTopicWithCanonicalValues() throws {
        let lines = try Self.fixtureLines()
        #expect(lines.count > 20)
        for line in lines {
            let packet = try PacketLine.decode(line)
            let records = try router.route(raw(line)).get()
            #expect(!records.isEmpty || Self.isEmptyMultiRegion(packet), "\(line.prefix(80))")
            if case .player = packet.payload {
                // Live for the map now, player-history for its trails.
                #expect(records.map(\.topic) == [topics.live, topics.playerHistory])
            }
            for r in records {
                let expectedTopic: String =
                    switch packet.payload {
                    case .surface(let s) where s.deleted && r.partition != nil: topics.map
                    case .player where r.topic == topics.playerHistory: topics.playerHistory
                    case .player, .chat, .surface, .sessionStart: topics.live
                    case .chartTag, .chartTagRemoved, .chartTags, .trainStop, .trainStopRemoved, .spacePlatform,
                        .spacePlatformRemoved:
                        topics.live
                    case .train, .trainRemoved: topics.trains
                    case .prototypes: topics.prototypes
                    default: topics.map
                    }
                #expect(r.topic == expectedTopic)
                #expect(r.headers.contains(KafkaHeader(key: "server", string: "srv-1")))
                #expect(r.headers.contains(KafkaHeader(key: "type", string: packet.type.rawValue)))
                #expect(r.headers.contains(KafkaHeader(key: "source", string: "abc:42")))
                // The value is the canonical line and decodes back to (a region's share of) the packet.
                let routed = try PacketLine.decode(r.value)
                #expect(routed.tick == packet.tick && routed.seq == packet.seq && routed.type == packet.type)
                if records.count == 1 || packet.type == .surface { #expect(routed == packet) }
                if r.topic != topics.map { #expect(r.keyString == "srv-1") }
            }
        }
    }

    @Test func aDeletedSurfaceGoesToLiveAndToEveryMapPartitionInOrder() throws {
        let router = PacketRouter(topics: topics, mapPartitions: 3)
        let line = #"KAFKATORIO/1 surface 72000 9 {"index":4,"name":"vulcanus","planet":"vulcanus","deleted":true}"#
        let records = try router.route(raw(line)).get()
        #expect(records.map(\.topic) == [topics.live, topics.map, topics.map, topics.map])
        #expect(records.map(\.partition) == [nil, 0, 1, 2])
        #expect(records[0].keyString == "srv-1")
        #expect(records.dropFirst().allSatisfy { $0.keyString == "srv-1/vulcanus" && $0.value == records[0].value })
        #expect(records.allSatisfy { $0.headerString(RecordHeader.packetType) == "surface" })
        // A surface that still exists only goes to `live`.
        let alive = #"KAFKATORIO/1 surface 72000 9 {"index":4,"name":"vulcanus","planet":"vulcanus"}"#
        #expect(try router.route(raw(alive)).get().map(\.topic) == [topics.live])
    }

    @Test func factoryPacketsAreLiveStateKeyedByServerAndTrainsHaveTheirOwnTopic() throws {
        let cases: [(String, String)] = [
            (#"KAFKATORIO/1 chart_tag 1 2 {"tag":7,"surface":"nauvis","force":"player","x":1,"y":2,"text":"Ore"}"#, topics.live),
            (#"KAFKATORIO/1 chart_tags 1 3 {"surface":"nauvis","force":"player","tags":[7]}"#, topics.live),
            (#"KAFKATORIO/1 train_stop_removed 1 4 {"unit":9,"surface":"nauvis"}"#, topics.live),
            (#"KAFKATORIO/1 space_platform_removed 1 5 {"index":2}"#, topics.live),
            (#"KAFKATORIO/1 train 1 6 {"id":3,"surface":"nauvis","force":"player","state":"on_the_path","manual":false,"speed":0.5,"carriages":[1,2,0.25]}"#, topics.trains),
            (#"KAFKATORIO/1 train_removed 1 7 {"id":3,"surface":"nauvis"}"#, topics.trains),
        ]
        for (line, topic) in cases {
            let records = try router.route(raw(line)).get()
            #expect(records.map(\.topic) == [topic], "\(line)")
            #expect(records.map(\.keyString) == ["srv-1"])
            #expect(records.first?.partition == nil)
            #expect(try records.map { try PacketLine.decode($0.value) } == [try PacketLine.decode(line)])
        }
        #expect(topics.trains == "t.trains")
    }

    static func isEmptyMultiRegion(_ p: Packet) -> Bool {
        switch p.payload {
        case .tiles(let t): t.cells.isEmpty
        case .buildings(let b): b.buildings.isEmpty
        case .buildingRemoved(let b): b.removed.isEmpty
        case .chunkDeleted(let c): c.chunks.isEmpty
        default: false
        }
    }

    @Test func chunkPacketsAreKeyedByRegion() throws {
        let line =
            #"KAFKATORIO/1 chunk_terrain 60 10 {"surface":"nauvis","cx":-9,"cy":17,"palette":["grass-1"],"runs":[1024,0]}"#
        let records = try router.route(raw(line)).get()
        #expect(records.map(\.keyString) == ["srv-1/nauvis/-2/2"])
        #expect(records[0].topic == "t.map")
        #expect(
            String(decoding: records[0].value, as: UTF8.self)
                == #"KAFKATORIO/1 chunk_terrain 60 10 {"surface":"nauvis","cx":-9,"cy":17,"palette":["grass-1"],"runs":[1024,0]}"#
        )
    }

    @Test func multiRegionPacketsAreSplitIntoAbsoluteRegionPackets() throws {
        // Tiles in three regions: (0,0), (-1,0) and (1,0) -- region = 8 chunks = 256 tiles.
        let line =
            #"KAFKATORIO/1 tiles 5 6 {"surface":"nauvis","names":["concrete","water"],"cells":[1,1,0,-1,1,1,300,2,0,2,2,1]}"#
        let records = try router.route(raw(line)).get()
        #expect(records.map(\.keyString) == ["srv-1/nauvis/0/0", "srv-1/nauvis/-1/0", "srv-1/nauvis/1/0"])
        let first = try PacketLine.decode(records[0].value)
        guard case .tiles(let t) = first.payload else {
            Issue.record("not tiles")
            return
        }
        #expect(t.cells == [TileCell(x: 1, y: 1, name: "concrete"), TileCell(x: 2, y: 2, name: "water")])
    }

    @Test func rejectedLinesBecomeDeadLettersWithReason() {
        let cases: [(RawLine, String)] = [
            (raw(#"KAFKATORIO/1 chat 1 1 {"message":"hi"}"#, server: nil), "unknown_server"),
            (raw(#"KAFKATORIO/1 chat 1 1 {"message":"hi"}"#, server: "bad/id"), "unknown_server"),
            (raw(#"KAFKATORIO/1 chat 1 1 {"message":"hi""#), "invalid_json"),
            (raw(#"KAFKATORIO/1 teleport 1 1 {}"#), "unknown_type"),
            (raw("2026-01-01 00:00:00 [CHAT] Bob: KAFKATORIO/1 chat 1 1 {}"), "not_a_packet"),
        ]
        for (line, reason) in cases {
            guard case .failure(let rejection) = router.route(line) else {
                Issue.record("accepted \(String(decoding: line.bytes, as: UTF8.self))")
                continue
            }
            #expect(rejection.reason == reason)
            let dl = router.deadLetter(line, rejection: rejection)
            #expect(dl.topic == "t.deadletter")
            #expect(dl.value == line.bytes)
            #expect(dl.headers.first == KafkaHeader(key: "reason", string: reason))
        }
    }

    @Test func replayingALineGivesIdenticalRecords() throws {
        for line in try Self.fixtureLines() {
            #expect(try router.route(raw(line)).get() == router.route(raw(line)).get())
        }
    }
}
