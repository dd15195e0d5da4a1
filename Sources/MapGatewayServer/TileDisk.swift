import Foundation
import MapGatewayCore
import Shared

/// The byte key-value store under ``TileDiskTier`` (the local store, `LocalStore`, conforms in
/// `TileDisk+LocalStore.swift`). Synchronous and blocking: ``TileDiskTier`` calls it only on its
/// own `BlockingExecutor`, one call at a time.
package protocol TileKeyValueStore: Sendable {
    /// The value of `key`, if any.
    func value(_ key: [UInt8]) throws(TileDiskError) -> [UInt8]?
    /// Applies every put and delete atomically (one batch: the tiles with the offsets they reach).
    func write(puts: [([UInt8], [UInt8])], deletes: [[UInt8]]) throws(TileDiskError)
    /// Calls `body` for each key with `prefix`, in key order, until it returns false.
    func scan(prefix: [UInt8], _ body: (_ key: [UInt8], _ value: [UInt8]) -> Bool) throws(TileDiskError)
    /// Bytes on disk.
    var diskBytes: Int { get }
    /// Closes the store; no call may follow.
    func close()
}

/// Why the disk tier failed, with the operation and directory.
package struct TileDiskError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure: it decides between rebuilding, failing loudly and refusing to start.
    package enum Kind: String, Sendable {
        /// The store's files are damaged, or a value cannot be decoded: rebuilt from `tiles`.
        case corrupt
        /// The disk is full (ENOSPC): writes fail, tiles stay in memory until they succeed.
        case fullDisk = "full_disk"
        /// Another process holds the store (another gateway with the same `--tile-directory`).
        case locked
        /// Anything else.
        case other
    }
    package var kind: Kind
    package var operation: String
    package var directory: String
    package var message: String

    package init(_ kind: Kind, operation: String, directory: String, message: String) {
        self.kind = kind
        self.operation = operation
        self.directory = directory
        self.message = message
    }

    package var description: String { "tile store \(operation) in \(directory): \(kind.rawValue): \(message)" }
}

/// How the gateway's tiles, per-server bookkeeping and consumed `tiles` offsets are laid out in
/// the key-value store. Every key starts with one letter and `/`:
/// - `m/format`: ``identity(topic:)``, the layout version and the `tiles` topic the store mirrors;
/// - `t/<server/surface/layer/z/x/y>`: one tile, ``encode(_:)`` (version, hash, stored-at, PNG);
/// - `s/<server>`: the server's ``ServerTileSummary`` as JSON;
/// - `o/<partition>`: the next offset of that `tiles` partition to read, as decimal text.
/// A batch of `tiles` records writes its tiles, the summaries they touch and the offsets it
/// reaches together, so the offsets never run ahead of the tiles (nor behind them).
package enum TileDiskLayout {
    /// The version of this layout; a store of another is rebuilt.
    package static let version = 1
    static let formatKey = Array("m/format".utf8)
    static let tilePrefix = Array("t/".utf8)
    static let summaryPrefix = Array("s/".utf8)
    static let offsetPrefix = Array("o/".utf8)

    /// What `m/format` holds for a store that mirrors `topic`.
    package static func identity(topic: String) -> [UInt8] {
        Array("kafkatorio-gateway-tiles/\(version) topic=\(topic)".utf8)
    }

    static func tileKey(_ key: TileKey) -> [UInt8] { tilePrefix + Array(key.string.utf8) }
    static func summaryKey(_ server: String) -> [UInt8] { summaryPrefix + Array(server.utf8) }
    static func offsetKey(_ partition: Int32) -> [UInt8] { offsetPrefix + Array(String(partition).utf8) }

    /// A stored tile's header: what deciding a put needs without the PNG.
    struct Header: Sendable, Equatable {
        var version: UInt64
        var hash: UInt64
        var storedAt: Int64
    }

    /// `1`, version, hash, stored-at (8 bytes little-endian each), then the PNG.
    static func encode(_ header: Header, png: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = [1]
        out.reserveCapacity(25 + png.count)
        for word in [header.version, header.hash, UInt64(bitPattern: header.storedAt)] {
            withUnsafeBytes(of: word.littleEndian) { out.append(contentsOf: $0) }
        }
        out.append(contentsOf: png)
        return out
    }

    /// The header of an encoded tile; nil if `value` is not one.
    static func header(_ value: [UInt8]) -> Header? {
        guard value.count > 25, value[0] == 1 else { return nil }
        func word(_ at: Int) -> UInt64 {
            var w: UInt64 = 0
            for i in (0..<8).reversed() { w = w << 8 | UInt64(value[at + i]) }
            return w
        }
        return Header(version: word(1), hash: word(9), storedAt: Int64(bitPattern: word(17)))
    }

    /// The tile an encoded value holds; nil if it is not one.
    static func tile(_ value: [UInt8]) -> StoredTile? {
        guard let header = header(value) else { return nil }
        return StoredTile(png: Array(value[25...]), contentHash: header.hash, version: header.version, storedAt: header.storedAt)
    }

    static func encode(_ summary: ServerTileSummary) -> [UInt8] {
        // Encoding plain values cannot fail.
        Array((try? JSONEncoder().encode(summary)) ?? Data())
    }

    static func summary(_ value: [UInt8]) -> ServerTileSummary? {
        try? JSONDecoder().decode(ServerTileSummary.self, from: Data(value))
    }
}
