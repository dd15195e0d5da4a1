import PalettePNG
import Shared
import Testing
import TileRendererCore

@Suite("Apply semantics: dirty keys, idempotence, replacement, removal")
struct ApplySemanticsTests {
    static let s = World.surface

    /// A mixed input stream touching every packet type.
    static let stream: [Packet] = [
        World.packet(.sessionStart(SessionStart(modVersion: "0.1.0", gameVersion: "2.0.77"))),
        World.prototypes,
        World.terrain(0, 0) { x, y in (x + y) % 3 == 0 ? "water" : "grass-1" },
        World.terrain(1, 0) { _, _ in "sand-1" },
        World.packet(.tiles(TileChanges(surface: s, cells: [TileCell(x: 3, y: 4, name: "concrete"), TileCell(x: 70, y: -1, name: "stone-path")]))),
        World.packet(.chunkResources(ChunkResources(surface: s, cx: 0, cy: 0, cells: [ResourceCell(dx: 5, dy: 5, name: "copper-ore", amount: 10)]))),
        World.upsert(World.building(1, "inserter", 2.5, 2.5), World.building(2, "oil-refinery", 31.5, 31.5), World.building(3, "wooden-chest", 40.5, 1.5)),
        World.packet(.chunkBuildings(ChunkBuildings(surface: s, cx: 1, cy: 0, buildings: [World.building(3, "wooden-chest", 41.5, 1.5, dir: 4)]))),
        World.removed(1, 999),
        World.packet(.player(PlayerState(index: 1, name: "p", surface: s, x: 0, y: 0, color: GameColor(r: 1, g: 1, b: 1), online: true, afk: false))),
    ]

