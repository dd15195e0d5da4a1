import Foundation
import Kafka
import Logging
import Shared
import TestSupport
import Testing
import KafkaModel

/// Real TileRenderer processes on the real broker: two worker processes, one killed with SIGKILL
/// midway, must leave the same final bytes per tile key in the tiles topic as one process
/// whose two detail workers (`--detail-workers 2`) render its partitions in parallel.
@Suite(.serialized, .timeLimit(.minutes(5)), .needs(.services))
struct RendererWorkersTests {
    static let server = "wk"
    static let surface = "nauvis"
    static var logger: Logger {
        var l = Logger(label: "renderer-workers-test")
        l.logLevel = .warning
        return l
    }

    static func packet(_ p: Payload) -> Packet { Packet(tick: 1, seq: 1, payload: p) }

    /// 24×16 chunks (3×2 regions) of terrain, buildings on a grid incl. across region borders.
    static func firstHalf() -> [Packet] {
        var out: [Packet] = []
        for cy in 0..<16 {
            for cx in 0..<24 {
                let name = ["grass-1", "water", "sand-1"][(cx + 2 * cy) % 3]
                out.append(packet(.chunkTerrain(ChunkTerrain(surface: surface, cx: cx, cy: cy, palette: [name, "water"], runs: [600, 0, 424, 1]))))
            }
        }
        var unit: UInt64 = 1
        for y in stride(from: 3.5, to: 512, by: 29) {
            for x in stride(from: 1.5, to: 768, by: 23) {
                out.append(packet(.buildings(BuildingsUpsert(surface: surface, buildings: [
                    Building(unit: unit, name: unit % 2 == 0 ? "assembler" : "refinery", x: x, y: y, direction: 0, force: "player")
                ]))))
                unit += 1
            }
        }
        return out
    }

    /// Removals, a chunk deletion and new buildings, produced while the workers run.
    static func secondHalf() -> [Packet] {
        var out: [Packet] = []
        for unit: UInt64 in stride(from: 3, to: 300, by: 7) {
            out.append(packet(.buildingRemoved(BuildingsRemoved(surface: surface, removed: [RemovedBuilding(unit: unit, x: 0, y: 0)]))))
        }
        for c in [ChunkPosition(x: 8, y: 8), ChunkPosition(x: 7, y: 7)] {
            out.append(packet(.chunkDeleted(ChunkDeleted(surface: surface, chunks: [c]))))
        }
        out.append(packet(.buildings(BuildingsUpsert(surface: surface, buildings: [
            Building(unit: 5000, name: "refinery", x: 256.5, y: 256.5, direction: 4, force: "enemy")
        ]))))
        return out
    }

    static let prototypes = packet(.prototypes(Prototypes(
        tiles: [
            TilePrototype(name: "grass-1", color: GameColor(r: 55, g: 53, b: 11)), TilePrototype(name: "water", color: GameColor(r: 51, g: 83, b: 95)),
            TilePrototype(name: "sand-1", color: GameColor(r: 138, g: 103, b: 58)),
        ],
        entities: [
            EntityPrototype(name: "assembler", type: "assembling-machine", mapColor: nil, friendlyColor: nil, enemyColor: nil,
                            collisionBox: [-1.2, -1.2, 1.2, 1.2], tileWidth: 3, tileHeight: 3),
            EntityPrototype(name: "refinery", type: "oil-refinery", mapColor: GameColor(r: 0.8, g: 0.2, b: 0.2), friendlyColor: nil, enemyColor: nil,
                            collisionBox: [-2.4, -2.4, 2.4, 2.4], tileWidth: 5, tileHeight: 5),
        ])))

