package import Shared

/// Limits on tile addresses accepted from URLs: z in `TileKey.minZoom...TileKey.detailZoom`,
/// and |x|, |y| within a Factorio map (±1,000,000 game tiles = ±31,250 chunks, rounded up to
/// 2^15 chunks at the detail zoom, halving per level below it).
package enum TileRequestLimits {
    /// Largest absolute chunk coordinate at the detail zoom.
    package static let maxAbsChunk = 1 << 15

    /// Largest absolute tile x or y at zoom `z`.
    package static func maxAbsCoordinate(atZoom z: Int) -> Int {
        max(1, maxAbsChunk >> (TileKey.detailZoom - z))
    }
}

extension TileKey {
    /// Parses and validates the raw (still percent-encoded) path components of a tile URL.
    /// Throws ``GatewayError/invalidRequest(_:)`` naming the first bad component.
    package static func fromURLComponents(
        server: String, surface rawSurface: String, layer: String, z: String, x: String, y: String
    ) throws(GatewayError) -> TileKey {
        guard Identifier.isValidServerID(server) else { throw .invalidRequest("server id") }
        guard let surface = PercentDecoding.decode(rawSurface), Identifier.isValidSurfaceName(surface) else {
            throw .invalidRequest("surface name")
        }
        guard let layer = MapLayer(rawValue: layer) else { throw .invalidRequest("layer") }
        guard let z = Self.integer(z, limit: 99), (TileKey.minZoom...TileKey.detailZoom).contains(z) else {
            throw .invalidRequest("z")
        }
        let limit = TileRequestLimits.maxAbsCoordinate(atZoom: z)
        guard let x = Self.integer(x, limit: limit) else { throw .invalidRequest("x") }
        guard let y = Self.integer(y, limit: limit) else { throw .invalidRequest("y") }
        return TileKey(server: server, surface: surface, layer: layer, z: z, x: x, y: y)
    }

    /// A decimal integer with optional leading `-`, at most 9 digits, |value| ≤ `limit`.
    private static func integer(_ s: String, limit: Int) -> Int? {
        let digits = s.utf8.first == UInt8(ascii: "-") ? s.utf8.dropFirst() : s.utf8[...]
        guard (1...9).contains(digits.count), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let value = Int(s), abs(value) <= limit
        else { return nil }
        return value
    }
}

/// Strict `%XX` decoding of a URL path component.
package enum PercentDecoding {
    /// The decoded string; nil on a malformed escape or invalid UTF-8.
    package static func decode(_ s: String) -> String? {
        guard s.utf8.contains(UInt8(ascii: "%")) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        while let byte = it.next() {
            if byte == UInt8(ascii: "%") {
                guard let hi = it.next().flatMap(hexValue), let lo = it.next().flatMap(hexValue) else { return nil }
                out.append(hi << 4 | lo)
            } else {
                out.append(byte)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}
