import ArgumentParser
import PalettePNG
import Shared
import TileRendererCore


/// `png`: rasterize and encode 256×256 map tiles of a generated world; libdeflate L6 vs L1
/// (reused context and per-call allocation) against libpng's simplified API as a baseline.
struct PNGBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "png", abstract: "Tile rasterizing and PNG encoding (libdeflate L6/L1 vs libpng simplified).")

    @Option(help: "World side in chunks (side² tiles per layer).") var side = 8
    @Option(help: "Seconds per measurement.") var seconds = 1.0

    func run() throws {
        let start = Bench.now()
        let state = PNGBenchWorld.build(side: side)
        print("world: \(side)×\(side) chunks built in \(Bench.format(Bench.now() - start, 2)) s")
        let keys = { (layer: MapLayer) in
            (0..<(side * side)).map { TileKey(server: "bench", surface: "nauvis", layer: layer, z: TileKey.detailZoom, x: $0 % side, y: $0 / side) }
        }
        let baseline = LibPNGBaseline()
        if baseline == nil { print("libpng16.so.16 not found: baseline skipped") }
        print("per 256×256 tile: µs (tiles/s on one core), bytes")
        for layer in [MapLayer.terrain, .buildings, .resources] {
            let layerKeys = keys(layer)
            let images = layerKeys.compactMap { state.image(for: $0) }
            let colours = images.map(\.palette.count).reduce(0, +) / max(1, images.count)
            print("\n\(layer.rawValue): \(images.count) tiles, ~\(colours) palette entries (bit depth \(PNGEncoder.bitDepth(forPaletteCount: colours)))")
            report("rasterize", Bench.measure(seconds: seconds) { for k in layerKeys { _ = state.image(for: k) } ; return layerKeys.count }, nil)
            for level: Int32 in [6, 1] {
                let context = try PNGEncoderContext(level: level)
                let bytes = try images.reduce(0) { $0 + (try context.encode($1)).count } / images.count
                report("libdeflate L\(level), reused context", Bench.measure(seconds: seconds) { for i in images { _ = try? context.encode(i) }; return images.count }, bytes)
            }
            report("libdeflate L6, compressor per call", Bench.measure(seconds: seconds) { for i in images { _ = try? PNGEncoder.encode(i) }; return images.count }, nil)
            if let baseline {
                for fast in [false, true] {
                    let bytes = images.reduce(0) { $0 + (baseline.encode($1, fast: fast)?.count ?? 0) } / images.count
                    report("libpng simplified\(fast ? " + FLAG_FAST" : "")", Bench.measure(seconds: seconds) { for i in images { _ = baseline.encode(i, fast: fast) }; return images.count }, bytes)
                }
            }
        }
    }

    func report(_ name: String, _ perSecond: Double, _ bytes: Int?) {
        let us = 1e6 / perSecond
        let size = bytes.map { ", \($0) B" } ?? ""
        print("  \(Bench.pad(name, 38)) \(Bench.format(us, 1)) µs (\(Int(perSecond))/s)\(size)")
    }
}
