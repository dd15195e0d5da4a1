import Blocking
import Journal
package import Kafka
package import Logging
package import LogPipeCore
import Metrics
import ServiceLifecycle
package import Observability
import Synchronization
import KafkaModel

/// Ships every line of the input to Kafka (see ``LineRouter`` for where each goes), none lost,
/// none invented:
///
/// - lines are read in batches and produced without waiting (idempotence, acks=all, batching and
///   compression are the producer's settings); every unacknowledged line stays in a
///   ``DeliveryWindow`` so it can be re-sent;
/// - reading pauses while the window is full (`maxInFlightLines`/`maxInFlightBytes`): while the
///   broker is away the log file is the buffer, and memory stays bounded;
/// - a failed delivery is re-sent with exponential backoff (100 ms doubling to 5 s); a producer
///   with a fatal error, or with no delivery progress for `stallTimeout` while lines are in
///   flight, is replaced by a new one that re-sends everything unacknowledged (duplicates are
///   possible and carry the same `source` header, the dedup key);
/// - the checkpoint (file input) advances only over the contiguous prefix of acknowledged lines,
///   is written atomically, and a restart resumes exactly there.
package final class LogPipeService: Service, Sendable {
    private let configuration: LogPipeConfiguration
    private let router: LineRouter
    private let makeProducer: @Sendable () throws -> KafkaProducer
    private let logger: Logger
    private let metrics: LogPipeMetrics
    /// Where the input is read (file or stdin reads block): one serial queue, off the cooperative pool.
    private let readerExecutor = BlockingExecutor(label: "logpipe.reader")
    private let healthState = Mutex(HealthStatus(healthy: true, detail: "starting"))

    /// - Parameter makeProducer: creates a producer; called at start and again to replace one
    ///   that is stuck or failed fatally.
    package init(
        configuration: LogPipeConfiguration, router: LineRouter,
        makeProducer: @escaping @Sendable () throws -> KafkaProducer, logger: Logger,
        metrics: LogPipeMetrics = LogPipeMetrics()
    ) {
        self.configuration = configuration
        self.router = router
        self.makeProducer = makeProducer
        self.logger = logger
        self.metrics = metrics
    }

    /// For `/healthz`: unhealthy while deliveries are stalled or the checkpoint cannot be written.
    package func health() -> HealthStatus { healthState.withLock { $0 } }

    package func run() async throws {
        let checkpointFile: CheckpointFile? =
            switch configuration.input {
            case .file, .dockerJSON, .journald: configuration.checkpointPath.map(CheckpointFile.init)
            case .stdin: nil
            }
        var checkpoint: Checkpoint?
        var ledger: CursorLedger?
        var source: (any LineSource)?
        /// Opens a source whose opening blocks (a journal's files): run on the reader executor.
        var open: (@Sendable () throws -> any LineSource)?
        switch configuration.input {
        case .file(let path):
            checkpoint = try checkpointFile?.load()
            source = LineReader(
                path: path, offset: checkpoint?.offset ?? 0, fingerprint: checkpoint?.fingerprint,
                startAtEnd: configuration.startAtEnd, maxLineBytes: configuration.maxLineBytes)
            logger.info(
                "following log file",
                metadata: [
                    "file": "\(path)", "checkpoint": "\(checkpoint.map { "\(Fingerprint.hex($0.fingerprint)):\($0.offset)" } ?? "none")",
                    "server": "\(configuration.serverID)",
                ])
        case .dockerJSON(let path, let streams):
            checkpoint = try checkpointFile?.load()
            source = DockerJSONReader(
                path: path, offset: checkpoint?.offset ?? 0, fingerprint: checkpoint?.fingerprint,
                startAtEnd: configuration.startAtEnd, streams: streams, maxLineBytes: configuration.maxLineBytes)
            logger.info(
                "following Docker json-file log",
                metadata: [
                    "file": "\(path)", "streams": "\(streams.setting)",
                    "checkpoint": "\(checkpoint.map { "\(Fingerprint.hex($0.fingerprint)):\($0.offset)" } ?? "none")",
                    "server": "\(configuration.serverID)",
                ])
        case .stdin:
            source = StreamReader(fd: 0, maxLineBytes: configuration.maxLineBytes, wait: configuration.inputWait)
            logger.notice(
                "reading stdin: no checkpoint; lines still unacknowledged when the process is killed are lost",
                metadata: ["server": "\(configuration.serverID)"])
        case .journald(let unit, let directory):
            let cursor = try checkpointFile?.loadCursor()
            let cursors = CursorLedger()
            ledger = cursors
            let configuration = configuration
            open = {
                try JournalSource(
                    location: directory.map { .directory($0) } ?? .system, unit: unit, cursor: cursor,
                    startAtEnd: configuration.startAtEnd, maxLineBytes: configuration.maxLineBytes,
                    wait: configuration.inputWait, ledger: cursors)
            }
            logger.info(
                "following the journal",
                metadata: [
                    "unit": "\(unit)", "journal": "\(directory ?? "system")", "checkpoint": "\(cursor ?? "none")",
                    "server": "\(configuration.serverID)",
                ])
        }
        let reader = SourceReader(
            source, executor: readerExecutor, watchPath: configuration.input.path, inotify: configuration.inotify)
        if let open { try await reader.open(open) }
        var loop = try ShipLoop(
            service: self, source: reader, window: DeliveryWindow(start: checkpoint),
            checkpointFile: checkpointFile, ledger: ledger, stored: checkpoint)
        try await loop.run()
    }

    // MARK: Pieces the loop uses

    func setHealth(_ status: HealthStatus) { healthState.withLock { $0 = status } }

    var config: LogPipeConfiguration { configuration }
    var lineRouter: LineRouter { router }
    var log: Logger { logger }
    var stats: LogPipeMetrics { metrics }
    func newProducer() throws -> KafkaProducer { try makeProducer() }
}

