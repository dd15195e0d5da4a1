import Blocking
import Logging
import MapGatewayCore
import Metrics
import NIOCore
package import Observability
package import Shared
import Synchronization

extension TileStore {
    /// Reads tile `key` from the disk tier on its executor and remembers the answer (the tile,
    /// or that there is none) in the cache. Without a disk tier: what memory holds.
    package func load(_ key: TileKey) async -> StoredTile? {
        guard let disk else { return get(key) }
        return await disk.executor.run { loadFromDisk(key, disk: disk) }
    }

    /// The tile `key` from disk (memory first: an earlier load or batch may have filled it).
    private func loadFromDisk(_ key: TileKey, disk: TileDiskTier) -> StoredTile? {
        switch lookup(key) {
        case .hit(let tile): return tile
        case .absent: return nil
        case .cold: break
        }
        disk.metrics?.coldReads.increment()
        let tile: StoredTile?
        do {
            let value = try disk.store.value(TileDiskLayout.tileKey(key))
            tile = value.flatMap { TileDiskLayout.tile($0) }
            if value != nil, tile == nil {
                logger?.error("undecodable tile in the tile store, served as missing", metadata: ["tile": "\(key.string)"])
            }
        } catch {
            // Not remembered: the next request tries again.
            logger?.error("tile store read failed, tile served as missing", metadata: ["tile": "\(key.string)", "error": "\(error)"])
            return nil
        }
        state.withLock { state in
            state.cache.set(key, tile.map { .tile($0) } ?? .absent)
            disk.metrics?.cacheBytes.record(state.cache.totalBytes)
        }
        return tile
    }

    /// Applies `changes` and writes them, the summaries they touch and `offsets` in one batch.
    /// Blocking: on the disk tier's executor (or, in tests, a thread of their own). When the
    /// write fails (a full disk), the changes stay in memory (``State/unsaved``), are served from
    /// there and go out with the next batch; the offsets wait with them.
    func applyToDisk(_ changes: [TileChange], offsets: [Int32: Int64], now: Int64) -> (
        results: [TilePutResult?], updates: [TileUpdate]
    ) {
        guard let disk else { return ([], []) }
        /// This batch's own state of a key so far (nil: removed).
        var pending: [TileKey: TileDiskLayout.Header?] = [:]
        var written: [TileKey: TileChange] = [:]
        var results: [TilePutResult?] = []
        var updates: [TileUpdate] = []
        var servers = Set<String>()
        for change in changes {
            let old: TileDiskLayout.Header? = if let mine = pending[change.key] { mine } else { header(change.key, disk: disk) }
            if change.png.isEmpty {
                results.append(nil)
                guard old != nil else { continue }
                pending[change.key] = .some(nil)
                updates.append(.removed(change.key))
            } else {
                if let old, old.version > change.version {
                    results.append(.ignoredOlder)
                    continue
                }
                let hash = change.contentHash ?? ContentHash.fnv1a64(change.png)
                pending[change.key] = TileDiskLayout.Header(version: change.version, hash: hash, storedAt: now)
                let result: TilePutResult = old?.hash == hash ? .unchanged : .stored
                results.append(result)
                if result == .stored { updates.append(.updated(change.key, version: change.version)) }
            }
            written[change.key] = change
            servers.insert(change.key.server)
            state.withLock { Self.account(&$0, key: change.key, existed: old != nil, removed: change.png.isEmpty, now: now) }
        }
        write(written, pending: pending, servers: servers, offsets: offsets, now: now, disk: disk)
        return (results, updates)
    }

    /// The header of the current tile `key` (nil: none): unsaved changes, then the cache, then disk.
    private func header(_ key: TileKey, disk: TileDiskTier) -> TileDiskLayout.Header? {
        let memory: TileDiskLayout.Header?? = state.withLock { state in
            let entry: CachedTile? =
                if let unsaved = state.unsaved[key] { unsaved.map { .tile($0) } ?? .absent } else { state.cache.peek(key) }
            switch entry {
            case .tile(let t): return .some(TileDiskLayout.Header(version: t.version, hash: t.contentHash, storedAt: t.storedAt))
            case .absent: return .some(nil)
            case nil: return nil
            }
        }
        if let memory { return memory }
        do {
            return try disk.store.value(TileDiskLayout.tileKey(key)).flatMap { TileDiskLayout.header($0) }
        } catch {
            logger?.error("tile store read failed, record applied as to a new tile", metadata: ["tile": "\(key.string)", "error": "\(error)"])
            return nil
        }
    }