    /// The region key PacketIngest would give the packet (tests send one building per packet).
    static func mapKey(_ p: Packet) -> String {
        func key(_ cx: Int, _ cy: Int) -> String { MapKey(server: server, surface: surface, chunkX: cx, chunkY: cy).string }
        switch p.payload {
        case .chunkTerrain(let t): return key(t.cx, t.cy)
        case .chunkDeleted(let d): return key(d.chunks[0].x, d.chunks[0].y)
        case .buildings(let b): return key(MapGeometry.chunk(ofPosition: b.buildings[0].x), MapGeometry.chunk(ofPosition: b.buildings[0].y))
        case .buildingRemoved(let r):
            // Where the upsert put it (stride above): unit u at grid index u-1.
            let i = Int(r.removed[0].unit) - 1, perRow = Int((768 - 1.5) / 23) + 1
            return key(MapGeometry.chunk(ofPosition: 1.5 + Double(i % perRow) * 23), MapGeometry.chunk(ofPosition: 3.5 + Double(i / perRow) * 29))
        default: return server
        }
    }

    /// Creates the renderer's topics with 4 map partitions (the workers leave existing topics alone).
    static func createTopics(_ prefix: String) async throws {
        let t = Topics(prefix: prefix)
        let admin = try KafkaAdmin(
            configuration: KafkaClientConfiguration(bootstrapServers: try TestEnvironment.bootstrap(), clientID: "wk-admin"), logger: logger)
        try await admin.createTopics([
            TopicSpec(name: t.map, partitions: 4), TopicSpec(name: t.rendererState, partitions: 4), TopicSpec(name: t.pyramid, partitions: 4),
            TopicSpec(name: t.prototypes, partitions: 1), TopicSpec(name: t.tiles, partitions: 4), TopicSpec(name: t.rendererControl, partitions: 1),
        ])
    }

    static func produce(_ packets: [Packet], prefix: String, producer: KafkaProducer) async throws {
        let topics = Topics(prefix: prefix)
        let messages = packets.map { p -> ProducerMessage in
            let isPrototypes: Bool = if case .prototypes = p.payload { true } else { false }
            return ProducerMessage(
                topic: isPrototypes ? topics.prototypes : topics.map, key: Array(mapKey(p).utf8), value: PacketLine.encode(p),
                headers: [KafkaHeader(key: RecordHeader.server, string: server), KafkaHeader(key: RecordHeader.packetType, string: p.type.rawValue)])
        }
        for result in await producer.send(messages) { _ = try result.get() }
    }

    /// Reads the tiles topic from its start until `ready` holds, at least `minimum` passed and
    /// nothing arrived for `quiet` since then (last record per key wins; empty value = removed).
    static func finalTiles(
        prefix: String, minimum: Duration, quiet: Duration = .seconds(10), limit: Duration = .seconds(90), ready: @Sendable () -> Bool = { true },
        complete: ([String: [UInt8]]) -> Bool = { _ in true }
    ) async throws -> [String: [UInt8]] {
        let consumer = try KafkaConsumer(
            configuration: ConsumerConfiguration(
                client: KafkaClientConfiguration(bootstrapServers: try TestEnvironment.bootstrap(), clientID: "tiles-reader"),
                groupID: "\(prefix).reader", topics: [Topics(prefix: prefix).tiles]),
            logger: logger)
        let start = ContinuousClock.now
        var last = start, readyAt: ContinuousClock.Instant?, tiles: [String: [UInt8]] = [:]
        while ContinuousClock.now - start < limit {
            let batch = try await consumer.poll(maxMessages: 1000, timeout: .milliseconds(200))
            for m in batch { tiles[String(decoding: m.key ?? [], as: UTF8.self)] = m.value.isEmpty ? nil : m.value }
            if !batch.isEmpty { last = .now }
            if readyAt == nil, ready(), complete(tiles) { readyAt = .now }
            guard let readyAt else { continue }
            if ContinuousClock.now - start > minimum, !tiles.isEmpty, ContinuousClock.now - max(last, readyAt) > quiet { break }
        }
        await consumer.shutdown()
        return tiles
    }

