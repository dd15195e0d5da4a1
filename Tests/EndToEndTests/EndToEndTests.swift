import Foundation
import HummingbirdWSClient
import Logging
import PalettePNG
import Shared
import TestSupport
import Testing

/// The first real path: a line appended to a game server's log → LogPipe → raw → PacketIngest →
/// map/prototypes/live → TileRenderer → tiles → MapGateway → HTTP tile and WebSocket message.
/// Every binary is the real executable talking to the real broker `make test` started.
@Suite(.serialized, .timeLimit(.minutes(4)), .needs(.services))
struct EndToEndTests {
    static let grass: [UInt8] = [55, 53, 11, 255]
    static let water: [UInt8] = [51, 83, 95, 255]

    @Test func logLineBecomesTileAndLivePlayer() async throws {
        let bootstrap = try TestEnvironment.bootstrap()
        let run = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let prefix = "e2e-\(run)"
        let server = "srv-\(run)"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafkatorio-\(prefix)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let logFile = dir.appendingPathComponent("factorio-stdout.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let port = try TestEnvironment.freePort()
        let ingestMetricsPort = try TestEnvironment.freePort()
        let common = ["--kafka-bootstrap", bootstrap, "--topic-prefix", prefix]
        let env = ["LOG_LEVEL": "info"]

        // Lines first: LogPipe must ship what was written before it started, too.
        try append(
            logFile,
            [
                "   0.000 2026-11-24 12:00:00; Factorio 2.0.77 (build 83000, linux64, headless)",
                "KAFKATORIO/1 session_start 0 0 {\"mod_version\":\"0.1.0\",\"game_version\":\"2.0.77\"}",
                "KAFKATORIO/1 prototypes 0 1 {\"tiles\":[{\"name\":\"grass-1\",\"color\":[55,53,11,255]},"
                    + "{\"name\":\"water\",\"color\":[51,83,95,255]}]}",
                "2026-11-24 12:00:01 [JOIN] Alice joined the game",
                "KAFKATORIO/1 chunk_terrain 60 2 {\"surface\":\"nauvis\",\"cx\":0,\"cy\":0,"
                    + "\"palette\":[\"grass-1\",\"water\"],\"runs\":[512,0,512,1]}",
                "KAFKATORIO/1 chunk_terrain 60 3 {\"cy\":0,\"cx\":-1,\"runs\":[1024,0],\"palette\":[\"water\"],\"surface\":\"nauvis\"}",
                "KAFKATORIO/1 player 61 4 {\"index\":1,\"name\":\"Alice\",\"surface\":\"nauvis\",\"x\":5.5,\"y\":-3.25,"
                    + "\"color\":[1,0.5,0.1,0.5],\"online\":true,\"afk\":false}",
            ])

        var processes: [ServiceProcess] = []
        defer {
            for p in processes { p.killNow() }
        }
        // LogPipe signs every line with the server's secret; PacketIngest verifies it against its
        // registry (an unsigned or forged line would be dead-lettered and the map stay empty).
        let secretFile = dir.appendingPathComponent("logpipe.secret")
        let registryFile = dir.appendingPathComponent("servers")
        try Data("e2e-secret-\(UUID().uuidString)\n".utf8).write(to: secretFile)
        try Data("# test registry\n\(server) \(String(decoding: try Data(contentsOf: secretFile), as: UTF8.self))".utf8)
            .write(to: registryFile)
        processes.append(
            try ServiceProcess(
                "PacketIngest",
                arguments: common + ["--servers", registryFile.path, "--metrics-port", "\(ingestMetricsPort)"],
                environment: env, logDir: dir))
        processes.append(try ServiceProcess("TileRenderer", arguments: common, environment: env, logDir: dir))
        processes.append(
            try ServiceProcess(
                "MapGateway",
                arguments: common + [
                    "--host", "127.0.0.1", "--port", "\(port)", "--tile-directory", dir.appendingPathComponent("gateway-tiles").path,
                ], environment: env,
                logDir: dir))
        processes.append(
            try ServiceProcess(
                "LogPipe",
                arguments: common + [
                    "--file", logFile.path, "--server-id", server, "--secret-file", secretFile.path,
                    "--checkpoint", dir.appendingPathComponent("checkpoint").path,
                ], environment: env, logDir: dir))

        // 1. The gateway serves a PNG for chunk (0, 0) whose pixels have the prototype colours.
        //    (A quiet region renders at once, so a first version can come before the renderer read
        //    the prototypes, in the default colours; the prototypes re-render it.)
        let tileURL = "http://127.0.0.1:\(port)/tiles/\(server)/nauvis/terrain/\(TileKey.detailZoom)/0/0.png"
        let png = try await eventually(timeout: 90, processes: processes) { () -> [UInt8]? in
            guard let r = try? await httpGet(tileURL), r.status == 200, let image = try? PNGDecoder.decode(r.body) else { return nil }
            return Array(image.rgba[(4 * image.width + 4) * 4..<(4 * image.width + 4) * 4 + 4]) == Self.grass ? r.body : nil
        }
        let image = try PNGDecoder.decode(png)
        #expect(image.width == 256 && image.height == 256)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(image.rgba[(y * image.width + x) * 4..<(y * image.width + x) * 4 + 4]) }
        #expect(pixel(4, 4) == Self.grass, "top half of chunk (0,0) is grass-1")
        #expect(pixel(255, 127) == Self.grass)
        #expect(pixel(0, 128) == Self.water, "bottom half is water")
        #expect(pixel(250, 250) == Self.water)
        let west = try await eventually(timeout: 30, processes: processes) { () -> [UInt8]? in
            guard let r = try? await httpGet("http://127.0.0.1:\(port)/tiles/\(server)/nauvis/terrain/\(TileKey.detailZoom)/-1/0.png"),
                r.status == 200, let image = try? PNGDecoder.decode(r.body)
            else { return nil }
            return Array(image.rgba[0..<4]) == Self.water ? r.body : nil
        }
        let westImage = try PNGDecoder.decode(west)
        #expect(Array(westImage.rgba[0..<4]) == Self.water)

        // 2. A WebSocket client gets the player in its snapshot, then a live position update.
        let received = LockedMessages()
        let wsURL = "ws://127.0.0.1:\(port)/ws?server=\(server)"
        let logger = Logger(label: "e2e-ws")
        let client = Task {
            try await WebSocketClient.connect(url: wsURL, logger: logger) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 22) {
                    if case .text(let text) = message { received.append(text) }
                }
            }
        }
        defer { client.cancel() }
        _ = try await eventually(timeout: 30, processes: processes) { () -> Bool? in
            received.all.contains { mentionsPlayer($0, name: "Alice", x: 5.5, y: -3.25) } ? true : nil
        }
        try append(
            logFile,
            [
                "KAFKATORIO/1 player 75 5 {\"index\":1,\"name\":\"Alice\",\"surface\":\"nauvis\",\"x\":12.25,\"y\":7.5,"
                    + "\"color\":[1,0.5,0.1,0.5],\"online\":true,\"afk\":false}"
            ])
        _ = try await eventually(timeout: 30, processes: processes) { () -> Bool? in
            received.all.contains { mentionsPlayer($0, name: "Alice", x: 12.25, y: 7.5) } ? true : nil
        }
        client.cancel()

