import CRdKafka
public import Logging
public import ServiceLifecycle
import Synchronization
public import KafkaModel
import Blocking

/// A consumer-group consumer with at-least-once semantics: offsets are committed only after `store`.
///
/// Every blocking librdkafka call (poll with a timeout, commit, seek, committed, close) runs on the
/// client's `BlockingExecutor` (one serial queue per consumer), so the cooperative pool never blocks
/// and rebalance callbacks always run there too. Auto-commit is on, but `enable.auto.offset.store=false`:
/// only offsets passed to `store` are committed (every `autoCommitInterval`, on revoke, on `commit()` and
/// at shutdown).
///
/// Partition-EOF: `poll` returns only records; `pollBatch` also returns `eofPartitions` (with
/// `partitionEOF: true`).
public final class KafkaConsumer: Service, Sendable {
    private let client: RDKafkaClient
    private let closed = Atomic<Bool>(false)
    private let configuration: ConsumerConfiguration
    private let logger: Logger

    /// Creates the consumer and subscribes to `configuration.topics`. `onRebalance` is called synchronously
    /// inside the rebalance callback: after an assignment is applied, and before a revocation completes
    /// (then the stored offsets, including any stored by the handler, are committed synchronously).
    public init(
        configuration: ConsumerConfiguration, logger: Logger,
        onRebalance: (@Sendable (RebalanceEvent) -> Void)? = nil
    ) throws(KafkaError) {
        let context = ClientContext(
            configuration: configuration.client, logger: logger, rebalance: RebalanceContext(handler: onRebalance))
        let client = try RDKafkaClient.make(
            type: RD_KAFKA_CONSUMER, role: "consumer", properties: configuration.rdKafkaProperties, context: context
        ) { conf in
            rd_kafka_conf_set_rebalance_cb(conf, kafkaRebalanceCallback)
        }
        rd_kafka_poll_set_consumer(client.rk)
        let err = try TopicPartitionList.with(
            configuration.topics.map { TopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA) }
        ) { list in rd_kafka_subscribe(client.rk, list) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw .rdKafka(.partition, err, context: "subscribe \(configuration.topics)")
        }
        self.client = client
        self.configuration = configuration
        self.logger = logger
        logger.info(
            "Kafka consumer subscribed",
            metadata: [
                "librdkafka": "\(String(cString: rd_kafka_version_str()))", "group": "\(configuration.groupID)",
                "topics": "\(configuration.topics.joined(separator: ","))",
            ])
    }

    /// The fatal error librdkafka raised, if any (the consumer must then be recreated).
    public var fatalError: KafkaError? { client.fatalError() }

    /// Up to `maxMessages`, waiting at most `timeout` for the first; runs on the consumer's executor.
    /// Returns `[]` on timeout. Throws `.shutdown` after close and `.fatal` on a fatal consumer error.
    public func poll(maxMessages: Int, timeout: Duration) async throws(KafkaError) -> [ConsumerMessage] {
        try await pollBatch(maxMessages: maxMessages, timeout: timeout).messages
    }

    /// Like `poll`, but also reports partitions that reached their end (with `partitionEOF: true`).
    public func pollBatch(maxMessages: Int, timeout: Duration) async throws(KafkaError) -> ConsumerBatch {
        try await onQueue("poll") { client in
            client.pollBatch(maxMessages: max(1, maxMessages), timeoutMs: timeout.timeoutMs)
        }
    }

    /// Marks a message processed: stores offset+1 for commit (enable.auto.offset.store=false; auto-commit
    /// commits only stored offsets).
    public func store(_ message: ConsumerMessage) throws(KafkaError) {
        try store([message.topicPartition: message.offset + 1])
    }

    /// Marks messages processed: stores, per partition, the highest offset+1.
    public func store(_ messages: [ConsumerMessage]) throws(KafkaError) {
        var offsets: [TopicPartition: Int64] = [:]
        for message in messages {
            offsets[message.topicPartition] = max(offsets[message.topicPartition] ?? 0, message.offset + 1)
        }
        try store(offsets)
    }

    /// Stores the next offset to read per partition. Partitions no longer assigned (revoked meanwhile) are
    /// skipped with a debug log: their new owner re-reads from the last commit (at-least-once).
    public func store(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        guard !closed.load(ordering: .acquiring) else { throw .shutdown("store") }
        let partitions = Array(offsets.keys)
        let rk = client.rk
        let logger = logger
        try TopicPartitionList.with(partitions, offsets: partitions.map { offsets[$0]! }) { list throws(KafkaError) in
            let err = rd_kafka_offsets_store(rk, list)
            let notAssigned: Set<Int32> = [RD_KAFKA_RESP_ERR__STATE.rawValue, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION.rawValue]
            if let error = TopicPartitionList.firstError(list, code: .offsetStore, context: "store", ignoring: notAssigned) {
                throw error
            }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR && !notAssigned.contains(err.rawValue) {
                throw .rdKafka(.offsetStore, err, context: "store")
            }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.debug("offsets for unassigned partitions not stored", metadata: ["offsets": "\(offsets)"])
            }
        }
    }

    /// Commits stored offsets now (synchronously on the consumer's executor). Nothing stored is not an error.
    public func commit() async throws(KafkaError) {
        let logger = logger
        try await onQueue("commit") { client -> Result<Void, KafkaError> in
            if let error = commitStoredOffsets(client.rk, logger: logger, reason: "commit()") { return .failure(error) }
            return .success(())
        }
    }

    /// The group's committed offsets (next offset to read; negative if none) for `partitions`.
    public func committedOffsets(
        _ partitions: [TopicPartition], timeout: Duration = .seconds(10)
    ) async throws(KafkaError) -> [TopicPartition: Int64] {
        try await onQueue("committed") { client in
            do throws(KafkaError) {
                return .success(
                    try TopicPartitionList.with(partitions) { list throws(KafkaError) in
                        let err = rd_kafka_committed(client.rk, list, timeout.timeoutMs)
                        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .rdKafka(.commit, err, context: "committed") }
                        var result: [TopicPartition: Int64] = [:]
                        for entry in TopicPartitionList.entries(list) { result[entry.topicPartition] = entry.offset }
                        return result
                    })
            } catch {
                return .failure(error)
            }
        }
    }

    /// Moves the fetch position of an assigned partition to `offset` (the next record read).
    public func seek(_ tp: TopicPartition, to offset: Int64) async throws(KafkaError) {
        try await onQueue("seek") { client -> Result<Void, KafkaError> in
            let list = TopicPartitionList.make([tp], offsets: [offset])
            defer { rd_kafka_topic_partition_list_destroy(list) }
            if let error = rd_kafka_seek_partitions(client.rk, list, 10_000) {
                return .failure(.consuming(error, .partition, context: "seek to \(offset)", topic: tp.topic, partition: tp.partition))
            }
            if let error = TopicPartitionList.firstError(list, code: .partition, context: "seek to \(offset)") {
                return .failure(error)
            }
            return .success(())
        }
    }

    /// Stops fetching from `partitions` (they stay assigned). Non-blocking.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try changePause(partitions, pause: true)
    }

    /// Resumes fetching from paused `partitions`. Non-blocking.
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try changePause(partitions, pause: false)
    }

    /// The partitions currently assigned to this member.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        guard !closed.load(ordering: .acquiring) else { throw .shutdown("assignment") }
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(client.rk, &list)
        defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .rdKafka(.partition, err, context: "assignment") }
        return TopicPartitionList.partitions(list)
    }

    /// Service entry point: waits for graceful shutdown (or cancellation), then commits and closes.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Commits stored offsets and leaves the group (`rd_kafka_consumer_close`, on the consumer's executor;
    /// revocation runs the rebalance handler). Later calls throw `.shutdown`. Idempotent.
    public func shutdown() async {
        let logger = logger
        let done: Bool = await client.executor.run { [self] in
            guard !closed.load(ordering: .acquiring) else { return false }
            commitStoredOffsets(client.rk, logger: logger, reason: "shutdown")
            let err = rd_kafka_consumer_close(client.rk)
            closed.store(true, ordering: .releasing)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning("consumer close", metadata: ["error": "\(KafkaError.rdKafka(.shutdown, err))"])
            }
            return true
        }
        if done { logger.info("Kafka consumer closed", metadata: ["group": "\(configuration.groupID)"]) }
    }

    private func changePause(_ partitions: [TopicPartition], pause: Bool) throws(KafkaError) {
        guard !closed.load(ordering: .acquiring) else { throw .shutdown(pause ? "pause" : "resume") }
        let rk = client.rk
        try TopicPartitionList.with(partitions) { list throws(KafkaError) in
            let err = pause ? rd_kafka_pause_partitions(rk, list) : rd_kafka_resume_partitions(rk, list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .rdKafka(.partition, err, context: pause ? "pause" : "resume") }
            if let error = TopicPartitionList.firstError(list, code: .partition, context: pause ? "pause" : "resume") {
                throw error
            }
        }
    }

    /// Runs `body` on the consumer's executor unless the consumer is closed.
    private func onQueue<T: Sendable>(
        _ what: String, _ body: (RDKafkaClient) -> Result<T, KafkaError>
    ) async throws(KafkaError) -> T {
        return try await client.executor.run { [self] () -> Result<T, KafkaError> in
            guard !closed.load(ordering: .acquiring) else { return .failure(.shutdown(what)) }
            return body(client)
        }.get()
    }
}