    static func worker(_ prefix: String, _ name: String, detailWorkers: Int = 1) throws -> ServiceProcess {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafkatorio-\(prefix)-\(name)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try ServiceProcess(
            "TileRenderer", arguments: ["--kafka-bootstrap", try TestEnvironment.bootstrap(), "--topic-prefix", prefix, "--worker-id", name,
                "--detail-workers", "\(detailWorkers)",
            ],
            environment: ["LOG_LEVEL": "info", "RENDERER_COALESCE_MS": "0"], logDir: dir)
    }

    @Test func twoWorkersOneKilledMidwayGiveTheSameBytesAsOne() async throws {
        let run = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let producer = try KafkaProducer(
            configuration: ProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: try TestEnvironment.bootstrap(), clientID: "wk")),
            logger: Self.logger)
        defer { Task { await producer.shutdown() } }

        // One process with two detail workers, all input up front.
        let single = "wk1-\(run)"
        try await Self.createTopics(single)
        let one = try Self.worker(single, "solo", detailWorkers: 2)
        defer { one.killNow() }
        try await Self.produce([Self.prototypes] + Self.firstHalf() + Self.secondHalf(), prefix: single, producer: producer)
        // Restored all 4 partitions: rendering has begun (a loaded machine can take long to get there;
        // one flush renders all 6 regions, which can take seconds in a debug build under load).
        // And the whole pyramid is there: its top tile comes last. (A quiet gap alone ended the
        // read after 252 of about 1,450 records in CI, while a debug build rendered under load.)
        let expected = try await Self.finalTiles(
            prefix: single, minimum: .seconds(5), limit: .seconds(120), ready: { one.log.components(separatedBy: "partition restored").count > 4 },
            complete: { tiles in tiles.count > 500 && tiles.keys.contains { $0.hasSuffix("/-13/0/0") } })
        // Both of its workers owned partitions and rendered them.
        let restoredLines = one.log.split(separator: "\n").filter { $0.contains("partition restored") }
        for index in 0..<2 { #expect(restoredLines.contains { $0.contains("worker=solo/\(index)") }, "detail worker \(index) restored partitions") }
        #expect(await one.terminate(timeout: 20) == 0, "clean exit on SIGTERM")

        // Two workers; the second half arrives while they render; one is killed midway.
        let pair = "wk2-\(run)"
        try await Self.createTopics(pair)
        try await Self.produce([Self.prototypes] + Self.firstHalf(), prefix: pair, producer: producer)
        let a = try Self.worker(pair, "a"), b = try Self.worker(pair, "b")
        defer {
            a.killNow()
            b.killNow()
        }
        // Wait until both workers have rendered something, then change the map and kill one.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && !(a.log.contains("partition restored") && b.log.contains("partition restored")) { try await Task.sleep(for: .milliseconds(200)) }
        try await Task.sleep(for: .seconds(1))
        try await Self.produce(Self.secondHalf(), prefix: pair, producer: producer)
        try await Task.sleep(for: .milliseconds(300))
        let restores: @Sendable () -> Int = { a.log.components(separatedBy: "partition restored").count }
        let pyramids: @Sendable () -> Int = { a.log.components(separatedBy: "pyramid partitions assigned").count }
        let before = restores(), pyramidsBefore = pyramids(), killed = b.log.components(separatedBy: "partition restored").count - 1
        kill(b.process.processIdentifier, SIGKILL)
        // The survivor must have taken over (restored b's partitions) before the tiles count as final:
        // the takeover waits for b's session to expire, a quiet gap longer than `quiet` under load.
        let actual = try await Self.finalTiles(prefix: pair, minimum: .seconds(5), ready: { restores() - before >= killed && pyramids() > pyramidsBefore })
        #expect(expected.count > 500)
        #expect(actual.count == expected.count)
        let differing = Set(expected.keys).union(actual.keys).filter { expected[$0] != actual[$0] }
        #expect(differing.isEmpty, "\(differing.count) tiles differ, e.g. \(differing.sorted().prefix(5))")
        #expect(killed > 0 && restores() - before >= killed, "the survivor took over the killed worker's partitions")
        #expect(expected.keys.contains { $0.hasSuffix("/-13/0/0") })
    }
}
