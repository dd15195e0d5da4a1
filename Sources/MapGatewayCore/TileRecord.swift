package import Shared

/// A record of the `tiles` topic as the gateway applies it (pure: read from the record's key,
/// value and headers; no Kafka type).
///
/// The ETag comes from the renderer's `hash` header, so the bytes are hashed once, by the
/// renderer (which hashes them anyway to skip unchanged tiles). The header is trusted: `tiles` is
/// internal, only TileRenderer writes it, and it hashes exactly the value it sends with the same
/// ``ContentHash/fnv1a64(_:)`` the gateway would use; whoever could write a wrong hash there could
/// as well write wrong tiles. A record without a well-formed header (1 to 16 lower-case hex
/// digits) is hashed here instead.
package struct TileRecord: Sendable, Hashable {
    /// The tile.
    package var key: TileKey
    /// The renderer's monotonic version (0 when the header is missing or malformed).
    package var version: UInt64
    /// The PNG bytes; empty when the tile was removed.
    package var png: [UInt8]
    /// ``ContentHash/fnv1a64(_:)`` of ``png`` from the `hash` header, if it is well-formed.
    package var contentHash: UInt64?

    /// Whether the record removes the tile (an empty value).
    package var isRemoval: Bool { png.isEmpty }

    /// The record with key bytes `key`, value `value` and the `version` and `hash` header values;
    /// nil when the key is not a tile key.
    package init?(key: [UInt8]?, value: [UInt8], version: String?, contentHash: String?) {
        guard let key, let tileKey = TileKey(string: String(decoding: key, as: UTF8.self)) else { return nil }
        self.key = tileKey
        self.version = version.flatMap { UInt64($0) } ?? 0
        self.png = value
        self.contentHash = contentHash.flatMap { ContentHash.fromHeader($0) }
    }
}
