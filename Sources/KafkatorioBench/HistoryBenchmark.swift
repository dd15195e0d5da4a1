import ArgumentParser
import Foundation
import KafkaModel
import MapGatewayCore
import MapGatewayServer
import PalettePNG
import Shared
import TileRendererCore

/// `history`: a past tile (`?at=`, a seek in the gateway's history store over RocksDB) against a
/// live one (the gateway's tile store in memory), looked up the way the tile routes do, in the same
/// run: lookups per second and their ratio (median of `--rounds`, with the range); and the history
/// store's bytes per stored version, with `--versions` versions of each of the generated world's
/// detail tiles (each version a real PNG of the world with one more building row changed).
struct HistoryBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Past vs live tile lookups; history bytes per version.")
    @Option(help: "World side in chunks.") var side = 16
    @Option(help: "Versions per tile.") var versions = 20
    @Option(help: "Measured rounds (median and range).") var rounds = 5
    @Option(help: "Seconds per round and side.") var seconds = 1.0

    func run() async throws {
        let state = PNGBenchWorld.build(side: side)
        let encoder = try PNGEncoderContext(level: 6)
        var tiles: [(TileKey, [UInt8])] = []
        for i in 0..<(side * side) {
            let key = TileKey(server: "bench", surface: "nauvis", layer: .terrain, z: TileKey.detailZoom, x: i % side, y: i / side)
            if let image = state.image(for: key) { tiles.append((key, try encoder.encode(image))) }
        }
        let directory = NSTemporaryDirectory() + "kafkatorio-history-bench-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let core = HistoryCore(intervalMs: 60_000, retentionMs: 30 * 86_400_000)
        let history = try await TileHistoryStore.open(directory: directory, core: core)
        let live = TileStore()
        let start: Int64 = 1_800_000_000_000
        let pngBytes = try await HistoryFill.fill(history, core: core, tiles: tiles, versions: versions, start: start)
        for (key, png) in tiles { live.put(key: key, png: HistoryFill.version(png, versions - 1), version: UInt64(versions)) }
        _ = try await history.sweep(now: start + Int64(versions) * 60_000)
        await history.close()
        let files = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        let storeBytes = files.reduce(0) { sum, name in
            sum + ((try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? Int) ?? 0)
        }
        let reopened = try await TileHistoryStore.open(directory: directory, core: core)
        let now = start + Int64(versions) * 60_000
        var liveRates: [Double] = [], pastRates: [Double] = []
        var n = 0
        for _ in 0..<rounds {
            liveRates.append(await Self.rate(seconds) {
                let (key, _) = tiles[n % tiles.count]
                n += 1
                return await live.tile(key) != nil
            })
            pastRates.append(await Self.rate(seconds) {
                let (key, _) = tiles[n % tiles.count]
                n += 1
                let at = start + Int64(n % versions) * 60_000 + 30_000
                return (try? await reopened.version(key, at: at, now: now)) != nil
            })
        }
        await reopened.close()
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        let ratios = zip(pastRates, liveRates).map { $0 / $1 }
        print("history: \(tiles.count) tiles × \(versions) versions, PNG \(pngBytes / max(1, tiles.count * versions)) bytes on average")
        print("  live tile lookups/s  median \(Int(median(liveRates))) (range \(Int(liveRates.min()!))–\(Int(liveRates.max()!)))")
        print("  past tile lookups/s  median \(Int(median(pastRates))) (range \(Int(pastRates.min()!))–\(Int(pastRates.max()!)))")
        print("  past / live          median \(Bench.format(median(ratios), 3)) (range \(Bench.format(ratios.min()!, 3))–\(Bench.format(ratios.max()!, 3)))")
        print("  store bytes per version \(storeBytes / max(1, tiles.count * versions)) (PNG bytes ×\(Bench.format(Double(storeBytes) / Double(max(1, pngBytes)), 2)))")
    }

    /// Calls `body` for about `seconds`; calls per second (every call must succeed).
    static func rate(_ seconds: Double, _ body: () async -> Bool) async -> Double {
        var done = 0
        let start = Bench.now()
        var elapsed = 0.0
        repeat {
            for _ in 0..<64 {
                let ok = await body()
                precondition(ok, "lookup failed")
            }
            done += 64
            elapsed = Bench.now() - start
        } while elapsed < seconds
        return Double(done) / elapsed
    }
}