        // 3. PacketIngest reports health and counts what it routed.
        let health = try await httpGet("http://127.0.0.1:\(ingestMetricsPort)/healthz")
        #expect(health.status == 200 && String(decoding: health.body, as: UTF8.self) == "ok\n")
        let metrics = String(decoding: try await httpGet("http://127.0.0.1:\(ingestMetricsPort)/metrics").body, as: UTF8.self)
        let accepted = metrics.split(separator: "\n").first {
            $0.hasPrefix("ingest_lines_total{") && $0.contains(#"result="accepted""#) && $0.contains(#"topic="raw""#)
        }
        #expect(accepted.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } } ?? 0 >= 5, "\(metrics.prefix(2000))")

        // 4. Every service shuts down cleanly on SIGTERM.
        for p in processes.reversed() {
            let status = await p.terminate()
            #expect(status == 0, "\(p.name) exit status \(String(describing: status)); log:\n\(p.log.suffix(3000))")
        }
    }

    /// Retries `probe` every 250 ms until it returns a value; fails with the services' logs on timeout.
    func eventually<T>(
        timeout: TimeInterval, processes: [ServiceProcess], _ probe: () async throws -> T?
    ) async throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let v = try await probe() { return v }
            for p in processes where !p.process.isRunning {
                throw SetupError("\(p.name) exited with \(p.process.terminationStatus):\n\(p.log.suffix(4000))")
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let logs = processes.map { "--- \($0.name)\n\($0.log.suffix(2500))" }.joined(separator: "\n")
        throw SetupError("timed out after \(timeout) s; service logs:\n\(logs)")
    }

    func append(_ file: URL, _ lines: [String]) throws {
        let h = try FileHandle(forWritingTo: file)
        defer { try? h.close() }
        h.seekToEndOfFile()
        h.write((lines.joined(separator: "\n") + "\n").data(using: .utf8)!)
    }
}

/// Messages a WebSocket client received, shared with the test task.
final class LockedMessages: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func append(_ m: String) { lock.withLock { messages.append(m) } }
    var all: [String] { lock.withLock { messages } }
}

/// Whether a JSON message contains, at any depth, an object for player `name` at (x, y).
func mentionsPlayer(_ text: String, name: String, x: Double, y: Double) -> Bool {
    guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { return false }
    func visit(_ v: Any) -> Bool {
        if let d = v as? [String: Any] {
            if d["name"] as? String == name, let px = (d["x"] as? NSNumber)?.doubleValue,
                let py = (d["y"] as? NSNumber)?.doubleValue, px == x, py == y
            {
                return true
            }
            return d.values.contains(where: visit)
        }
        if let a = v as? [Any] { return a.contains(where: visit) }
        return false
    }
    return visit(json)
}
