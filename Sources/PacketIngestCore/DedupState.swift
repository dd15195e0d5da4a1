import Shared

/// The input topics PacketIngest consumes.
package enum InputTopic: String, Sendable, Hashable, CaseIterable {
    /// Packet lines.
    case raw
    /// Engine and console lines.
    case console
}

/// One input partition: the unit of assignment, and of dedup state.
package struct InputPartition: Sendable, Hashable, CustomStringConvertible {
    package var topic: InputTopic
    package var partition: Int32
    package init(_ topic: InputTopic, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
    package var description: String { "\(topic.rawValue)[\(partition)]" }
}

/// Where a line came from: the `source` header, `<hex fingerprint>:<byte offset>` (LogPipe writes
/// the fingerprint of the log file it reads and the line's byte offset in it).
package struct SourcePosition: Sendable, Hashable {
    /// The fingerprint, lowercase hex (1-16 digits).
    package var fingerprint: String
    /// The line's byte offset in the file.
    package var offset: UInt64

    package init(fingerprint: String, offset: UInt64) {
        self.fingerprint = fingerprint
        self.offset = offset
    }

    /// Parses a `source` header; nil if it is malformed.
    package init?(header: String) {
        let utf8 = header.utf8
        guard let colon = utf8.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let fp = utf8[..<colon]
        let off = utf8[utf8.index(after: colon)...]
        guard (1...16).contains(fp.count), fp.allSatisfy(Self.isHex), (1...20).contains(off.count),
            off.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let offset = UInt64(Substring(off))
        else { return nil }
        self.init(fingerprint: String(Substring(fp)).lowercased(), offset: offset)
    }

    private static func isHex(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
    }
}

/// The dedup key: one log file of one server, per input topic.
package struct DedupKey: Sendable, Hashable {
    package var topic: InputTopic
    package var server: String
    package var fingerprint: String

    package init(topic: InputTopic, server: String, fingerprint: String) {
        self.topic = topic
        self.server = server
        self.fingerprint = fingerprint
    }

    /// The state record's key: `<topic>/<server>/<fingerprint>`.
    package var string: String { "\(topic.rawValue)/\(server)/\(fingerprint)" }

    /// Parses ``string``.
    package init?(string: String) {
        let parts = string.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let topic = InputTopic(rawValue: String(parts[0])),
            Identifier.isValidServerID(String(parts[1])), !parts[2].isEmpty
        else { return nil }
        self.init(topic: topic, server: String(parts[1]), fingerprint: String(parts[2]))
    }
}

/// The dedup and sequence state of one input partition.
///
/// LogPipe ships each file in offset order, so a line is new exactly when its offset is above the
/// highest offset already processed for its (server, fingerprint): a replay after a LogPipe crash
/// (which restarts at a lower offset) or a PacketIngest restart is dropped up to that high-water
/// mark. `lastSeq` is the last packet `seq` seen per server (raw partitions only).
package struct PartitionState: Sendable, Equatable {
    package var highWater: [DedupKey: UInt64] = [:]
    package var lastSeq: [String: UInt64] = [:]

    package init() {}

    /// Whether the line is new; if so, raises the high-water mark.
    package mutating func admit(_ key: DedupKey, offset: UInt64) -> Bool {
        if let hw = highWater[key], offset <= hw { return false }
        highWater[key] = offset
        return true
    }

    /// The state record value for `key`: `<high-water offset>` or `<high-water offset> <last seq>`.
    package func recordValue(for key: DedupKey) -> [UInt8] {
        let hw = highWater[key] ?? 0
        if key.topic == .raw, let seq = lastSeq[key.server] { return Array("\(hw) \(seq)".utf8) }
        return Array("\(hw)".utf8)
    }

    /// Applies one state record (in partition order, the last one per key wins). Records of another
    /// input topic, or malformed ones, are ignored; returns whether the record was used.
    @discardableResult
    package mutating func apply(key: String, value: [UInt8], topic: InputTopic) -> Bool {
        guard let k = DedupKey(string: key), k.topic == topic else { return false }
        let parts = String(decoding: value, as: UTF8.self).split(separator: " ")
        guard let first = parts.first, let hw = UInt64(first) else { return false }
        highWater[k] = max(highWater[k] ?? 0, hw)
        if parts.count > 1, let seq = UInt64(parts[1]) { lastSeq[k.server] = seq }
        return true
    }
}
