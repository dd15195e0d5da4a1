#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A strict, allocation-light JSON tokenizer over raw bytes (RFC 8259), used by the packet
/// decoder. It never builds intermediate dictionaries: callers pull the values they expect.
/// Errors carry the byte offset (relative to the start of the JSON text) and a field path built
/// only when an error is thrown. LogPipe's Docker json-file decoder reads its entries with it too.
package struct JSONScanner {
    let base: UnsafePointer<UInt8>
    let end: Int
    package var pos = 0

    /// Deepest nesting accepted when skipping unknown values.
    static let maxDepth = 64

    package init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.end = count
    }

    // MARK: Errors

    func fail(_ reason: RejectReason, _ detail: String) -> PacketError {
        PacketError(reason, detail, offset: pos)
    }

    /// The error for "expected a value of some kind here": `wrong_type` if another JSON value
    /// starts here, `invalid_json` otherwise.
    func typeError(_ expected: StaticString, _ path: String) -> PacketError {
        guard pos < end else { return fail(.invalidJSON, "unexpected end of input at \(path)") }
        switch base[pos] {
        case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "t"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return fail(.wrongType, "\(path): expected \(expected)")
        default:
            return fail(.invalidJSON, "unexpected byte at \(path)")
        }
    }

    // MARK: Whitespace and punctuation

    @inline(__always) package mutating func skipWhitespace() {
        while pos < end {
            let c = base[pos]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            pos += 1
        }
    }

    /// Whether the whole input has been consumed.
    package var atEnd: Bool { pos >= end }

    /// Consumes `null` if it is next (after whitespace).
    @inline(__always) mutating func consumeNull() -> Bool {
        skipWhitespace()
        guard pos + 4 <= end, base[pos] == UInt8(ascii: "n"), base[pos + 1] == UInt8(ascii: "u"),
            base[pos + 2] == UInt8(ascii: "l"), base[pos + 3] == UInt8(ascii: "l")
        else { return false }
        pos += 4
        return true
    }

    // MARK: Objects

    /// Per-object bookkeeping: which known keys were seen, unknown keys (for duplicate checks).
    package struct ObjectState {
        package var seen: UInt64 = 0
        var unknown = UnknownKeys()
        var first = true
    }

    /// The unknown keys of one object, for the duplicate check: compared pairwise while there are
    /// few (the common case: none or a handful), hashed past ``UnknownKeys/linearLimit``, so an
    /// object with n unknown keys costs O(n) and not n²/2 comparisons (a 64 KiB compressed line
    /// can hold ~15,000 keys).
    package struct UnknownKeys {
        /// Most keys kept in the array and compared one by one.
        package static let linearLimit = 8
        private var few: [[UInt8]] = []
        private var many: Set<[UInt8]>? = nil
        /// Key comparisons made by the pairwise part (tests count them).
        package private(set) var comparisons = 0

        /// Adds `key`; false if it was already there.
        package mutating func insert(_ key: [UInt8]) -> Bool {
            if many != nil { return many!.insert(key).inserted }
            for k in few {
                comparisons += 1
                if k == key { return false }
            }
            few.append(key)
            if few.count > Self.linearLimit {
                many = Set(few)
                few = []
            }
            return true
        }
    }

    /// Consumes `{`.
    package mutating func beginObject(_ path: @autoclosure () -> String) throws(PacketError) -> ObjectState {
        skipWhitespace()
        guard pos < end, base[pos] == UInt8(ascii: "{") else { throw typeError("an object", path()) }
        pos += 1
        return ObjectState()
    }

    /// Reads the next key of an object and its `:`; returns its index in `keys`, -1 for an
    /// unknown key (whose value the caller must skip), or nil after the closing `}`.
    /// Duplicate keys throw `invalid_json`.
    package mutating func nextKey(_ keys: KeyTable, _ state: inout ObjectState) throws(PacketError) -> Int? {
        skipWhitespace()
        guard pos < end else { throw fail(.invalidJSON, "unterminated object") }
        if state.first {
            state.first = false
            if base[pos] == UInt8(ascii: "}") {
                pos += 1
                return nil
            }
        } else {
            switch base[pos] {
            case UInt8(ascii: "}"):
                pos += 1
                return nil
            case UInt8(ascii: ","):
                pos += 1
                skipWhitespace()
            default:
                throw fail(.invalidJSON, "expected ',' or '}'")
            }
        }
        guard pos < end, base[pos] == UInt8(ascii: "\"") else { throw fail(.invalidJSON, "expected a key") }
        let keyStart = pos + 1
        var index = -1
        var unknownKey: [UInt8]? = nil
        if let close = try plainStringEnd() {
            index = keys.index(of: base + keyStart, count: close - keyStart)
            if index < 0 { unknownKey = Array(UnsafeBufferPointer(start: base + keyStart, count: close - keyStart)) }
            pos = close + 1
        } else {
            let bytes = Array(try string("key").utf8)
            index = bytes.withUnsafeBufferPointer { keys.index(of: $0.baseAddress!, count: $0.count) }
            if index < 0 { unknownKey = bytes }
        }
        skipWhitespace()
        guard pos < end, base[pos] == UInt8(ascii: ":") else { throw fail(.invalidJSON, "expected ':'") }
        pos += 1
        if index >= 0 {
            let bit: UInt64 = 1 << UInt64(index)
            if state.seen & bit != 0 { throw fail(.invalidJSON, "duplicate key \(keys.name(index))") }
            state.seen |= bit
        } else if let unknownKey {
            guard state.unknown.insert(unknownKey) else {
                throw fail(.invalidJSON, "duplicate key \(String(decoding: unknownKey, as: UTF8.self))")
            }
        }
        return index
    }

    // MARK: Arrays

    /// Consumes `[` and returns true, or consumes an empty object `{}` (how Lua's
    /// `table_to_json` may print an empty table) and returns false: an empty array.
    mutating func beginArray(_ path: @autoclosure () -> String) throws(PacketError) -> Bool {
        skipWhitespace()
        guard pos < end else { throw typeError("an array", path()) }
        if base[pos] == UInt8(ascii: "[") {
            pos += 1
            return true
        }
        if base[pos] == UInt8(ascii: "{") {
            var p = pos + 1
            while p < end, base[p] == 0x20 || base[p] == 0x0A || base[p] == 0x0D || base[p] == 0x09 { p += 1 }
            if p < end, base[p] == UInt8(ascii: "}") {
                pos = p + 1
                return false
            }
        }
        throw typeError("an array", path())
    }

    /// After `beginArray` returned true: whether another element follows (consuming `,`), or
    /// false after the closing `]`.
    @inline(__always) mutating func nextElement(_ first: inout Bool) throws(PacketError) -> Bool {
        skipWhitespace()
        guard pos < end else { throw fail(.invalidJSON, "unterminated array") }
        let c = base[pos]
        if first {
            first = false
            if c == UInt8(ascii: "]") {
                pos += 1
                return false
            }
            return true
        }
        if c == UInt8(ascii: ",") {
            pos += 1
            return true
        }
        if c == UInt8(ascii: "]") {
            pos += 1
            return false
        }
        throw fail(.invalidJSON, "expected ',' or ']'")
    }

    // MARK: Literals

    /// Reads `true` or `false`.
    mutating func bool(_ path: @autoclosure () -> String) throws(PacketError) -> Bool {
        skipWhitespace()
        if pos + 4 <= end, base[pos] == UInt8(ascii: "t"), base[pos + 1] == UInt8(ascii: "r"),
            base[pos + 2] == UInt8(ascii: "u"), base[pos + 3] == UInt8(ascii: "e")
        {
            pos += 4
            return true
        }
        if pos + 5 <= end, base[pos] == UInt8(ascii: "f"), base[pos + 1] == UInt8(ascii: "a"),
            base[pos + 2] == UInt8(ascii: "l"), base[pos + 3] == UInt8(ascii: "s"), base[pos + 4] == UInt8(ascii: "e")
        {
            pos += 5
            return false
        }
        if pos < end, base[pos] == UInt8(ascii: "t") || base[pos] == UInt8(ascii: "f") {
            throw fail(.invalidJSON, "bad literal at \(path())")
        }
        throw typeError("a boolean", path())
    }

    // MARK: Skipping unknown values

    /// Skips any JSON value, validating it (strings for UTF-8, numbers for grammar).
    package mutating func skipValue(depth: Int = 0) throws(PacketError) {
        guard depth < Self.maxDepth else { throw fail(.invalidJSON, "nesting too deep") }
        skipWhitespace()
        guard pos < end else { throw fail(.invalidJSON, "unexpected end of input") }
        switch base[pos] {
        case UInt8(ascii: "\""):
            if let close = try plainStringEnd() { pos = close + 1 } else { _ = try string("value") }
        case UInt8(ascii: "{"):
            pos += 1
            var first = true
            while true {
                skipWhitespace()
                guard pos < end else { throw fail(.invalidJSON, "unterminated object") }
                if base[pos] == UInt8(ascii: "}"), first {
                    pos += 1
                    return
                }
                if !first {
                    if base[pos] == UInt8(ascii: "}") {
                        pos += 1
                        return
                    }
                    guard base[pos] == UInt8(ascii: ",") else { throw fail(.invalidJSON, "expected ',' or '}'") }
                    pos += 1
                    skipWhitespace()
                }
                first = false
                guard pos < end, base[pos] == UInt8(ascii: "\"") else { throw fail(.invalidJSON, "expected a key") }
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard pos < end, base[pos] == UInt8(ascii: ":") else { throw fail(.invalidJSON, "expected ':'") }
                pos += 1
                try skipValue(depth: depth + 1)
            }
        case UInt8(ascii: "["):
            pos += 1
            var first = true
            while try nextElement(&first) { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            _ = try bool("value")
        case UInt8(ascii: "n"):
            guard consumeNull() else { throw fail(.invalidJSON, "bad literal") }
        default:
            _ = try number("value")
        }
    }
}

