import Testing
import TileRendererCore

@Suite("ResourceTiles: the compact per-chunk resources against the dictionary they replace")
struct ResourceTilesTests {
    static let cells: [Int: ResourceState] = [
        5: ResourceState(name: "iron-ore", amount: 1500), 1023: ResourceState(name: "coal", amount: 7),
        0: ResourceState(name: "coal", amount: 1_000_000), 64: ResourceState(name: "iron-ore", amount: 1),
    ]

    @Test("every tile reads back as the dictionary had it; indices outside the chunk are dropped")
    func roundTrip() {
        var withStray = Self.cells
        withStray[1024] = ResourceState(name: "stone", amount: 3)
        withStray[-1] = ResourceState(name: "stone", amount: 3)
        let tiles = ResourceTiles(withStray)
        #expect(tiles.dictionary == Self.cells)
        #expect(tiles.keys == [0, 5, 64, 1023] && tiles.count == 4)
        #expect(tiles[5] == ResourceState(name: "iron-ore", amount: 1500) && tiles[6] == nil && tiles[1024] == nil)
        #expect(tiles.elements.map(\.index) == [0, 5, 64, 1023])
        #expect(ResourceTiles([:]).isEmpty && ResourceTiles().dictionary.isEmpty)
    }

    @Test("equality and hashing by content: amounts, names per tile, which tiles")
    func equality() {
        let a = ResourceTiles(Self.cells)
        #expect(a == ResourceTiles(Self.cells) && a.hashValue == ResourceTiles(Self.cells).hashValue)
        var amount = Self.cells
        amount[5] = ResourceState(name: "iron-ore", amount: 1499)
        #expect(a != ResourceTiles(amount) && a.sameNames(as: ResourceTiles(amount)))
        var name = Self.cells
        name[5] = ResourceState(name: "copper-ore", amount: 1500)
        #expect(a != ResourceTiles(name) && !a.sameNames(as: ResourceTiles(name)))
        var moved = Self.cells
        moved[6] = moved.removeValue(forKey: 5)
        #expect(!a.sameNames(as: ResourceTiles(moved)))
        // The same name indices and amounts, but the names swapped between the two tiles.
        let ironFirst = ResourceTiles([0: ResourceState(name: "iron-ore", amount: 1), 1: ResourceState(name: "coal", amount: 2)])
        let coalFirst = ResourceTiles([0: ResourceState(name: "coal", amount: 1), 1: ResourceState(name: "iron-ore", amount: 2)])
        #expect(ironFirst != coalFirst && !ironFirst.sameNames(as: coalFirst))
    }
}
