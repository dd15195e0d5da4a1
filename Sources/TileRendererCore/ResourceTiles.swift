import Shared

/// The resource tiles of one chunk, compact: 12 bytes a tile (the local index, the name as an
/// index into the chunk's own name table, the amount) instead of a dictionary entry with its
/// string (about 45). A megabase holds millions of ore tiles (3.4 million in the 300×300-chunk
/// benchmark world), so this is a large share of a renderer's memory.
///
/// Tiles are kept sorted by local index `dy * 32 + dx` and the name table in the order names
/// first appear along them, so the same content always gives the same arrays: equality and
/// hashing are by content (which tile holds which resource and amount).
package struct ResourceTiles: Sendable, Hashable {
    private var indices: [UInt16] = []
    private var nameIndex: [UInt16] = []
    private var amounts: [UInt64] = []
    private var names: [String] = []

    /// No resource tiles.
    package init() {}

    /// The tiles of `cells` (keyed by local index; keys outside 0..<1024 are dropped).
    package init(_ cells: [Int: ResourceState]) {
        var ids: [String: UInt16] = [:]
        for i in cells.keys.sorted() where (0..<MapGeometry.tilesPerChunk).contains(i) {
            let cell = cells[i]!
            let id: UInt16
            if let known = ids[cell.name] {
                id = known
            } else {
                id = UInt16(names.count)
                ids[cell.name] = id
                names.append(cell.name)
            }
            indices.append(UInt16(i))
            nameIndex.append(id)
            amounts.append(cell.amount)
        }
    }

    /// Whether the chunk has no resource tile.
    package var isEmpty: Bool { indices.isEmpty }
    /// How many resource tiles it has.
    package var count: Int { indices.count }
    /// The local indices of its resource tiles, ascending.
    package var keys: [Int] { indices.map(Int.init) }

    /// The resource on local index `i`, if any.
    package subscript(i: Int) -> ResourceState? {
        guard let k = position(of: i) else { return nil }
        return ResourceState(name: names[Int(nameIndex[k])], amount: amounts[k])
    }

    /// Every tile as (local index, resource), ascending by index.
    package var elements: [(index: Int, resource: ResourceState)] {
        indices.indices.map { k in (Int(indices[k]), ResourceState(name: names[Int(nameIndex[k])], amount: amounts[k])) }
    }

    /// The tiles as a dictionary by local index.
    package var dictionary: [Int: ResourceState] {
        Dictionary(uniqueKeysWithValues: elements.map { ($0.index, $0.resource) })
    }

    /// Whether the same tiles hold the same resources (amounts aside): what the resources
    /// layer's image depends on.
    package func sameNames(as other: ResourceTiles) -> Bool {
        indices == other.indices && nameIndex == other.nameIndex && names == other.names
    }

    private func position(of i: Int) -> Int? {
        guard let target = UInt16(exactly: i) else { return nil }
        var lo = 0, hi = indices.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if indices[mid] < target { lo = mid + 1 } else { hi = mid }
        }
        return lo < indices.count && indices[lo] == target ? lo : nil
    }
}
