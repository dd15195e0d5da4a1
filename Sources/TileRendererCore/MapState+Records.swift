package import Shared

/// A chunk of one surface of one server.
package struct ChunkID: Sendable, Hashable {
    package var server: String
    package var surface: String
    package var chunk: ChunkPosition
    package init(server: String, surface: String, chunk: ChunkPosition) {
        self.server = server
        self.surface = surface
        self.chunk = chunk
    }
    /// The region (8×8 chunks) holding the chunk.
    package var region: ChunkPosition { ChunkPosition(x: chunk.x >> 3, y: chunk.y >> 3) }
    /// The map-topic key of its region.
    package var regionKey: String { MapKey(server: server, surface: surface, chunkX: chunk.x, chunkY: chunk.y).string }
}

extension MapState {
    /// The state-topic record of a chunk, or nil when nothing is known about it (a tombstone).
    package func chunkRecord(_ id: ChunkID) -> ChunkRecord? {
        guard let map = surfaces[SurfaceID(server: id.server, surface: id.surface)], let c = map.chunks[id.chunk] else { return nil }
        let terrain = c.terrain.map { $0.map { tileNames.name($0) } }
        let buildings = c.owned.sorted().compactMap { map.buildings[$0]?.building }
        let record = ChunkRecord(terrain: terrain, resources: c.resources.dictionary, buildings: buildings)
        return terrain == nil && c.resources.isEmpty && buildings.isEmpty ? nil : record
    }

    /// Replaces a chunk's state with a state-topic record (nil = the chunk was deleted).
    /// Buildings the chunk owned before and the record lacks are removed; the record's
    /// buildings are placed (moved here if another chunk owned them). Returns the dirty tiles.
    @discardableResult
    package mutating func restore(_ id: ChunkID, _ record: ChunkRecord?) -> Set<TileKey> {
        let sid = SurfaceID(server: id.server, surface: id.surface)
        var map = surfaces.removeValue(forKey: sid) ?? SurfaceMap()
        defer { if !map.isBlank { surfaces[sid] = map } }
        var dirty = Set<TileKey>()
        let old = map.chunks[id.chunk]
        let terrain = record?.terrain.map { $0.map { $0.map { tileNames.id($0) } ?? NameTable.none } }
        if old?.terrain != terrain { dirty.formUnion(Self.keys(sid, [id.chunk], .terrain)) }
        let resources = ResourceTiles(record?.resources ?? [:])
        if old?.resources != resources { dirty.formUnion(Self.keys(sid, [id.chunk], .resources)) }
        map.update(id.chunk) { state in
            state.terrain = terrain
            state.resources = resources
        }
        let incoming = Set(record?.buildings.map(\.unit) ?? [])
        var chunks = Set<ChunkPosition>()
        for unit in (old?.owned ?? []).sorted() where !incoming.contains(unit) { chunks.formUnion(map.remove(unit: unit)) }
        let table = colorTable(server: id.server)
        for b in record?.buildings ?? [] { chunks.formUnion(map.place(b, footprint: Self.footprint(b, table))) }
        dirty.formUnion(Self.keys(sid, chunks, .buildings))
        return dirty
    }

    /// The buildings positioned in `region` whose footprint reaches chunk `id` (in another region).
    package func spill(into id: ChunkID, from region: ChunkPosition) -> SpillRecord {
        guard let map = surfaces[SurfaceID(server: id.server, surface: id.surface)] else { return SpillRecord(buildings: []) }
        let placed = (map.drawn[id.chunk] ?? []).compactMap { map.buildings[$0] }.filter {
            let c = SurfaceMap.chunk(of: $0.building)
            return ChunkPosition(x: c.x >> 3, y: c.y >> 3) == region
        }
        return SpillRecord(buildings: placed)
    }

    /// Sets the buildings of `region` drawn in chunk `id` (nil = none); returns the dirty tiles.
    @discardableResult
    package mutating func applySpill(into id: ChunkID, from region: ChunkPosition, _ record: SpillRecord?) -> Set<TileKey> {
        let sid = SurfaceID(server: id.server, surface: id.surface)
        var map = surfaces.removeValue(forKey: sid) ?? SurfaceMap()
        defer { if !map.isBlank { surfaces[sid] = map } }
        let new = record?.buildings ?? []
        guard (map.spills[id.chunk]?[region] ?? []) != new else { return [] }
        map.spills[id.chunk, default: [:]][region] = new.isEmpty ? nil : new
        if map.spills[id.chunk]?.isEmpty == true { map.spills[id.chunk] = nil }
        return Self.keys(sid, [id.chunk], .buildings)
    }

    /// Forgets every chunk (and the buildings positioned there, and spills drawn there) for
    /// which `drop` is true: the worker no longer owns their partition.
    package mutating func forget(where drop: (ChunkID) -> Bool) {
        for sid in Array(surfaces.keys) {
            guard var map = surfaces.removeValue(forKey: sid) else { continue }
            func gone(_ c: ChunkPosition) -> Bool { drop(ChunkID(server: sid.server, surface: sid.surface, chunk: c)) }
            for (chunk, state) in map.chunks where gone(chunk) {
                for unit in state.owned { _ = map.remove(unit: unit) }
                map.chunks[chunk] = nil
            }
            for chunk in Array(map.spills.keys) where gone(chunk) { map.spills[chunk] = nil }
            if !map.isBlank { surfaces[sid] = map }
        }
    }

    /// Every chunk with content, of every surface (optionally one server/surface).
    package func chunkIDs(server: String? = nil, surface: String? = nil) -> [ChunkID] {
        var out: [ChunkID] = []
        for (sid, map) in surfaces where (server == nil || sid.server == server) && (surface == nil || sid.surface == surface) {
            for c in Set(map.chunks.keys).union(map.drawn.keys).union(map.spills.keys) {
                out.append(ChunkID(server: sid.server, surface: sid.surface, chunk: c))
            }
        }
        return out
    }

    /// Counts for metrics: chunks, buildings and spilled building references held.
    package var size: (chunks: Int, buildings: Int) {
        surfaces.values.reduce((0, 0)) { ($0.0 + $1.chunks.count, $0.1 + $1.buildings.count) }
    }
}
