import ArgumentParser
import Foundation
import KafkaModel
import Shared
import TestSupport
import TileRendererCore

/// `grids`: what click-to-inspect costs as an interactivity grid published beside the tiles
/// (what the renderer does) against a lookup service keeping the buildings and resources itself,
/// on the renderer benchmark's world (ore amounts varied per tile, as in a real map): bytes per
/// grid and per PNG, extra records on `tiles`, the gateway's memory for the grids against the
/// state a lookup would keep, and the work per change (one grid against one chunk's PNGs).
struct InspectGridBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grids", abstract: "Interactivity grids vs a lookup: bytes, records, memory, work per change.")

    @Option(help: "World side in chunks.") var side = 40
    @Option(help: "Factory radius as a fraction of the side.") var factory = 0.25

    static func stats(_ v: [Int]) -> String {
        guard !v.isEmpty else { return "none" }
        let s = v.sorted()
        let mean = Double(s.reduce(0, +)) / Double(s.count)
        return "mean \(Bench.format(mean, 0)), p50 \(s[s.count / 2]), max \(s.last!) (n = \(s.count))"
    }

    func run() throws {
        var rng = SplitMix64(state: 7)
        let packets = PNGBenchWorld.packets(side: side, factoryRadius: factory).map { p -> Packet in
            guard case .chunkResources(var r) = p.payload else { return p }
            r.cells = r.cells.map { ResourceCell(dx: $0.dx, dy: $0.dy, name: $0.name, amount: 200 + rng.next() % 5000) }
            return Packet(tick: p.tick, seq: p.seq, payload: .chunkResources(r))
        }
        let core = try DetailCore(mapPartitions: 8, pyramidPartitions: 8)
        core.assign(0..<8)
        for p in 0..<Int32(8) { core.restored(p) }
        for p in packets {
            if case .prototypes = p.payload { core.apply(p, server: "bench"); continue }
            guard let id = RendererBenchmark.chunk(p) else { continue }
            core.apply(p, server: "bench", partition: core.partition(of: id))
        }
        let t0 = Bench.now()
        let out = core.flush()
        let flushSeconds = Bench.now() - t0
        let tiles = Topics().tiles
        let onTiles = out.first.filter { $0.topic == tiles && !$0.value.isEmpty }
        let grids = onTiles.filter { InspectGridKey(string: $0.keyString ?? "") != nil }
        let pngs = onTiles.filter { InspectGridKey(string: $0.keyString ?? "") == nil }
        let detail = pngs.filter { TileKey(string: $0.keyString ?? "")?.z == TileKey.detailZoom }
        let buildingsPNG = detail.filter { $0.keyString?.contains("/buildings/") == true }
        print("world: \(side)×\(side) chunks, \(packets.count) packets; one detail flush in \(Bench.format(flushSeconds, 2)) s")
        print("records on tiles: \(pngs.count) PNGs (z 3…0; \(detail.count) at z 3) + \(grids.count) grids (+\(Bench.format(100 * Double(grids.count) / Double(max(1, pngs.count)), 1)) %)")
        print("grid bytes: \(Self.stats(grids.map(\.value.count))); zlib'd: \(Self.stats(grids.map { zlibCompress($0.value, level: 6).count }))")
        print("buildings PNG bytes at z 3: \(Self.stats(buildingsPNG.map(\.value.count))); all z 3 PNGs: \(Self.stats(detail.map(\.value.count)))")
        let gridBytes = grids.reduce(0) { $0 + $1.value.count }, pngBytes = pngs.reduce(0) { $0 + $1.value.count }
        print("gateway memory: grids \(Bench.format(Double(gridBytes) / 1_048_576, 2)) MiB beside \(Bench.format(Double(pngBytes) / 1_048_576, 2)) MiB of PNGs (z 3…0)")
        // A lookup keeps every building and resource tile itself: at least their compact binary
        // form (the renderer's chunk records without terrain), rebuilt from `map` or the state topic.
        var lookupBytes = 0, lookupObjects = 0
        for id in core.state.chunkIDs(server: "bench") {
            guard let r = core.state.chunkRecord(id) else { continue }
            lookupBytes += ChunkRecord(terrain: nil, resources: r.resources, buildings: r.buildings).encoded().count
            lookupObjects += r.resources.count + r.buildings.count
        }
        print("lookup state: \(lookupObjects) buildings and resource tiles, \(Bench.format(Double(lookupBytes) / 1_048_576, 2)) MiB in compact binary form")
        // Work per change: one chunk's grid, against the same chunk's PNGs (draw and encode, z 3).
        let ids = core.state.chunkIDs(server: "bench")
        var gridSeconds: [Double] = []
        for id in ids {
            let g0 = Bench.now()
            _ = core.state.inspectGrid(id).encoded()
            gridSeconds.append(Bench.now() - g0)
        }
        let perTile = (out.drawSeconds.reduce(0, +) + out.encodeSeconds.reduce(0, +)) / Double(max(1, out.encodeSeconds.count))
        let perGrid = gridSeconds.reduce(0, +) / Double(max(1, gridSeconds.count))
        print("work per change: a grid \(Bench.format(perGrid * 1e3, 3)) ms; a PNG (draw + encode, any level) \(Bench.format(perTile * 1e3, 3)) ms; ratio \(Bench.format(perGrid / perTile, 2))")
    }
}
