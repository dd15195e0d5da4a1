package import Shared

/// The map as the tile renderer knows it: per server a ``ColorTable``, per (server, surface)
/// the chunks' terrain, resources and buildings.
///
/// ``apply(_:server:)`` is idempotent: every packet carries absolute state, so applying a
/// packet twice leaves the state as applying it once, and the second call returns no dirty
/// tiles. State is a value; one worker owns it.
package struct MapState: Sendable {
    /// A (server, surface) pair.
    struct SurfaceID: Hashable, Sendable {
        var server: String
        var surface: String
    }

    /// Colour tables by server id.
    package internal(set) var colorTables: [String: ColorTable] = [:]
    /// Interned tile names (shared by all servers and surfaces).
    package internal(set) var tileNames = NameTable()
    var surfaces: [SurfaceID: SurfaceMap] = [:]

    /// An empty map.
    package init() {}

    /// The colour table of `server` (empty if it has sent no prototypes).
    package func colorTable(server: String) -> ColorTable { colorTables[server] ?? ColorTable() }

    /// The state of one chunk, if anything is known about it.
    package func chunk(server: String, surface: String, cx: Int, cy: Int) -> ChunkState? {
        surfaces[SurfaceID(server: server, surface: surface)]?.chunks[ChunkPosition(x: cx, y: cy)]
    }

    /// A building by unit number.
    package func building(server: String, surface: String, unit: UInt64) -> PlacedBuilding? {
        surfaces[SurfaceID(server: server, surface: surface)]?.buildings[unit]
    }

    /// The name of tile (`x`, `y`), if known.
    package func tileName(server: String, surface: String, x: Int, y: Int) -> String? {
        let c = chunk(server: server, surface: surface, cx: MapGeometry.chunk(ofTile: x), cy: MapGeometry.chunk(ofTile: y))
        guard let terrain = c?.terrain else { return nil }
        return tileNames.name(terrain[(y & 31) * 32 + (x & 31)])
    }

    /// Every detail tile (z = ``TileKey/detailZoom``) of `server` that has content, on every
    /// layer (e.g. to render a server from scratch).
    package func allTiles(server: String) -> Set<TileKey> {
        var out = Set<TileKey>()
        for (id, map) in surfaces where id.server == server { out.formUnion(Self.keys(id, map, layers: MapLayer.allCases)) }
        return out
    }

    /// Applies one packet from `server`; returns the detail-zoom tiles (z =
    /// ``TileKey/detailZoom``, one per chunk and layer) whose image may have changed.
    ///
    /// - `chunk_terrain` replaces the chunk's tiles; `tiles` sets single tiles (on a chunk
    ///   without terrain it creates one whose other tiles are unknown and transparent).
    /// - `chunk_buildings` replaces the buildings whose position lies in the packet's area;
    ///   `buildings` upserts by unit (moving a building between chunks); `building_removed`
    ///   deletes by unit (the position is not needed: buildings are indexed by unit).
    /// - `chunk_resources` replaces the resource tiles in the area; amounts are kept but do not
    ///   dirty tiles (the map does not shade by amount).
    /// - `chunk_deleted` forgets the chunks (terrain, resources, buildings positioned there).
    /// - `prototypes` upserts colours; dirties every tile of that server on the layers whose
    ///   colours or footprints changed, and recomputes building footprints.
    /// - `surface` with `deleted` forgets the surface and dirties all its tiles.
    /// - Other packets (session start, players, chat) change nothing here.
    ///
    /// A dirty key whose tile now has no content renders as nil (publish a deletion).
    package mutating func apply(_ packet: Packet, server: String) -> Set<TileKey> {
        switch packet.payload {
        case .prototypes(let p): return applyPrototypes(p, server: server)
        case .surface(let s):
            let id = SurfaceID(server: server, surface: s.name)
            guard s.deleted, let map = surfaces.removeValue(forKey: id) else { return [] }
            return Self.keys(id, map, layers: MapLayer.allCases)
        case .chunkTerrain(let p): return applyTerrain(p, server: server)
        case .tiles(let p): return applyTiles(p, server: server)
        case .chunkResources(let p): return applyResources(p, server: server)
        case .chunkBuildings(let p): return applyChunkBuildings(p, server: server)
        case .buildings(let p): return applyBuildings(p, server: server)
        case .buildingRemoved(let p): return applyRemoved(p, server: server)
        case .chunkDeleted(let p): return applyDeleted(p, server: server)
        case .sessionStart, .player, .chat, .chartTag, .chartTagRemoved, .chartTags, .trainStop, .trainStopRemoved,
            .train, .trainRemoved, .spacePlatform, .spacePlatformRemoved:
            return []
        }
    }

    /// The tile keys of `chunks` on `layer`.
    static func keys(_ id: SurfaceID, _ chunks: some Sequence<ChunkPosition>, _ layer: MapLayer) -> Set<TileKey> {
        Set(chunks.map { TileKey(server: id.server, surface: id.surface, layer: layer, z: TileKey.detailZoom, x: $0.x, y: $0.y) })
    }

    /// Every tile with content of one surface on `layers`.
    static func keys(_ id: SurfaceID, _ map: SurfaceMap, layers: [MapLayer]) -> Set<TileKey> {
        var out = Set<TileKey>()
        for layer in layers { out.formUnion(keys(id, map.chunks(on: layer), layer)) }
        return out
    }

    /// Whether a chunk coordinate is on a Factorio map (others are ignored, never trapped on).
    static func isValid(_ cx: Int, _ cy: Int) -> Bool {
        let m = MapGeometry.maxChunkCoordinate + 1
        return (-m...m).contains(cx) && (-m...m).contains(cy)
    }
}
