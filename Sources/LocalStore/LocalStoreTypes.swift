/// How a ``LocalStore`` is opened.
package struct LocalStoreOptions: Sendable, Hashable {
    /// Bytes of RocksDB's LRU block cache (uncompressed blocks kept in memory for reads).
    package var cacheBytes: Int
    /// Bytes of one memtable (writes buffered in memory before they are flushed to a file);
    /// RocksDB keeps up to two of them.
    package var writeBufferBytes: Int
    /// Create the store when the directory holds none (otherwise opening a missing store throws).
    package var createIfMissing: Bool
    /// Compress blocks on disk with LZ4 (chunk records shrink about 5×).
    package var compress: Bool

    /// - Parameters: see the properties; the defaults suit the renderer's chunk records.
    package init(cacheBytes: Int = 64 << 20, writeBufferBytes: Int = 16 << 20, createIfMissing: Bool = true, compress: Bool = true) {
        self.cacheBytes = cacheBytes
        self.writeBufferBytes = writeBufferBytes
        self.createIfMissing = createIfMissing
        self.compress = compress
    }
}

/// Puts and deletes that ``LocalStore/write(_:sync:)`` applies atomically, in order (a later
/// operation on the same key wins).
package struct LocalStoreBatch: Sendable, Hashable {
    /// One operation of a batch.
    package enum Operation: Sendable, Hashable {
        case put(key: [UInt8], value: [UInt8])
        case delete(key: [UInt8])
    }

    /// The operations, in the order they were added.
    package private(set) var operations: [Operation] = []

    /// An empty batch.
    package init() {}

    /// Sets `key` to `value`.
    package mutating func put(_ key: [UInt8], _ value: [UInt8]) { operations.append(.put(key: key, value: value)) }
    /// Removes `key` (nothing happens if it is absent).
    package mutating func delete(_ key: [UInt8]) { operations.append(.delete(key: key)) }

    /// Whether the batch holds no operation.
    package var isEmpty: Bool { operations.isEmpty }
    /// How many operations it holds.
    package var count: Int { operations.count }
}

/// A failed ``LocalStore`` call: what was done, on which directory, and the library's message,
/// with a ``Kind`` that callers act on (rebuild a corrupt store, stop on a full disk).
package struct LocalStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as far as a caller must tell apart.
    package enum Kind: String, Sendable, Hashable {
        /// The files are damaged (truncated, overwritten, inconsistent): delete and rebuild.
        case corrupt
        /// The disk is full, or a file hit its size limit (ENOSPC, EFBIG): nothing more can be
        /// written until space is freed.
        case full
        /// Another process (or another ``LocalStore`` of this process) has the store open.
        case locked
        /// The store does not exist and ``LocalStoreOptions/createIfMissing`` is false.
        case missing
        /// The store was closed (``LocalStore/close()``).
        case closed
        /// Anything else (permissions, invalid arguments, other IO errors).
        case other
    }

    package var kind: Kind
    /// The call that failed (`open`, `get`, `write`, `scan`).
    package var operation: String
    /// The store's directory.
    package var directory: String
    /// The library's message (e.g. `Corruption: …`, `IO error: No space left on device`).
    package var message: String

    package init(kind: Kind, operation: String, directory: String, message: String) {
        self.kind = kind
        self.operation = operation
        self.directory = directory
        self.message = message
    }

    /// Classifies a RocksDB status message (`Corruption: …`, `IO error: …`).
    init(operation: String, directory: String, rocksMessage message: String) {
        let lower = message.lowercased()
        let kind: Kind
        if message.hasPrefix("Corruption") || lower.contains("corrupt") || lower.contains("checksum mismatch") {
            kind = .corrupt
        } else if lower.contains("no space left") || lower.contains("file too large") {
            kind = .full
        } else if lower.contains("lock") && (lower.contains("resource temporarily unavailable") || lower.contains("hold") || lower.contains("no locks available")) {
            kind = .locked
        } else if lower.contains("does not exist") && lower.contains("create_if_missing") {
            kind = .missing
        } else {
            kind = .other
        }
        self.init(kind: kind, operation: operation, directory: directory, message: message)
    }

    package var description: String { "local store \(operation) failed (\(kind.rawValue)) in \(directory): \(message)" }
}