/// The state of one run of the service.
struct ShipLoop {
    let service: LogPipeService
    let source: SourceReader
    let window: DeliveryWindow
    let checkpointFile: CheckpointFile?
    /// The journald input's cursors: the checkpoint is the cursor of the last entry acknowledged whole.
    let ledger: CursorLedger?
    var config: LogPipeConfiguration { service.config }
    var logger: Logger { service.log }

    var producer: KafkaProducer
    var generation: UInt64 = 1
    var retiring: [Task<Void, Never>] = []
    var stored: Checkpoint?
    /// The cursor of the last journal entry acknowledged whole, and the one last written.
    var ackedCursor: String?
    var storedCursor: String?
    var checkpointCurrentAt = ContinuousClock.now
    var lastCheckpointWrite = ContinuousClock.now
    var checkpointError: String?
    var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))
    var nextRetry = ContinuousClock.now
    var unread: UInt64 = 0
    var atEnd = false
    var finished = false
    var lastMetrics = ContinuousClock.now

    init(
        service: LogPipeService, source: SourceReader, window: DeliveryWindow, checkpointFile: CheckpointFile?,
        ledger: CursorLedger?, stored: Checkpoint?
    ) throws {
        self.service = service
        self.source = source
        self.window = window
        self.checkpointFile = checkpointFile
        self.ledger = ledger
        self.stored = stored
        producer = try service.newProducer()
    }

    /// Ships until the input is finished (or the service stops), then ``stop()``s. A graceful
    /// shutdown or a cancellation also ends a wait for the followed file at once.
    mutating func run() async throws {
        let waker = source.waker
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await ship()
            } onGracefulShutdown: {
                waker.wake()
            }
        } onCancel: {
            waker.wake()
        }
        await stop()
    }

    private mutating func ship() async throws {
        var stopping = false
        while !stopping && !Task.isShuttingDownGracefully && !Task.isCancelled {
            var snapshot = window.snapshot()
            let now = ContinuousClock.now
            if snapshot.unacked > 0 && now - snapshot.lastProgress > config.stallTimeout || producer.fatalError != nil {
                try await rebuild(reason: producer.fatalError.map { "fatal error: \($0)" } ?? "no delivery progress for \(config.stallTimeout)")
                continue
            }
            if snapshot.failed > 0 && now >= nextRetry {
                let again = window.takeFailed(generation: generation)
                logger.warning(
                    "re-sending failed lines",
                    metadata: ["lines": "\(again.reduce(0) { $0 + $1.seqs.count })", "error": "\(snapshot.lastError ?? "")"])
                await send(again)
                nextRetry = now + backoff.next()
            } else if snapshot.failed == 0 {
                backoff.reset()
            }
            var didRead = false
            let room = min(config.maxInFlightLines - snapshot.unacked, config.batchLines)
            if !finished && room > 0 && snapshot.unackedBytes < config.maxInFlightBytes {
                let (batch, unreadBytes) = await source.read(maxLines: room)
                unread = unreadBytes
                atEnd = batch.atEnd
                finished = batch.finished
                handle(batch.events)
                if !batch.lines.isEmpty {
                    await ship(batch)
                    didRead = true
                }
            }
            snapshot = window.snapshot()
            storeCheckpoint(snapshot, force: false)
            publish(snapshot)
            if snapshot.unacked == 0 && (finished || (config.exitAtEnd && atEnd)) {
                logger.info("input finished and every line acknowledged")
                break
            }
            if !didRead {
                let full = room <= 0 || snapshot.unackedBytes >= config.maxInFlightBytes
                // Waiting only for acknowledgements (window full, or the input done): check again soon.
                let waitingForAcks = full || finished || (config.exitAtEnd && atEnd)
                if waitingForAcks {
                    try? await Task.sleep(for: .milliseconds(5))
                } else if let (outcome, problem) = await source.wait(timeout: config.pollInterval) {
                    // A followed file: woken by inotify (or the poll, or the service stopping).
                    if let problem {
                        logger.warning("inotify unavailable: polling the file", metadata: ["reason": "\(problem)", "poll": "\(config.pollInterval)"])
                    }
                    stopping = outcome == .woken
                } else {
                    try? await Task.sleep(for: config.inputWait)  // stdin and the journal waited in their read
                }
            }
        }
    }

    // MARK: Shipping

    private mutating func ship(_ read: ReadBatch) async {
        let router = service.lineRouter
        let routed = router.route(read)
        var bytesRead = 0
        var filtered = 0
        var oversize = 0
        for (index, (line, fate)) in zip(read.lines, routed.lines).enumerated() {
            bytesRead += Int(line.endOffset - line.offset)
            switch fate.kind {
            case .filtered: filtered += 1
            case .deadLetter:
                if let rejection = read.rejections[index] {
                    logger.warning(
                        "bad input entry sent to the dead-letter topic",
                        metadata: [
                            "source": "\(Fingerprint.hex(line.fingerprint)):\(line.offset)", "reason": "\(rejection.reason)",
                            "detail": "\(rejection.detail)",
                        ])
                    continue
                }
                oversize += 1
                logger.warning(
                    "line over the size limit sent to the dead-letter topic",
                    metadata: [
                        "source": "\(Fingerprint.hex(line.fingerprint)):\(line.offset)", "bytes": "\(line.length)",
                        "limit": "\(router.maxLineBytes)",
                    ])
            case .raw, .console: break
            }
        }
        let metrics = service.stats
        metrics.linesRead.increment(by: read.lines.count)
        metrics.bytesRead.increment(by: bytesRead)
        if filtered > 0 { metrics.filtered.increment(by: filtered) }
        if oversize > 0 { metrics.oversize.increment(by: oversize) }
        if !read.rejections.isEmpty { metrics.badEntries.increment(by: read.rejections.count) }
        let first = window.append(routed, generation: generation)
        var seqs: [UInt64] = []
        seqs.reserveCapacity(routed.batch.count)
        for (i, line) in routed.lines.enumerated() where line.record >= 0 { seqs.append(first + UInt64(i)) }
        await send(DeliveryWindow.Resend(batch: routed.batch, seqs: seqs))
    }

    /// Enqueues re-sends, one producer batch each.
    func send(_ resends: [DeliveryWindow.Resend]) async {
        for resend in resends { await send(resend) }
    }

    /// Enqueues `item.batch` (record `i` is line `item.seqs[i]`) with one delivery handler.
    private func send(_ item: DeliveryWindow.Resend) async {
        guard !item.batch.isEmpty else { return }
        let window = window
        let generation = generation
        let seqs = item.seqs
        await producer.enqueue(batch: item.batch) { report in
            window.complete(seqs, generation: generation, report: report)
        }
    }

    /// Replaces the producer and re-sends everything unacknowledged.
    private mutating func rebuild(reason: String) async throws {
        let old = producer
        producer = try service.newProducer()
        generation += 1
        service.stats.rebuilds.increment()
        let again = window.takeUnacked(generation: generation)
        logger.warning(
            "replacing the Kafka producer",
            metadata: ["reason": "\(reason)", "resending": "\(again.reduce(0) { $0 + $1.seqs.count })"])
        window.touch()
        retiring.append(Task { await old.shutdown() })
        await send(again)
    }
}
