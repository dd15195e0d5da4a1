package import Shared

/// Per-server tile bookkeeping for the REST API.
package struct ServerTileSummary: Sendable, Hashable, Codable {
    /// The server id.
    package var server: String
    /// Number of stored tiles per surface name (surfaces with no tiles are absent).
    package var tilesPerSurface: [String: Int]
    /// When a tile of this server was last stored or removed, in Unix milliseconds.
    package var lastTileUpdateAt: Int64
    /// The explored extent and zoom levels of each surface that ever had tiles.
    package var extents: [String: SurfaceExtent] = [:]

    package init(
        server: String, tilesPerSurface: [String: Int], lastTileUpdateAt: Int64, extents: [String: SurfaceExtent] = [:]
    ) {
        self.server = server
        self.tilesPerSurface = tilesPerSurface
        self.lastTileUpdateAt = lastTileUpdateAt
        self.extents = extents
    }

    /// Total number of stored tiles of this server.
    package var tileCount: Int { tilesPerSurface.values.reduce(0, +) }
}

/// Where a surface has tiles: the bounding box in chunks of every detail tile ever stored (the
/// explored area; it only grows, removed tiles do not shrink it) and the number of stored tiles per
/// zoom. Coarser tiles do not widen the box: a tile at z −13 spans 65,536 chunks whatever was
/// explored.
package struct SurfaceExtent: Sendable, Hashable, Codable {
    package var minChunkX: Int
    package var minChunkY: Int
    /// Inclusive.
    package var maxChunkX: Int
    /// Inclusive.
    package var maxChunkY: Int
    /// Stored tiles per zoom level (levels without tiles are absent).
    package var tilesPerZoom: [Int: Int] = [:]

    /// An extent without a box yet (only coarser tiles seen).
    package init() {
        minChunkX = .max
        minChunkY = .max
        maxChunkX = .min
        maxChunkY = .min
    }

    /// Whether no detail tile has been seen, so there is no box.
    package var isEmpty: Bool { minChunkX > maxChunkX }

    /// Counts `key` and, for a detail tile, grows the box to include its chunk.
    package mutating func include(_ key: TileKey) {
        tilesPerZoom[key.z, default: 0] += 1
        guard key.z == TileKey.detailZoom else { return }
        minChunkX = min(minChunkX, key.x)
        minChunkY = min(minChunkY, key.y)
        maxChunkX = max(maxChunkX, key.x)
        maxChunkY = max(maxChunkY, key.y)
    }
}
