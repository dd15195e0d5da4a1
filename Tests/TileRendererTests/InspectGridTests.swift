import Foundation
import KafkaModel
import Shared
import Testing

import TileRendererCore

/// Click-to-inspect's interactivity grid (issue 15): what the renderer publishes beside a
/// chunk's tiles answers a building cell with the building, an ore cell with the resource and its
/// amount, and nothing once the building is removed; the grid record follows changes (amounts
/// too) and is removed with the chunk's content.
@Suite struct InspectGridTests {
    static let s = World.surface
    static let id = ChunkID(server: World.server, surface: s, chunk: ChunkPosition(x: 0, y: 0))

    /// The wire form, decoded with Foundation's reference JSON decoder.
    struct Wire: Decodable {
        struct Entry: Decodable, Equatable {
            var unit: UInt64
            var name: String
            var type: String?
            var force: String
            var x: Double
            var y: Double
            var direction: Int
        }
        var v: Int
        var x: Int
        var y: Int
        var names: [String]
        var types: [String?]
        var forces: [String]
        /// Flat sextuples `[unit, nameIndex, x, y, direction, forceIndex]`.
        var buildings: [Double]
        var grid: [String]
        var resources: [String]
        var ore: [String]
        var amounts: [UInt64]

        /// Building `i` (0-based) as an entry.
        func entry(_ i: Int) -> Entry {
            let b = Array(buildings[(i * 6)..<(i * 6 + 6)])
            return Entry(unit: UInt64(b[0]), name: names[Int(b[1])], type: types[Int(b[1])], force: forces[Int(b[5])], x: b[2], y: b[3], direction: Int(b[4]))
        }

        /// The id of cell (`dx`, `dy`) in `rows`.
        static func id(_ rows: [String], _ dx: Int, _ dy: Int) -> Int {
            rows.isEmpty ? 0 : InspectGrid.id(of: Array(rows[dy].unicodeScalars)[dx])
        }
    }

    static let prototypes = World.packet(.prototypes(Prototypes(entities: [
        EntityPrototype(name: "assembling-machine-2", type: "assembling-machine", collisionBox: [-1.2, -1.2, 1.2, 1.2], tileWidth: 3, tileHeight: 3),
        EntityPrototype(name: "stone-furnace", type: "furnace", collisionBox: [-0.9, -0.9, 0.9, 0.9], tileWidth: 2, tileHeight: 2),
    ])))
    static let assembler = Building(unit: 77, name: "assembling-machine-2", x: 5.5, y: 5.5, direction: 4, force: "player")
    /// A furnace whose footprint (30…31, 30…31 of chunk 0,0 … into chunk 1,1) crosses the chunk corner.
    static let furnace = Building(unit: 78, name: "stone-furnace", x: 32, y: 32, direction: 0, force: "<b>enemy</b>")

    static func ore(_ amounts: [UInt64]) -> Packet {
        World.packet(.chunkResources(ChunkResources(surface: s, cx: 0, cy: 0, cells: amounts.enumerated().map {
            ResourceCell(dx: 20 + $0.offset, dy: 20, name: $0.offset == 2 ? "coal" : "iron-ore", amount: $0.element)
        })))
    }

    static func decode(_ bytes: [UInt8]) throws -> Wire { try JSONDecoder().decode(Wire.self, from: Data(bytes)) }

    @Test func gridCharactersRoundTripAndNeedNoEscape() {
        for id in 0...1025 {
            let c = InspectGrid.scalar(id)
            #expect(InspectGrid.id(of: c) == id)
            #expect(c != "\"" && c != "\\" && c.value >= 0x20)
        }
    }

