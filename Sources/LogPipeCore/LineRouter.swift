import Kafka
import ServiceSupport
import Shared

/// Decides where each line goes and builds its Kafka record (see `docs/architecture.md`):
///
/// - a line starting with the exact packet tag `KAFKATORIO/` → the raw topic;
/// - any other non-empty line (engine log, `[JOIN]`/`[CHAT]`/… console lines, other mods'
///   prints) → the console topic, unless console shipping is off;
/// - an empty line (or a lone `\r`) → filtered, counted, not shipped;
/// - a line over the size limit → the dead-letter topic, cut to the limit, with headers
///   `reason: line_too_long` and `detail`.
///
/// Every record: key = server id; headers `server`, `source` (`<16 hex fingerprint>:<offset>`,
/// the dedup key), `logpipe-version`, and `signature` (hex HMAC-SHA256 of the value) when a
/// secret is configured.
public struct LineRouter: Sendable {
    public let topics: Topics
    public let serverID: String
    public let version: String
    public let shipConsole: Bool
    public let maxLineBytes: Int
    private let signer: LineSigner?
    private let key: [UInt8]
    private let serverHeader: KafkaHeader
    private let versionHeader: KafkaHeader

    public init(
        topics: Topics, serverID: String, version: String, signer: LineSigner?, shipConsole: Bool = true,
        maxLineBytes: Int
    ) {
        self.topics = topics
        self.serverID = serverID
        self.version = version
        self.signer = signer
        self.shipConsole = shipConsole
        self.maxLineBytes = maxLineBytes
        key = Array(serverID.utf8)
        serverHeader = KafkaHeader(key: RecordHeader.server, value: key)
        versionHeader = KafkaHeader(key: RecordHeader.logPipeVersion, value: Array(version.utf8))
    }

    /// The kind of `line`.
    public func kind(of line: LogLine) -> LineKind {
        if line.oversize { return .deadLetter }
        let isPacket = line.bytes.withUnsafeBytes { PacketLine.isPacketLine($0) }
        if isPacket { return .raw }
        if line.bytes.isEmpty || (line.bytes.count == 1 && line.bytes[0] == 0x0D) { return .filtered }
        return shipConsole ? .console : .filtered
    }

    /// The record for `line`, or nil if it is filtered.
    public func message(for line: LogLine, kind: LineKind) -> ProducerMessage? {
        let topic: String
        switch kind {
        case .raw: topic = topics.raw
        case .console: topic = topics.console
        case .deadLetter: topic = topics.deadLetter
        case .filtered: return nil
        }
        // Sized once: reserving after an array literal would allocate a second buffer per line.
        var headers: [KafkaHeader] = []
        headers.reserveCapacity(3 + (signer == nil ? 0 : 1) + (kind == .deadLetter ? 2 : 0))
        headers.append(serverHeader)
        headers.append(KafkaHeader(key: RecordHeader.source, value: Self.source(line)))
        headers.append(versionHeader)
        if let signer {
            headers.append(KafkaHeader(key: RecordHeader.signature, value: Array(signer.signature(of: line.bytes).utf8)))
        }
        if kind == .deadLetter {
            headers.append(KafkaHeader(key: RecordHeader.reason, string: "line_too_long"))
            headers.append(
                KafkaHeader(
                    key: "detail",
                    string: "line of \(line.length) bytes exceeds the limit of \(maxLineBytes) bytes; the first "
                        + "\(line.bytes.count) bytes are kept"))
        }
        return ProducerMessage(topic: topic, key: key, value: line.bytes, headers: headers)
    }

    /// `<16 hex digits of the fingerprint>:<decimal offset>`.
    static func source(_ line: LogLine) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(37)
        let digits: StaticString = "0123456789abcdef"
        digits.withUTF8Buffer { hex in
            var shift = 60
            while shift >= 0 {
                out.append(hex[Int((line.fingerprint >> UInt64(shift)) & 0xF)])
                shift -= 4
            }
        }
        out.append(UInt8(ascii: ":"))
        var offset = line.offset
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &tmp) { buf in
            repeat {
                buf[n] = UInt8(ascii: "0") + UInt8(offset % 10)
                offset /= 10
                n += 1
            } while offset > 0
            for i in stride(from: n - 1, through: 0, by: -1) { out.append(buf[i]) }
        }
        return out
    }
}
