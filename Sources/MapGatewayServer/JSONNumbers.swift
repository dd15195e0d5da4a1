import NIOCore

/// Numbers written straight into a `ByteBuffer` (``JSONWriter``'s fast paths): no `String` is
/// built per value. The output is byte for byte what `String(value)` gives (`JSONWriterTests`
/// compares them on many values).
extension ByteBuffer {
    /// The decimal digits of `value` (with `-` when negative).
    mutating func writeDecimal(_ value: Int64) {
        if value < 0 { writeInteger(UInt8(ascii: "-")) }
        writeDecimal(value.magnitude, minimumDigits: 1)
    }

    /// The decimal digits of `value`, zero-padded on the left to `minimumDigits`.
    mutating func writeDecimal(_ value: UInt64, minimumDigits: Int) {
        var count = 1
        var v = value
        while v >= 10 {
            v /= 10
            count += 1
        }
        let n = max(count, minimumDigits)
        writeWithUnsafeMutableBytes(minimumWritableBytes: n) { out in
            var v = value
            for i in stride(from: n - 1, through: 0, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
            return n
        }
    }

    /// Powers of ten that are exact doubles, for ``writeShortDecimal(_:)``.
    private static let tens: [Double] = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10]

    /// Writes a non-integral `value` as `String(value)` does when it has at most ten decimals and
    /// 0.001 ≤ |value| < 1e9 (the game's positions in 1/256 tiles, orientations and speeds);
    /// returns false, having written nothing, otherwise. With `m` (below 2^52) and `10^d` exact
    /// doubles, `m / 10^d == value` says exactly that the decimal m·10⁻ᵈ reads back as `value`,
    /// and no other decimal of `d` places does (10⁻ᵈ is above the spacing of doubles there); the
    /// smallest such `d` gives the shortest digits that read back, which is what Swift prints.
    mutating func writeShortDecimal(_ value: Double) -> Bool {
        let magnitude = abs(value)
        guard magnitude >= 0.001, magnitude < 1e9 else { return false }
        for d in 1..<Self.tens.count {
            let p = Self.tens[d]
            let m = (value * p).rounded()
            guard abs(m) < 4_503_599_627_370_496 else { return false }
            guard m / p == value else { continue }
            let a = UInt64(abs(m))
            let q = UInt64(p)
            if m < 0 { writeInteger(UInt8(ascii: "-")) }
            writeDecimal(a / q, minimumDigits: 1)
            writeInteger(UInt8(ascii: "."))
            writeDecimal(a % q, minimumDigits: d)
            return true
        }
        return false
    }
}
