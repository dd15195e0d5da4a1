/// Lowercase hexadecimal for digests, signatures and keys, and a constant-time comparison.
public enum Hex {
    /// `bytes` as lowercase hex, two characters per byte.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        append(Array(bytes), to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `bytes` to `out` as lowercase hex, two characters per byte (no intermediate string:
    /// LogPipe's signature header is written this way for every line).
    public static func append(_ bytes: some Collection<UInt8>, to out: inout [UInt8]) {
        var i = out.count
        out.append(contentsOf: repeatElement(0, count: 2 * bytes.count))
        let digits: StaticString = "0123456789abcdef"
        digits.withUTF8Buffer { hex in
            out.withUnsafeMutableBufferPointer { buffer in
                for b in bytes {
                    buffer[i] = hex[Int(b >> 4)]
                    buffer[i + 1] = hex[Int(b & 0xF)]
                    i += 2
                }
            }
        }
    }

    /// The bytes of hex text (either case); nil for an odd length or a non-hex character.
    public static func decode(_ s: some StringProtocol) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    /// Whether `a` equals `b`, in time that depends only on their lengths.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
