import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdWSClient
import Logging
import MapGatewayCore
import MapGatewayServer
import PalettePNG
import Shared
import TileRendererCore
import NIOWebSocket

/// `tiles-write`: renders a generated world's detail tiles (all three layers) to PNG files under
/// `<dir>/tiles/bench/nauvis/<layer>/3/<x>/<y>.png` and lists their URL paths in `<dir>/paths.txt`,
/// so nginx and the gateway serve byte-identical files at identical URLs.
struct TilesWrite: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tiles-write", abstract: "Write bench tiles to a directory.")
    @Option(help: "Output directory.") var dir: String
    @Option(help: "World side in chunks.") var side = 16

    func run() throws {
        let state = PNGBenchWorld.build(side: side)
        let encoder = try PNGEncoderContext(level: 6)
        var paths: [String] = []
        var bytes = 0
        for layer in [MapLayer.terrain, .resources, .buildings] {
            for i in 0..<(side * side) {
                let key = TileKey(server: "bench", surface: "nauvis", layer: layer, z: TileKey.detailZoom, x: i % side, y: i / side)
                guard let image = state.image(for: key) else { continue }
                let png = try encoder.encode(image)
                let path = "/tiles/bench/nauvis/\(layer.rawValue)/\(key.z)/\(key.x)/\(key.y).png"
                let url = URL(fileURLWithPath: dir + path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(png).write(to: url)
                paths.append(path)
                bytes += png.count
            }
        }
        try (paths.joined(separator: "\n") + "\n").write(toFile: dir + "/paths.txt", atomically: true, encoding: .utf8)
        print("tiles-write: \(paths.count) tiles, \(bytes / max(1, paths.count)) bytes on average, in \(dir)")
    }
}

/// `gateway-serve`: the real gateway application (routes, TileStore, LiveHub, WebSocket) on a
/// port, fed from PNG files instead of Kafka, optionally with `--players` moving at `--hz`
/// (player updates spread evenly over each period). Stops on SIGTERM/SIGINT.
struct GatewayServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gateway-serve", abstract: "Run the gateway for benchmarks.")
    @Option(help: "Port.") var port = 8090
    @Option(help: "Directory written by tiles-write.") var tilesDir: String?
    @Option(help: "Simulated players (0 = none).") var players = 0
    @Option(help: "Updates per player per second.") var hz = 4.0
    @Option(help: "Per-client queue depth.") var queueDepth = 256
    @Option(help: "Player frame in milliseconds (the gateway's default; 0 = one message per update).")
    var playerFrameMs = GatewayConfiguration().playerFrameMillis
    @Option(help: "Keep the tiles in a tile store in this directory (emptied first) instead of in memory only.")
    var tileDirectory: String?
    @Option(help: "KiB of the tile cache over --tile-directory (0: every request reads the disk).") var tileCacheKib = 65536
    @Option(help: "Keep --history-versions past versions of every tile (one a minute, ending now) in a history store in this directory (emptied first).")
    var historyDirectory: String?
    @Option(help: "Past versions per tile in --history-directory.") var historyVersions = 20
    @Option(help: "Write the URL paths of past tiles (`?at=` a moment inside each tile's versions) to this file.")
    var pastPaths: String?

    func run() async throws {
        var logger = Logger(label: "gateway-serve")
        logger.logLevel = .warning
        var store = TileStore()
        var history: TileHistoryStore?
        if let tileDirectory {
            try? FileManager.default.removeItem(atPath: tileDirectory)
            let disk = try await TileDiskTier.open(directory: tileDirectory, topic: "bench", logger: logger) { path throws(TileDiskError) in
                try LocalTileStore.open(directory: path, cacheBytes: 8 << 20)
            }
            store = TileStore(disk: disk, cacheBytes: tileCacheKib << 10, logger: logger)
        }
        if let tilesDir, let paths = try? String(contentsOfFile: tilesDir + "/paths.txt", encoding: .utf8) {
            var records: [TileRecord] = []
            for path in paths.split(separator: "\n") {
                let parts = path.split(separator: "/").map(String.init)  // tiles server surface layer z x y.png
                guard parts.count == 7, let layer = MapLayer(rawValue: parts[3]), let z = Int(parts[4]),
                    let x = Int(parts[5]), let y = Int(parts[6].dropLast(4))
                else { continue }
                let data = try Data(contentsOf: URL(fileURLWithPath: tilesDir + path))
                let key = TileKey(server: parts[1], surface: parts[2], layer: layer, z: z, x: x, y: y)
                records.append(try TileRecord(key: Array(key.string.utf8), value: Array(data), version: "1", contentHash: nil))
            }
            _ = await store.apply(records, offsets: [:])
            if let historyDirectory { history = try await fillHistory(historyDirectory, records: records) }
        }
        let hub = LiveHub(queueDepth: queueDepth, playerFrameMillis: playerFrameMs)
        let app = try buildApplication(
            configuration: GatewayConfiguration(
                host: "127.0.0.1", port: port, wsQueueDepth: queueDepth, playerFrameMillis: playerFrameMs),
            tileStore: store, liveHub: hub, history: history, logger: logger)
        print("gateway-serve: \(store.count) tiles, \(players) players at \(hz) Hz on port \(port)")
        let mover = Task { [players, hz] in
            guard players > 0 else { return }
            // On an absolute schedule (late steps catch up), so the rate is what was asked for.
            let gap = Duration.nanoseconds(Int64(1e9 / (hz * Double(players))))
            let clock = ContinuousClock()
            let start = clock.now
            var step = 0
            while !Task.isCancelled {
                let i = step % players
                let t = Double(step / players) / hz
                let packet = Packet(
                    tick: UInt64(step), seq: UInt64(step),
                    payload: .player(
                        PlayerState(
                            index: i + 1, name: "p\(i + 1)", surface: "nauvis", x: Double(i * 8) + 20 * cos(t),
                            y: 20 * sin(t), color: GameColor(r: 1, g: 0.5, b: 0.1), online: true, afk: false)))
                hub.apply(packet, server: "bench")
                step += 1
                let next = start + gap * step
                if next > clock.now { try? await Task.sleep(until: next, clock: clock) }
            }
        }
        defer { mover.cancel() }
        try await app.runService()
        await history?.close()
    }

    /// A history store with `historyVersions` versions of each record's tile, the last a minute
    /// ago; writes `pastPaths` (each tile's URL at a moment inside one of its versions).
    func fillHistory(_ directory: String, records: [TileRecord]) async throws -> TileHistoryStore {
        try? FileManager.default.removeItem(atPath: directory)
        let core = HistoryCore(intervalMs: 60_000, retentionMs: 30 * 86_400_000)
        let history = try await TileHistoryStore.open(directory: directory, core: core)
        let start = Int64(Date().timeIntervalSince1970 * 1000) - Int64(historyVersions + 1) * 60_000
        let tiles = records.map { ($0.key, $0.png) }
        try await HistoryFill.fill(history, core: core, tiles: tiles, versions: historyVersions, start: start)
        if let pastPaths {
            let paths = tiles.enumerated().map { i, tile in
                let (key, _) = tile
                let at = start + Int64(i % historyVersions) * 60_000 + 30_000
                return "/tiles/\(key.server)/\(key.surface)/\(key.layer.rawValue)/\(key.z)/\(key.x)/\(key.y).png?at=\(at)"
            }
            try (paths.joined(separator: "\n") + "\n").write(toFile: pastPaths, atomically: true, encoding: .utf8)
        }
        return history
    }
}

