package import LocalStore
package import Logging
import Metrics
import Synchronization
package import TileRendererCore

/// A detail worker's persistent state store: one ``LocalStore`` (RocksDB) in its own directory
/// holding, per `map` partition it owns, the state records and published hashes laid out as
/// ``StateStoreLayout`` says, with a header naming the `map` and `renderer-state` offsets the
/// state includes. Restoring a partition from it reads only the changelog's tail.
///
/// Every method blocks on disk: call them on the detail core's executor (inside
/// `CoreExecutor.run`), which is a `BlockingExecutor`.
///
/// A partition's store is written completely once (after a restore from the changelog), then
/// in deltas; a store found corrupt is deleted and reopened empty, and every partition saved
/// in it before is written completely again only after its next restore (until then it is
/// left without a header, so a restart rebuilds it: never serves it).
package final class RendererStore: Sendable {
    /// Operations per batch of a complete save (written header-last, after deleting the header).
    static let batchLimit = 5000

    package let directory: String
    private let options: LocalStoreOptions
    private let partitions: Int
    private let logger: Logger
    private let state: Mutex<State>
    private let rebuilds: Counter
    private let invalid: Counter
    private let diskBytes: Gauge

    private struct State {
        var store: LocalStore
        /// Partitions whose stored data is complete in `store` (deltas may be saved).
        var complete: Set<Int32> = []
        /// Partitions restored from the changelog: their next save is complete.
        var pendingFull: Set<Int32> = []
    }

    /// Opens (or creates) the store in `directory`; a corrupt one is logged, counted, deleted
    /// and created again.
    /// - Throws: ``LocalStoreError`` when it cannot be opened (`locked`: another worker uses the
    ///   directory; `full`; `other`).
    package init(directory: String, cacheBytes: Int?, partitions: Int, logger: Logger) throws(LocalStoreError) {
        var options = LocalStoreOptions()
        if let cacheBytes {
            options.cacheBytes = cacheBytes
            options.writeBufferBytes = max(1 << 20, cacheBytes / 4)
        }
        self.directory = directory
        self.options = options
        self.partitions = partitions
        self.logger = logger
        rebuilds = Counter(label: "renderer_state_store_rebuilds_total", dimensions: [("reason", "corrupt")])
        invalid = Counter(label: "renderer_state_store_invalid_partitions_total")
        diskBytes = Gauge(label: "renderer_state_store_bytes")
        let store: LocalStore
        do {
            store = try LocalStore(directory: directory, options: options)
        } catch where error.kind == .corrupt {
            logger.error("state store is corrupt: deleting it, every partition restores from the changelog", metadata: ["error": "\(error)"])
            rebuilds.increment()
            try LocalStore.destroy(directory: directory)
            store = try LocalStore(directory: directory, options: options)
        }
        state = Mutex(State(store: store))
    }

    /// Loads restoring partition `p` into `core` when the store holds a valid state of it, and
    /// returns its header: then read `renderer-state` p from `stateOffset` and `map` p from
    /// `mapOffset` (or the committed offset, if later). Otherwise (nothing stored; half-written,
    /// of another format or partition layout, corrupt: logged, counted, deleted) returns nil:
    /// restore from the changelog's start, and the next save of `p` writes it completely.
    package func resume(_ p: Int32, into core: DetailCore) -> StateStoreLayout.Header? {
        state.withLock { s -> StateStoreLayout.Header? in
            s.complete.remove(p)
            s.pendingFull.insert(p)
            do throws(LocalStoreError) {
                let header = try s.store.get(StateStoreLayout.headerKey(p))
                let hasData = try Self.hasData(s.store, p)
                switch StateStoreLayout.verdict(header: header, hasData: hasData, partitions: partitions) {
                case .empty:
                    return nil
                case .invalid(let reason):
                    reject(p, reason, &s)
                    return nil
                case .valid(let h):
                    core.beginLoad(p)
                    if let reason = try Self.load(s.store, p, into: core) {
                        core.endLoad(p, ok: false)
                        reject(p, reason, &s)
                        return nil
                    }
                    core.endLoad(p, ok: true)
                    s.pendingFull.remove(p)
                    s.complete.insert(p)
                    logger.info("partition resumed from the state store", metadata: ["partition": "\(p)", "map": "\(h.mapOffset)", "state": "\(h.stateOffset)"])
                    return h
                }
            } catch {
                core.endLoad(p, ok: false)
                failedRead(p, error, &s)
                return nil
            }
        }
    }

    /// Saves what changed in owned partition `p` (``DetailCore/takeUnsaved(_:)``) with
    /// `header`, atomically when it is a delta; nothing when `p`'s stored state is neither
    /// complete nor due for a complete save (the store was rebuilt since `p` was loaded).
    /// - Throws: ``LocalStoreError`` (`full`: the disk is full): nothing of `p` may then be
    ///   committed past the stored state.
    package func save(_ p: Int32, header: StateStoreLayout.Header, _ unsaved: DetailCore.Unsaved) throws(LocalStoreError) {
        try state.withLock { s throws(LocalStoreError) in
            let full = s.pendingFull.contains(p)
            guard full || s.complete.contains(p) else { return }
            var ops = LocalStoreBatch()
            for r in unsaved.records {
                let key = StateStoreLayout.recordKey(p, r.key)
                if let v = r.value { ops.put(key, v) } else { ops.delete(key) }
            }
            for h in unsaved.hashes {
                let key = StateStoreLayout.hashKey(p, h.slot)
                if let v = h.hash { ops.put(key, StateStoreLayout.encodeHash(v)) } else { ops.delete(key) }
            }
            if ops.count < Self.batchLimit {
                ops.put(StateStoreLayout.headerKey(p), header.encoded)
                try s.store.write(ops, sync: true)
            } else {
                // Too big for one batch: without a header until the last one (half-written if killed).
                var drop = LocalStoreBatch()
                drop.delete(StateStoreLayout.headerKey(p))
                try s.store.write(drop, sync: false)
                for part in Self.split(ops) { try s.store.write(part, sync: false) }
                var last = LocalStoreBatch()
                last.put(StateStoreLayout.headerKey(p), header.encoded)
                try s.store.write(last, sync: true)
            }
            if full {
                s.pendingFull.remove(p)
                s.complete.insert(p)
                logger.info("partition stored completely", metadata: ["partition": "\(p)", "operations": "\(ops.count)"])
            }
            diskBytes.record(s.store.diskBytes)
        }
    }

    /// Forgets that `p` was saved here (revoked: another worker may own it now; its stored
    /// state stays for a later resume).
    package func release(_ p: Int32) {
        state.withLock { s in
            s.complete.remove(p)
            s.pendingFull.remove(p)
        }
    }

    /// Whether `p` restored from the changelog and waits for its complete save.
    package func isPendingComplete(_ p: Int32) -> Bool { state.withLock { $0.pendingFull.contains(p) } }

    /// Closes the store.
    package func close() { state.withLock { $0.store.close() } }

    // MARK: - Internals

    private func reject(_ p: Int32, _ reason: String, _ s: inout State) {
        logger.error("state store of partition \(p) is unusable: \(reason); deleting it and restoring from the changelog", metadata: ["directory": "\(directory)"])
        invalid.increment()
        do { try Self.clear(s.store, p) } catch { failedRead(p, error, &s) }
    }

    /// A read failed: a corrupt store is deleted and reopened empty; other errors leave `p`
    /// to restore from the changelog (its next complete save overwrites what is stored).
    private func failedRead(_ p: Int32, _ error: LocalStoreError, _ s: inout State) {
        guard error.kind == .corrupt else {
            logger.error("state store of partition \(p) could not be read: restoring from the changelog", metadata: ["error": "\(error)"])
            do { try Self.clear(s.store, p) } catch { logger.error("could not clear it", metadata: ["error": "\(error)"]) }
            return
        }
        logger.error("state store is corrupt: deleting it, every partition restores from the changelog", metadata: ["error": "\(error)"])
        rebuilds.increment()
        s.store.close()
        do {
            try LocalStore.destroy(directory: directory)
            s.store = try LocalStore(directory: directory, options: options)
        } catch {
            logger.critical("could not recreate the state store", metadata: ["error": "\(error)"])
        }
        s.complete = []
        s.pendingFull = [p]
    }

    private static func hasData(_ store: LocalStore, _ p: Int32) throws(LocalStoreError) -> Bool {
        var found = false
        for prefix in [StateStoreLayout.recordPrefix(p), StateStoreLayout.hashPrefix(p)] where !found {
            try rethrowing { try store.scan(prefix: prefix) { _, _ in found = true; return false } }
        }
        return found
    }

    /// Streams `p`'s records and hashes into `core`; returns why they are unusable, if they are.
    private static func load(_ store: LocalStore, _ p: Int32, into core: DetailCore) throws(LocalStoreError) -> String? {
        let prefix = StateStoreLayout.recordPrefix(p)
        var problem: String?
        try rethrowing {
            try store.scan(prefix: prefix) { key, value in
                let k = String(decoding: key[prefix.count...], as: UTF8.self)
                do { try core.applyState(key: k, value: value, partition: p) } catch {
                    problem = "bad record \(k): \(error)"
                    return false
                }
                return true
            }
        }
        if let problem { return problem }
        let hashes = StateStoreLayout.hashPrefix(p)
        try rethrowing {
            try store.scan(prefix: hashes) { key, value in
                guard let h = StateStoreLayout.decodeHash(value) else {
                    problem = "bad hash of \(String(decoding: key, as: UTF8.self))"
                    return false
                }
                core.loadHash(String(decoding: key[hashes.count...], as: UTF8.self), h)
                return true
            }
        }
        return problem
    }

    /// Deletes every key of `p` (the header first).
    private static func clear(_ store: LocalStore, _ p: Int32) throws(LocalStoreError) {
        var header = LocalStoreBatch()
        header.delete(StateStoreLayout.headerKey(p))
        try store.write(header, sync: false)
        for prefix in [StateStoreLayout.recordPrefix(p), StateStoreLayout.hashPrefix(p)] {
            var batch = LocalStoreBatch()
            try rethrowing { try store.scan(prefix: prefix) { key, _ in batch.delete(key); return true } }
            for part in split(batch) { try store.write(part, sync: false) }
        }
    }

    private static func split(_ batch: LocalStoreBatch) -> [LocalStoreBatch] {
        stride(from: 0, to: batch.count, by: batchLimit).map { start in
            var part = LocalStoreBatch()
            for op in batch.operations[start..<min(start + batchLimit, batch.count)] {
                switch op {
                case .put(let k, let v): part.put(k, v)
                case .delete(let k): part.delete(k)
                }
            }
            return part
        }
    }

    /// Runs a `scan` whose body throws nothing of its own: its error is a ``LocalStoreError``.
    private static func rethrowing(_ body: () throws -> Void) throws(LocalStoreError) {
        do { try body() } catch let e as LocalStoreError { throw e } catch {
            throw LocalStoreError(kind: .other, operation: "scan", directory: "", message: "\(error)")
        }
    }
}
