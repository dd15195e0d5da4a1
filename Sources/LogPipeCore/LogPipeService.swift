import Dispatch
import Kafka
import Logging
import ServiceLifecycle
import ServiceSupport
import Shared

/// Settings of LogPipe.
public struct LogPipeConfiguration: Sendable {
    /// The log file to follow (Factorio's stdout as captured to a file).
    public var file: String
    /// This game server's id: the Kafka key and `server` header of every line.
    public var serverID: String
    /// Where the checkpoint is kept; nil keeps none (every start reads from `startAtEnd`).
    public var checkpointPath: String?
    /// Without a checkpoint: start at the end of the file (true) or at its beginning (false).
    public var startAtEnd: Bool
    /// Longest line shipped whole; longer ones go to the dead-letter topic.
    public var maxLineBytes: Int
    /// How often to look for new lines when the file is idle.
    public var pollInterval: Duration
    /// Most lines per produced batch.
    public var batchLines: Int
    /// Version string sent in the `logpipe-version` header.
    public var version: String

    public init(
        file: String, serverID: String, checkpointPath: String? = nil, startAtEnd: Bool = false,
        maxLineBytes: Int = 1 << 20, pollInterval: Duration = .milliseconds(100), batchLines: Int = 5000,
        version: String = "0.1.0"
    ) {
        self.file = file
        self.serverID = serverID
        self.checkpointPath = checkpointPath
        self.startAtEnd = startAtEnd
        self.maxLineBytes = maxLineBytes
        self.pollInterval = pollInterval
        self.batchLines = batchLines
        self.version = version
    }
}

/// Follows a log file and ships every packet line to the raw topic, keyed by server id, with
/// the `server`, `source` (fingerprint:offset, the dedup key) and `logpipe-version` headers.
/// The checkpoint advances only after the broker acknowledged every line before it; a restart
/// resumes there, so no line is lost (at-least-once; the source header makes duplicates
/// detectable). While the broker is away the file itself is the buffer.
public final class LogPipeService: Service, Sendable {
    private let configuration: LogPipeConfiguration
    private let producer: KafkaProducer
    private let topics: Topics
    private let logger: Logger
    private let queue = DispatchQueue(label: "logpipe.reader")

    public init(configuration: LogPipeConfiguration, producer: KafkaProducer, topics: Topics, logger: Logger) {
        self.configuration = configuration
        self.producer = producer
        self.topics = topics
        self.logger = logger
    }

    public func run() async throws {
        let checkpointFile = configuration.checkpointPath.map(CheckpointFile.init)
        let checkpoint = try checkpointFile?.load()
        var start: UInt64 = checkpoint?.offset ?? 0
        if checkpoint == nil, configuration.startAtEnd { start = Self.fileSize(configuration.file) ?? 0 }
        let reader = ReaderBox(
            LineReader(
                path: configuration.file, offset: start, fingerprint: checkpoint?.fingerprint,
                maxLineBytes: configuration.maxLineBytes))
        logger.info(
            "following log", metadata: ["file": "\(configuration.file)", "offset": "\(start)", "server": "\(configuration.serverID)"])
        do {
            try await cancelWhenGracefulShutdown {
                try await self.loop(reader: reader, checkpointFile: checkpointFile)
            }
        } catch is CancellationError {
            // Graceful shutdown: the batch in flight was acknowledged and checkpointed.
        }
    }

    private func loop(reader: ReaderBox, checkpointFile: CheckpointFile?) async throws {
        var shipped = 0
        var skipped = 0
        defer { logger.info("stopped", metadata: ["shipped": "\(shipped)", "skipped": "\(skipped)"]) }
        while !Task.isCancelled {
            let (lines, events, fingerprint) = await read(reader)
            for event in events where event != .opened {
                logger.notice("log file event", metadata: ["event": "\(event)", "file": "\(configuration.file)"])
            }
            if lines.isEmpty {
                try await Task.sleep(for: configuration.pollInterval)
                continue
            }
            var messages: [ProducerMessage] = []
            for line in lines {
                if let m = message(for: line, fingerprint: fingerprint ?? 0) {
                    messages.append(m)
                } else {
                    skipped += 1
                }
            }
            try await producer.sendUntilDelivered(messages, logger: logger)
            shipped += messages.count
            if let checkpointFile, let last = lines.last, let fingerprint {
                try checkpointFile.store(Checkpoint(fingerprint: fingerprint, offset: last.endOffset))
            }
            logger.debug("batch shipped", metadata: ["shipped": "\(shipped)", "skipped": "\(skipped)"])
        }
    }

    /// The Kafka message for a line, or nil for a line that is not a packet.
    func message(for line: LogLine, fingerprint: UInt64) -> ProducerMessage? {
        let isPacket = line.bytes.withUnsafeBytes { PacketLine.isPacketLine($0) }
        guard isPacket || line.oversize else { return nil }
        var headers = [
            KafkaHeader(key: RecordHeader.server, value: Array(configuration.serverID.utf8)),
            KafkaHeader(key: RecordHeader.source, value: Array("\(String(fingerprint, radix: 16)):\(line.offset)".utf8)),
            KafkaHeader(key: RecordHeader.logPipeVersion, value: Array(configuration.version.utf8)),
        ]
        if line.oversize {
            logger.warning("oversize line sent to dead letter", metadata: ["offset": "\(line.offset)"])
            headers.append(KafkaHeader(key: RecordHeader.reason, value: Array("line_too_long".utf8)))
            return ProducerMessage(
                topic: topics.deadLetter, key: Array(configuration.serverID.utf8), value: line.bytes, headers: headers)
        }
        return ProducerMessage(
            topic: topics.raw, key: Array(configuration.serverID.utf8), value: line.bytes, headers: headers)
    }

    private func read(_ box: ReaderBox) async -> ([LogLine], [LineReader.Event], UInt64?) {
        let max = configuration.batchLines
        return await withCheckedContinuation { continuation in
            queue.async {
                let (lines, events) = box.reader.read(maxLines: max)
                continuation.resume(returning: (lines, events, box.reader.fingerprint))
            }
        }
    }

    static func fileSize(_ path: String) -> UInt64? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_size) : nil
    }
}

/// The reader, confined to LogPipe's serial reader queue (every access happens on it).
final class ReaderBox: @unchecked Sendable {
    let reader: LineReader
    init(_ reader: LineReader) { self.reader = reader }
}

#if canImport(Glibc)
import Glibc
#endif
