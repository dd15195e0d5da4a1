package import KafkaModel
package import Shared

/// Decides where each line goes and builds its Kafka record (see `docs/architecture.md`):
///
/// - a line starting with the exact packet tag `KAFKATORIO/` → the raw topic;
/// - any other non-empty line (engine log, `[JOIN]`/`[CHAT]`/… console lines, other mods'
///   prints) → the console topic, unless console shipping is off;
/// - an empty line (or a lone `\r`) → filtered, counted, not shipped;
/// - a line over the size limit → the dead-letter topic, cut to the limit, with headers
///   `reason: line_too_long` and `detail`;
/// - a line its source rejected (a broken Docker json-file entry, ``ReadBatch/rejections``) →
///   the dead-letter topic with the source's `reason` and `detail`.
///
/// Every record: key = server id; headers `server`, `source` (`<16 hex fingerprint>:<offset>`,
/// the dedup key), `logpipe-version`, and `signature` when a secret is configured:
/// `<provenance format>:<hex>`, the ``ProvenanceSigner`` signature of the server, the topic kind,
/// the source position and the value (`docs/packets.md` §6).
package struct LineRouter: Sendable {
    package let topics: Topics
    package let serverID: String
    package let version: String
    package let shipConsole: Bool
    package let maxLineBytes: Int
    private let signer: ProvenanceSigner?
    private let key: [UInt8]

    /// Topic indexes of a routed batch are the ``LineKind`` raw values.
    private var topicNames: [String] { [topics.raw, topics.console, topics.deadLetter] }
    /// Header name indexes of a routed batch.
    private enum HeaderName: Int, CaseIterable {
        case server, source, version, signature, reason, detail
        var name: String {
            switch self {
            case .server: RecordHeader.server
            case .source: RecordHeader.source
            case .version: RecordHeader.logPipeVersion
            case .signature: RecordHeader.signature
            case .reason: RecordHeader.reason
            case .detail: "detail"
            }
        }
    }
    private static let headerNames = HeaderName.allCases.map(\.name)

    package init(
        topics: Topics, serverID: String, version: String, signer: LineSigner?, shipConsole: Bool = true,
        maxLineBytes: Int
    ) {
        self.topics = topics
        self.serverID = serverID
        self.version = version
        self.signer = signer.map { ProvenanceSigner(signer: $0, server: serverID) }
        self.shipConsole = shipConsole
        self.maxLineBytes = maxLineBytes
        key = Array(serverID.utf8)
    }

    /// The kind of `line`.
    package func kind(of line: LogLine) -> LineKind {
        if line.oversize { return .deadLetter }
        let isPacket = line.bytes.withUnsafeBytes { PacketLine.isPacketLine($0) }
        if isPacket { return .raw }
        if line.bytes.isEmpty || (line.bytes.count == 1 && line.bytes.first == 0x0D) { return .filtered }
        return shipConsole ? .console : .filtered
    }

    /// Routes the lines of `read`: one producer batch whose record values are the lines' own
    /// bytes in `read.storage` (nothing copied), the headers shared by all stored once, and per
    /// line its kind and record.
    package func route(_ read: ReadBatch) -> RoutedLines {
        var batch = ProducerBatch(
            topics: topicNames, headerNames: Self.headerNames, key: key, values: read.storage, capacity: read.lines.count)
        let server = batch.headerValue(HeaderName.server.rawValue, key)
        let version = batch.headerValue(HeaderName.version.rawValue, version.utf8)
        var lines: [RoutedLine] = []
        lines.reserveCapacity(read.lines.count)
        let rejections = read.rejections
        for (index, line) in read.lines.enumerated() {
            let rejection = rejections.isEmpty ? nil : rejections[index]
            let kind = rejection == nil ? kind(of: line) : .deadLetter
            let position = read.position(after: index)
            guard kind != .filtered else {
                lines.append(RoutedLine(kind: kind, position: position, record: -1))
                continue
            }
            batch.appendHeader(server)
            batch.appendHeader(
                batch.headerValue(HeaderName.source.rawValue) {
                    Self.appendSource(fingerprint: line.fingerprint, offset: line.offset, to: &$0)
                })
            batch.appendHeader(version)
            if let signer {
                let identity = RecordIdentity(kind: kind.recordKind, fingerprint: line.fingerprint, offset: line.offset)
                batch.appendHeader(
                    batch.headerValue(HeaderName.signature.rawValue) {
                        signer.appendSignature(identity, value: line.bytes, to: &$0)
                    })
            }
            if let rejection {
                batch.appendHeader(batch.headerValue(HeaderName.reason.rawValue, rejection.reason.utf8))
                batch.appendHeader(batch.headerValue(HeaderName.detail.rawValue, rejection.detail.utf8))
            } else if kind == .deadLetter {
                batch.appendHeader(batch.headerValue(HeaderName.reason.rawValue, "line_too_long".utf8))
                let detail =
                    "line of \(line.length) bytes exceeds the limit of \(maxLineBytes) bytes; the first "
                    + "\(line.bytes.count) bytes are kept"
                batch.appendHeader(batch.headerValue(HeaderName.detail.rawValue, detail.utf8))
            }
            let record = batch.appendRecord(topic: kind.rawValue, value: line.bytes.startIndex..<line.bytes.endIndex)
            lines.append(RoutedLine(kind: kind, position: position, record: Int32(record)))
        }
        return RoutedLines(batch: batch, lines: lines)
    }

    /// `<16 hex digits of the fingerprint>:<decimal offset>` of `line`.
    package static func source(_ line: LogLine) -> [UInt8] {
        var out: [UInt8] = []
        appendSource(fingerprint: line.fingerprint, offset: line.offset, to: &out)
        return out
    }

    /// Appends `<16 hex digits of the fingerprint>:<decimal offset>` to `out`.
    static func appendSource(fingerprint: UInt64, offset: UInt64, to out: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        digits.withUTF8Buffer { hex in
            var shift = 60
            while shift >= 0 {
                out.append(hex[Int((fingerprint >> UInt64(shift)) & 0xF)])
                shift -= 4
            }
        }
        out.append(UInt8(ascii: ":"))
        // Digits are produced last first (division by a constant is a multiply), then appended.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var rest = offset
            var n = 0
            repeat {
                digits[19 - n] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
                n += 1
            } while rest > 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - n)...]))
        }
    }
}