    static func allPNGs(_ r: TileRenderer) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for key in r.state.allTiles(server: World.server) { out[key.string] = try r.render(key) }
        return out
    }

    @Test("replaying every packet twice gives byte-identical PNGs; a packet applied twice in a row dirties nothing")
    func replayTwice() throws {
        let once = try TileRenderer(), twice = try TileRenderer()
        for p in Self.stream { _ = once.apply(p, server: World.server) }
        for p in Self.stream { _ = twice.apply(p, server: World.server) }
        for p in Self.stream { _ = twice.apply(p, server: World.server) }
        let a = try Self.allPNGs(once), b = try Self.allPNGs(twice)
        #expect(a.count == 8)  // terrain 3, resources 1, buildings 4 (the refinery spans 4 chunks)
        #expect(a == b)
        // Each packet applied twice in a row also dirties nothing the second time.
        let pairs = try TileRenderer()
        for p in Self.stream {
            _ = pairs.apply(p, server: World.server)
            #expect(pairs.apply(p, server: World.server).isEmpty)
        }
        #expect(try Self.allPNGs(pairs) == a)
    }

    @Test("dirty keys name the chunks and layers each packet changed")
    func dirtyKeys() throws {
        let r = try TileRenderer()
        #expect(r.apply(World.prototypes, server: World.server).isEmpty)  // no content yet
        #expect(r.apply(World.terrain(2, 3) { _, _ in "water" }, server: World.server) == [World.key(.terrain, 2, 3)])
        // A 3×3 at the corner of four chunks dirties the buildings tile of all four.
        let corner = r.apply(World.upsert(World.building(7, "assembling-machine-2", 64.5, 96.5)), server: World.server)
        #expect(corner == [World.key(.buildings, 1, 2), World.key(.buildings, 2, 2), World.key(.buildings, 1, 3), World.key(.buildings, 2, 3)])
        // Moving it dirties the old and the new footprint's chunks.
        let moved = r.apply(World.upsert(World.building(7, "assembling-machine-2", 80.5, 100.5)), server: World.server)
        #expect(moved == [World.key(.buildings, 1, 2), World.key(.buildings, 2, 2), World.key(.buildings, 1, 3), World.key(.buildings, 2, 3)])
        #expect(r.state.chunk(server: World.server, surface: Self.s, cx: 2, cy: 3)?.owned == [7])
        // A tile change outside any known chunk creates partial terrain.
        #expect(r.apply(World.packet(.tiles(TileChanges(surface: Self.s, cells: [TileCell(x: -1, y: -33, name: "water")]))), server: World.server) == [World.key(.terrain, -1, -2)])
        // Resource amounts alone do not change the image.
        let res = { (amount: UInt64) in World.packet(.chunkResources(ChunkResources(surface: Self.s, cx: 0, cy: 0, cells: [ResourceCell(dx: 1, dy: 1, name: "stone", amount: amount)]))) }
        #expect(r.apply(res(100), server: World.server) == [World.key(.resources, 0, 0)])
        #expect(r.apply(res(99), server: World.server).isEmpty)
        // Prototypes dirty every tile of the server on the layers whose colours changed.
        var changed = PrototypeFixture.packet
        changed.tiles = changed.tiles.map { TilePrototype(name: $0.name, color: GameColor(r: 9, g: 9, b: 9)) }
        #expect(r.apply(World.packet(.prototypes(Prototypes(tiles: changed.tiles))), server: World.server) == [World.key(.terrain, 2, 3), World.key(.terrain, -1, -2)])
        #expect(r.apply(World.packet(.prototypes(Prototypes(tiles: changed.tiles))), server: World.server).isEmpty)
        // Another server's state is separate.
        #expect(r.apply(World.prototypes, server: "other").isEmpty)
    }

    @Test("partial terrain from tiles packets: known tiles drawn, the rest transparent; chunk_terrain replaces it")
    func partialTerrain() throws {
        let r = try TileRenderer()
        _ = r.apply(World.prototypes, server: World.server)
        _ = r.apply(World.packet(.tiles(TileChanges(surface: Self.s, cells: [TileCell(x: 5, y: 6, name: "water")]))), server: World.server)
        let partial = try #require(try DecodedTile(try r.render(World.key(.terrain, 0, 0))))
        #expect(partial.block(5, 6, is: PrototypeFixture.color255(tile: "water")))
        #expect(partial.block(0, 0, is: .transparent) && partial.block(6, 6, is: .transparent))
        _ = r.apply(World.terrain(0, 0) { _, _ in "grass-1" }, server: World.server)
        let full = try #require(try DecodedTile(try r.render(World.key(.terrain, 0, 0))))
        #expect(full.block(5, 6, is: PrototypeFixture.color255(tile: "grass-1")))
        #expect(r.state.tileName(server: World.server, surface: Self.s, x: 5, y: 6) == "grass-1")
    }

    @Test("chunk_buildings replaces the buildings positioned in its area; removal erases")
    func replaceAndRemove() throws {
        let r = try TileRenderer()
        _ = r.apply(World.prototypes, server: World.server)
        _ = r.apply(World.upsert(World.building(1, "stone-furnace", 4, 4), World.building(2, "stone-furnace", 20, 20), World.building(3, "inserter", 40.5, 0.5)), server: World.server)
        let area = TileArea(x0: 0, y0: 0, x1: 16, y1: 16)
        let dirty = r.apply(World.packet(.chunkBuildings(ChunkBuildings(surface: Self.s, cx: 0, cy: 0, area: area, buildings: []))), server: World.server)
        #expect(dirty == [World.key(.buildings, 0, 0)])
        #expect(r.state.building(server: World.server, surface: Self.s, unit: 1) == nil)
        #expect(r.state.building(server: World.server, surface: Self.s, unit: 2) != nil)  // outside the area
        #expect(r.state.building(server: World.server, surface: Self.s, unit: 3) != nil)  // other chunk
        _ = r.apply(World.removed(2), server: World.server)
        #expect(try r.render(World.key(.buildings, 0, 0)) == nil)
        #expect(try r.render(World.key(.buildings, 1, 0)) != nil)
        // Deleting the chunk drops everything positioned in it.
        _ = r.apply(World.terrain(1, 0) { _, _ in "sand-1" }, server: World.server)
        let gone = r.apply(World.packet(.chunkDeleted(ChunkDeleted(surface: Self.s, chunks: [ChunkPosition(x: 1, y: 0)]))), server: World.server)
        #expect(gone == [World.key(.buildings, 1, 0), World.key(.terrain, 1, 0)])
        #expect(try r.render(World.key(.terrain, 1, 0)) == nil && r.state.allTiles(server: World.server).isEmpty)
    }

    @Test("colours follow prototypes packets")
    func recolour() throws {
        let r = try TileRenderer()
        _ = r.apply(World.prototypes, server: World.server)
        _ = r.apply(World.terrain(0, 0) { _, _ in "water" }, server: World.server)
        _ = r.apply(World.upsert(World.building(1, "stone-furnace", 4, 4)), server: World.server)
        let before = try #require(try r.render(World.key(.buildings, 0, 0)))
        var furnace = PrototypeFixture.prototype("stone-furnace")
        furnace.friendlyColor = GameColor(r: 255, g: 0, b: 255)
        furnace.collisionBox = [-1.4, -1.4, 1.4, 1.4]  // now covers tiles 2...5 around (4, 4)
        let dirty = r.apply(World.packet(.prototypes(Prototypes(tiles: [TilePrototype(name: "water", color: GameColor(r: 0, g: 0, b: 1))], entities: [furnace]))), server: World.server)
        #expect(dirty == [World.key(.buildings, 0, 0), World.key(.terrain, 0, 0)])
        let after = try #require(try DecodedTile(try r.render(World.key(.buildings, 0, 0))))
        #expect(try DecodedTile(before)?.rgba != after.rgba)
        #expect(after.pixel(21, 21) == RGBA(r: 255, g: 0, b: 255) && after.pixel(16, 16) == RGBA(r: 153, g: 0, b: 153))
        let terrain = try #require(try DecodedTile(try r.render(World.key(.terrain, 0, 0))))
        #expect(terrain.block(9, 9, is: RGBA(r: 0, g: 0, b: 255)))
    }

    @Test("unknown names, invalid runs and absurd coordinates never crash")
    func robustness() throws {
        let r = try TileRenderer()  // no prototypes at all
        _ = r.apply(World.terrain(0, 0) { _, _ in "mystery" }, server: World.server)
        _ = r.apply(World.upsert(World.building(1, "mystery-machine", 3.5, 3.5, dir: 7, force: "enemy")), server: World.server)
        let t = try #require(try DecodedTile(try r.render(World.key(.terrain, 0, 0))))
        #expect(t.block(0, 0, is: ColorTable.unknownColor))
        let b = try #require(try DecodedTile(try r.render(World.key(.buildings, 0, 0))))
        #expect(b.pixel(27, 27) == ChartDefaults.enemy && b.pixel(24, 24) == ChartDefaults.enemy.scaled(0.6))
        let bad: [Packet] = [
            World.packet(.chunkTerrain(ChunkTerrain(surface: Self.s, cx: 0, cy: 1, palette: ["water"], runs: [-5, 0, 1029, 0]))),
            World.packet(.chunkTerrain(ChunkTerrain(surface: Self.s, cx: 0, cy: 1, palette: ["water"], runs: [1000, 0]))),
            World.packet(.chunkTerrain(ChunkTerrain(surface: Self.s, cx: Int.max, cy: 1, palette: ["water"], runs: [1024, 0]))),
            World.packet(.chunkResources(ChunkResources(surface: Self.s, cx: 0, cy: 0, cells: [ResourceCell(dx: 40, dy: -1, name: "x", amount: 1)]))),
            World.packet(.tiles(TileChanges(surface: Self.s, cells: [TileCell(x: Int.max, y: Int.min, name: "water")]))),
            World.upsert(World.building(2, "mystery", .infinity, -.nan, dir: -3)),
        ]
        for p in bad { _ = r.apply(p, server: World.server) }
        // A palette index past the palette draws as an unknown tile.
        _ = r.apply(World.packet(.chunkTerrain(ChunkTerrain(surface: Self.s, cx: 0, cy: 1, palette: ["water"], runs: [1024, 3]))), server: World.server)
        #expect(try DecodedTile(try r.render(World.key(.terrain, 0, 1)))?.block(0, 0, is: ColorTable.unknownColor) == true)
    }

    @Test("a deleted surface is forgotten and all its tiles are dirty")
    func surfaceDeleted() throws {
        let r = try TileRenderer()
        for p in Self.stream { _ = r.apply(p, server: World.server) }
        let all = r.state.allTiles(server: World.server)
        let dirty = r.apply(World.packet(.surface(SurfaceState(index: 1, name: Self.s, deleted: true))), server: World.server)
        #expect(dirty == all && !dirty.isEmpty)
        #expect(r.state.allTiles(server: World.server).isEmpty)
        #expect(r.apply(World.packet(.surface(SurfaceState(index: 1, name: Self.s, deleted: true))), server: World.server).isEmpty)
    }
}