/// `ws-clients`: opens `--clients` WebSocket connections, reads for `--seconds` after all are
/// connected, and reports the latency of each message (receive time minus the `at` the gateway
/// stamped when it encoded it; both clocks are this machine's): p50, p99, max, messages/s.
struct WSClients: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ws-clients", abstract: "Measure WebSocket fan-out latency.")
    @Option(help: "WebSocket URL.") var url = "ws://127.0.0.1:8090/ws?server=bench"
    @Option(help: "Concurrent clients.") var clients = 1000
    @Option(help: "Measured seconds (after every client connected).") var seconds = 20.0

    func run() async throws {
        var logger = Logger(label: "ws-clients")
        logger.logLevel = .critical
        let connected = Counter()
        let start = Date().timeIntervalSince1970 + Double(clients) / 200 + 2  // connect at ~200/s, then measure
        let end = start + seconds
        let results = await withTaskGroup(of: (samples: [Int32], failed: Bool).self) { group in
            for i in 0..<clients {
                if i % 50 == 49 { try? await Task.sleep(for: .milliseconds(250)) }
                group.addTask { [url, logger] in
                    let box = Samples()
                    box.values.reserveCapacity(Int(seconds) * 250)
                    do {
                        _ = try await WebSocketClient.connect(
                            url: url, configuration: .init(maxFrameSize: 1 << 20), logger: logger
                        ) { inbound, outbound, _ in
                            connected.increment()
                            for try await message in inbound.messages(maxSize: 1 << 20) {
                                let now = Date().timeIntervalSince1970
                                if now >= end { break }
                                guard now >= start, case .text(let text) = message, let at = Self.at(text) else { continue }
                                box.values.append(Int32(clamping: Int64(now * 1000) - at))
                            }
                            try await outbound.close(.normalClosure, reason: nil)
                        }
                        return (box.values, false)
                    } catch {
                        return (box.values, true)
                    }
                }
            }
            var all: [(samples: [Int32], failed: Bool)] = []
            for await r in group { all.append(r) }
            return all
        }
        var samples = results.flatMap(\.samples)
        samples.sort()
        let failed = results.filter(\.failed).count
        func pct(_ p: Double) -> Int32 { samples.isEmpty ? -1 : samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
        print(
            "ws-clients: \(clients) clients (\(connected.value) connected, \(failed) failed), "
                + "\(samples.count) messages in \(Int(seconds)) s = \(Int(Double(samples.count) / seconds)) msg/s "
                + "(\(Int(Double(samples.count) / seconds / Double(max(1, clients)))) per client); "
                + "latency ms p50 \(pct(0.5)) p99 \(pct(0.99)) max \(samples.last ?? -1)")
    }

    /// The integer after `"at":` in a message, if any.
    static func at(_ text: String) -> Int64? {
        guard let r = text.range(of: "\"at\":") else { return nil }
        return Int64(text[r.upperBound...].prefix { $0.isNumber })
    }

    /// One client's latencies; only its own connection handler touches it.
    final class Samples: @unchecked Sendable {
        var values: [Int32] = []
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func increment() { lock.lock(); n += 1; lock.unlock() }
        var value: Int { lock.lock(); defer { lock.unlock() }; return n }
    }
}