    @Test func aBuildingCellAndAnOreCellAnswerRight() throws {
        var state = MapState()
        _ = state.apply(Self.prototypes, server: World.server)
        _ = state.apply(World.packet(.buildings(BuildingsUpsert(surface: Self.s, buildings: [Self.assembler, Self.furnace]))), server: World.server)
        _ = state.apply(Self.ore([1500, 1600, 7]), server: World.server)
        let grid = state.inspectGrid(Self.id)
        let wire = try Self.decode(grid.encoded())
        #expect(wire.v == 1 && wire.x == 0 && wire.y == 0 && wire.grid.count == 32 && wire.ore.count == 32)
        #expect(wire.grid.allSatisfy { $0.unicodeScalars.count == 32 })
        let assembler = Wire.Entry(unit: 77, name: "assembling-machine-2", type: "assembling-machine", force: "player", x: 5.5, y: 5.5, direction: 4)
        #expect(wire.entry(0) == assembler && wire.buildings.count == 12)
        // The 3×3 assembler covers tiles 4…6; the furnace's corner is at 31, 31.
        for (dx, dy) in [(4, 4), (6, 6), (5, 4)] { #expect(wire.entry(Wire.id(wire.grid, dx, dy) - 1) == assembler) }
        for (dx, dy) in [(3, 5), (7, 5), (5, 7), (0, 0)] { #expect(Wire.id(wire.grid, dx, dy) == 0) }
        #expect(wire.entry(Wire.id(wire.grid, 31, 31) - 1).force == "<b>enemy</b>")
        #expect(wire.names == ["assembling-machine-2", "stone-furnace"] && wire.types == ["assembling-machine", "furnace"])
        #expect(grid.building(dx: 31, dy: 31)?.name == "stone-furnace")
        // Ore: the amount of the cell's rank in reading order.
        #expect(wire.resources == ["iron-ore", "coal"] && wire.amounts == [1500, 1600, 7])
        #expect(wire.resources[Wire.id(wire.ore, 22, 20) - 1] == "coal")
        #expect(grid.resource(dx: 21, dy: 20)! == ("iron-ore", 1600))
        #expect(grid.resource(dx: 22, dy: 20)! == ("coal", 7))
        #expect(grid.resource(dx: 23, dy: 20) == nil && grid.resource(dx: 5, dy: 5) == nil)
        // The spilled part of the furnace is in the next chunk's grid too.
        let next = state.inspectGrid(ChunkID(server: World.server, surface: Self.s, chunk: ChunkPosition(x: 1, y: 1)))
        #expect(next.building(dx: 0, dy: 0)?.unit == 78 && next.resources.isEmpty)
    }

    @Test func aRemovedBuildingAnswersNothing() throws {
        var state = MapState()
        _ = state.apply(Self.prototypes, server: World.server)
        _ = state.apply(World.packet(.buildings(BuildingsUpsert(surface: Self.s, buildings: [Self.assembler]))), server: World.server)
        #expect(state.inspectGrid(Self.id).building(dx: 5, dy: 5)?.unit == 77)
        _ = state.apply(
            World.packet(.buildingRemoved(BuildingsRemoved(surface: Self.s, removed: [RemovedBuilding(unit: 77, x: 5.5, y: 5.5)]))),
            server: World.server)
        let grid = state.inspectGrid(Self.id)
        #expect(grid.building(dx: 5, dy: 5) == nil && grid.buildings.isEmpty)
        #expect(grid.isEmpty && grid.encoded().isEmpty, "an empty grid is a removal")
    }

    /// The records of `out` on `tiles` under the chunk's grid key.
    static func gridRecords(_ out: FlushOutput) -> [ProducerMessage] {
        out.first.filter { $0.keyString == InspectGridKey(server: World.server, surface: s, x: 0, y: 0).string }
    }

    @Test func theRendererPublishesTheGridBesideTheTilesFollowsAmountsAndRemovesIt() throws {
        let core = try DetailCore(mapPartitions: 1, pyramidPartitions: 1)
        core.assign([0])
        core.restored(0)
        core.apply(Self.prototypes, server: World.server)
        core.apply(World.packet(.buildings(BuildingsUpsert(surface: Self.s, buildings: [Self.assembler]))), server: World.server, partition: 0)
        core.apply(Self.ore([1500]), server: World.server, partition: 0)
        var records = Self.gridRecords(core.flush())
        #expect(records.count == 1 && records[0].topic == Topics().tiles)
        #expect(records.first.map { $0.headers.map(\.key) } == [RecordHeader.contentHash, RecordHeader.server, RecordHeader.version])
        #expect(try Self.decode(records[0].value).amounts == [1500])
        // Nothing changed: nothing is sent again.
        core.apply(Self.ore([1500]), server: World.server, partition: 0)
        #expect(Self.gridRecords(core.flush()).isEmpty)
        // Mining changes only the amount: no PNG changes, but the grid and the chunk record do.
        core.apply(Self.ore([1499]), server: World.server, partition: 0)
        let mined = core.flush()
        records = Self.gridRecords(mined)
        #expect(records.count == 1 && (try? Self.decode(records[0].value).amounts) == [1499])
        #expect(mined.then.contains { $0.keyString == "c/\(World.server)/\(Self.s)/0/0" }, "the new amount is in the state record")
        #expect(!mined.first.contains { $0.keyString?.contains("/resources/") == true }, "the PNG did not change")
        // Building and ore gone: the grid is removed.
        core.apply(
            World.packet(.buildingRemoved(BuildingsRemoved(surface: Self.s, removed: [RemovedBuilding(unit: 77, x: 5.5, y: 5.5)]))),
            server: World.server, partition: 0)
        core.apply(World.packet(.chunkResources(ChunkResources(surface: Self.s, cx: 0, cy: 0, cells: []))), server: World.server, partition: 0)
        records = Self.gridRecords(core.flush())
        #expect(records.count == 1 && records[0].value.isEmpty, "\(records.map { String(decoding: $0.value, as: UTF8.self) })")
    }
}
