import Blocking
package import KafkaModel
package import LocalStore
package import MapGatewayCore
import Metrics
package import Shared
import Synchronization

/// The gateway's tile history (issue 16): every version read from `tile-history`, thinned to the
/// last one per tile and interval, in a local store of its own (``HistoryCore`` has the layout),
/// with the next offset of each partition written in the same batch (so a restart resumes
/// there). Every store call runs on the store's ``BlockingExecutor``.
package final class TileHistoryStore: Sendable {
    /// The rules (interval, retention).
    package let core: HistoryCore
    /// The next offset per partition as stored when the store was opened.
    package let offsets: [Int32: Int64]
    /// The next `player-history` offset per partition as stored when the store was opened.
    package let trailOffsets: [Int32: Int64]
    let store: LocalStore
    let executor: BlockingExecutor
    private let stats: Mutex<Stats>
    let metrics: TileHistoryMetrics
    /// The last kept sample per player sample prefix (``TrailCore/playerPrefix(server:surface:player:)``).
    let lastSamples = Mutex<[[UInt8]: TrailCore.Sample]>([:])

    private struct Stats {
        var versions = 0
        var oldest: Int64?
    }

    private init(
        store: LocalStore, executor: BlockingExecutor, core: HistoryCore, offsets: [Int32: Int64], trailOffsets: [Int32: Int64],
        versions: Int, oldest: Int64?
    ) {
        self.store = store
        self.executor = executor
        self.core = core
        self.offsets = offsets
        self.trailOffsets = trailOffsets
        stats = Mutex(Stats(versions: versions, oldest: oldest))
        metrics = TileHistoryMetrics()
        metrics.versions.record(versions)
        if let oldest { metrics.oldest.record(Double(oldest) / 1000) }
    }

    /// Opens (creating if missing) the history store in `directory` and reads its offsets.
    /// - Throws: ``LocalStoreError`` (e.g. `locked` when another gateway holds the directory).
    package static func open(directory: String, core: HistoryCore) async throws(LocalStoreError) -> TileHistoryStore {
        let executor = BlockingExecutor(label: "gateway-history")
        return try await executor.run { () throws(LocalStoreError) -> TileHistoryStore in
            let store = try LocalStore(directory: directory, options: LocalStoreOptions(cacheBytes: 8 << 20))
            var offsets: [Int32: Int64] = [:]
            var trailOffsets: [Int32: Int64] = [:]
            var versions = 0
            var oldest: Int64?
            do {
                func read(_ prefix: [UInt8], into offsets: inout [Int32: Int64]) throws {
                    try store.scan(prefix: prefix) { key, value in
                        if let p = Int32(String(decoding: key.dropFirst(prefix.count), as: UTF8.self)),
                            let o = Int64(String(decoding: value, as: UTF8.self))
                        {
                            offsets[p] = o
                        }
                        return true
                    }
                }
                try read(HistoryCore.offsetPrefix, into: &offsets)
                try read(TrailCore.offsetPrefix, into: &trailOffsets)
                try store.scan(prefix: Array("v/".utf8)) { key, _ in
                    versions += 1
                    if let t = HistoryCore.time(key) { oldest = min(oldest ?? t, t) }
                    return true
                }
            } catch let error as LocalStoreError {
                throw error
            } catch {
                throw LocalStoreError(kind: .other, operation: "open", directory: directory, message: "\(error)")
            }
            return TileHistoryStore(
                store: store, executor: executor, core: core, offsets: offsets, trailOffsets: trailOffsets, versions: versions,
                oldest: oldest)
        }
    }

    /// Stores the versions of `messages` (records of `tile-history`; unreadable ones are
    /// counted and skipped) and the next offset of their partitions, in one batch.
    package func apply(_ messages: [ConsumerMessage]) async throws(LocalStoreError) {
        guard !messages.isEmpty else { return }
        let core = core
        let (added, oldestAdded) = try await executor.run { () throws(LocalStoreError) -> (Int, Int64?) in
            var batch = LocalStoreBatch()
            var latest: [[UInt8]: (time: Int64, hash: UInt64, removed: Bool)?] = [:]
            var next: [Int32: Int64] = [:]
            var added = 0
            var oldest: Int64?
            for m in messages {
                next[m.partition] = max(next[m.partition] ?? 0, m.offset + 1)
                guard let key = m.keyString, let tile = HistoryCore.tile(ofRecordKey: key),
                    let time = m.headerString(RecordHeader.time).flatMap({ Int64($0) })
                else {
                    metrics.unreadable.increment()
                    continue
                }
                let png = m.value
                let hash = m.headerString(RecordHeader.contentHash).flatMap { UInt64($0, radix: 16) } ?? ContentHash.fnv1a64(png)
                let prefix = HistoryCore.versionPrefix(tile)
                if latest[prefix] == nil {
                    let found = try store.last(prefix: prefix, atOrBefore: prefix + [UInt8](repeating: 0xFF, count: 8))
                    latest[prefix] = found.flatMap { f in
                        HistoryCore.time(f.key).flatMap { t in HistoryCore.decode(f.value).map { (time: t, hash: $0.hash, removed: $0.png.isEmpty) } }
                    }
                }
                switch core.decide(time: time, hash: hash, removed: png.isEmpty, latest: latest[prefix] ?? nil) {
                case .skip: continue
                case .replace(let old):
                    batch.delete(HistoryCore.timed(prefix, old))
                    added -= 1
                case .store: break
                }
                batch.put(HistoryCore.timed(prefix, time), HistoryCore.value(hash: hash, png: png))
                batch.put(HistoryCore.timed(HistoryCore.markPrefix(server: tile.server, surface: tile.surface), core.bucketStart(time)), [])
                latest[prefix] = (time: time, hash: hash, removed: png.isEmpty)
                added += 1
                oldest = min(oldest ?? time, time)
            }
            for (p, o) in next { batch.put(HistoryCore.offsetKey(p), Array(String(o).utf8)) }
            try store.write(batch, sync: false)
            return (added, oldest)
        }
        let (versions, oldest) = stats.withLock { s in
            s.versions += added
            if let oldestAdded { s.oldest = min(s.oldest ?? oldestAdded, oldestAdded) }
            return (s.versions, s.oldest)
        }
        metrics.versions.record(versions)
        if let oldest { metrics.oldest.record(Double(oldest) / 1000) }
    }

    /// The version of `tile` current at `at`: its hash and PNG; nil when the tile did not exist
    /// (or was removed) then, or `at` is before the retention cut at `now`.
    package func version(_ tile: TileKey, at: Int64, now: Int64) async throws(LocalStoreError) -> (hash: UInt64, png: [UInt8])? {
        guard at >= core.cut(now: now) else { return nil }
        let prefix = HistoryCore.versionPrefix(tile)
        return try await executor.run { () throws(LocalStoreError) -> (hash: UInt64, png: [UInt8])? in
            guard let found = try store.last(prefix: prefix, atOrBefore: HistoryCore.timed(prefix, at)),
                let v = HistoryCore.decode(found.value), !v.png.isEmpty
            else { return nil }
            return (v.hash, Array(v.png))
        }
    }

    /// The marks of a surface (interval starts with a change, ascending), from the cut at `now` on.
    package func marks(server: String, surface: String, now: Int64) async throws -> [Int64] {
        let prefix = HistoryCore.markPrefix(server: server, surface: surface)
        let cut = core.bucketStart(core.cut(now: now))
        return try await executor.run { () throws -> [Int64] in
            var marks: [Int64] = []
            try store.scan(prefix: prefix) { key, _ in
                if let t = HistoryCore.time(key), t >= cut { marks.append(t) }
                return true
            }
            return marks
        }
    }

    /// The z 0 tiles (x, y; the three layers together) of a surface whose content differs between
    /// `from` and `to`, sorted, at most ``HistoryCore/maxChanges``; `truncated` when there were more.
    package func changes(server: String, surface: String, from: Int64, to: Int64) async throws -> (tiles: [[Int]], truncated: Bool) {
        let prefix = HistoryCore.zoomPrefix(server: server, surface: surface, z: 0)
        return try await executor.run { () throws -> (tiles: [[Int]], truncated: Bool) in
            var changed = Set<[Int]>()
            var tile: ArraySlice<UInt8> = []
            var versions: [(time: Int64, hash: UInt64?)] = []
            func close() {
                guard let xy = HistoryCore.xy(ofVersionKey: Array(tile) + [UInt8](repeating: 0, count: 8)), !versions.isEmpty else { return }
                if HistoryCore.current(versions, at: from) != HistoryCore.current(versions, at: to) { changed.insert([xy.x, xy.y]) }
            }
            try store.scan(prefix: prefix) { key, value in
                let t = HistoryCore.tilePrefix(ofVersionKey: key)
                if t != tile {
                    close()
                    tile = t
                    versions = []
                }
                if let time = HistoryCore.time(key), let v = HistoryCore.decode(value) { versions.append((time, v.png.isEmpty ? nil : v.hash)) }
                return true
            }
            close()
            let sorted = changed.sorted { ($0[1], $0[0]) < ($1[1], $1[0]) }
            return (Array(sorted.prefix(HistoryCore.maxChanges)), sorted.count > HistoryCore.maxChanges)
        }
    }

    /// The retention sweep at `now`: deletes versions and marks older than the cut (keeping each
    /// tile's version current at the cut, ``HistoryCore/sweep(_:cut:)``); returns how many versions went.
    @discardableResult
    package func sweep(now: Int64) async throws -> Int {
        let cut = core.cut(now: now)
        let (deleted, oldest) = try await executor.run { () throws -> (Int, Int64?) in
            var deletedSamples = 0
            defer { if deletedSamples > 0 { metrics.samplesSwept.increment(by: deletedSamples) } }
            var batch = LocalStoreBatch()
            var tile: ArraySlice<UInt8> = []
            var versions: [(time: Int64, removed: Bool)] = []
            var deleted = 0
            var oldest: Int64?
            func close() {
                let gone = HistoryCore.sweep(versions, cut: cut)
                for t in gone { batch.delete(HistoryCore.timed(Array(tile), t)) }
                deleted += gone.count
                if let first = versions.first(where: { !gone.contains($0.time) }) { oldest = min(oldest ?? first.time, first.time) }
            }
            try store.scan(prefix: Array("v/".utf8)) { key, value in
                let t = HistoryCore.tilePrefix(ofVersionKey: key)
                if t != tile {
                    close()
                    tile = t
                    versions = []
                }
                if let time = HistoryCore.time(key) { versions.append((time, value.count <= 8)) }
                return true
            }
            close()
            deletedSamples = try Self.sweepSamples(store, cut: cut, into: &batch)
            let markCut = core.bucketStart(cut)
            try store.scan(prefix: Array("m/".utf8)) { key, _ in
                if let t = HistoryCore.time(key), t < markCut { batch.delete(key) }
                return true
            }
            if !batch.isEmpty { try store.write(batch, sync: false) }
            return (deleted, oldest)
        }
        let versions = stats.withLock { s in
            s.versions -= deleted
            s.oldest = oldest
            return s.versions
        }
        metrics.versions.record(versions)
        metrics.oldest.record(oldest.map { Double($0) / 1000 } ?? 0)
        metrics.bytes.record(await executor.run { store.diskBytes })
        return deleted
    }

    /// Versions stored.
    package var versionCount: Int { stats.withLock { $0.versions } }

    /// Closes the store (after the calls in flight).
    package func close() async { await executor.run { store.close() } }
}

/// The history store's metrics.
struct TileHistoryMetrics: Sendable {
    let bytes = Gauge(label: "kafkatorio_gateway_history_bytes")
    let versions = Gauge(label: "kafkatorio_gateway_history_versions")
    let oldest = Gauge(label: "kafkatorio_gateway_history_oldest_timestamp_seconds")
    let unreadable = Counter(label: "kafkatorio_gateway_history_unreadable_records_total")
    let samples = Counter(label: "kafkatorio_gateway_trail_samples_total")
    let samplesSwept = Counter(label: "kafkatorio_gateway_trail_samples_swept_total")
    let unreadablePlayers = Counter(label: "kafkatorio_gateway_trail_unreadable_records_total")
}
