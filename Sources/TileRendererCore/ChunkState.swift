package import Shared

/// Interns tile names as 16-bit ids, so a chunk's terrain is 1024 small integers.
package struct NameTable: Sendable, Hashable {
    /// The id of "no tile known here" (a chunk only partially known from `tiles` packets).
    package static let none: UInt16 = .max
    /// The id every name beyond the table's capacity maps to (drawn as an unknown tile).
    package static let overflow: UInt16 = .max - 1
    private var ids: [String: UInt16] = [:]
    /// The interned names; `names[id]` is the name of `id`.
    package private(set) var names: [String] = []

    /// An empty table.
    package init() {}

    /// The id of `name`, interning it if new.
    package mutating func id(_ name: String) -> UInt16 {
        if let id = ids[name] { return id }
        guard names.count < Int(Self.overflow) else { return Self.overflow }
        let id = UInt16(names.count)
        ids[name] = id
        names.append(name)
        return id
    }

    /// The name of `id`, or nil for ``none`` and ``overflow``.
    package func name(_ id: UInt16) -> String? { Int(id) < names.count ? names[Int(id)] : nil }
}

/// One resource tile of a chunk.
package struct ResourceState: Sendable, Hashable {
    /// Resource prototype name, e.g. "iron-ore".
    package var name: String
    /// Amount left (kept for completeness; the map does not shade by amount).
    package var amount: UInt64

    package init(name: String, amount: UInt64) {
        self.name = name
        self.amount = amount
    }
}

/// A building as the map keeps it: the packet's fields and the tiles it covers.
package struct PlacedBuilding: Sendable, Hashable {
    /// The building as last reported.
    package var building: Building
    /// The tiles it covers (from its prototype's collision box and its direction).
    package var footprint: TileArea
}

/// Everything known about one chunk of one surface.
package struct ChunkState: Sendable, Hashable {
    /// The 1024 tile-name ids of the chunk (row-major, y outer), or nil if no tile is known.
    /// Ids index the map's ``NameTable``; ``NameTable/none`` marks tiles not known yet (a chunk
    /// created by a `tiles` packet before its `chunk_terrain`).
    package internal(set) var terrain: [UInt16]?
    /// Resource tiles by local index `dy * 32 + dx`, stored compactly (``ResourceTiles``).
    package internal(set) var resources = ResourceTiles()
    /// Unit numbers of the buildings whose *position* lies in this chunk.
    package internal(set) var owned: Set<UInt64> = []

    /// Whether the chunk holds nothing and can be forgotten.
    var isEmpty: Bool { terrain == nil && resources.isEmpty && owned.isEmpty }
}

/// Everything known about one surface of one server.
struct SurfaceMap: Sendable, Hashable {
    /// Chunks with any content.
    var chunks: [ChunkPosition: ChunkState] = [:]
    /// Every building by unit number.
    var buildings: [UInt64: PlacedBuilding] = [:]
    /// For each chunk, the buildings whose footprint touches it (drawn in its tile).
    var drawn: [ChunkPosition: Set<UInt64>] = [:]
    /// For each chunk, buildings of other regions (by region) reaching into it, as their
    /// region's worker reported them (``SpillRecord``); drawn together with ``drawn``.
    var spills: [ChunkPosition: [ChunkPosition: [PlacedBuilding]]] = [:]

    /// Whether nothing at all is known (the surface can be forgotten).
    var isBlank: Bool { chunks.isEmpty && buildings.isEmpty && drawn.isEmpty && spills.isEmpty }

    /// Every chunk with content on `layer`.
    func chunks(on layer: MapLayer) -> [ChunkPosition] {
        switch layer {
        case .terrain: chunks.compactMap { $0.value.terrain == nil ? nil : $0.key }
        case .resources: chunks.compactMap { $0.value.resources.isEmpty ? nil : $0.key }
        case .buildings: Array(Set(drawn.keys).union(spills.keys))
        }
    }

    /// Changes `chunk` with `body`, dropping it when it ends up empty.
    mutating func update(_ chunk: ChunkPosition, _ body: (inout ChunkState) -> Void) {
        var state = chunks[chunk] ?? ChunkState()
        body(&state)
        chunks[chunk] = state.isEmpty ? nil : state
    }

    /// Inserts or replaces a building; returns the chunks whose building tile changed.
    mutating func place(_ b: Building, footprint: TileArea) -> Set<ChunkPosition> {
        let new = PlacedBuilding(building: b, footprint: footprint)
        let old = buildings[b.unit]
        if old == new { return [] }
        var dirty = old.map { remove(unit: $0.building.unit) } ?? []
        buildings[b.unit] = new
        update(Self.chunk(of: b)) { $0.owned.insert(b.unit) }
        for c in footprint.chunks {
            drawn[c, default: []].insert(b.unit)
            dirty.insert(c)
        }
        return dirty
    }

    /// Removes a building; returns the chunks whose building tile changed.
    mutating func remove(unit: UInt64) -> Set<ChunkPosition> {
        guard let old = buildings.removeValue(forKey: unit) else { return [] }
        update(Self.chunk(of: old.building)) { _ = $0.owned.remove(unit) }
        var dirty = Set<ChunkPosition>()
        for c in old.footprint.chunks {
            drawn[c]?.remove(unit)
            if drawn[c]?.isEmpty == true { drawn[c] = nil }
            dirty.insert(c)
        }
        return dirty
    }

    /// The chunk containing a building's position.
    static func chunk(of b: Building) -> ChunkPosition {
        let limit = Double(MapGeometry.maxTileCoordinate + 1024)
        func clamp(_ v: Double) -> Double { v.isFinite ? max(-limit, min(limit, v)) : 0 }
        return ChunkPosition(x: MapGeometry.chunk(ofPosition: clamp(b.x)), y: MapGeometry.chunk(ofPosition: clamp(b.y)))
    }
}
