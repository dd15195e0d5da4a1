import PalettePNG
import Shared
import Testing
import TileRendererCore

@Suite("Colour table and footprints from real prototypes")
struct ColorAndFootprintTests {
    static let table: ColorTable = {
        var t = ColorTable()
        t.upsert(PrototypeFixture.packet)
        return t
    }()

    /// Whether two colours differ by at most 1 per channel: the dump rounds x.5 to even
    /// (0.7 × 255 → 178), `GameColor.rgba8` rounds half away from zero (→ 179).
    static func close(_ a: RGBA, _ b: RGBA) -> Bool {
        abs(Int(a.r) - Int(b.r)) <= 1 && abs(Int(a.g) - Int(b.g)) <= 1 && abs(Int(a.b) - Int(b.b)) <= 1 && a.a == b.a
    }

    @Test("every tile and resource colour equals the dump's map_color_255 (±1 for rounding)")
    func tileAndResourceColours() {
        for e in PrototypeFixture.tileEntries {
            #expect(Self.close(Self.table.tileColor(e["name"] as! String), PrototypeFixture.rgb255(e["map_color_255"])))
        }
        for e in PrototypeFixture.resourceEntries {
            #expect(Self.close(Self.table.resourceColor(e["name"] as! String), PrototypeFixture.rgb255(e["map_color_255"])))
        }
        #expect(Self.table.tileColor("grass-1") == RGBA(r: 55, g: 53, b: 11))
        #expect(Self.table.resourceColor("iron-ore") == RGBA(r: 106, g: 134, b: 148))
    }

    @Test("every entity's friendly and enemy colour follows the game's chart defaults")
    func entityColours() {
        for e in PrototypeFixture.entityEntries {
            let name = e["name"] as! String
            let guess = PrototypeFixture.chartGuess(name)
            #expect(Self.close(Self.table.buildingColor(name, force: "player"), guess.friendly), "\(name)")
            #expect(Self.close(Self.table.buildingColor(name, force: "enemy"), guess.enemy), "\(name)")
        }
        #expect(Self.table.buildingColor("transport-belt", force: "player") == RGBA(r: 204, g: 161, b: 71))
    }

    @Test("unknown names fall back instead of failing")
    func unknownNames() {
        #expect(Self.table.tileColor("no-such-tile") == ColorTable.unknownColor)
        #expect(Self.table.resourceColor("no-such-ore") == ColorTable.unknownColor)
        #expect(Self.table.buildingColor("no-such-entity", force: "player") == ChartDefaults.friendly)
        #expect(Self.table.buildingColor("no-such-entity", force: "enemy") == ChartDefaults.enemy)
        #expect(ChartDefaults.friendly == RGBA(r: 0, g: 97, b: 145))
        #expect(ChartDefaults.enemy == RGBA(r: 255, g: 26, b: 26))
    }

    @Test("re-upserting the same prototypes changes nothing; a new colour is a change")
    func upsertChanges() {
        var t = Self.table
        #expect(t.upsert(PrototypeFixture.packet).isEmpty)
        #expect(t.upsert(Prototypes(tiles: [TilePrototype(name: "water", color: GameColor(r: 1, g: 2, b: 3))])) == .tiles)
        var furnace = PrototypeFixture.prototype("stone-furnace")
        furnace.friendlyColor = GameColor(r: 1, g: 0, b: 0)
        #expect(t.upsert(Prototypes(entities: [furnace])) == .entities)
        var ore = PrototypeFixture.prototype("iron-ore")
        ore.mapColor = GameColor(r: 0, g: 0, b: 1)
        #expect(t.upsert(Prototypes(entities: [ore])) == .resources)
    }

    static func size(_ name: String, x: Double, y: Double, dir: Int = 0) -> (Int, Int, TileArea) {
        let r = Footprint.tiles(x: x, y: y, direction: dir, box: Self.table.collisionBox(name))
        return (r.x1 - r.x0, r.y1 - r.y0, r)
    }

    @Test("footprints snap collision boxes outward to the tiles they cover")
    func footprints() {
        #expect(Self.size("inserter", x: 2.5, y: 3.5).2 == TileArea(x0: 2, y0: 3, x1: 3, y1: 4))
        #expect(Self.size("stone-furnace", x: 6, y: 6).2 == TileArea(x0: 5, y0: 5, x1: 7, y1: 7))
        #expect(Self.size("assembling-machine-2", x: -0.5, y: 0.5).2 == TileArea(x0: -2, y0: -1, x1: 1, y1: 2))
        #expect(Self.size("oil-refinery", x: 20.5, y: 20.5).2 == TileArea(x0: 18, y0: 18, x1: 23, y1: 23))
        #expect(Self.size("roboport", x: 10, y: 10).2 == TileArea(x0: 8, y0: 8, x1: 12, y1: 12))
        #expect(Self.size("rocket-silo", x: 0.5, y: 0.5).0 == 9)
    }

    @Test("east and west swap width and height; south and north do not")
    func rotation() {
        // steam-engine: 3 wide, 5 tall facing north.
        #expect(Self.size("steam-engine", x: 0.5, y: 0.5, dir: 0).0 == 3 && Self.size("steam-engine", x: 0.5, y: 0.5, dir: 0).1 == 5)
        #expect(Self.size("steam-engine", x: 0.5, y: 0.5, dir: 4).0 == 5 && Self.size("steam-engine", x: 0.5, y: 0.5, dir: 4).1 == 3)
        #expect(Self.size("steam-engine", x: 0.5, y: 0.5, dir: 8).0 == 3)
        #expect(Self.size("steam-engine", x: 0.5, y: 0.5, dir: 12).0 == 5)
        // boiler: 3×2 facing north, centred on a tile column and a row border.
        #expect(Self.size("boiler", x: 0.5, y: 1, dir: 0).2 == TileArea(x0: -1, y0: 0, x1: 2, y1: 2))
        #expect(Self.size("boiler", x: 1, y: 0.5, dir: 4).2 == TileArea(x0: 0, y0: -1, x1: 2, y1: 2))
        // An asymmetric box rotates, not just swaps: [-1, -3, 1, 0] facing east covers x 0..<3.
        #expect(Footprint.tiles(x: 0, y: 0, direction: 4, box: [-1, -3, 1, 0]) == TileArea(x0: 0, y0: -1, x1: 3, y1: 1))
        #expect(Footprint.tiles(x: 0, y: 0, direction: 12, box: [-1, -3, 1, 0]) == TileArea(x0: -3, y0: -1, x1: 0, y1: 1))
        #expect(Footprint.tiles(x: 0, y: 0, direction: 8, box: [-1, -3, 1, 0]) == TileArea(x0: -1, y0: 0, x1: 1, y1: 3))
    }

    @Test("missing or malformed boxes and absurd positions give one tile, never a trap")
    func degenerate() {
        #expect(Footprint.tiles(x: 3.7, y: -0.2, direction: 0, box: nil) == TileArea(x0: 3, y0: -1, x1: 4, y1: 0))
        #expect(Footprint.tiles(x: 3.7, y: 1.2, direction: 0, box: [1, 2]) == TileArea(x0: 3, y0: 1, x1: 4, y1: 2))
        #expect(Footprint.tiles(x: 3, y: 1, direction: 0, box: [0, 0, 0, 0]) == TileArea(x0: 3, y0: 1, x1: 4, y1: 2))
        _ = Footprint.tiles(x: .infinity, y: .nan, direction: -7, box: [-1e300, -1, 1e300, .nan])
        _ = Footprint.tiles(x: 1e300, y: -1e300, direction: 99, box: [-1e9, -1e9, 1e9, 1e9])
    }
}
