package import MapGatewayCore
package import Hummingbird
package import NIOCore
package import Shared
import Synchronization

/// A rendered tile as the gateway serves it: the PNG bytes, a strong ETag over them and the
/// renderer's version.
package struct StoredTile: Sendable, Hashable {
    /// The PNG bytes, ready to be written to a response (a `ByteBuffer` copy shares storage).
    package var bytes: ByteBuffer
    /// A strong entity tag: the quoted hex content hash of ``bytes`` (see ``ContentHash``), as the
    /// renderer computed it when the record said.
    package var eTag: String
    /// The renderer's monotonic version of this tile.
    package var version: UInt64
    /// When the tile was stored, in Unix milliseconds.
    package var storedAt: Int64
    /// The headers of a 200 answer (ETag, Cache-Control, X-Content-Type-Options, Content-Type),
    /// built once per tile rather than once per request.
    package var okHeaders: HTTPFields
    /// The headers of a 304 answer (ETag, Cache-Control, X-Content-Type-Options).
    package var notModifiedHeaders: HTTPFields
    /// The status line and headers of a 200 answer up to (without) Date and Server, for
    /// ``TileFastPath``, which writes responses as bytes.
    var rawOKHead: ByteBuffer
    /// The same for a 304 answer.
    var rawNotModifiedHead: ByteBuffer

    /// Creates a stored tile. `contentHash` is ``ContentHash/fnv1a64(_:)`` of `png` as the
    /// renderer computed it (the record's `hash` header); nil computes it here.
    package init(png: [UInt8], contentHash: UInt64? = nil, version: UInt64, storedAt: Int64) {
        self.bytes = ByteBuffer(bytes: png)
        self.eTag = ContentHash.strongETag(hash: contentHash ?? ContentHash.fnv1a64(png))
        self.version = version
        self.storedAt = storedAt
        notModifiedHeaders = TileAnswers.notModifiedHeaders(eTag: eTag)
        okHeaders = notModifiedHeaders
        okHeaders[.contentType] = "image/png"
        rawNotModifiedHead = ByteBuffer(string: TileAnswers.rawHead("304 Not Modified", notModifiedHeaders, contentLength: nil))
        rawOKHead = ByteBuffer(string: TileAnswers.rawHead("200 OK", okHeaders, contentLength: png.count))
    }
}

/// The outcome of ``TileStore/put(key:png:contentHash:version:now:)``.
package enum TilePutResult: Sendable, Hashable {
    /// The tile was new or newer than the stored one and is now served.
    case stored
    /// The bytes were identical to the stored tile's; only the version advanced.
    case unchanged
    /// The stored tile has a newer version; the put was ignored.
    case ignoredOlder
}

/// The in-memory store of rendered tiles the gateway serves. Thread-safe; every operation takes
/// one short lock.
///
/// The Kafka consumer of the tiles topic calls ``put(key:png:contentHash:version:now:)`` and
/// ``remove(key:now:)``; the HTTP route calls ``get(_:)``.
package final class TileStore: Sendable {
    private struct State {
        var tiles: [TileKey: StoredTile] = [:]
        var servers: [String: ServerTileSummary] = [:]
    }

    private let state = Mutex(State())
    /// The chunks' interactivity grids, which arrive on the same topic (click-to-inspect).
    package let grids = InspectGridStore()

    /// Creates an empty store.
    package init() {}

    /// Stores `png` as tile `key` at `version`, unless the stored tile has a newer version
    /// (an equal version replaces it, so a re-rendered tile is always served).
    /// `contentHash`: the renderer's hash of `png` (the record's `hash` header); nil hashes here.
    @discardableResult
    package func put(
        key: TileKey, png: [UInt8], contentHash: UInt64? = nil, version: UInt64, now: Int64 = WallClock.nowMillis()
    ) -> TilePutResult {
        // Build outside the lock: copying (and without `contentHash`, hashing) is per-byte work.
        let tile = StoredTile(png: png, contentHash: contentHash, version: version, storedAt: now)
        return state.withLock { state in
            if let old = state.tiles[key] {
                if old.version > version { return .ignoredOlder }
                state.tiles[key] = tile
                Self.touch(&state, server: key.server, now: now)
                return old.eTag == tile.eTag ? .unchanged : .stored
            }
            state.tiles[key] = tile
            Self.touch(&state, server: key.server, now: now)
            state.servers[key.server]?.tilesPerSurface[key.surface, default: 0] += 1
            if state.servers[key.server] != nil {
                state.servers[key.server]!.extents[key.surface, default: SurfaceExtent()].include(key)
            }
            return .stored
        }
    }

    /// Removes tile `key`; returns whether it existed.
    @discardableResult
    package func remove(key: TileKey, now: Int64 = WallClock.nowMillis()) -> Bool {
        state.withLock { state in
            guard state.tiles.removeValue(forKey: key) != nil else { return false }
            Self.touch(&state, server: key.server, now: now)
            let remaining = (state.servers[key.server]?.tilesPerSurface[key.surface] ?? 1) - 1
            state.servers[key.server]?.tilesPerSurface[key.surface] = remaining > 0 ? remaining : nil
            let atZoom = (state.servers[key.server]?.extents[key.surface]?.tilesPerZoom[key.z] ?? 1) - 1
            state.servers[key.server]?.extents[key.surface]?.tilesPerZoom[key.z] = atZoom > 0 ? atZoom : nil
            return true
        }
    }

    /// The stored tile `key`, if any.
    package func get(_ key: TileKey) -> StoredTile? {
        state.withLock { $0.tiles[key] }
    }

    /// Number of stored tiles over all servers.
    package var count: Int { state.withLock { $0.tiles.count } }

    /// Tile bookkeeping of every server that has (or had) tiles, sorted by server id.
    package func serverSummaries() -> [ServerTileSummary] {
        state.withLock { Array($0.servers.values) }.sorted { $0.server < $1.server }
    }

    /// Tile bookkeeping of one server.
    package func summary(server: String) -> ServerTileSummary? {
        state.withLock { $0.servers[server] }
    }

    private static func touch(_ state: inout State, server: String, now: Int64) {
        if state.servers[server] == nil {
            state.servers[server] = ServerTileSummary(server: server, tilesPerSurface: [:], lastTileUpdateAt: now)
        } else {
            state.servers[server]!.lastTileUpdateAt = max(state.servers[server]!.lastTileUpdateAt, now)
        }
    }
}
