package import Shared

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
/// the fingerprint of the log file it reads, 16 hex digits, and the line's byte offset in it).
/// Both are numbers: the signature covers their values (``RecordIdentity``) and the dedup key is
/// made from the value, so `ab:7` and `00000000000000AB:07` are the same position.
package struct SourcePosition: Sendable, Hashable {
    /// The fingerprint's value.
    package var fingerprint: UInt64
    /// The line's byte offset in the file.
    package var offset: UInt64

    package init(fingerprint: UInt64, offset: UInt64) {
        self.fingerprint = fingerprint
        self.offset = offset
    }

    /// Parses a `source` header (1-16 hex digits, `:`, 1-20 decimal digits below 2^64); nil if it
    /// is malformed.
    package init?(header: String) {
        let utf8 = header.utf8
        guard let colon = utf8.firstIndex(of: UInt8(ascii: ":")),
            let fp = Self.parseHex(utf8[..<colon])
        else { return nil }
        guard let offset = PartitionState.decimal(ArraySlice(utf8[utf8.index(after: colon)...]), max: .max) else { return nil }
        self.init(fingerprint: fp, offset: offset)
    }

    /// The value of 1-16 hex digits (either case); nil otherwise.
    package static func parseHex(_ digits: some Collection<UInt8>) -> UInt64? {
        guard (1...16).contains(digits.count) else { return nil }
        var v: UInt64 = 0
        for c in digits {
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x61...0x66: d = c - 0x61 + 10
            case 0x41...0x46: d = c - 0x41 + 10
            default: return nil
            }
            v = v << 4 | UInt64(d)
        }
        return v
    }

    /// 16 lowercase hex digits of a fingerprint (the dedup key's form, and LogPipe's).
    package static func hex(_ fingerprint: UInt64) -> String {
        let digits = String(fingerprint, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The identity its signature covers, on topic `kind`.
    package func identity(_ kind: RecordKind) -> RecordIdentity {
        RecordIdentity(kind: kind, fingerprint: fingerprint, offset: offset)
    }
}

/// The dedup key: one log file of one server, per input topic.
package struct DedupKey: Sendable, Hashable {
    package var topic: InputTopic
    package var server: String
    /// 16 lowercase hex digits.
    package var fingerprint: String

    package init(topic: InputTopic, server: String, fingerprint: String) {
        self.topic = topic
        self.server = server
        self.fingerprint = fingerprint
    }

    package init(topic: InputTopic, server: String, source: SourcePosition) {
        self.init(topic: topic, server: server, fingerprint: SourcePosition.hex(source.fingerprint))
    }

    /// The state record's key: `<topic>/<server>/<fingerprint>`.
    package var string: String { "\(topic.rawValue)/\(server)/\(fingerprint)" }

    /// Parses ``string``: a known topic, a valid server id and 1-16 hex digits (normalised to 16
    /// lowercase ones); nil otherwise.
    package init?(string: String) {
        let parts = string.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let topic = InputTopic(rawValue: String(parts[0])),
            Identifier.isValidServerID(String(parts[1])), let fp = SourcePosition.parseHex(parts[2].utf8)
        else { return nil }
        self.init(topic: topic, server: String(parts[1]), fingerprint: SourcePosition.hex(fp))
    }
}

/// The dedup, sequence and membership state of one input partition.
///
/// LogPipe ships each file in offset order, so a line is new exactly when its offset is above the
/// highest offset already processed for its (server, fingerprint): a replay after a LogPipe crash
/// (which restarts at a lower offset) or a PacketIngest restart is dropped up to that high-water
/// mark. `lastSeq` is the last packet `seq` seen per server (raw partitions only). `surfaces` and
/// `players` are the surface names and player indices each server's packets named (raw
/// partitions only), which the per-server caps count (``ServerCaps``); a server's records are all
/// on one partition (PacketIngest checks it), so per partition is per server.
package struct PartitionState: Sendable, Equatable {
    package private(set) var highWater: [DedupKey: UInt64] = [:]
    package var lastSeq: [String: UInt64] = [:]
    /// Fingerprints with a high-water mark, per server.
    package private(set) var fingerprints: [String: Int] = [:]
    package var surfaces: [String: Set<String>] = [:]
    package var players: [String: Set<Int>] = [:]
    /// The map objects (chart tags, train stops, trains, space platforms) each server's packets
    /// named and did not remove, by kind and game id (raw partitions only).
    package var objects: [String: [MapObjectKind: Set<UInt64>]] = [:]

    package init() {}

    /// Whether `key` has no high-water mark yet (a new log file).
    package func isNew(_ key: DedupKey) -> Bool { highWater[key] == nil }

    /// Whether the line is new; if so, raises the high-water mark.
    package mutating func admit(_ key: DedupKey, offset: UInt64) -> Bool {
        if let hw = highWater[key] {
            if offset <= hw { return false }
        } else {
            fingerprints[key.server, default: 0] += 1
        }
        highWater[key] = offset
        return true
    }

    /// The state record value for `key`: `<high-water offset>` or `<high-water offset> <last seq>`.
    package func recordValue(for key: DedupKey) -> [UInt8] {
        let hw = highWater[key] ?? 0
        if key.topic == .raw, let seq = lastSeq[key.server] { return Array("\(hw) \(seq)".utf8) }
        return Array("\(hw)".utf8)
    }

    /// What became of one state record in ``apply(key:value:topic:)``.
    package enum Applied: Sendable, Equatable {
        /// Used.
        case used
        /// A well-formed record of the other input topic (the state topic's partition n holds
        /// both topics' partition n).
        case otherTopic
        /// Malformed or out of range: ignored, with why.
        case invalid(String)
    }

    /// Applies one state record (in partition order, the last one per key wins). Every field is
    /// range-checked first; a record that fails is ignored and says why, nothing traps.
    @discardableResult
    package mutating func apply(key: String, value: [UInt8], topic: InputTopic) -> Applied {
        if let member = MemberKey(string: key) {
            guard topic == .raw else { return .otherTopic }
            return applyMember(member, value: value)
        }
        guard let k = DedupKey(string: key) else { return .invalid("unknown key") }
        let fields = value.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard (1...2).contains(fields.count), let hw = Self.decimal(fields[0], max: UInt64.max) else {
            return .invalid("value is not '<offset>' or '<offset> <seq>'")
        }
        var seq: UInt64? = nil
        if fields.count == 2 {
            guard let s = Self.decimal(fields[1], max: 1 << 53) else { return .invalid("seq is not a number in 0…2^53") }
            seq = s
        }
        guard k.topic == topic else { return .otherTopic }
        if highWater[k] == nil { fingerprints[k.server, default: 0] += 1 }
        highWater[k] = max(highWater[k] ?? 0, hw)
        if let seq { lastSeq[k.server] = seq }
        return .used
    }

    private mutating func applyMember(_ member: MemberKey, value: [UInt8]) -> Applied {
        switch value {
        case [UInt8(ascii: "1")]: applyMember(member, present: true)
        case []: applyMember(member, present: false)
        default: return .invalid("membership value is not '1' or empty")
        }
        return .used
    }

    /// Adds (or removes) one surface, player or map object of a server.
    mutating func applyMember(_ member: MemberKey, present: Bool) {
        switch member {
        case .surface(let server, let name):
            if present { surfaces[server, default: []].insert(name) } else { surfaces[server]?.remove(name) }
        case .player(let server, let index):
            if present { players[server, default: []].insert(index) } else { players[server]?.remove(index) }
        case .object(let server, let kind, let id):
            if present {
                objects[server, default: [:]][kind, default: []].insert(id)
            } else {
                objects[server]?[kind]?.remove(id)
            }
        }
    }

    /// The value of 1-20 ASCII digits, if it is at most `max`.
    static func decimal(_ digits: ArraySlice<UInt8>, max: UInt64) -> UInt64? {
        guard (1...20).contains(digits.count), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let v = UInt64(String(decoding: digits, as: UTF8.self)), v <= max
        else { return nil }
        return v
    }
}
