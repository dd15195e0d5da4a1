package import Kafka
package import Logging
package import PacketIngestCore
package import ServiceLifecycle
import Observability
import Shared
package import Settings
import KafkaModel

/// The Kafka clients and the service of one PacketIngest instance, wired together (used by the
/// executable and by the integration tests).
package struct PacketIngestApp: Sendable {
    package let producer: KafkaProducer
    package let consumer: KafkaConsumer
    package let service: PacketIngestService

    /// Creates the clients: a group consumer of `raw` and `console`, an idempotent producer and a
    /// state reader. Checks that the dedup state topic has at least as many partitions as `raw`.
    package init(
        kafka: KafkaSettings, authenticator: Authenticator, configuration: PacketIngestConfiguration, logger: Logger
    ) async throws {
        let admin = try KafkaAdmin(configuration: kafka.client("admin"), logger: logger)
        let counts = try await admin.partitionCounts([
            kafka.topics.raw, kafka.topics.console, kafka.topics.ingestDedup, kafka.topics.map,
        ])
        let needed = max(counts[kafka.topics.raw] ?? 0, counts[kafka.topics.console] ?? 0)
        guard let state = counts[kafka.topics.ingestDedup], state >= needed else {
            throw ServiceConfigError(
                CommonSettings.rawPartitions,
                .conflict(
                    "\(kafka.topics.ingestDedup) has \(counts[kafka.topics.ingestDedup] ?? 0) partitions; it needs at least "
                    + "\(needed) (one per \(kafka.topics.raw) partition)"))
        }
        let rebalances = RebalanceInbox()
        producer = try KafkaProducer(
            configuration: ProducerConfiguration(client: kafka.client("producer"), maxMessageBytes: 4 << 20), logger: logger)
        consumer = try KafkaConsumer(
            configuration: ConsumerConfiguration(
                client: kafka.client("consumer"), groupID: configuration.groupID,
                topics: [kafka.topics.raw, kafka.topics.console]),
            logger: logger, onRebalance: { rebalances.post($0) })
        let reader = try KafkaPartitionReader(client: kafka.client("state"), logger: logger)
        service = PacketIngestService(
            consumer: consumer, producer: producer, stateReader: reader, rebalances: rebalances, topics: kafka.topics,
            authenticator: authenticator, configuration: configuration,
            mapPartitions: counts[kafka.topics.map] ?? kafka.partitions.map,
            inputPartitions: Self.inputPartitions(counts, kafka),
            refreshInputPartitions: {
                Self.inputPartitions(try await admin.partitionCounts([kafka.topics.raw, kafka.topics.console]), kafka)
            },
            logger: logger)
    }

    /// The partition counts of `raw` and `console` in `counts` (the configured ones if missing).
    private static func inputPartitions(_ counts: [String: Int], _ kafka: KafkaSettings) -> [InputTopic: Int] {
        [.raw: counts[kafka.topics.raw] ?? kafka.partitions.raw, .console: counts[kafka.topics.console] ?? 1]
    }

    /// The services in start order (shutdown runs in reverse: the loop stops first, then the
    /// consumer commits and leaves, then the producer flushes).
    package var services: [any Service] { [producer, consumer, service] }
}
