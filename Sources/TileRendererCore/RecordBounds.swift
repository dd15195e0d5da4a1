package import Shared

/// The range checks every value TileRenderer reads from its internal topics passes before use
/// (`renderer-state` keys and records, `pyramid` keys, `renderer-control` commands; `map` and
/// `prototypes` packets pass ``PacketValidator`` in ``PacketLine``'s decoder, their server header
/// ``Identifier/isValidServerID(_:)``). The topics are internal, but a record that a bug, an
/// operator's tool or a compromised client wrote must not trap the worker (an overflowing
/// coordinate would, on every restart) nor grow it without bound: it is skipped, counted in
/// `renderer_bad_records_total` and logged.
///
/// The bounds are the game's (``MapGeometry``): chunk coordinates within ±31,250, positions
/// within ±1,000,000 tiles, footprints a little beyond (a building at the edge reaches out by
/// at most ``Footprint/maxHalfExtent``), tile coordinates at zoom z those chunks scaled down.
package enum RecordBounds {
    /// Largest absolute chunk coordinate.
    package static let maxChunk = MapGeometry.maxChunkCoordinate
    /// Largest absolute tile coordinate of a footprint.
    package static let maxFootprintTile = MapGeometry.maxTileCoordinate + 2 * Int(Footprint.maxHalfExtent)
    /// The longest re-render command id.
    package static let maxCommandID = 128
    /// The longest control record read (a command is about 150 bytes).
    package static let maxControlBytes = 64 * 1024

    /// Whether chunk `c` lies on a map.
    package static func chunk(_ c: ChunkPosition) -> Bool { c.x.magnitude <= maxChunk && c.y.magnitude <= maxChunk }

    /// Whether `server` and `surface` are identifiers the renderer writes into keys.
    package static func names(server: String, surface: String) -> Bool {
        Identifier.isValidServerID(server) && Identifier.isValidSurfaceName(surface)
    }

    /// Whether `key` is a tile of a map: valid names, z in ``TileKey/minZoom``...``TileKey/detailZoom``,
    /// x and y those of a chunk on the map at that zoom.
    package static func tile(_ key: TileKey) -> Bool {
        guard names(server: key.server, surface: key.surface), (TileKey.minZoom...TileKey.detailZoom).contains(key.z) else {
            return false
        }
        let shift = TileKey.detailZoom - key.z
        let range = (-maxChunk >> shift)...(maxChunk >> shift)
        return range.contains(key.x) && range.contains(key.y)
    }

    /// Whether `key` is a state key of a chunk on the map, and a spill's region one of the eight
    /// around the chunk's own.
    package static func stateKey(_ key: StateKey) -> Bool {
        switch key {
        case .chunk(let server, let surface, let chunk):
            return names(server: server, surface: surface) && Self.chunk(chunk)
        case .spill(let server, let surface, let chunk, let region):
            let own = ChunkPosition(x: chunk.x >> 3, y: chunk.y >> 3)
            let dx = region.x - own.x, dy = region.y - own.y
            return names(server: server, surface: surface) && Self.chunk(chunk) && (-1...1).contains(dx) && (-1...1).contains(dy)
                && (dx != 0 || dy != 0)
        }
    }

    /// Whether `b` is a building as ingest admits them (``PacketValidator``'s rules).
    package static func building(_ b: Building) -> Bool {
        func position(_ v: Double) -> Bool { v.isFinite && v.magnitude <= Double(MapGeometry.maxTileCoordinate) }
        return b.unit >= 1 && position(b.x) && position(b.y) && (0...15).contains(b.direction)
            && PacketValidator.isValidName(b.name) && PacketValidator.isValidName(b.force)
    }

    /// Whether footprint `f` is non-empty, at most 128 tiles a side and near the map.
    package static func footprint(_ f: TileArea) -> Bool {
        let limit = -maxFootprintTile...maxFootprintTile
        return f.x1 > f.x0 && f.y1 > f.y0 && f.x1 - f.x0 <= 128 && f.y1 - f.y0 <= 128 && limit.contains(f.x0)
            && limit.contains(f.y0) && limit.contains(f.x1) && limit.contains(f.y1)
    }
}
