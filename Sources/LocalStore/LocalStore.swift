import CRocksDB
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A persistent, ordered key-value store in one local directory: the one wrapper around
/// RocksDB (Debian's `librocksdb-dev`); nothing else imports `CRocksDB`, and its pointers never
/// leave this class.
///
/// Every call is synchronous and may block on disk: run it on a `BlockingExecutor`, never on
/// the cooperative pool. RocksDB's handles are thread-safe, so the store is `Sendable` and may
/// be called from several executors at once; a ``write(_:sync:)`` is atomic against every
/// reader. A directory is open in at most one ``LocalStore`` at a time (RocksDB's `LOCK`
/// file, also across processes): a second opener gets ``LocalStoreError/Kind/locked``.
///
/// ``close()`` (or the last reference going away) releases the store once the calls in flight
/// have returned; a call after it throws ``LocalStoreError/Kind/closed``.
package final class LocalStore: Sendable {
    /// The store's directory.
    package let directory: String
    /// The options it was opened with.
    package let options: LocalStoreOptions
    private let gate: Mutex<Gate>
    private let handles: Handles

    /// Opens (creating if missing, per `options`) the store in `directory`.
    /// - Throws: ``LocalStoreError`` (`corrupt` for damaged files, `locked` when it is open
    ///   elsewhere, `missing`, `full`, `other`).
    package init(directory: String, options: LocalStoreOptions = LocalStoreOptions()) throws(LocalStoreError) {
        self.directory = directory
        self.options = options
        let opts = rocksdb_options_create()!
        let table = rocksdb_block_based_options_create()!
        let cache = rocksdb_cache_create_lru(max(options.cacheBytes, 1 << 20))!
        rocksdb_block_based_options_set_block_cache(table, cache)
        rocksdb_block_based_options_set_cache_index_and_filter_blocks(table, 1)
        rocksdb_options_set_block_based_table_factory(opts, table)
        rocksdb_options_set_create_if_missing(opts, options.createIfMissing ? 1 : 0)
        rocksdb_options_set_paranoid_checks(opts, 1)
        // RocksDB's own LOG file in the directory: warnings and errors only, two files at most.
        rocksdb_options_set_info_log_level(opts, 2)
        rocksdb_options_set_keep_log_file_num(opts, 2)
        rocksdb_options_set_write_buffer_size(opts, max(options.writeBufferBytes, 1 << 20))
        rocksdb_options_set_max_write_buffer_number(opts, 2)
        rocksdb_options_set_compression(opts, Int32(options.compress ? rocksdb_lz4_compression : rocksdb_no_compression))
        var error: UnsafeMutablePointer<CChar>?
        let db = rocksdb_open(opts, directory, &error)
        if let message = Self.take(&error) ?? (db == nil ? "rocksdb_open returned no handle" : nil) {
            if let db { rocksdb_close(db) }
            rocksdb_options_destroy(opts)
            rocksdb_block_based_options_destroy(table)
            rocksdb_cache_destroy(cache)
            throw LocalStoreError(operation: "open", directory: directory, rocksMessage: message)
        }
        let syncWrite = rocksdb_writeoptions_create()!
        rocksdb_writeoptions_set_sync(syncWrite, 1)
        let read = rocksdb_readoptions_create()!
        rocksdb_readoptions_set_verify_checksums(read, 1)
        handles = Handles(
            db: db!, options: opts, table: table, cache: cache, read: read, write: rocksdb_writeoptions_create()!, syncWrite: syncWrite)
        gate = Mutex(Gate())
    }

    deinit { handles.release() }

    /// The value of `key`, or nil when it is absent.
    package func get(_ key: [UInt8]) throws(LocalStoreError) -> [UInt8]? {
        try enter("get")
        defer { leave() }
        var error: UnsafeMutablePointer<CChar>?
        var length = 0
        let value = Self.withBytes(key) { k, n in rocksdb_get(handles.db, handles.read, k, n, &length, &error) }
        if let message = Self.take(&error) { throw LocalStoreError(operation: "get", directory: directory, rocksMessage: message) }
        guard let value else { return nil }
        defer { rocksdb_free(value) }
        return Array(UnsafeRawBufferPointer(start: value, count: length))
    }

    /// Applies every put and delete of `batch` atomically, in order; `sync`: durable on return
    /// (the write-ahead log is fsynced), otherwise a machine crash (not a process crash) may
    /// lose the last writes.
    package func write(_ batch: LocalStoreBatch, sync: Bool) throws(LocalStoreError) {
        try enter("write")
        defer { leave() }
        let wb = rocksdb_writebatch_create()!
        defer { rocksdb_writebatch_destroy(wb) }
        for operation in batch.operations {
            switch operation {
            case .put(let key, let value):
                Self.withBytes(key) { k, kn in Self.withBytes(value) { v, vn in rocksdb_writebatch_put(wb, k, kn, v, vn) } }
            case .delete(let key):
                Self.withBytes(key) { k, kn in rocksdb_writebatch_delete(wb, k, kn) }
            }
        }
        var error: UnsafeMutablePointer<CChar>?
        rocksdb_write(handles.db, sync ? handles.syncWrite : handles.write, wb, &error)
        if let message = Self.take(&error) { throw LocalStoreError(operation: "write", directory: directory, rocksMessage: message) }
    }

    /// Calls `body` for each key with `prefix` (all keys for an empty one) in key order
    /// (bytewise), until it returns false; with `from`, starting at the first key at or after
    /// it (one seek: a time range of keys that end in a big-endian time). A consistent
    /// snapshot: writes made meanwhile are not seen.
    /// - Throws: ``LocalStoreError`` of the iteration (`corrupt` for a bad block), or what
    ///   `body` throws.
    package func scan(prefix: [UInt8], from: [UInt8]? = nil, _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool) throws {
        try enter("scan")
        defer { leave() }
        let it = rocksdb_create_iterator(handles.db, handles.read)!
        defer { rocksdb_iter_destroy(it) }
        let start = from.map { $0.lexicographicallyPrecedes(prefix) ? prefix : $0 } ?? prefix
        if start.isEmpty { rocksdb_iter_seek_to_first(it) } else { Self.withBytes(start) { p, n in rocksdb_iter_seek(it, p, n) } }
        while rocksdb_iter_valid(it) != 0 {
            var kn = 0, vn = 0
            let k = rocksdb_iter_key(it, &kn)!
            let key = Array(UnsafeRawBufferPointer(start: k, count: kn))
            guard key.starts(with: prefix) else { break }
            let v = rocksdb_iter_value(it, &vn)
            let value = v.map { Array(UnsafeRawBufferPointer(start: $0, count: vn)) } ?? []
            guard try body(key, value) else { return }
            rocksdb_iter_next(it)
        }
        var error: UnsafeMutablePointer<CChar>?
        rocksdb_iter_get_error(it, &error)
        if let message = Self.take(&error) { throw LocalStoreError(operation: "scan", directory: directory, rocksMessage: message) }
    }

    /// The last key with `prefix` that is at or before `key` (bytewise), with its value; nil when
    /// there is none. One seek (RocksDB's `SeekForPrev`): "the latest version at or before T"
    /// for keys that end in a big-endian time.
    package func last(prefix: [UInt8], atOrBefore key: [UInt8]) throws(LocalStoreError) -> (key: [UInt8], value: [UInt8])? {
        try enter("seek")
        defer { leave() }
        let it = rocksdb_create_iterator(handles.db, handles.read)!
        defer { rocksdb_iter_destroy(it) }
        Self.withBytes(key) { k, n in rocksdb_iter_seek_for_prev(it, k, n) }
        var found: (key: [UInt8], value: [UInt8])?
        if rocksdb_iter_valid(it) != 0 {
            var kn = 0, vn = 0
            let k = rocksdb_iter_key(it, &kn)!
            let foundKey = Array(UnsafeRawBufferPointer(start: k, count: kn))
            if foundKey.starts(with: prefix) {
                let v = rocksdb_iter_value(it, &vn)
                found = (foundKey, v.map { Array(UnsafeRawBufferPointer(start: $0, count: vn)) } ?? [])
            }
        }
        var error: UnsafeMutablePointer<CChar>?
        rocksdb_iter_get_error(it, &error)
        if let message = Self.take(&error) { throw LocalStoreError(operation: "seek", directory: directory, rocksMessage: message) }
        return found
    }

    /// Bytes on disk: the sizes of the files in the directory (for metrics).
    package var diskBytes: Int { LocalStoreFiles.bytes(in: directory) }

    /// Releases the store (its lock included) once the calls in flight have returned; later
    /// calls throw ``LocalStoreError/Kind/closed``. Idempotent.
    package func close() {
        let release = gate.withLock { g -> Bool in
            guard !g.closed else { return false }
            g.closed = true
            return g.active == 0
        }
        if release { handles.release() }
    }

    /// Deletes the store in `directory` (every file there, then the directory): for a store
    /// that is corrupt or of another format, before it is rebuilt. It must not be open.
    package static func destroy(directory: String) throws(LocalStoreError) {
        if let message = LocalStoreFiles.removeTree(directory) {
            throw LocalStoreError(kind: .other, operation: "destroy", directory: directory, message: message)
        }
    }

    // MARK: - Lifecycle

    private struct Gate {
        var closed = false
        var active = 0
    }

    private func enter(_ operation: String) throws(LocalStoreError) {
        let open = gate.withLock { g -> Bool in
            guard !g.closed else { return false }
            g.active += 1
            return true
        }
        guard open else { throw LocalStoreError(kind: .closed, operation: operation, directory: directory, message: "the store is closed") }
    }

    private func leave() {
        let release = gate.withLock { g -> Bool in
            g.active -= 1
            return g.closed && g.active == 0
        }
        if release { handles.release() }
    }

    /// Takes (and frees) a RocksDB error message.
    private static func take(_ error: inout UnsafeMutablePointer<CChar>?) -> String? {
        guard let e = error else { return nil }
        defer { rocksdb_free(e); error = nil }
        return String(cString: e)
    }

    /// Calls `body` with a `char*` view of `bytes` (never a null pointer, even when empty).
    private static func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>, Int) -> R) -> R {
        if bytes.isEmpty {
            var zero: CChar = 0
            return body(&zero, 0)
        }
        return bytes.withUnsafeBytes { body($0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
    }
}

/// RocksDB's handles of one store, released exactly once.
private final class Handles: @unchecked Sendable {
    // RocksDB's handles are thread-safe; `released` is guarded by `lock`.
    let db: OpaquePointer
    let options: OpaquePointer
    let table: OpaquePointer
    let cache: OpaquePointer
    let read: OpaquePointer
    let write: OpaquePointer
    let syncWrite: OpaquePointer
    private let lock = Mutex(false)

    init(
        db: OpaquePointer, options: OpaquePointer, table: OpaquePointer, cache: OpaquePointer, read: OpaquePointer,
        write: OpaquePointer, syncWrite: OpaquePointer
    ) {
        self.db = db
        self.options = options
        self.table = table
        self.cache = cache
        self.read = read
        self.write = write
        self.syncWrite = syncWrite
    }

    func release() {
        guard lock.withLock({ released in
            defer { released = true }
            return !released
        }) else { return }
        rocksdb_close(db)
        rocksdb_readoptions_destroy(read)
        rocksdb_writeoptions_destroy(write)
        rocksdb_writeoptions_destroy(syncWrite)
        rocksdb_options_destroy(options)
        rocksdb_block_based_options_destroy(table)
        rocksdb_cache_destroy(cache)
    }
}
