import Shared
import TestSupport
import TileRendererCore

/// A generated world for the `png` benchmark: Nauvis-like terrain (noise patches of grass,
/// dirt, sand and water with per-tile variation) and a dense factory (assembler rows, furnace
/// columns, belts, inserters, poles), fed through the real ``MapState``.
enum PNGBenchWorld {
    static let tiles: [(String, Double, Double, Double)] = [
        ("grass-1", 55, 53, 11), ("grass-2", 66, 57, 15), ("grass-3", 65, 52, 28), ("grass-4", 59, 40, 18),
        ("dry-dirt", 94, 66, 37), ("dirt-1", 141, 104, 60), ("dirt-2", 136, 96, 59), ("sand-1", 138, 103, 58),
        ("sand-2", 128, 93, 52), ("water", 51, 83, 95), ("deepwater", 38, 64, 73), ("stone-path", 86, 82, 74),
        ("concrete", 63, 61, 59),
    ]

    static let prototypes = Prototypes(
        tiles: tiles.map { TilePrototype(name: $0.0, color: GameColor(r: $0.1, g: $0.2, b: $0.3)) },
        entities: [
            EntityPrototype(name: "assembling-machine-2", type: "assembling-machine", collisionBox: [-1.2, -1.2, 1.2, 1.2], tileWidth: 3, tileHeight: 3),
            EntityPrototype(name: "stone-furnace", type: "furnace", collisionBox: [-0.7, -0.7, 0.7, 0.7], tileWidth: 2, tileHeight: 2),
            EntityPrototype(name: "transport-belt", type: "transport-belt", collisionBox: [-0.4, -0.4, 0.4, 0.4], tileWidth: 1, tileHeight: 1),
            EntityPrototype(name: "inserter", type: "inserter", collisionBox: [-0.15, -0.15, 0.15, 0.15], tileWidth: 1, tileHeight: 1),
            EntityPrototype(name: "small-electric-pole", type: "electric-pole", collisionBox: [-0.15, -0.15, 0.15, 0.15], tileWidth: 1, tileHeight: 1),
            EntityPrototype(name: "iron-ore", type: "resource", mapColor: GameColor(r: 0.415, g: 0.525, b: 0.58), collisionBox: [-0.1, -0.1, 0.1, 0.1], tileWidth: 1, tileHeight: 1),
        ])

    /// Smooth value noise in 0..<1 at scale `s` tiles.
    static func noise(_ x: Int, _ y: Int, _ s: Double, seed: UInt64) -> Double {
        func h(_ i: Int, _ j: Int) -> Double {
            var r = SplitMix64(state: seed &+ UInt64(bitPattern: Int64(i &* 73_856_093 ^ j &* 19_349_663)))
            return r.unit()
        }
        let fx = Double(x) / s, fy = Double(y) / s
        let ix = Int(fx.rounded(.down)), iy = Int(fy.rounded(.down))
        let tx = fx - Double(ix), ty = fy - Double(iy)
        let sx = tx * tx * (3 - 2 * tx), sy = ty * ty * (3 - 2 * ty)
        let a = h(ix, iy) + (h(ix + 1, iy) - h(ix, iy)) * sx
        let b = h(ix, iy + 1) + (h(ix + 1, iy + 1) - h(ix, iy + 1)) * sx
        return a + (b - a) * sy
    }

    static func tileName(_ x: Int, _ y: Int, _ rng: inout SplitMix64) -> String {
        let n = 0.6 * noise(x, y, 40, seed: 1) + 0.4 * noise(x, y, 9, seed: 2)
        if n < 0.22 { return n < 0.17 ? "deepwater" : "water" }
        let band = n < 0.45 ? 0 : n < 0.6 ? 4 : 7  // grass, dirt, sand families
        let variants = band == 0 ? 4 : band == 4 ? 3 : 2
        return tiles[band + Int(rng.next() % UInt64(rng.unit() < 0.7 ? 1 : variants))].0
    }

    /// A state with `side × side` chunks of terrain, resources in a patch, and a factory.
    static func build(side: Int) -> MapState {
        var state = MapState()
        for p in packets(side: side) { _ = state.apply(p, server: "bench") }
        return state
    }

    /// The packets of a `side × side`-chunk world (server "bench", surface "nauvis"): noise
    /// terrain, iron-ore patches, and a factory block in the chunks within `factoryRadius`
    /// (a fraction of the side) of the centre (every chunk at 1, the default).
    static func packets(side: Int, factoryRadius: Double = 1) -> [Packet] {
        let surface = "nauvis"
        func packet(_ p: Payload) -> Packet { Packet(tick: 0, seq: 0, payload: p) }
        var out = [packet(.prototypes(prototypes))]
        var rng = SplitMix64(state: 42)
        var unit: UInt64 = 0
        for cy in 0..<side {
            for cx in 0..<side {
                var palette: [String] = [], runs: [Int] = []
                var cells: [ResourceCell] = []
                for i in 0..<1024 {
                    let x = cx * 32 + i % 32, y = cy * 32 + i / 32
                    let name = tileName(x, y, &rng)
                    let index = palette.firstIndex(of: name) ?? { palette.append(name); return palette.count - 1 }()
                    if runs.count >= 2 && runs[runs.count - 1] == index { runs[runs.count - 2] += 1 } else { runs += [1, index] }
                    if noise(x, y, 30, seed: 9) > 0.7 { cells.append(ResourceCell(dx: i % 32, dy: i / 32, name: "iron-ore", amount: 1000)) }
                }
                out.append(packet(.chunkTerrain(ChunkTerrain(surface: surface, cx: cx, cy: cy, palette: palette, runs: runs))))
                if !cells.isEmpty { out.append(packet(.chunkResources(ChunkResources(surface: surface, cx: cx, cy: cy, cells: cells)))) }
                let dx = Double(cx) - Double(side) / 2, dy = Double(cy) - Double(side) / 2
                guard (dx * dx + dy * dy).squareRoot() <= factoryRadius * Double(side) else { continue }
                var buildings: [Building] = []
                func add(_ name: String, _ x: Double, _ y: Double, _ dir: Int = 0) {
                    unit += 1
                    buildings.append(Building(unit: unit, name: name, x: Double(cx * 32) + x, y: Double(cy * 32) + y, direction: dir, force: "player"))
                }
                for row in 0..<4 {
                    let y0 = Double(row * 8)
                    for col in 0..<10 { add("assembling-machine-2", Double(col * 3) + 1.5, y0 + 1.5) }
                    for col in 0..<30 { add("inserter", Double(col) + 0.5, y0 + 3.5) }
                    for x in 0..<32 { add("transport-belt", Double(x) + 0.5, y0 + 4.5, 4) }
                    for col in 0..<8 { add("stone-furnace", Double(col * 4) + 1, y0 + 6) }
                    for col in 0..<4 { add("small-electric-pole", Double(col * 8) + 3.5, y0 + 7.5) }
                }
                out.append(packet(.chunkBuildings(ChunkBuildings(surface: surface, cx: cx, cy: cy, buildings: buildings))))
            }
        }
        return out
    }
}
