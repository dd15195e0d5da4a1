import PalettePNG
import Shared
import Testing
import TileRendererCore

@Suite("Every zoom level, state restore, spills and workers")
struct PyramidTests {
    static let s = World.surface

    /// Terrain across two regions (chunks -1…9 × -1…1), ore, and buildings of 1×1…5×5 incl.
    /// ones straddling chunk borders and the region border at x = 256.
    static func input() -> [Packet] {
        var out: [Packet] = [World.prototypes]
        for cy in -1...0 {
            for cx in [-1, 0, 1, 7, 8, 9] {
                out.append(World.terrain(cx, cy) { x, y in (x / 4 + y / 4 + cx) % 3 == 0 ? "water" : cx > 7 ? "sand-1" : "grass-1" })
            }
        }
        out.append(World.packet(.chunkResources(ChunkResources(surface: s, cx: 8, cy: 0, cells: (0..<20).map {
            ResourceCell(dx: $0, dy: $0 / 2, name: "iron-ore", amount: 100)
        }))))
        let buildings = [
            World.building(1, "inserter", 2.5, 2.5), World.building(2, "stone-furnace", 32, 6),
            World.building(3, "assembling-machine-2", 31.5, 31.5), World.building(4, "oil-refinery", 256.5, 10.5),
            World.building(5, "oil-refinery", 254.5, -0.5), World.building(6, "inserter", -0.5, -0.5),
            World.building(7, "assembling-machine-2", 257.5, 40.5, force: "enemy"),
        ]
        out += buildings.map { World.upsert($0) }
        return out
    }

    /// The single-worker result, rendered once for several tests.
    static let single: [String: [UInt8]] = try! render(workers: 1).tiles

    /// Tile keys and content hashes (small failure messages).
    static func digest(_ tiles: [String: [UInt8]]) -> [String: UInt64] { tiles.mapValues { ContentHash.fnv1a64($0) } }

    static func render(workers: Int, input: [Packet] = input(), killMidway: Bool = false) throws -> Cluster {
        let c = Cluster()
        try c.start(workers: workers)
        for p in input { c.produce(p) }
        if killMidway {
            #expect(try !c.run(maxSteps: 4))
            c.kill(1, handOverTo: 0)
        }
        #expect(try c.run())
        return c
    }

