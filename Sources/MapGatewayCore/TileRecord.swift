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

    /// The record with key bytes `key`, value `value` and the `version` and `hash` header values.
    /// - Throws: ``TileRecordError`` when the key is not a tile key the gateway could serve: six
    ///   `/`-separated parts, a valid server id and surface name, a known layer, z in
    ///   `TileKey.minZoom...TileKey.detailZoom` and |x|, |y| within ``TileRequestLimits`` (what a
    ///   URL may ask for). `tiles` is internal, but a value read from it is checked before use all
    ///   the same: a coordinate far outside the map would overflow the extent arithmetic.
    package init(key: [UInt8]?, value: [UInt8], version: String?, contentHash: String?) throws(TileRecordError) {
        guard let key else { throw .noKey }
        self.key = try Self.tileKey(String(decoding: key, as: UTF8.self))
        self.version = version.flatMap { UInt64($0) } ?? 0
        self.png = value
        self.contentHash = contentHash.flatMap { ContentHash.fromHeader($0) }
    }

    /// The tile key `text` names, range-checked as a URL's (``TileKey/fromURLComponents(server:surface:layer:z:x:y:)``
    /// without percent-decoding: keys carry surface names as they are).
    static func tileKey(_ text: String) throws(TileRecordError) -> TileKey {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 6 else { throw .malformed(part: "key") }
        guard Identifier.isValidServerID(String(parts[0])) else { throw .malformed(part: "server id") }
        guard Identifier.isValidSurfaceName(String(parts[1])) else { throw .malformed(part: "surface name") }
        guard let layer = MapLayer(rawValue: String(parts[2])) else { throw .malformed(part: "layer") }
        guard let z = Int(parts[3]), (TileKey.minZoom...TileKey.detailZoom).contains(z) else {
            throw .outOfRange(part: "z")
        }
        let limit = TileRequestLimits.maxAbsCoordinate(atZoom: z)
        guard let x = Int(parts[4]), abs(x) <= limit else { throw .outOfRange(part: "x") }
        guard let y = Int(parts[5]), abs(y) <= limit else { throw .outOfRange(part: "y") }
        return TileKey(server: String(parts[0]), surface: String(parts[1]), layer: layer, z: z, x: x, y: y)
    }
}

/// Why a `tiles` record was ignored.
package enum TileRecordError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The record has no key.
    case noKey
    /// A part of the key is not what a tile key holds (or the key has not six parts).
    case malformed(part: String)
    /// A number of the key (z, x or y) is not one or lies outside what the gateway serves.
    case outOfRange(part: String)

    package var description: String {
        switch self {
        case .noKey: "no key"
        case .malformed(let part): "invalid \(part)"
        case .outOfRange(let part): "\(part) not a number in range"
        }
    }
}
