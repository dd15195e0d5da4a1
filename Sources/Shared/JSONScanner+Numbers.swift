#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The largest magnitude of an integer field (2^53: every such integer is exact in a double,
/// which is what Lua and JavaScript use).
let maxSafeInteger: UInt64 = 1 << 53

extension JSONScanner {
    /// A scanned JSON number: sign, decimal mantissa and exponent, and where it was.
    struct NumberToken {
        var negative = false
        var mantissa: UInt64 = 0
        /// The mantissa did not fit (more than ~19 significant digits).
        var overflow = false
        /// Digits accumulated into `mantissa`.
        var digits = 0
        /// Decimal exponent applied to the mantissa (minus the number of fraction digits).
        var exponent = 0
        /// No fraction and no exponent part.
        var plainInteger = true
        var start = 0
        var end = 0
    }

    /// Scans a number per the JSON grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    @inline(__always) mutating func scanNumber(_ path: @autoclosure () -> String) throws(PacketError) -> NumberToken {
        skipWhitespace()
        var t = NumberToken()
        t.start = pos
        if pos < end, base[pos] == UInt8(ascii: "-") {
            t.negative = true
            pos += 1
        }
        guard pos < end, base[pos] &- UInt8(ascii: "0") < 10 else {
            if t.negative { throw fail(.invalidJSON, "bad number at \(path())") }
            throw typeError("a number", path())
        }
        if base[pos] == UInt8(ascii: "0") {
            pos += 1
        } else {
            while pos < end {
                let d = base[pos] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                accumulate(&t, d)
                pos += 1
            }
        }
        if pos < end, base[pos] == UInt8(ascii: ".") {
            t.plainInteger = false
            pos += 1
            let fracStart = pos
            while pos < end {
                let d = base[pos] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                if !t.overflow {
                    accumulate(&t, d)
                    if !t.overflow { t.exponent -= 1 }
                }
                pos += 1
            }
            guard pos > fracStart else { throw fail(.invalidJSON, "bad number at \(path())") }
        }
        if pos < end, base[pos] | 0x20 == UInt8(ascii: "e") {
            t.plainInteger = false
            pos += 1
            var negExp = false
            if pos < end, base[pos] == UInt8(ascii: "+") || base[pos] == UInt8(ascii: "-") {
                negExp = base[pos] == UInt8(ascii: "-")
                pos += 1
            }
            let expStart = pos
            var e = 0
            while pos < end {
                let d = base[pos] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                if e < 100_000 { e = e * 10 + Int(d) }
                pos += 1
            }
            guard pos > expStart else { throw fail(.invalidJSON, "bad number at \(path())") }
            t.exponent += negExp ? -e : e
        }
        t.end = pos
        return t
    }

    /// Appends a digit to the mantissa; past 19 digits (which always fit in 64 bits) the
    /// token is marked `overflow` and decoded by `strtod`.
    @inline(__always) private func accumulate(_ t: inout NumberToken, _ d: UInt8) {
        if t.digits >= 19 {
            t.overflow = true
            return
        }
        t.mantissa = t.mantissa &* 10 &+ UInt64(d)
        t.digits += 1
    }

    /// Reads a finite number.
    @inline(__always) mutating func double(_ path: @autoclosure () -> String) throws(PacketError) -> Double {
        let t = try scanNumber(path())
        let v = value(of: t)
        guard v.isFinite else { throw PacketError(.outOfRange, "\(path()): number is not finite", offset: t.start) }
        return v
    }

    /// Reads an integer in ±2^53. An integral number written with a fraction or exponent
    /// (`12.0`, `1.2e1`) is accepted; a non-integral one is `wrong_type`.
    @inline(__always) mutating func integer(_ path: @autoclosure () -> String) throws(PacketError) -> Int {
        let t = try scanNumber(path())
        if t.plainInteger && !t.overflow {
            guard t.mantissa <= maxSafeInteger else {
                throw PacketError(.outOfRange, "\(path()): integer beyond 2^53", offset: t.start)
            }
            return t.negative ? -Int(t.mantissa) : Int(t.mantissa)
        }
        let v = value(of: t)
        guard v.isFinite, v.magnitude <= Double(maxSafeInteger) else {
            throw PacketError(.outOfRange, "\(path()): integer beyond 2^53", offset: t.start)
        }
        guard v == v.rounded(.towardZero) else {
            throw PacketError(.wrongType, "\(path()): expected an integer", offset: t.start)
        }
        return Int(v)
    }

    /// Reads any number (for skipping).
    mutating func number(_ path: @autoclosure () -> String) throws(PacketError) -> Double {
        value(of: try scanNumber(path()))
    }

    /// The double nearest to a scanned number: exact fast path (Clinger) when the mantissa and
    /// power of ten are exactly representable, else `strtod` on a stack copy of the text.
    @inline(__always) func value(of t: NumberToken) -> Double {
        if !t.overflow, t.mantissa <= maxSafeInteger, t.exponent >= -22, t.exponent <= 22 {
            var v = Double(t.mantissa)
            if t.exponent < 0 {
                v /= powersOfTen[-t.exponent]
            } else if t.exponent > 0 {
                v *= powersOfTen[t.exponent]
            }
            return t.negative ? -v : v
        }
        return slowValue(start: t.start, end: t.end)
    }

    private func slowValue(start: Int, end: Int) -> Double {
        let n = end - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf -> Double in
            let b = buf.baseAddress!
            for i in 0..<n { b[i] = CChar(bitPattern: base[start + i]) }
            b[n] = 0
            return strtod(b, nil)
        }
    }
}

/// 10^0 … 10^22, all exact in a double.
private let powersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    1e19, 1e20, 1e21, 1e22,
]