    /// The rule of ``Downsample`` written plainly on RGBA (packed as UInt32, alpha in the low
    /// byte), as the reference.
    static func reference(_ children: [[UInt8]?]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 256 * 256 * 4)
        for (q, child) in children.enumerated() {
            guard let child else { continue }
            func at(_ x: Int, _ y: Int) -> UInt32 {
                let o = (y * 256 + x) * 4
                return UInt32(child[o]) << 24 | UInt32(child[o + 1]) << 16 | UInt32(child[o + 2]) << 8 | UInt32(child[o + 3])
            }
            for y in 0..<128 {
                for x in 0..<128 {
                    let px = [at(2 * x, 2 * y), at(2 * x + 1, 2 * y), at(2 * x, 2 * y + 1), at(2 * x + 1, 2 * y + 1)]
                    var best = px[0], bestScore = -1
                    for p in px {
                        let alpha = Int(p & 0xFF)
                        let score = (alpha > 0 ? 1_000_000 : 0) + (px[0] == p ? 1000 : 0) + (px[1] == p ? 1000 : 0)
                            + (px[2] == p ? 1000 : 0) + (px[3] == p ? 1000 : 0) + alpha
                        if score > bestScore { (best, bestScore) = (p, score) }
                    }
                    if best & 0xFF == 0 { continue }
                    let o = (((q / 2) * 128 + y) * 256 + (q % 2) * 128 + x) * 4
                    out[o] = UInt8(best >> 24); out[o + 1] = UInt8((best >> 16) & 0xFF)
                    out[o + 2] = UInt8((best >> 8) & 0xFF); out[o + 3] = UInt8(best & 0xFF)
                }
            }
        }
        return out
    }

    @Test("every level from 3 down to the least zoom is the downsample of the level below; detail tiles match the rasterizer")
    func goldenLevels() throws {
        let tiles = Self.single
        var decoded: [String: [UInt8]] = [:]
        // (The interactivity grids beside the detail tiles are JSON: InspectGridTests.)
        for (k, png) in tiles where InspectGridKey(string: k) == nil { decoded[k] = try PNGDecoder.decode(png).rgba }
        let keys = tiles.keys.compactMap(TileKey.init(string:))
        // Detail tiles equal a plain TileRenderer's.
        let plain = try TileRenderer()
        for p in Self.input() { _ = plain.apply(p, server: World.server) }
        for k in keys where k.z == 3 { #expect(try plain.render(k) == tiles[k.string], "\(k.string)") }
        #expect(keys.filter { $0.z == 3 }.count == plain.state.allTiles(server: World.server).count)
        // Every level exists down to minZoom; the least has 2×2 tiles around the origin at most.
        for z in TileKey.minZoom...3 { #expect(keys.contains { $0.z == z && $0.layer == .terrain }, "z \(z)") }
        #expect(keys.filter { $0.z == TileKey.minZoom }.allSatisfy { (-1...0).contains($0.x) && (-1...0).contains($0.y) })
        // Each lower tile is exactly the reference downsample of its children as published.
        var checked = 0
        for k in keys where k.z < 3 {
            let children = TileLevels.children(k).map { decoded[$0.string] }
            #expect(Self.reference(children) == decoded[k.string]!, "\(k.string)")
            checked += 1
        }
        #expect(checked > 100)
        // A tile whose children are all empty is not published.
        for k in keys where k.z < 3 { #expect(TileLevels.children(k).contains { tiles[$0.string] != nil }) }
    }

    @Test("small buildings survive zooming out; colours at z 0 are the game tiles' map colours")
    func pixels() throws {
        func pixel(_ key: String, _ x: Int, _ y: Int) throws -> RGBA {
            let d = try PNGDecoder.decode(try #require(Self.single[key], "\(key)")).rgba
            let o = (y * 256 + x) * 4
            return RGBA(r: d[o], g: d[o + 1], b: d[o + 2], a: d[o + 3])
        }
        let s = "\(World.server)/\(World.surface)"
        // z 0: one pixel per game tile. Tile (0, 0) of chunk 0 is water ((0/4+0/4+0) % 3 == 0).
        #expect(try pixel("\(s)/terrain/0/0/0", 0, 0) == RenderGoldenTests.water)
        #expect(try pixel("\(s)/terrain/0/0/0", 4, 0) == RenderGoldenTests.grass)
        // The 1×1 inserter at tile (2, 2): visible at z 0 (1 px) and z -2 (a quarter pixel).
        #expect(try pixel("\(s)/buildings/0/0/0", 2, 2).a == 255)
        #expect(try pixel("\(s)/buildings/-2/0/0", 0, 0).a == 255)
        #expect(try pixel("\(s)/buildings/0/0/0", 6, 6).a == 0)
    }

    @Test("several workers, and a worker killed midway, give the same bytes as one worker; spills cross region borders")
    func workers() throws {
        let three = try Self.render(workers: 3)
        let killed = try Self.render(workers: 2, killMidway: true)
        #expect(Self.single.count > 100)
        #expect(Self.digest(three.tiles) == Self.digest(Self.single))
        #expect(Self.digest(killed.tiles) == Self.digest(Self.single))
        // The refinery at x 254…259 (positioned in region 1) is drawn in chunk 7 (region 0).
        let key = "\(World.server)/\(World.surface)/buildings/3/7/0"
        let d = try PNGDecoder.decode(try #require(three.tiles[key])).rgba
        #expect(d[((10 * 8) * 256 + 31 * 8 + 4) * 4 + 3] == 255)
        let regions = Set([Partitioner.partition(of: "\(World.server)/\(World.surface)/0/0", count: 4),
                           Partitioner.partition(of: "\(World.server)/\(World.surface)/1/0", count: 4)])
        #expect(regions.count == 2, "the test needs the two regions on different partitions")
    }

    @Test("replaying the input twice gives the same bytes and publishes nothing new")
    func replay() throws {
        let once = try Self.render(workers: 2)
        let twice = try Self.render(workers: 2, input: Self.input() + Self.input())
        #expect(Self.digest(once.tiles) == Self.digest(twice.tiles))
        #expect(once.tileRecords == twice.tileRecords)
    }

    @Test("removals erase tiles at every level; chunk deletion removes them")
    func removal() throws {
        let c = try Self.render(workers: 2)
        let before = c.tiles.count
        for cy in -1...0 { c.produce(World.packet(.chunkDeleted(ChunkDeleted(surface: Self.s, chunks: [ChunkPosition(x: 9, y: cy)])))) }
        for u: UInt64 in [4, 7] {
            c.produce(World.packet(.buildingRemoved(BuildingsRemoved(surface: Self.s, removed: [RemovedBuilding(unit: u, x: 256.5, y: 10.5)]))))
        }
        #expect(try c.run())
        let fresh = try Self.render(workers: 1, input: Self.input().filter {
            if case .chunkTerrain(let t) = $0.payload { return t.cx != 9 }
            if case .buildings(let b) = $0.payload { return ![4, 7].contains(b.buildings[0].unit) }
            return true
        })
        #expect(c.tiles.count < before)
        #expect(Self.digest(c.tiles) == Self.digest(fresh.tiles))
        #expect(c.tiles["\(World.server)/\(World.surface)/terrain/3/9/0"] == nil)
    }

    @Test("surface deletion removes every tile of the surface at every level")
    func surfaceDeletion() throws {
        let c = try Self.render(workers: 2)
        #expect(!c.tiles.isEmpty)
        c.produce(World.packet(.surface(SurfaceState(index: 1, name: Self.s, deleted: true))))
        #expect(try c.run())
        #expect(c.tiles.isEmpty, "\(c.tiles.keys.sorted().prefix(5))")
        // The state topic holds no chunk or spill of it any more: a restore brings nothing back.
        try c.start(workers: 1)
        #expect(try c.run())
        #expect(c.tiles.isEmpty, "\(c.tiles.keys.sorted().prefix(5))")
        #expect(c.details[0].core.state.chunkIDs().isEmpty)
    }

    /// `packets` moved to surface `name`.
    static func onSurface(_ packets: [Packet], _ name: String) -> [Packet] {
        packets.map { p in
            var q = p
            switch p.payload {
            case .chunkTerrain(var t): t.surface = name; q.payload = .chunkTerrain(t)
            case .chunkResources(var r): r.surface = name; q.payload = .chunkResources(r)
            case .buildings(var b): b.surface = name; q.payload = .buildings(b)
            default: break
            }
            return q
        }
    }

    @Test("a surface deleted while no worker runs leaves every level when workers start again, and stays gone")
    func surfaceDeletedWhileStopped() throws {
        let other = "vulcanus"
        let c = Cluster()
        try c.start(workers: 2)
        for p in Self.input() + Self.onSurface(Self.input(), other) { c.produce(p) }
        #expect(try c.run())
        let kept = Self.digest(c.tiles.filter { $0.key.hasPrefix("\(World.server)/\(other)/") })
        #expect(c.tiles.keys.contains { $0.hasPrefix("\(World.server)/\(Self.s)/") && $0.contains("/-13/") })
        #expect(c.tiles.count == 2 * kept.count)
        // Every worker stops; the surface is deleted; new workers restore and resume.
        c.details = []
        c.pyramids = []
        c.produce(World.packet(.surface(SurfaceState(index: 1, name: Self.s, deleted: true))))
        try c.start(workers: 2)
        #expect(try c.run())
        #expect(Self.digest(c.tiles) == kept)
        // And once more: the state records of the deleted surface are tombstones.
        try c.start(workers: 1)
        #expect(try c.run())
        #expect(Self.digest(c.tiles) == kept)
        #expect(c.details[0].core.state.chunkIDs(server: World.server, surface: Self.s).isEmpty)
        #expect(!c.details[0].core.state.chunkIDs(server: World.server, surface: other).isEmpty)
    }

    @Test("a re-render re-publishes every tile of the server at every level, with the same bytes")
    func rerender() throws {
        let c = try Self.render(workers: 2)
        let before = c.tileRecords, tiles = Self.digest(c.tiles)
        var chunks = 0
        for d in c.details { chunks += d.core.rerender(server: World.server, surface: nil) }
        #expect(chunks > 0)
        #expect(try c.run())
        #expect(c.tileRecords - before >= tiles.count)
        #expect(Self.digest(c.tiles) == tiles)
        for d in c.details { #expect(d.core.rerender(server: "other", surface: nil) == 0) }
    }

    @Test("state records round-trip; bad ones are rejected with a reason")
    func records() throws {
        let r = ChunkRecord(
            terrain: (0..<1024).map { $0 % 7 == 0 ? nil : "t\($0 % 3)" }, resources: [5: ResourceState(name: "coal", amount: 7)],
            buildings: [World.building(9, "inserter", 1.5, 2.5, dir: 4, force: "enemy")])
        #expect(try ChunkRecord(decoding: r.encoded()) == r)
        #expect(throws: StateRecordError.self) { try ChunkRecord(decoding: Array(r.encoded().dropLast())) }
        #expect(throws: StateRecordError.self) { try ChunkRecord(decoding: [2]) }
        let key = StateKey.spill(server: "a", surface: "b c", chunk: ChunkPosition(x: -1, y: 2), region: ChunkPosition(x: 0, y: 0))
        #expect(StateKey(string: key.string) == key)
        #expect(StateKey(string: "x/a/b/1/2") == nil)
        #expect(Partitioner.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}
