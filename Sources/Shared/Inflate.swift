import CLibDeflate

/// Decoding of the compressed `~` payload form: standard base64 of zlib-wrapped (or raw)
/// DEFLATE data, as produced by Factorio's `helpers.encode_string`.
package enum Inflate {
    /// Decodes standard base64 (`A-Z a-z 0-9 + /`, `=` padding optional); nil if malformed.
    static func base64Decode(_ p: UnsafePointer<UInt8>, count: Int) -> [UInt8]? {
        var n = count
        while n > 0, p[n - 1] == UInt8(ascii: "=") { n -= 1 }
        guard count - n <= 2, n % 4 != 1 else { return nil }
        if count - n > 0, count % 4 != 0 { return nil }  // padding present: must be complete
        var out = [UInt8]()
        out.reserveCapacity(n / 4 * 3 + 2)
        var acc: UInt32 = 0
        var bits = 0
        for i in 0..<n {
            let v = base64Table[Int(p[i])]
            guard v != 0xFF else { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        // Leftover bits must be zero (canonical encoding).
        guard acc & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return out
    }

    /// Inflates zlib-wrapped or raw DEFLATE data into at most `limit` bytes.
    /// Throws `bad_encoding` for corrupt data and `payload_too_large` when the output would not fit.
    package static func inflate(_ input: [UInt8], limit: Int) throws(PacketError) -> [UInt8] {
        guard let d = libdeflate_alloc_decompressor() else { throw PacketError(.badEncoding, "out of memory") }
        defer { libdeflate_free_decompressor(d) }
        let looksZlib =
            input.count >= 2 && input[0] & 0x0F == 8 && input[0] >> 4 <= 7
            && (UInt16(input[0]) << 8 | UInt16(input[1])) % 31 == 0
        if looksZlib, let out = try attempt(d, input, limit: limit, zlib: true) { return out }
        if let out = try attempt(d, input, limit: limit, zlib: false) { return out }
        throw PacketError(.badEncoding, "not valid zlib or DEFLATE data")
    }

    /// One decompression, growing the output buffer geometrically up to `limit`; nil if the data
    /// is invalid in this format.
    private static func attempt(
        _ d: OpaquePointer, _ input: [UInt8], limit: Int, zlib: Bool
    ) throws(PacketError) -> [UInt8]? {
        var capacity = min(limit, max(4096, input.count * 8))
        while true {
            var out = [UInt8](repeating: 0, count: capacity)
            var inUsed = 0
            var outUsed = 0
            let r = input.withUnsafeBytes { i in
                out.withUnsafeMutableBytes { o in
                    zlib
                        ? libdeflate_zlib_decompress_ex(d, i.baseAddress, i.count, o.baseAddress, o.count, &inUsed, &outUsed)
                        : libdeflate_deflate_decompress_ex(d, i.baseAddress, i.count, o.baseAddress, o.count, &inUsed, &outUsed)
                }
            }
            switch r {
            case LIBDEFLATE_SUCCESS:
                guard inUsed == input.count else { return nil }  // trailing garbage
                out.removeSubrange(outUsed...)
                return out
            case LIBDEFLATE_INSUFFICIENT_SPACE:
                guard capacity < limit else {
                    throw PacketError(.payloadTooLarge, "inflated payload exceeds \(limit) bytes")
                }
                capacity = min(limit, capacity * 4)
            default:
                return nil
            }
        }
    }
}

/// base64 alphabet → 6-bit value, 0xFF for other bytes.
private let base64Table: [UInt8] = {
    var t = [UInt8](repeating: 0xFF, count: 256)
    for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
        t[Int(c)] = UInt8(i)
    }
    return t
}()
