import PalettePNG
import Shared
import Testing
import TileRendererCore

@Suite("Golden pixels of rendered tiles")
struct RenderGoldenTests {
    static let grass = PrototypeFixture.color255(tile: "grass-1")
    static let water = PrototypeFixture.color255(tile: "water")
    static let path = PrototypeFixture.color255(tile: "stone-path")
    static let friendly = RGBA(r: 0, g: 97, b: 145)
    static let outline = RGBA(r: 0, g: 58, b: 87)  // 0.6 × friendly, rounded down
    static let enemy = RGBA(r: 255, g: 26, b: 26)

    /// Terrain of chunk (0, 0): grass west of x 10, water to x 20, stone path east; the last
    /// row is an unknown tile name.
    static func terrainName(_ x: Int, _ y: Int) -> String {
        y == 31 ? "modded-tile" : x < 10 ? "grass-1" : x < 20 ? "water" : "stone-path"
    }

    static func world() throws -> TileRenderer {
        let r = try TileRenderer()
        _ = r.apply(World.prototypes, server: World.server)
        _ = r.apply(World.terrain(0, 0, terrainName), server: World.server)
        _ = r.apply(
            World.upsert(
                World.building(1, "inserter", 2.5, 2.5),
                World.building(2, "stone-furnace", 6, 6),
                World.building(3, "assembling-machine-2", 11.5, 11.5),
                World.building(4, "oil-refinery", 20.5, 20.5),
                World.building(5, "assembling-machine-2", 32.5, 15.5),  // tiles x 31...33: chunks 0 and 1
                World.building(6, "stone-furnace", 2, 28, force: "enemy")),
            server: World.server)
        return r
    }

    @Test("terrain: every 8×8 block has its tile's map colour; unknown names are grey")
    func terrain() throws {
        let tile = try #require(try DecodedTile(try Self.world().render(World.key(.terrain, 0, 0))))
        for ty in 0..<32 {
            for tx in 0..<32 {
                let expected: RGBA =
                    switch Self.terrainName(tx, ty) {
                    case "grass-1": Self.grass
                    case "water": Self.water
                    case "stone-path": Self.path
                    default: ColorTable.unknownColor
                    }
                #expect(tile.block(tx, ty, is: expected), "tile \(tx),\(ty)")
            }
        }
        #expect(Self.grass == RGBA(r: 55, g: 53, b: 11) && Self.water == RGBA(r: 51, g: 83, b: 95))
    }

    /// Checks that game tiles [x0, x1) × [y0, y1) of `tile` (tile-local) hold a building
    /// footprint with a 1 px outline on the edges in `edges` (left, top, right, bottom).
    static func expectFootprint(
        _ tile: DecodedTile, x0: Int, y0: Int, x1: Int, y1: Int, fill: RGBA, line: RGBA,
        edges: (Bool, Bool, Bool, Bool) = (true, true, true, true), sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let px0 = max(0, x0 * 8), py0 = max(0, y0 * 8), px1 = min(256, x1 * 8), py1 = min(256, y1 * 8)
        var wrong = 0
        for y in py0..<py1 {
            for x in px0..<px1 {
                let onEdge = (edges.0 && x == x0 * 8) || (edges.1 && y == y0 * 8) || (edges.2 && x == x1 * 8 - 1)
                    || (edges.3 && y == y1 * 8 - 1)
                if tile.pixel(x, y) != (onEdge ? line : fill) { wrong += 1 }
            }
        }
        #expect(wrong == 0, "\(wrong) wrong pixels in tiles \(x0)..<\(x1) × \(y0)..<\(y1)", sourceLocation: sourceLocation)
    }

