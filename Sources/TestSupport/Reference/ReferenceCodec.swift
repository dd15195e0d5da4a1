import FoundationEssentials
package import Shared

/// The slow reference decoder of the same line format, built on Foundation's `JSONDecoder`
/// (FoundationEssentials) and `Data(base64Encoded:)` instead of the hand-written scanner. Used
/// ONLY by golden tests and the codec benchmark to check ``PacketLine``; it shares the inflater
/// and ``PacketValidator`` but nothing of the fast parser. Errors are not mapped to ``RejectReason``s.
package enum ReferencePacketCodec {
    /// An error of the reference decoder (any failure; the reason is informal).
    package struct Failure: Error, CustomStringConvertible {
        /// What failed.
        package var description: String
    }

    /// Decodes and validates one line, throwing on anything ``PacketLine`` must reject.
    package static func decode(_ line: String) throws -> Packet {
        var line = line
        if line.utf8.last == 0x0D { line = String(decoding: line.utf8.dropLast(), as: UTF8.self) }
        guard line.utf8.count <= PacketLimits().maxLineBytes else { throw Failure(description: "line too long") }
        let parts = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "KAFKATORIO/1" else { throw Failure(description: "bad envelope") }
        guard let type = PacketType(rawValue: String(parts[1])) else { throw Failure(description: "unknown type") }
        let tick = try envelopeNumber(parts[2]), seq = try envelopeNumber(parts[3])
        var json = Data(parts[4].utf8)
        if parts[4].hasPrefix("~") {
            guard let raw = Data(base64Encoded: String(parts[4].dropFirst())), !raw.isEmpty else {
                throw Failure(description: "bad base64")
            }
            json = Data(try Inflate.inflate([UInt8](raw), limit: PacketLimits().maxDecodedBytes))
        }
        guard json.first == UInt8(ascii: "{"), json.last == UInt8(ascii: "}") else {
            throw Failure(description: "payload is not exactly one object")
        }
        try DuplicateKeyCheck.check([UInt8](json))
        let payload = try ReferenceWire.decode(type, json)
        try PacketValidator.validate(payload)
        return Packet(tick: tick, seq: seq, payload: payload)
    }

    private static func envelopeNumber(_ s: Substring) throws -> UInt64 {
        guard !s.isEmpty, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), s == "0" || !s.hasPrefix("0"),
            let v = UInt64(s), v <= 1 << 53
        else { throw Failure(description: "bad envelope number \(s)") }
        return v
    }
}

/// A deliberately simple recursive check that no JSON object repeats a key (JSONDecoder keeps
/// one of them silently) and that no array or object ends in a trailing comma (JSONDecoder
/// accepts one). It assumes the text is otherwise checked by JSONDecoder.
enum DuplicateKeyCheck {
    static func check(_ b: [UInt8]) throws {
        var i = 0
        try value(b, &i, depth: 0)
    }

    private static func ws(_ b: [UInt8], _ i: inout Int) {
        while i < b.count, [0x20, 0x0A, 0x0D, 0x09].contains(b[i]) { i += 1 }
    }

    private static func string(_ b: [UInt8], _ i: inout Int) throws -> [UInt8] {
        guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw ReferencePacketCodec.Failure(description: "json") }
        i += 1
        let start = i
        while i < b.count, b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
        guard i < b.count else { throw ReferencePacketCodec.Failure(description: "json") }
        i += 1
        // Compare keys after unescaping, so "a" and "\u0061" count as the same key.
        if !b[start..<(i - 1)].contains(UInt8(ascii: "\\")) { return Array(b[start..<(i - 1)]) }
        let text = "\"" + String(decoding: b[start..<(i - 1)], as: UTF8.self) + "\""
        let s = (try? JSONDecoder().decode(String.self, from: Data(text.utf8))) ?? text
        return Array(s.utf8)
    }

    private static func noTrailingComma(_ b: [UInt8], _ i: inout Int) throws {
        ws(b, &i)
        if i < b.count, b[i] == UInt8(ascii: "]") || b[i] == UInt8(ascii: "}") {
            throw ReferencePacketCodec.Failure(description: "trailing comma")
        }
    }

    private static func value(_ b: [UInt8], _ i: inout Int, depth: Int) throws {
        guard depth < 64 else { throw ReferencePacketCodec.Failure(description: "too deep") }
        ws(b, &i)
        guard i < b.count else { throw ReferencePacketCodec.Failure(description: "json") }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            var keys = Set<[UInt8]>()
            ws(b, &i)
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return }
            while true {
                ws(b, &i)
                guard keys.insert(try string(b, &i)).inserted else {
                    throw ReferencePacketCodec.Failure(description: "duplicate key")
                }
                ws(b, &i)
                guard i < b.count, b[i] == UInt8(ascii: ":") else { throw ReferencePacketCodec.Failure(description: "json") }
                i += 1
                try value(b, &i, depth: depth + 1)
                ws(b, &i)
                guard i < b.count else { throw ReferencePacketCodec.Failure(description: "json") }
                i += 1
                if b[i - 1] == UInt8(ascii: "}") { return }
                try noTrailingComma(b, &i)
            }
        case UInt8(ascii: "["):
            i += 1
            ws(b, &i)
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return }
            while true {
                try value(b, &i, depth: depth + 1)
                ws(b, &i)
                guard i < b.count else { throw ReferencePacketCodec.Failure(description: "json") }
                i += 1
                if b[i - 1] == UInt8(ascii: "]") { return }
                try noTrailingComma(b, &i)
            }
        case UInt8(ascii: "\""):
            _ = try string(b, &i)
        default:
            while i < b.count, !",]} \n\r\t".utf8.contains(b[i]) { i += 1 }
        }
    }
}