    /// Writes the batch (with whatever an earlier failed write left) and updates the cache.
    private func write(
        _ written: [TileKey: TileChange], pending: [TileKey: TileDiskLayout.Header?], servers: Set<String>,
        offsets: [Int32: Int64], now: Int64, disk: TileDiskTier
    ) {
        let (unsaved, unsavedOffsets, summaries) = state.withLock { state in
            (state.unsaved, state.unsavedOffsets, (state.unsaved.isEmpty ? servers : Set(state.servers.keys)).compactMap { state.servers[$0] })
        }
        var puts: [([UInt8], [UInt8])] = []
        var deletes: [[UInt8]] = []
        for (key, tile) in unsaved where written[key] == nil {
            if let tile {
                let header = TileDiskLayout.Header(version: tile.version, hash: tile.contentHash, storedAt: tile.storedAt)
                puts.append((TileDiskLayout.tileKey(key), TileDiskLayout.encode(header, png: tile.bytes.readableBytesView)))
            } else {
                deletes.append(TileDiskLayout.tileKey(key))
            }
        }
        for (key, change) in written {
            if let header = pending[key] ?? nil {
                puts.append((TileDiskLayout.tileKey(key), TileDiskLayout.encode(header, png: change.png)))
            } else {
                deletes.append(TileDiskLayout.tileKey(key))
            }
        }
        for summary in summaries { puts.append((TileDiskLayout.summaryKey(summary.server), TileDiskLayout.encode(summary))) }
        for (partition, offset) in unsavedOffsets.merging(offsets, uniquingKeysWith: max) {
            puts.append((TileDiskLayout.offsetKey(partition), Array(String(offset).utf8)))
        }
        if puts.isEmpty && deletes.isEmpty { return }
        var failure: TileDiskError?
        do {
            try disk.store.write(puts: puts, deletes: deletes)
        } catch {
            failure = error
        }
        let refreshDisk = failure == nil && now - state.withLock { $0.diskBytesUpdatedAt } >= 1000
        let diskBytes = refreshDisk ? disk.store.diskBytes : nil
        state.withLock { state in
            if let failure {
                if state.writeError == nil {
                    logger?.critical(
                        "tile store write failed: tiles are kept in memory until a write succeeds",
                        metadata: ["error": "\(failure)"])
                }
                state.writeError = failure
                disk.metrics?.writeFailed(failure.kind)
                for (key, change) in written {
                    state.unsaved[key] = (pending[key] ?? nil).map {
                        StoredTile(png: change.png, contentHash: $0.hash, version: $0.version, storedAt: $0.storedAt)
                    }
                    state.cache.remove(key)
                }
                state.unsavedOffsets.merge(offsets, uniquingKeysWith: max)
            } else {
                if state.writeError != nil { logger?.notice("tile store writes again", metadata: ["unsaved": "\(state.unsaved.count)"]) }
                state.writeError = nil
                for (key, tile) in state.unsaved where written[key] == nil { state.cache.set(key, tile.map { .tile($0) } ?? .absent) }
                state.unsaved = [:]
                state.unsavedOffsets = [:]
                for (key, change) in written where state.cache.contains(key) {
                    let tile = (pending[key] ?? nil).map {
                        StoredTile(png: change.png, contentHash: $0.hash, version: $0.version, storedAt: $0.storedAt)
                    }
                    state.cache.set(key, tile.map { .tile($0) } ?? .absent)
                }
                if let diskBytes {
                    state.diskBytesUpdatedAt = now
                    disk.metrics?.diskBytes.record(diskBytes)
                }
            }
            disk.metrics?.writeFailing.record(state.writeError == nil ? 0 : 1)
            disk.metrics?.unsavedTiles.record(state.unsaved.count)
            disk.metrics?.cacheBytes.record(state.cache.totalBytes)
        }
    }

    /// Entries, bytes and evictions of the memory tier so far.
    package var cacheStatistics: (entries: Int, bytes: Int, evictions: Int) {
        state.withLock { ($0.cache.count, $0.cache.totalBytes, $0.cache.evictions) }
    }

    /// `/healthz`: ok with `detail`, or failing (503) while the disk tier cannot write; tiles are
    /// still served meanwhile, from memory.
    package func health(detail: String) -> HealthStatus {
        if let problem = diskProblem { return HealthStatus(healthy: false, detail: "tile store failing: \(problem); \(detail)") }
        return HealthStatus(healthy: true, detail: "ok: \(detail)")
    }

    /// Why the disk tier cannot write, if it cannot (for `/healthz`), with the tiles held in memory meanwhile.
    package var diskProblem: String? {
        state.withLock { state in
            state.writeError.map { "\($0); \(state.unsaved.count) tiles held only in memory" }
        }
    }
}
