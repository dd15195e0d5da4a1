#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The log-line format of schema v1: `KAFKATORIO/1 <type> <tick> <seq> <payload>`, one packet
/// per line (see `docs/packets.md`). The same format is used on the raw topic (as printed by
/// the mod) and on internal topics (as re-encoded canonically by ``encode(_:)``).
public enum PacketLine {
    /// The tag every packet line starts with, followed by the schema version.
    public static let tag = "KAFKATORIO/"
    /// The schema version this code reads and writes.
    public static let version = 1

    static let tagBytes: [UInt8] = Array(tag.utf8)

    // MARK: Cheap check

    /// Whether the line starts with `KAFKATORIO/` (any version): a packet line, valid or not.
    public static func isPacketLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 11 else { return false }
        for i in 0..<11 where bytes[i] != tagBytes[i] { return false }
        return true
    }

    /// Whether the line starts with `KAFKATORIO/` (any version).
    public static func isPacketLine(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.starts(with: tagBytes)
    }

    /// Whether the line starts with `KAFKATORIO/` (any version).
    public static func isPacketLine(_ line: some StringProtocol) -> Bool {
        line.utf8.starts(with: tagBytes)
    }

    // MARK: Decoding

    /// Parses and validates one line (without its `\n`; a trailing `\r` is stripped).
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, limits: PacketLimits = .init()
    ) throws(PacketError) -> Packet {
        guard isPacketLine(bytes), let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw PacketError(.notAPacket, "line does not start with \(tag)", offset: 0)
        }
        var n = bytes.count
        if base[n - 1] == 0x0D { n -= 1 }
        guard n <= limits.maxLineBytes else {
            throw PacketError(.lineTooLong, "\(n) bytes, limit \(limits.maxLineBytes)")
        }
        var e = Envelope(base: base, end: n, pos: 11)
        try e.version()
        let type = try e.type()
        let tick = try e.number("tick")
        let seq = try e.number("seq")
        guard e.pos < n else { throw PacketError(.badEnvelope, "missing payload", offset: e.pos) }
        let payload: Payload
        switch base[e.pos] {
        case UInt8(ascii: "{"):
            payload = try decodeJSON(type, base + e.pos, count: n - e.pos, offset: e.pos)
        case UInt8(ascii: "~"):
            guard let raw = Inflate.base64Decode(base + e.pos + 1, count: n - e.pos - 1), !raw.isEmpty else {
                throw PacketError(.badEncoding, "payload is not valid base64", offset: e.pos + 1)
            }
            let json = try Inflate.inflate(raw, limit: limits.maxDecodedBytes)
            guard json.first == UInt8(ascii: "{") else {
                throw PacketError(.badEnvelope, "inflated payload is not a JSON object")
            }
            payload = try json.withUnsafeBufferPointer { b in
                Result { () throws(PacketError) in try decodeJSON(type, b.baseAddress!, count: b.count, offset: 0) }
            }.get()
        default:
            throw PacketError(.badEnvelope, "payload must start with '{' or '~'", offset: e.pos)
        }
        try PacketValidator.validate(payload)
        return Packet(tick: tick, seq: seq, payload: payload)
    }

    /// Parses and validates one line.
    public static func decode(_ bytes: [UInt8], limits: PacketLimits = .init()) throws(PacketError) -> Packet {
        try bytes.withUnsafeBytes { b in Result { () throws(PacketError) in try decode(b, limits: limits) } }.get()
    }

    /// Parses and validates one line.
    public static func decode(_ line: String, limits: PacketLimits = .init()) throws(PacketError) -> Packet {
        var line = line
        return try line.withUTF8 { b in
            Result { () throws(PacketError) in try decode(UnsafeRawBufferPointer(b), limits: limits) }
        }.get()
    }

    /// Decodes a JSON payload object that must fill the buffer exactly.
    private static func decodeJSON(
        _ type: PacketType, _ p: UnsafePointer<UInt8>, count: Int, offset: Int
    ) throws(PacketError) -> Payload {
        var s = JSONScanner(base: p, count: count)
        do throws(PacketError) {
            let payload = try PayloadDecoder.decode(type, &s)
            guard s.atEnd else { throw s.fail(.badEnvelope, "trailing bytes after the payload") }
            return payload
        } catch {
            var error = error
            if let o = error.offset { error.offset = o + offset }
            throw error
        }
    }

    // MARK: Encoding

    /// The canonical line of a packet (no trailing newline): plain JSON payload, fixed key order.
    public static func encode(_ packet: Packet) -> [UInt8] {
        var w = PacketEncoder()
        w.packet(packet)
        return w.out
    }

    /// The canonical line of a packet as a string.
    public static func encodeString(_ packet: Packet) -> String {
        String(decoding: encode(packet), as: UTF8.self)
    }
}

/// The envelope fields before the payload.
private struct Envelope {
    let base: UnsafePointer<UInt8>
    let end: Int
    var pos: Int

    /// The version digits after the tag and their space.
    mutating func version() throws(PacketError) {
        let start = pos
        var v: UInt64 = 0
        while pos < end, base[pos] &- UInt8(ascii: "0") < 10 {
            v = v &* 10 &+ UInt64(base[pos] - UInt8(ascii: "0"))
            pos += 1
        }
        let digits = pos - start
        guard digits > 0, digits <= 9, base[start] != UInt8(ascii: "0") || digits == 1,
            pos < end, base[pos] == UInt8(ascii: " ")
        else { throw PacketError(.badEnvelope, "malformed schema version", offset: start) }
        guard v == UInt64(PacketLine.version) else {
            throw PacketError(.unsupportedVersion, "schema version \(v), expected \(PacketLine.version)", offset: start)
        }
        pos += 1
    }

    /// The type word and its space.
    mutating func type() throws(PacketError) -> PacketType {
        let start = pos
        while pos < end, base[pos] != UInt8(ascii: " ") { pos += 1 }
        guard pos > start, pos < end else { throw PacketError(.badEnvelope, "malformed type", offset: start) }
        let n = pos - start
        pos += 1
        for (i, name) in typeNames.enumerated() where name.count == n && name[0] == base[start] {
            if name.withUnsafeBufferPointer({ memcmp($0.baseAddress!, base + start, n) == 0 }) {
                return PacketType.allCases[i]
            }
        }
        let word = String(decoding: UnsafeBufferPointer(start: base + start, count: min(n, 64)), as: UTF8.self)
        throw PacketError(.unknownType, "unknown packet type \"\(word)\"", offset: start)
    }

    /// An unsigned decimal (no sign, no leading zeros) ≤ 2^53 and its space.
    mutating func number(_ what: StaticString) throws(PacketError) -> UInt64 {
        let start = pos
        var v: UInt64 = 0
        while pos < end, base[pos] &- UInt8(ascii: "0") < 10 {
            guard pos - start < 17 else { throw PacketError(.outOfRange, "\(what) beyond 2^53", offset: start) }
            v = v * 10 + UInt64(base[pos] - UInt8(ascii: "0"))
            pos += 1
        }
        let digits = pos - start
        guard digits > 0, base[start] != UInt8(ascii: "0") || digits == 1, pos < end, base[pos] == UInt8(ascii: " ")
        else { throw PacketError(.badEnvelope, "malformed \(what)", offset: start) }
        guard v <= maxSafeInteger else { throw PacketError(.outOfRange, "\(what) beyond 2^53", offset: start) }
        pos += 1
        return v
    }
}

private let typeNames: [[UInt8]] = PacketType.allCases.map { Array($0.rawValue.utf8) }