extension LineKind {
    /// The kind the signature covers (``RecordKind``); a filtered line is never signed.
    var recordKind: RecordKind {
        switch self {
        case .raw: .raw
        case .console: .console
        case .deadLetter, .filtered: .deadLetter
        }
    }
}

/// Where one line of a read went: not a record to publish but the line's fate. LogPipe's records
/// are the Kafka wrapper's ``ProducerBatch`` (``RoutedLines/batch``), the cheap form of its
/// `ProducerMessage` for this hot path: at hundreds of thousands of lines a second, one
/// `ProducerMessage` per line (topic string, key, value and header arrays: four allocations and a
/// copy of the line) would cost more than librdkafka itself, while a batch's records are ranges of
/// the reader's buffer with shared header values and cost no allocation per line. ``record`` is the
/// line's index in that batch.
package struct RoutedLine: Sendable, Hashable {
    /// Its destination.
    package var kind: LineKind
    /// Just past the line: the checkpoint once it (and everything before it) is acknowledged.
    package var position: Checkpoint
    /// Its record in the batch, or −1 if it is not shipped (filtered).
    package var record: Int32

    package init(kind: LineKind, position: Checkpoint, record: Int32) {
        self.kind = kind
        self.position = position
        self.record = record
    }
}

/// The lines of one read, routed: the batch to produce and each line's fate, in read order.
package struct RoutedLines: Sendable {
    package var batch: ProducerBatch
    package var lines: [RoutedLine]

    package init(batch: ProducerBatch, lines: [RoutedLine]) {
        self.batch = batch
        self.lines = lines
    }
}
