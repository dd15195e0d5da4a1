import CRdKafka
public import Logging
import Synchronization
public import KafkaModel
import Blocking

/// Reads whole partitions from the beginning to their current end, outside any consumer group (manual
/// assignment, no JoinGroup, no commits). For restoring state kept in a topic, e.g. when a group member is
/// assigned a partition whose state another member wrote.
///
/// Every blocking librdkafka call runs on the client's `BlockingExecutor` (its own serial queue).
public final class KafkaPartitionReader: Sendable {
    private let client: RDKafkaClient
    private let closed = Atomic<Bool>(false)

    /// - Parameters:
    ///   - client: connection settings; `group.id` is a private placeholder (never joined).
    ///   - fetchWaitMax: `fetch.wait.max.ms` (see ``ConsumerConfiguration/fetchWaitMax``).
    public init(
        client configuration: KafkaClientConfiguration, fetchWaitMax: Duration = ConsumerConfiguration.defaultFetchWaitMax,
        logger: Logger
    ) throws(KafkaError) {
        let context = ClientContext(configuration: configuration, logger: logger)
        let properties =
            configuration.baseProperties + [
                ("group.id", "\(configuration.clientID).reader"), ("enable.auto.commit", "false"),
                ("enable.auto.offset.store", "false"), ("enable.partition.eof", "true"),
                ("fetch.wait.max.ms", "\(fetchWaitMax.milliseconds)"),
            ] + configuration.extraProperties
        client = try RDKafkaClient.make(type: RD_KAFKA_CONSUMER, role: "reader", properties: properties, context: context)
        rd_kafka_poll_set_consumer(client.rk)
    }

    /// Every record of `partitions` of `topic` from the beginning up to their end (as the broker reported
    /// it while reading), in offset order per partition. Throws `.timeout` if the end is not reached in time.
    public func readAll(
        topic: String, partitions: [Int32], timeout: Duration = .seconds(60)
    ) async throws(KafkaError) -> [ConsumerMessage] {
        guard !partitions.isEmpty else { return [] }
        return try await client.executor.run { [self] () -> Result<[ConsumerMessage], KafkaError> in
            guard !closed.load(ordering: .acquiring) else { return .failure(.shutdown("readAll")) }
            let rk = client.rk
            let deadline = ContinuousClock.now + timeout
            // The end is where librdkafka reports partition EOF (the fetch response's high
            // watermark). ListOffsets is not used: Tansu answers it with the last batch's base
            // offset + 1, not the log end.
            let tps = partitions.map { TopicPartition(topic: topic, partition: $0) }
            let list = TopicPartitionList.make(tps, offsets: tps.map { _ in Int64(RD_KAFKA_OFFSET_BEGINNING) })
            let assignErr = rd_kafka_assign(rk, list)
            rd_kafka_topic_partition_list_destroy(list)
            if assignErr != RD_KAFKA_RESP_ERR_NO_ERROR {
                return .failure(.rdKafka(.partition, assignErr, context: "assign", topic: topic))
            }
            defer { rd_kafka_assign(rk, nil) }
            var out: [ConsumerMessage] = []
            var remaining = Set(partitions)
            while !remaining.isEmpty {
                let left = deadline - .now
                guard left > .zero else {
                    return .failure(
                        KafkaError(code: .timeout, message: "reading \(topic) \(remaining.sorted()) to its end timed out"))
                }
                switch client.pollBatch(maxMessages: 10_000, timeoutMs: min(Duration.milliseconds(500), left).timeoutMs) {
                case .failure(let error): return .failure(error)
                case .success(let batch):
                    for m in batch.messages where m.topic == topic && remaining.contains(m.partition) { out.append(m) }
                    for tp in batch.eofPartitions where tp.topic == topic { remaining.remove(tp.partition) }
                }
            }
            return .success(out)
        }.get()
    }

    /// Closes the client. Later calls throw `.shutdown`. Idempotent.
    public func shutdown() async {
        await client.executor.run { [self] in
            guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
            rd_kafka_consumer_close(client.rk)
        }
    }
}