/// A small table of known object keys (at most 64), matched byte-for-byte.
package struct KeyTable: Sendable {
    let keys: [[UInt8]]
    /// Bit mask of the keys that must be present.
    let required: UInt64

    /// `names` in order; names ending in `?` are optional (the `?` is not part of the key).
    package init(_ names: [String]) {
        var keys = [[UInt8]]()
        var required: UInt64 = 0
        for (i, n) in names.enumerated() {
            if n.hasSuffix("?") {
                keys.append(Array(n.utf8.dropLast()))
            } else {
                keys.append(Array(n.utf8))
                required |= 1 << UInt64(i)
            }
        }
        self.keys = keys
        self.required = required
    }

    @inline(__always) func index(of p: UnsafePointer<UInt8>, count: Int) -> Int {
        for i in keys.indices {
            let k = keys[i]
            guard k.count == count, k[0] == p[0] else { continue }
            if k.withUnsafeBufferPointer({ memcmp($0.baseAddress!, p, count) == 0 }) { return i }
        }
        return -1
    }

    func name(_ i: Int) -> String { String(decoding: keys[i], as: UTF8.self) }

    /// Throws `missing_field` for the first required key not in `seen`.
    package func checkRequired(_ seen: UInt64, _ path: String) throws(PacketError) {
        let missing = required & ~seen
        guard missing != 0 else { return }
        let i = missing.trailingZeroBitCount
        throw PacketError(.missingField, path.isEmpty ? name(i) : "\(path).\(name(i))")
    }
}
