import Foundation
import Kafka
import KafkaModel
import Shared
import TestSupport
import Testing

/// A TileRenderer whose state store cannot grow (its files are limited to 16 KiB with
/// `ulimit -f`, SIGXFSZ ignored, so writes fail with EFBIG as on a full disk) fails loudly: it
/// logs the failure, turns `/healthz` unhealthy and consumes nothing more, and stays up.
@Suite(.serialized, .timeLimit(.minutes(3)), .needs(.services))
struct RendererFullDiskTests {
    @Test func fullStoreStopsTheWorkerLoudly() async throws {
        let prefix = "sf-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafkatorio-\(prefix)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let producer = try KafkaProducer(
            configuration: ProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: try TestEnvironment.bootstrap(), clientID: "sf")),
            logger: RendererWorkersTests.logger)
        defer { Task { await producer.shutdown() } }
        try await RendererWorkersTests.createTopics(prefix)
        // 4×4 chunks of mixed terrain and 441 buildings: more state than 16 KiB.
        var world = [RendererWorkersTests.prototypes]
        for cy in 6..<10 {
            for cx in 6..<10 {
                let runs = (0..<400).map { 1 + ($0 * 7 + cx * 3 + cy) % 3 }
                world.append(RendererWorkersTests.packet(.chunkTerrain(ChunkTerrain(
                    surface: RendererWorkersTests.surface, cx: cx, cy: cy, palette: ["grass-1", "water", "sand-1"],
                    runs: runs.enumerated().flatMap { [$0.element, $0.offset % 3] } + [1024 - runs.reduce(0, +), 0]))))
            }
        }
        var unit: UInt64 = 1
        for y in stride(from: 194.5, to: 318, by: 6) {
            for x in stride(from: 194.5, to: 318, by: 6) {
                world.append(RendererWorkersTests.packet(.buildings(BuildingsUpsert(surface: RendererWorkersTests.surface, buildings: [
                    Building(unit: unit, name: "assembler", x: x, y: y, direction: 0, force: "player")
                ]))))
                unit += 1
            }
        }
        try await RendererWorkersTests.produce(world, prefix: prefix, producer: producer)

        let port = try TestEnvironment.freePort()
        let log = dir.appendingPathComponent("renderer.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let out = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        let binary = try TestEnvironment.binDir().appendingPathComponent("TileRenderer").path
        let args = [
            binary, "--kafka-bootstrap", try TestEnvironment.bootstrap(), "--topic-prefix", prefix, "--role", "detail",
            "--state-directory", dir.appendingPathComponent("state").path, "--metrics-port", "\(port)",
        ].map { "'\($0)'" }.joined(separator: " ")
        process.arguments = ["-c", "trap '' XFSZ; ulimit -f 16; exec \(args)"]
        process.environment = ProcessInfo.processInfo.environment.merging(["LOG_LEVEL": "info", "RENDERER_COALESCE_MS": "0"]) { $1 }
        process.standardOutput = out
        process.standardError = out
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        func text() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        let guardUntil = Date().addingTimeInterval(120)  // a hang guard, not a timing assertion
        while !text().contains("stopping: state store write failed") {
            try #require(process.isRunning, "exited: \(text().suffix(3000))")
            try #require(Date() < guardUntil, "no store failure: \(text().suffix(3000))")
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(text().contains("state store write failed (full)"), "\(text().suffix(2000))")
        var status = 0
        while status != 503 && Date() < guardUntil {
            status = (try? await httpGet("http://127.0.0.1:\(port)/healthz").status) ?? 0
            if status != 503 { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(status == 503, "unhealthy once the store failed")
        #expect(process.isRunning, "it stays up, consuming nothing")
        kill(process.processIdentifier, SIGTERM)
        while process.isRunning && Date() < guardUntil { try await Task.sleep(for: .milliseconds(50)) }
        #expect(process.terminationStatus == 0, "clean exit on SIGTERM: \(text().suffix(1500))")
    }
}
