package import Kafka
package import Logging
package import PacketIngestCore
import ServiceLifecycle
package import Observability
package import Shared
import Synchronization
package import KafkaModel

/// Consumes `raw` and `console` in a consumer group and, per batch: authenticates, deduplicates,
/// validates and routes every line (``IngestProcessor``); publishes the outputs and waits for every
/// acknowledgement; then publishes the dedup state records of the batch and waits for those; only
/// then stores the consumed offsets for commit. Newly assigned partitions get their dedup state
/// restored from the state topic before any of their lines is processed.
///
/// Guarantee (see `docs/architecture.md`, Delivery guarantees): no line is lost; a line is routed
/// more than once only if the process dies between its outputs' acknowledgement and its state
/// record's acknowledgement.
package final class PacketIngestService: Service, Sendable {
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let stateReader: KafkaPartitionReader
    private let rebalances: RebalanceInbox
    private let topics: Topics
    private let authenticator: Authenticator
    private let configuration: PacketIngestConfiguration
    private let mapPartitions: Int
    private let inputPartitions: [InputTopic: Int]
    private let refreshInputPartitions: (@Sendable () async throws -> [InputTopic: Int])?
    private let logger: Logger
    private let lastProgress = Atomic<Int64>(WallClock.nowMillis())

    /// - Parameters:
    ///   - consumer: subscribed to `raw` and `console`, with `onRebalance: rebalances.post`.
    ///   - producer: publishes routed, event, dead-letter and state records.
    ///   - stateReader: reads the dedup state topic on assignment.
    ///   - mapPartitions: the partition count of `map` on the broker (surface deletions go to each).
    ///   - inputPartitions: the partition counts of `raw` and `console` on the broker (a record must
    ///     be on its server's partition).
    ///   - refreshInputPartitions: reads them again; called when partitions are assigned (adding
    ///     partitions to a topic makes the group rebalance).
    package init(
        consumer: KafkaConsumer, producer: KafkaProducer, stateReader: KafkaPartitionReader, rebalances: RebalanceInbox,
        topics: Topics, authenticator: Authenticator, configuration: PacketIngestConfiguration, mapPartitions: Int,
        inputPartitions: [InputTopic: Int], refreshInputPartitions: (@Sendable () async throws -> [InputTopic: Int])? = nil,
        logger: Logger
    ) {
        self.consumer = consumer
        self.producer = producer
        self.stateReader = stateReader
        self.rebalances = rebalances
        self.topics = topics
        self.authenticator = authenticator
        self.configuration = configuration
        self.mapPartitions = mapPartitions
        self.inputPartitions = inputPartitions
        self.refreshInputPartitions = refreshInputPartitions
        self.logger = logger
    }

    /// Healthy while the clients have no fatal error and the loop made progress within a minute
    /// (a broker outage that blocks deliveries for longer makes the instance unhealthy).
    package func health() -> HealthStatus {
        if let e = consumer.fatalError ?? producer.fatalError { return HealthStatus(healthy: false, detail: "fatal: \(e)") }
        let idle = WallClock.nowMillis() - lastProgress.load(ordering: .relaxed)
        if idle > 60_000 { return HealthStatus(healthy: false, detail: "no progress for \(idle / 1000) s") }
        return .ok
    }

    package func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await self.loop()
            }
        } catch is CancellationError {
            // Graceful shutdown: offsets of an unfinished batch stay unstored and are replayed.
        }
        await stateReader.shutdown()
    }

    private func loop() async throws {
        var processor = IngestProcessor(
            topics: topics, limits: configuration.limits, mapPartitions: mapPartitions, authenticator: authenticator,
            caps: configuration.caps, inputPartitions: inputPartitions)
        var stats = IngestStats()
        var mismatches = ProvenanceMismatchLog()
        while !Task.isCancelled {
            lastProgress.store(WallClock.nowMillis(), ordering: .relaxed)
            let batch: [ConsumerMessage]
            do {
                batch = try await consumer.poll(maxMessages: configuration.batchSize, timeout: .milliseconds(200))
            } catch {
                if Task.isCancelled { return }
                logger.error("poll failed", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(1))
                continue
            }
            try await applyRebalances(&processor)
            if batch.isEmpty { continue }
            var records: [ProducerMessage] = []
            records.reserveCapacity(batch.count + 16)
            for message in batch {
                guard let input = input(message) else { continue }
                let outcome = processor.process(input, into: &records)
                stats.count(outcome, topic: input.partition.topic)
                if case .rejected(let reason) = outcome {
                    mismatches.report(reason: reason, input: input, logger: logger)
                    logger.warning(
                        "rejected line",
                        metadata: [
                            "reason": "\(reason)", "server": "\(input.server?.prefix(64) ?? "-")",
                            "source": "\(input.source?.prefix(64) ?? "-")",
                        ])
                }
            }
            try await producer.sendUntilDelivered(records, logger: logger)
            try await producer.sendUntilDelivered(processor.takeStateRecords(), logger: logger)
            var next: [TopicPartition: Int64] = [:]
            for m in batch { next[m.topicPartition] = max(next[m.topicPartition] ?? 0, m.offset + 1) }
            try consumer.store(next)
            stats.flush(capHits: processor.takeCapHits())
            logger.debug("batch done", metadata: ["lines": "\(batch.count)", "outputs": "\(records.count)"])
        }
    }

    /// Applies assignment changes: drops the state of revoked partitions, restores that of assigned
    /// ones from the state topic (retrying until it succeeds or the service stops).
    private func applyRebalances(_ processor: inout IngestProcessor) async throws {
        var assigned: Set<InputPartition> = []
        for event in rebalances.take() {
            switch event {
            case .assigned(let tps):
                for tp in tps { if let p = inputPartition(tp) { assigned.insert(p) } }
            case .revoked(let tps), .lost(let tps):
                for tp in tps {
                    if let p = inputPartition(tp) {
                        processor.drop(p)
                        assigned.remove(p)
                    }
                }
            }
        }
        guard !assigned.isEmpty else { return }
        if let refreshInputPartitions {
            do {
                let counts = try await refreshInputPartitions()
                if counts != processor.inputPartitions {
                    logger.info("input partition counts", metadata: ["counts": "\(counts.map { "\($0.key.rawValue)=\($0.value)" }.sorted())"])
                    processor.inputPartitions = counts
                }
            } catch {
                logger.warning("reading the input partition counts failed; keeping the previous ones", metadata: ["error": "\(error)"])
            }
        }
        let partitions = Set(assigned.map(\.partition)).sorted()
        let logger = logger
        try await retryUntilSuccess(
            backoff: Backoff(initial: .milliseconds(200), maximum: .seconds(10)),
            onFailure: { error, _ in
                logger.error("restoring dedup state failed; retrying", metadata: ["error": "\(error)"])
            }
        ) {
            let started = ContinuousClock.now
            let records = try await stateReader.readAll(
                topic: topics.ingestDedup, partitions: partitions, timeout: configuration.restoreTimeout)
            for p in assigned {
                let mine = records.filter { $0.partition == p.partition }
                    .map { (key: $0.keyString ?? "", value: $0.value) }
                let invalid = processor.restore(p, records: mine)
                if let first = invalid.first {
                    logger.error(
                        "ignored malformed dedup state records",
                        metadata: [
                            "partition": "\(p)", "count": "\(invalid.count)", "first-key": "\(first.key.prefix(200))",
                            "problem": "\(first.problem)",
                        ])
                }
            }
            logger.info(
                "dedup state restored",
                metadata: [
                    "partitions": "\(assigned.map(\.description).sorted().joined(separator: ","))",
                    "records": "\(records.count)", "elapsed": "\(ContinuousClock.now - started)",
                ])
        }
    }

    private func inputPartition(_ tp: TopicPartition) -> InputPartition? {
        if tp.topic == topics.raw { return InputPartition(.raw, tp.partition) }
        if tp.topic == topics.console { return InputPartition(.console, tp.partition) }
        return nil
    }

    private func input(_ m: ConsumerMessage) -> IngestInput? {
        guard let p = inputPartition(m.topicPartition) else { return nil }
        return IngestInput(
            partition: p, value: m.value, server: m.headerString(RecordHeader.server),
            source: m.headerString(RecordHeader.source), signature: m.headerString(RecordHeader.signature))
    }
}

/// Logs each LogPipe/PacketIngest provenance mismatch once per server and detail, as an error that
/// tells the operator what to upgrade (every such line is also dead-lettered
/// `unsupported_provenance` and counted).
struct ProvenanceMismatchLog {
    private var seen: Set<String> = []

    mutating func report(reason: String, input: IngestInput, logger: Logger) {
        guard reason == IngestRejection.unsupportedProvenance("").reason else { return }
        let server = input.server?.prefix(64) ?? "-"
        let signature = input.signature ?? ""
        let format = Provenance.split(signature).format
        guard seen.count < 1000, seen.insert("\(server) \(format.map(String.init) ?? "?")").inserted else { return }
        let detail =
            Authenticator.provenanceMismatch(format, signature: signature, server: String(server)) ?? "provenance mismatch"
        logger.error(
            "LogPipe/PacketIngest provenance format mismatch: lines are dead-lettered unsupported_provenance",
            metadata: ["server": "\(server)", "format": "\(format.map(String.init) ?? "?")", "detail": "\(detail)"])
    }
}
