import MapGatewayCore
import NIOCore

/// A minimal, allocation-light JSON writer that appends straight into a `ByteBuffer`.
///
/// The gateway's outgoing JSON (WebSocket messages and REST bodies) is small and has a fixed
/// shape, so it is written by hand: no `Codable`, no Foundation, one buffer per message that
/// every WebSocket client then shares.
struct JSONWriter {
    /// The bytes written so far.
    private(set) var buffer: ByteBuffer
    /// Whether the next value in the current container needs a leading comma.
    private var needsComma = false

    init(capacity: Int = 256) {
        self.buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    // MARK: Containers

    mutating func beginObject() {
        separator()
        buffer.writeInteger(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        buffer.writeInteger(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray() {
        separator()
        buffer.writeInteger(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        buffer.writeInteger(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"name":` inside an object; the next value written belongs to it.
    mutating func key(_ name: String) {
        separator()
        writeQuoted(name)
        buffer.writeInteger(UInt8(ascii: ":"))
        needsComma = false
    }

    // MARK: Values

    mutating func string(_ value: String) {
        separator()
        writeQuoted(value)
        needsComma = true
    }

    mutating func int(_ value: Int) {
        separator()
        buffer.writeDecimal(Int64(value))
        needsComma = true
    }

    mutating func uint(_ value: UInt64) {
        separator()
        buffer.writeDecimal(value, minimumDigits: 1)
        needsComma = true
    }

    /// Writes a double; non-finite values become `null` (JSON has no NaN or infinity).
    mutating func double(_ value: Double) {
        separator()
        if value.isFinite {
            if value == value.rounded(), abs(value) < 1e15 {
                buffer.writeDecimal(Int64(value))
            } else if !buffer.writeShortDecimal(value) {
                buffer.writeString(String(value))
            }
        } else {
            buffer.writeStaticString("null")
        }
        needsComma = true
    }

    mutating func bool(_ value: Bool) {
        separator()
        buffer.writeStaticString(value ? "true" : "false")
        needsComma = true
    }

    mutating func null() {
        separator()
        buffer.writeStaticString("null")
        needsComma = true
    }

    // MARK: Key-value shorthands

    mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    mutating func field(_ name: String, _ value: String?) {
        key(name)
        if let value { string(value) } else { null() }
    }

    mutating func field(_ name: String, _ value: Int) {
        key(name)
        int(value)
    }

    mutating func field(_ name: String, _ value: UInt64) {
        key(name)
        uint(value)
    }

    mutating func field(_ name: String, _ value: Double) {
        key(name)
        double(value)
    }

    mutating func field(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }

    // MARK: Internals

    private mutating func separator() {
        if needsComma { buffer.writeInteger(UInt8(ascii: ",")) }
    }

    private mutating func writeQuoted(_ s: String) {
        buffer.writeInteger(UInt8(ascii: "\""))
        // Most text (every key, names) needs no escape: copied at once.
        if !s.utf8.contains(where: Self.needsEscape) {
            buffer.writeString(s)
            buffer.writeInteger(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            case 0x09: buffer.writeStaticString("\\t")
            case 0..<0x20, 0x7F:
                buffer.writeStaticString("\\u00")
                buffer.writeInteger(Self.hexDigit(byte >> 4))
                buffer.writeInteger(Self.hexDigit(byte & 0xF))
            case UInt8(ascii: "<"):
                // Keeps "</script>" and friends inert if a message is ever inlined into HTML.
                buffer.writeStaticString("\\u003c")
            default: buffer.writeInteger(byte)
            }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F || byte == UInt8(ascii: "<")
    }

    private static func hexDigit(_ v: UInt8) -> UInt8 {
        v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "a") + v - 10
    }
}