    @Test("buildings: 1×1, 2×2, 3×3, 5×5 footprints with darker outlines, enemy colour, transparent elsewhere")
    func buildings() throws {
        let tile = try #require(try DecodedTile(try Self.world().render(World.key(.buildings, 0, 0))))
        Self.expectFootprint(tile, x0: 2, y0: 2, x1: 3, y1: 3, fill: Self.friendly, line: Self.outline)
        Self.expectFootprint(tile, x0: 5, y0: 5, x1: 7, y1: 7, fill: Self.friendly, line: Self.outline)
        Self.expectFootprint(tile, x0: 10, y0: 10, x1: 13, y1: 13, fill: Self.friendly, line: Self.outline)
        Self.expectFootprint(tile, x0: 18, y0: 18, x1: 23, y1: 23, fill: Self.friendly, line: Self.outline)
        Self.expectFootprint(tile, x0: 1, y0: 27, x1: 3, y1: 29, fill: Self.enemy, line: Self.enemy.scaled(0.6))
        // The straddling assembler's western column, cut by the tile's east edge (no outline there).
        Self.expectFootprint(tile, x0: 31, y0: 14, x1: 34, y1: 17, fill: Self.friendly, line: Self.outline, edges: (true, true, false, true))
        #expect(tile.pixel(16, 16) != tile.pixel(17, 17) && tile.pixel(16, 16) == Self.outline)
        #expect(tile.block(0, 0, is: .transparent) && tile.block(3, 3, is: .transparent) && tile.block(30, 15, is: .transparent))
        #expect(Self.outline.r < Self.friendly.r + 1 && Self.outline.g < Self.friendly.g && Self.outline.b < Self.friendly.b)
    }

    @Test("a building straddling a chunk border appears in both tiles")
    func straddling() throws {
        let r = try Self.world()
        let east = try #require(try DecodedTile(try r.render(World.key(.buildings, 1, 0))))
        Self.expectFootprint(east, x0: -1, y0: 14, x1: 2, y1: 17, fill: Self.friendly, line: Self.outline, edges: (false, true, true, true))
        #expect(east.block(2, 15, is: .transparent))
        #expect(east.block(0, 13, is: .transparent))
        // Only the straddler touches chunk (1, 0); its position is in chunk 1.
        #expect(r.state.chunk(server: World.server, surface: World.surface, cx: 1, cy: 0)?.owned == [5])
        #expect(r.state.chunk(server: World.server, surface: World.surface, cx: 0, cy: 0)?.owned == [1, 2, 3, 4, 6])
    }

    @Test("resources: 8×8 blocks of the resource colour over transparency")
    func resources() throws {
        let r = try Self.world()
        let cells = [ResourceCell(dx: 0, dy: 0, name: "iron-ore", amount: 500), ResourceCell(dx: 31, dy: 31, name: "coal", amount: 9),
                     ResourceCell(dx: 4, dy: 5, name: "unknown-ore", amount: 1)]
        let dirty = r.apply(World.packet(.chunkResources(ChunkResources(surface: World.surface, cx: -1, cy: 2, cells: cells))), server: World.server)
        #expect(dirty == [World.key(.resources, -1, 2)])
        let tile = try #require(try DecodedTile(try r.render(World.key(.resources, -1, 2))))
        #expect(tile.block(0, 0, is: PrototypeFixture.color255(tile: "iron-ore")))
        #expect(tile.block(31, 31, is: RGBA(r: 0, g: 0, b: 0)))
        #expect(tile.block(4, 5, is: ColorTable.unknownColor))
        #expect(tile.block(1, 0, is: .transparent) && tile.block(31, 30, is: .transparent))
        #expect(try r.render(World.key(.resources, 0, 0)) == nil)
        #expect(try r.render(World.key(.terrain, -1, 2)) == nil)
    }

    @Test("z 2 is the downsample of its four children; unknown servers and surfaces have no tiles")
    func noContent() throws {
        let r = try Self.world()
        let z2 = try #require(try DecodedTile(try r.render(TileKey(server: World.server, surface: World.surface, layer: .terrain, z: 2, x: 0, y: 0))))
        #expect(z2.pixel(0, 0) == Self.grass && z2.pixel(4 * 15, 0) == Self.water && z2.pixel(4 * 25, 4) == Self.path)
        #expect(z2.pixel(128, 0) == .transparent && z2.pixel(0, 4 * 31) == ColorTable.unknownColor)
        #expect(try r.render(TileKey(server: World.server, surface: World.surface, layer: .terrain, z: -1, x: 0, y: 0)) == nil)
        #expect(try r.render(TileKey(server: "other", surface: World.surface, layer: .terrain, z: 3, x: 0, y: 0)) == nil)
        #expect(try r.render(TileKey(server: World.server, surface: "vulcanus", layer: .buildings, z: 3, x: 0, y: 0)) == nil)
    }
}
