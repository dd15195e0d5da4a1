/// Why a line was rejected. The raw values are stable: they appear in the fixtures
/// (`Tests/Fixtures/packets/invalid.tsv`) and in the dead-letter topic's `reason` header.
public enum RejectReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The line does not start with `KAFKATORIO/`: not a packet at all.
    case notAPacket = "not_a_packet"
    /// The line starts with `KAFKATORIO/<n>` for a schema version other than 1.
    case unsupportedVersion = "unsupported_version"
    /// The `<type>` is not a packet type of this schema version.
    case unknownType = "unknown_type"
    /// The envelope (`KAFKATORIO/1 <type> <tick> <seq> <payload>`) is malformed.
    case badEnvelope = "bad_envelope"
    /// The payload is not well-formed JSON, or an object has a duplicate key.
    case invalidJSON = "invalid_json"
    /// A JSON string is not valid UTF-8.
    case invalidUTF8 = "invalid_utf8"
    /// A required payload key is absent.
    case missingField = "missing_field"
    /// A value has the wrong JSON type (including a non-integral number for an integer field).
    case wrongType = "wrong_type"
    /// A value is outside its allowed range or breaks a semantic rule (e.g. runs not summing to 1024).
    case outOfRange = "out_of_range"
    /// A `~` payload is not valid base64 or not valid zlib/DEFLATE data.
    case badEncoding = "bad_encoding"
    /// A `~` payload inflates to more than ``PacketLimits/maxDecodedBytes``.
    case payloadTooLarge = "payload_too_large"
    /// The line is longer than ``PacketLimits/maxLineBytes``.
    case lineTooLong = "line_too_long"

    /// The stable snake_case name.
    public var description: String { rawValue }
}

/// A rejected packet line: a stable ``RejectReason``, a human-readable detail (usually the
/// field path, e.g. `runs[3]`) and the byte offset where the problem was found, if known
/// (relative to the JSON text, which for a `~` payload is the inflated text).
public struct PacketError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The machine-readable reason.
    public var reason: RejectReason
    /// A short human-readable detail, e.g. the field path `runs[3]`.
    public var detail: String
    /// Byte offset of the problem, if known.
    public var offset: Int?

    /// Creates an error.
    public init(_ reason: RejectReason, _ detail: String = "", offset: Int? = nil) {
        self.reason = reason
        self.detail = detail
        self.offset = offset
    }

    /// `reason: detail (at byte N)`.
    public var description: String {
        var s = reason.rawValue
        if !detail.isEmpty { s += ": " + detail }
        if let offset { s += " (at byte \(offset))" }
        return s
    }
}

/// Limits applied while decoding a line.
public struct PacketLimits: Sendable, Hashable {
    /// Longest accepted line in bytes, excluding a trailing `\r` (default 64 KiB).
    public var maxLineBytes: Int
    /// Largest accepted inflated size of a `~` payload in bytes (default 1 MiB).
    public var maxDecodedBytes: Int

    /// Creates limits; the defaults suit game-server output.
    public init(maxLineBytes: Int = 65536, maxDecodedBytes: Int = 1 << 20) {
        self.maxLineBytes = maxLineBytes
        self.maxDecodedBytes = maxDecodedBytes
    }
}
