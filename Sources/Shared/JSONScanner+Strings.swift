extension JSONScanner {
    /// At an opening `"`: the index of the closing `"` if the string has no escapes, or nil if
    /// it has one (then nothing is consumed). Rejects raw control characters (`invalid_json`)
    /// and invalid UTF-8 (`invalid_utf8`).
    @inline(__always) func plainStringEnd() throws(PacketError) -> Int? {
        var p = pos + 1
        var high: UInt8 = 0
        while p < end {
            let c = base[p]
            if c == UInt8(ascii: "\"") {
                if high >= 0x80, !UTF8Check.isValid(base + pos + 1, count: p - pos - 1) {
                    throw PacketError(.invalidUTF8, "string is not valid UTF-8", offset: pos)
                }
                return p
            }
            if c == UInt8(ascii: "\\") { return nil }
            if c < 0x20 { throw PacketError(.invalidJSON, "control character in string", offset: p) }
            high |= c
            p += 1
        }
        throw PacketError(.invalidJSON, "unterminated string", offset: pos)
    }

    /// Reads a string value.
    mutating func string(_ path: @autoclosure () -> String) throws(PacketError) -> String {
        skipWhitespace()
        guard pos < end, base[pos] == UInt8(ascii: "\"") else { throw typeError("a string", path()) }
        if let close = try plainStringEnd() {
            let s = String(decoding: UnsafeBufferPointer(start: base + pos + 1, count: close - pos - 1), as: UTF8.self)
            pos = close + 1
            return s
        }
        return try escapedString()
    }

    /// Reads a string value and appends its bytes (escapes decoded) to `out`, without building a
    /// `String`; as strict as ``string(_:)``.
    package mutating func appendString(to out: inout [UInt8], _ path: @autoclosure () -> String) throws(PacketError) {
        skipWhitespace()
        guard pos < end, base[pos] == UInt8(ascii: "\"") else { throw typeError("a string", path()) }
        if let close = try plainStringEnd() {
            out.append(contentsOf: UnsafeBufferPointer(start: base + pos + 1, count: close - pos - 1))
            pos = close + 1
            return
        }
        try appendEscaped(to: &out)
    }

    /// The slow path of ``string(_:)``: a string with backslash escapes.
    private mutating func escapedString() throws(PacketError) -> String {
        var out = [UInt8]()
        out.reserveCapacity(32)
        try appendEscaped(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// At the opening `"` of a string with escapes: appends its decoded bytes to `out` (runs of
    /// plain bytes in one copy) and checks that what it appended is valid UTF-8.
    private mutating func appendEscaped(to out: inout [UInt8]) throws(PacketError) {
        let start = pos
        let first = out.count
        pos += 1
        while pos < end {
            let c = base[pos]
            switch c {
            case UInt8(ascii: "\""):
                pos += 1
                let valid = out.withUnsafeBufferPointer { b in
                    b.count == first || UTF8Check.isValid(b.baseAddress! + first, count: b.count - first)
                }
                guard valid else { throw PacketError(.invalidUTF8, "string is not valid UTF-8", offset: start) }
                return
            case UInt8(ascii: "\\"):
                guard pos + 1 < end else { throw PacketError(.invalidJSON, "unterminated string", offset: start) }
                let e = base[pos + 1]
                pos += 2
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        guard pos + 1 < end, base[pos] == UInt8(ascii: "\\"), base[pos + 1] == UInt8(ascii: "u") else {
                            throw PacketError(.invalidUTF8, "unpaired surrogate escape", offset: pos)
                        }
                        pos += 2
                        let low = try hex4()
                        guard low >= 0xDC00 && low < 0xE000 else {
                            throw PacketError(.invalidUTF8, "unpaired surrogate escape", offset: pos)
                        }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        throw PacketError(.invalidUTF8, "unpaired surrogate escape", offset: pos)
                    }
                    UTF8Check.append(scalar, to: &out)
                default:
                    throw PacketError(.invalidJSON, "bad escape", offset: pos - 2)
                }
            default:
                if c < 0x20 { throw PacketError(.invalidJSON, "control character in string", offset: pos) }
                // A run of plain bytes up to the next quote, backslash or control character.
                var p = pos + 1
                while p < end {
                    let d = base[p]
                    if d == UInt8(ascii: "\"") || d == UInt8(ascii: "\\") || d < 0x20 { break }
                    p += 1
                }
                out.append(contentsOf: UnsafeBufferPointer(start: base + pos, count: p - pos))
                pos = p
            }
        }
        throw PacketError(.invalidJSON, "unterminated string", offset: start)
    }

    /// Four hex digits of a `\u` escape.
    private mutating func hex4() throws(PacketError) -> UInt32 {
        guard pos + 4 <= end else { throw fail(.invalidJSON, "truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = base[pos]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw fail(.invalidJSON, "bad \\u escape")
            }
            v = v << 4 | UInt32(d)
            pos += 1
        }
        return v
    }
}

/// Strict UTF-8 validation (no overlong forms, no surrogates, nothing above U+10FFFF).
enum UTF8Check {
    /// Whether `count` bytes at `p` are valid UTF-8.
    static func isValid(_ p: UnsafePointer<UInt8>, count: Int) -> Bool {
        var i = 0
        while i < count {
            let c = p[i]
            if c < 0x80 {
                i += 1
                continue
            }
            @inline(__always) func cont(_ j: Int) -> Bool { j < count && p[j] & 0xC0 == 0x80 }
            switch c {
            case 0xC2...0xDF:
                guard cont(i + 1) else { return false }
                i += 2
            case 0xE0...0xEF:
                guard cont(i + 1), cont(i + 2) else { return false }
                let c1 = p[i + 1]
                if c == 0xE0 && c1 < 0xA0 { return false }  // overlong
                if c == 0xED && c1 >= 0xA0 { return false }  // surrogate
                i += 3
            case 0xF0...0xF4:
                guard cont(i + 1), cont(i + 2), cont(i + 3) else { return false }
                let c1 = p[i + 1]
                if c == 0xF0 && c1 < 0x90 { return false }  // overlong
                if c == 0xF4 && c1 >= 0x90 { return false }  // > U+10FFFF
                i += 4
            default:
                return false
            }
        }
        return true
    }

    /// Whether `bytes` are valid UTF-8.
    static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { b in b.isEmpty || isValid(b.baseAddress!, count: b.count) }
    }

    /// Appends the UTF-8 encoding of a scalar value (not a surrogate).
    static func append(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80:
            out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }
}
