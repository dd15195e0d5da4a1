package import MapGatewayCore
package import Hummingbird
package import NIOCore
import Blocking
package import Logging
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
    /// ``ContentHash/fnv1a64(_:)`` of ``bytes`` (what the ETag shows).
    package var contentHash: UInt64
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
        self.contentHash = contentHash ?? ContentHash.fnv1a64(png)
        self.eTag = ContentHash.strongETag(hash: self.contentHash)
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

/// What the memory tier knows of a tile, without waiting (``TileStore/lookup(_:)``).
package enum TileLookup: Sendable {
    /// The tile, from memory.
    case hit(StoredTile)
    /// There is no such tile (404).
    case absent
    /// Only the disk tier knows: ask ``TileStore/load(_:)``, off the event loop.
    case cold
}

/// A change the WebSocket clients hear of (``TileStore/apply(_:offsets:now:)``).
package enum TileUpdate: Sendable, Hashable {
    /// The tile's bytes changed (or it is new), at `version`.
    case updated(TileKey, version: UInt64)
    /// The tile was removed.
    case removed(TileKey)
}

/// The store of rendered tiles the gateway serves, in two tiers or one. Thread-safe; every
/// memory operation takes one short lock.
///
/// Without a disk tier (``init()``) every tile is in memory, as the gateway always was. With one
/// (``init(disk:cacheBytes:logger:)``, `--tile-directory`) every tile, the per-server bookkeeping
/// and the consumed `tiles` offsets are on local disk (``TileDiskTier``), and memory holds only a
/// ``TileCache`` of hot tiles (and of known-absent keys) bounded by `cacheBytes`: the gateway's
/// memory no longer grows with the map. A hit is answered from memory as before; a miss reads
/// the disk on the tier's executor (``load(_:)``), never on an event loop or the async pool.
///
/// The Kafka consumer of the tiles topic calls ``apply(_:offsets:now:)`` with each batch (or, in
/// tests, ``put(key:png:contentHash:version:now:)`` and ``remove(key:now:)``); the HTTP routes
/// call ``lookup(_:)`` and ``tile(_:)``.
package final class TileStore: Sendable {
    struct State {
        var cache: TileCache
        var servers: [String: ServerTileSummary] = [:]
        /// Disk tier only: changes a failed write left in memory (nil: removed), served from here
        /// and written again with the next batch.
        var unsaved: [TileKey: StoredTile?] = [:]
        /// Disk tier only: offsets of batches whose write failed, written with the next one.
        var unsavedOffsets: [Int32: Int64] = [:]
        /// Disk tier only: the last write's error, until a write succeeds.
        var writeError: TileDiskError?
        var diskBytesUpdatedAt: Int64 = 0
    }

    let state: Mutex<State>
    /// The disk tier, if any.
    package let disk: TileDiskTier?
    let logger: Logger?
    /// The chunks' interactivity grids, which arrive on the same topic (click-to-inspect); with a
    /// disk tier also written there (``TileStore/persistGrids(_:)``) and loaded at start.
    package let grids = InspectGridStore()

    /// Creates an empty store that keeps every tile in memory.
    package init() {
        state = Mutex(State(cache: TileCache(capacityBytes: .max)))
        disk = nil
        logger = nil
    }

    /// A store over `disk`, with the bookkeeping it restored and a cache of at most `cacheBytes`.
    package init(disk: TileDiskTier, cacheBytes: Int, logger: Logger) {
        state = Mutex(State(cache: TileCache(capacityBytes: max(0, cacheBytes)), servers: disk.summaries))
        self.disk = disk
        self.logger = logger
    }

    /// Stores `png` as tile `key` at `version`, unless the stored tile has a newer version
    /// (an equal version replaces it, so a re-rendered tile is always served).
    /// `contentHash`: the renderer's hash of `png` (the record's `hash` header); nil hashes here.
    /// With a disk tier this blocks on the disk: call it off the async pool (the feed uses ``apply(_:offsets:now:)``).
    @discardableResult
    package func put(
        key: TileKey, png: [UInt8], contentHash: UInt64? = nil, version: UInt64, now: Int64 = WallClock.nowMillis()
    ) -> TilePutResult {
        if disk != nil {
            let change = TileChange(key: key, png: png, contentHash: contentHash, version: version)
            return applyToDisk([change], offsets: [:], now: now).results[0] ?? .ignoredOlder
        }
        // Build outside the lock: copying (and without `contentHash`, hashing) is per-byte work.
        let tile = StoredTile(png: png, contentHash: contentHash, version: version, storedAt: now)
        return state.withLock { state in
            let old = state.cache.peek(key).flatMap { if case .tile(let t) = $0 { t } else { nil } }
            if let old, old.version > version { return .ignoredOlder }
            state.cache.set(key, .tile(tile))
            Self.account(&state, key: key, existed: old != nil, removed: false, now: now)
            return old?.eTag == tile.eTag ? .unchanged : .stored
        }
    }

    /// Removes tile `key`; returns whether it existed. Blocks on the disk as ``put(key:png:contentHash:version:now:)``.
    @discardableResult
    package func remove(key: TileKey, now: Int64 = WallClock.nowMillis()) -> Bool {
        if disk != nil {
            let change = TileChange(key: key, png: [], contentHash: nil, version: 0)
            return applyToDisk([change], offsets: [:], now: now).updates == [.removed(key)]
        }
        return state.withLock { state in
            guard state.cache.contains(key) else { return false }
            state.cache.remove(key)
            Self.account(&state, key: key, existed: true, removed: true, now: now)
            return true
        }
    }

    /// Applies a batch of `tiles` records (an empty PNG removes the tile) and, with a disk tier,
    /// stores `offsets` (the next offset per partition the batch reaches) in the same atomic
    /// write; runs on the disk tier's executor. Returns what WebSocket clients are told.
    package func apply(_ records: [TileRecord], offsets: [Int32: Int64], now: Int64 = WallClock.nowMillis()) async
        -> [TileUpdate]
    {
        let changes = records.map { TileChange(key: $0.key, png: $0.png, contentHash: $0.contentHash, version: $0.version) }
        if let disk {
            return await disk.executor.run { applyToDisk(changes, offsets: offsets, now: now).updates }
        }
        var updates: [TileUpdate] = []
        for change in changes {
            if change.png.isEmpty {
                if remove(key: change.key, now: now) { updates.append(.removed(change.key)) }
            } else if put(key: change.key, png: change.png, contentHash: change.contentHash, version: change.version, now: now)
                == .stored
            {
                updates.append(.updated(change.key, version: change.version))
            }
        }
        return updates
    }

    /// What memory knows of tile `key`, without waiting: a hit costs one lock and one lookup.
    package func lookup(_ key: TileKey) -> TileLookup {
        state.withLock { state in
            if !state.unsaved.isEmpty, let unsaved = state.unsaved[key] { return unsaved.map { .hit($0) } ?? .absent }
            switch state.cache.get(key) {
            case .tile(let tile): return .hit(tile)
            case .absent: return .absent
            case nil: return disk == nil ? .absent : .cold
            }
        }
    }

    /// The stored tile `key`, if any, reading the disk tier on its executor when memory does not know.
    package func tile(_ key: TileKey) async -> StoredTile? {
        switch lookup(key) {
        case .hit(let tile): tile
        case .absent: nil
        case .cold: await load(key)
        }
    }

    /// The stored tile `key` if memory holds it (with a disk tier, a cold tile is nil: use ``tile(_:)``).
    package func get(_ key: TileKey) -> StoredTile? {
        if case .hit(let tile) = lookup(key) { tile } else { nil }
    }

    /// Number of stored tiles over all servers.
    package var count: Int {
        state.withLock { state in
            disk == nil ? state.cache.count : state.servers.values.reduce(0) { $0 + $1.tileCount }
        }
    }

    /// Tile bookkeeping of every server that has (or had) tiles, sorted by server id.
    package func serverSummaries() -> [ServerTileSummary] {
        state.withLock { Array($0.servers.values) }.sorted { $0.server < $1.server }
    }

    /// Tile bookkeeping of one server.
    package func summary(server: String) -> ServerTileSummary? {
        state.withLock { $0.servers[server] }
    }

    /// Counts a stored or removed tile in its server's bookkeeping.
    static func account(_ state: inout State, key: TileKey, existed: Bool, removed: Bool, now: Int64) {
        guard existed || !removed else { return }
        if state.servers[key.server] == nil {
            state.servers[key.server] = ServerTileSummary(server: key.server, tilesPerSurface: [:], lastTileUpdateAt: now)
        } else {
            state.servers[key.server]!.lastTileUpdateAt = max(state.servers[key.server]!.lastTileUpdateAt, now)
        }
        if removed {
            let remaining = (state.servers[key.server]?.tilesPerSurface[key.surface] ?? 1) - 1
            state.servers[key.server]?.tilesPerSurface[key.surface] = remaining > 0 ? remaining : nil
            let atZoom = (state.servers[key.server]?.extents[key.surface]?.tilesPerZoom[key.z] ?? 1) - 1
            state.servers[key.server]?.extents[key.surface]?.tilesPerZoom[key.z] = atZoom > 0 ? atZoom : nil
        } else if !existed {
            state.servers[key.server]!.tilesPerSurface[key.surface, default: 0] += 1
            state.servers[key.server]!.extents[key.surface, default: SurfaceExtent()].include(key)
        }
    }
}

/// One tile change of a batch: an empty `png` removes the tile.
struct TileChange: Sendable {
    var key: TileKey
    var png: [UInt8]
    var contentHash: UInt64?
    var version: UInt64
}
