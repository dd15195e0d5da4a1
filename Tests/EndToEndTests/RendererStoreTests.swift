import Foundation
import Kafka
import KafkaModel
import Logging
import Shared
import TestSupport
import Testing

/// A real TileRenderer process over its state store (`--state-directory`) on the real broker:
/// restarted, it resumes every stored partition and publishes exactly the tiles a change
/// touched (nothing of the unchanged map again).
@Suite(.serialized, .timeLimit(.minutes(3)), .needs(.services))
struct RendererStoreTests {
    static let server = RendererWorkersTests.server
    static let surface = RendererWorkersTests.surface

    /// Terrain in the 2×2 chunks meeting at a region corner (4 regions) and a refinery across it.
    static let world: [Packet] = {
        var out = [RendererWorkersTests.prototypes]
        for cy in 7..<9 {
            for cx in 7..<9 {
                out.append(RendererWorkersTests.packet(.chunkTerrain(ChunkTerrain(
                    surface: surface, cx: cx, cy: cy, palette: ["grass-1", "water"], runs: [500 + 20 * cx, 0, 524 - 20 * cx, 1]))))
            }
        }
        out.append(building(1, 254.5, 254.5))
        return out
    }()

    static func building(_ unit: UInt64, _ x: Double, _ y: Double) -> Packet {
        RendererWorkersTests.packet(.buildings(BuildingsUpsert(surface: surface, buildings: [
            Building(unit: unit, name: "refinery", x: x, y: y, direction: 0, force: "player")
        ])))
    }

    /// The `map` partitions holding the world's regions.
    static var partitions: Set<Int32> {
        Set([(7, 7), (8, 7), (7, 8), (8, 8)].map { Partitioner.partition(of: MapKey(server: server, surface: surface, chunkX: $0.0, chunkY: $0.1).string, count: 4) })
    }

    static func worker(_ prefix: String, _ dir: URL, _ name: String) throws -> ServiceProcess {
        try ServiceProcess(
            "TileRenderer",
            arguments: [
                "--kafka-bootstrap", try TestEnvironment.bootstrap(), "--topic-prefix", prefix, "--worker-id", "store",
                "--role", "detail", "--state-directory", dir.appendingPathComponent("state").path,
            ],
            environment: ["LOG_LEVEL": "info", "RENDERER_COALESCE_MS": "0"], logDir: dir, logName: name)
    }

    /// Every record of the tiles topic, read to the end of each partition.
    static func readTiles(_ prefix: String) async throws -> [(key: String, value: [UInt8])] {
        let consumer = try KafkaConsumer(
            configuration: ConsumerConfiguration(
                client: KafkaClientConfiguration(bootstrapServers: try TestEnvironment.bootstrap(), clientID: "tiles-reader"),
                groupID: "\(prefix).reader.\(UUID().uuidString)", topics: [Topics(prefix: prefix).tiles], partitionEOF: true),
            logger: RendererWorkersTests.logger)
        var atEnd = Set<Int32>(), records: [(key: String, value: [UInt8])] = []
        let guardUntil = Date().addingTimeInterval(120)  // a hang guard, not a timing assertion
        while atEnd.count < 4 && Date() < guardUntil {
            let batch = try await consumer.pollBatch(maxMessages: 1000, timeout: .milliseconds(200))
            for m in batch.messages {
                records.append((String(decoding: m.key ?? [], as: UTF8.self), m.value))
                atEnd.remove(m.partition)
            }
            for tp in batch.eofPartitions { atEnd.insert(tp.partition) }
        }
        await consumer.shutdown()
        return records
    }

    static func waitFor(_ what: String, _ process: ServiceProcess, _ condition: () -> Bool) async throws {
        let guardUntil = Date().addingTimeInterval(120)
        while !condition() {
            try #require(process.process.isRunning, "\(process.name) exited while waiting for \(what): \(process.log.suffix(3000))")
            try #require(Date() < guardUntil, "no \(what): \(process.log.suffix(3000))")
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    static func count(_ s: String, in log: String) -> Int { log.components(separatedBy: s).count - 1 }

    @Test func restartedWorkerPublishesExactlyTheChangedTiles() async throws {
        let prefix = "st-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafkatorio-\(prefix)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let producer = try KafkaProducer(
            configuration: ProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: try TestEnvironment.bootstrap(), clientID: "st")),
            logger: RendererWorkersTests.logger)
        defer { Task { await producer.shutdown() } }
        try await RendererWorkersTests.createTopics(prefix)
        try await RendererWorkersTests.produce(Self.world, prefix: prefix, producer: producer)
        let stored = Self.partitions

        let first = try Self.worker(prefix, dir, "first")
        defer { first.killNow() }
        try await Self.waitFor("complete saves", first) { Self.count("partition stored completely", in: first.log) >= stored.count }
        // The first saves come right after the restore, before the world is rendered: wait until
        // the tiles topic and the saves stand still (three reads 2 s apart agree), so that the
        // first worker has published and stored everything before it stops.
        var published: [(key: String, value: [UInt8])] = []
        var still = 0
        let settleUntil = Date().addingTimeInterval(120)  // a hang guard, not a timing assertion
        while still < 3 && Date() < settleUntil {
            let saves = Self.count("partition stored completely", in: first.log)
            let now = try await Self.readTiles(prefix)
            still = now.count >= 12 && now.count == published.count && saves == Self.count("partition stored completely", in: first.log) ? still + 1 : 0
            published = now
            try await Task.sleep(for: .seconds(2))
        }
        #expect(await first.terminate(timeout: 30) == 0, "clean exit on SIGTERM")
        let before = try await Self.readTiles(prefix)
        #expect(before.count >= 12, "the world's tiles were published")

        let second = try Self.worker(prefix, dir, "second")
        defer { second.killNow() }
        try await Self.waitFor("resumes", second) { Self.count("partition resumed from the state store", in: second.log) >= stored.count }
        #expect(Self.count("partition stored completely", in: second.log) == 0)
        // A building inside chunk (8, 8): its buildings tiles at z 3…0 and its interactivity grid
        // change, nothing else.
        try await RendererWorkersTests.produce([Self.building(2, 272.5, 272.5)], prefix: prefix, producer: producer)
        let changed = Set([(3, 8, 8), (2, 4, 4), (1, 2, 2), (0, 1, 1)].map { "\(Self.server)/\(Self.surface)/buildings/\($0.0)/\($0.1)/\($0.2)" })
            .union(["\(Self.server)/\(Self.surface)/inspect/3/8/8"])
        var after: [(key: String, value: [UInt8])] = []
        let guardUntil = Date().addingTimeInterval(120)
        while Date() < guardUntil {
            after = Array(try await Self.readTiles(prefix).dropFirst(0))
            if Set(after.map(\.key)).count == Set(before.map(\.key)).count, after.count >= before.count + changed.count { break }
            try #require(second.process.isRunning, "exited: \(second.log.suffix(3000))")
            try await Task.sleep(for: .milliseconds(300))
        }
        let beforeByKey = Dictionary(before.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        let fresh = Array(after.filter { r in !before.contains { $0.key == r.key && $0.value == r.value } })
        #expect(after.count - before.count == changed.count, "published after the restart: \(fresh.map(\.key).sorted())")
        #expect(Set(fresh.map(\.key)) == changed)
        #expect(fresh.allSatisfy { beforeByKey[$0.key] != nil && beforeByKey[$0.key] != $0.value })
        #expect(await second.terminate(timeout: 30) == 0)
    }
}
