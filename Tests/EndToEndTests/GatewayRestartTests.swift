import Foundation
import Kafka
import KafkaModel
import Shared
import TestSupport
import Testing

/// MapGateway over its tile directory, a real process on the real broker, fed `tiles` records
/// straight from a producer (no renderer: small and cheap): restarted after SIGTERM it serves
/// the same bytes and ETags at once and applies only the records produced since (its
/// `records_total{topic="tiles"}` counts them); SIGKILLed and restarted over a store whose
/// files were overwritten, it logs and counts the rebuild and reads `tiles` whole again.
@Suite(.serialized, .timeLimit(.minutes(4)), .needs(.services))
struct GatewayRestartTests {
    typealias Run = SurfaceDeletionTests.Run

    static func tileRecord(_ run: Run, _ key: String, _ png: [UInt8], version: Int) -> ProducerMessage {
        ProducerMessage(
            topic: run.topics.tiles, key: Array("\(run.server)/\(key)".utf8), value: png,
            headers: [
                KafkaHeader(key: RecordHeader.version, string: "\(version)"),
                KafkaHeader(key: RecordHeader.contentHash, string: String(ContentHash.fnv1a64(png), radix: 16)),
            ])
    }

    /// Status and body of a GET with `headers` (curl, 5 s limit; status 0 when nothing answered).
    static func get(_ url: String, headers: [String] = []) throws -> (status: Int, body: [UInt8]) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gw-restart-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "-o", out.path, "-w", "%{http_code}", "--max-time", "5"] + headers.flatMap { ["-H", $0] } + [url]
        let pipe = Pipe()
        curl.standardOutput = pipe
        try curl.run()
        let code = pipe.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        return (Int(String(decoding: code, as: UTF8.self)) ?? 0, (try? Data(contentsOf: out)).map { [UInt8]($0) } ?? [])
    }

    /// The value of metric line `name` (labels included) on the gateway's `/metrics`.
    static func metric(_ port: Int, _ name: String) throws -> Double? {
        let text = String(decoding: try get("http://127.0.0.1:\(port)/metrics").body, as: UTF8.self)
        return text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    func gateway(_ run: Run, _ name: String, port: Int, tiles: URL) throws -> ServiceProcess {
        try ServiceProcess(
            "MapGateway",
            arguments: run.common + ["--host", "127.0.0.1", "--port", "\(port)", "--tile-directory", tiles.path],
            environment: ["LOG_LEVEL": "info"], logDir: run.dir.appendingPathComponent(name))
    }

    @Test func restartServesTheSameTilesWithoutReReadingAndACorruptStoreIsRebuilt() async throws {
        let run = try Run.make("gr", subdirs: ["g1", "g2", "g3"])
        let tilesDir = run.dir.appendingPathComponent("gateway-tiles")
        let e2e = EndToEndTests()
        let (producer, _) = try run.clients("gr")
        defer { Task { await producer.shutdown() } }
        let keys = (0..<24).map { "nauvis/terrain/3/\($0 % 6)/\($0 / 6)" }
        var pngs = Dictionary(uniqueKeysWithValues: keys.enumerated().map { i, k in (k, (0..<(200 + i)).map { UInt8(($0 * 7 + i) & 0xFF) }) })
        func url(_ port: Int, _ key: String) -> String { "http://127.0.0.1:\(port)/tiles/\(run.server)/\(key).png" }
        /// Every tile of `pngs` is served with its bytes and revalidates with its ETag.
        func servesAll(_ port: Int) throws -> Bool {
            try pngs.allSatisfy { key, png in
                let etag = "If-None-Match: \"\(String(format: "%016llx", ContentHash.fnv1a64(png)))\""
                return try Self.get(url(port, key)) == (200, png) && Self.get(url(port, key), headers: [etag]).status == 304
            }
        }
        func records(_ port: Int) throws -> Double? { try Self.metric(port, #"kafkatorio_gateway_records_total{topic="tiles"}"#) }

        // 1. The first gateway creates the topics and reads every record.
        let port1 = try TestEnvironment.freePort()
        let g1 = try gateway(run, "g1", port: port1, tiles: tilesDir)
        var processes = [g1]
        defer { for p in processes { p.killNow() } }
        _ = try await e2e.eventually(timeout: 60, processes: processes) { try? Self.get("http://127.0.0.1:\(port1)/healthz").status == 200 ? true : nil }
        for result in await producer.send(keys.map { Self.tileRecord(run, $0, pngs[$0]!, version: 1) }) { _ = try result.get() }
        _ = try await e2e.eventually(timeout: 60, processes: processes) { try servesAll(port1) ? true : nil }
        #expect(try records(port1) == Double(keys.count))
        #expect(await g1.terminate(timeout: 20) == 0, "clean exit on SIGTERM")

        // 2. Restarted over its directory: every tile at once, then only the new records.
        let port2 = try TestEnvironment.freePort()
        let g2 = try gateway(run, "g2", port: port2, tiles: tilesDir)
        processes.append(g2)
        _ = try await e2e.eventually(timeout: 60, processes: [g2]) { try? Self.get("http://127.0.0.1:\(port2)/healthz").status == 200 ? true : nil }
        #expect(try servesAll(port2), "served from the disk store as soon as it listens")
        let added = "nauvis/terrain/3/9/9"
        pngs[added] = [1, 2, 3, 4, 5]
        let removed = keys[0]
        pngs[removed] = nil
        for result in await producer.send([Self.tileRecord(run, added, pngs[added]!, version: 1), Self.tileRecord(run, removed, [], version: 2)]) {
            _ = try result.get()
        }
        _ = try await e2e.eventually(timeout: 60, processes: [g2]) { () -> Bool? in
            try servesAll(port2) && Self.get(url(port2, removed)).status == 404 ? true : nil
        }
        #expect(try records(port2) == 2, "only the two records produced since the restart were applied")
        #expect(try Self.metric(port2, #"kafkatorio_gateway_tile_store_rebuilds_total{reason="corrupt"}"#) == nil)

        // 3. SIGKILL, the store's files overwritten: detected, counted, rebuilt from the topic.
        await g2.kill9()
        let store = tilesDir.appendingPathComponent("store")
        for name in try FileManager.default.contentsOfDirectory(atPath: store.path) where name != "LOCK" {
            try Data(repeating: 0x5A, count: 64).write(to: store.appendingPathComponent(name))
        }
        let port3 = try TestEnvironment.freePort()
        let g3 = try gateway(run, "g3", port: port3, tiles: tilesDir)
        processes.append(g3)
        _ = try await e2e.eventually(timeout: 60, processes: [g3]) { () -> Bool? in
            try servesAll(port3) && Self.get(url(port3, removed)).status == 404 ? true : nil
        }
        #expect(try Self.metric(port3, #"kafkatorio_gateway_tile_store_rebuilds_total{reason="corrupt"}"#) == 1)
        #expect(try records(port3) == Double(keys.count + 2), "the whole topic read again")
        #expect(g3.log.contains("tile store is damaged"), "\(g3.log.suffix(2000))")
        #expect(await g3.terminate(timeout: 20) == 0, "clean exit on SIGTERM")
    }
}
