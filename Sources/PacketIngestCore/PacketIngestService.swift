import Kafka
import Logging
import ServiceLifecycle
import ServiceSupport
import Shared

/// Settings of the PacketIngest service.
public struct PacketIngestConfiguration: Sendable {
    /// Consumer group id; every PacketIngest instance of a deployment shares it.
    public var groupID: String
    /// Most raw lines handled per batch.
    public var batchSize: Int
    /// Packet size limits.
    public var limits: PacketLimits

    public init(groupID: String = "packet-ingest", batchSize: Int = 1000, limits: PacketLimits = PacketLimits()) {
        self.groupID = groupID
        self.batchSize = batchSize
        self.limits = limits
    }
}

/// Consumes the raw topic in a consumer group, validates and routes every line, and stores the
/// consumed offsets only after every output record of the batch was acknowledged by the
/// broker (at-least-once; outputs are absolute state, so a replay is harmless).
public final class PacketIngestService: Service, Sendable {
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let router: PacketRouter
    private let configuration: PacketIngestConfiguration
    private let logger: Logger

    /// - Parameters:
    ///   - consumer: subscribed to the raw topic.
    ///   - producer: publishes routed and dead-letter records.
    public init(
        consumer: KafkaConsumer, producer: KafkaProducer, topics: Topics,
        configuration: PacketIngestConfiguration, logger: Logger
    ) {
        self.consumer = consumer
        self.producer = producer
        self.router = PacketRouter(topics: topics, limits: configuration.limits)
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await self.loop()
            }
        } catch is CancellationError {
            // Graceful shutdown: offsets of unfinished batches stay unstored and are replayed.
        }
    }

    private func loop() async throws {
        var accepted = 0
        var rejected = 0
        while !Task.isCancelled {
            let batch: [ConsumerMessage]
            do {
                batch = try await consumer.poll(maxMessages: configuration.batchSize, timeout: .milliseconds(200))
            } catch {
                if Task.isCancelled { return }
                logger.error("poll failed", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(1))
                continue
            }
            if batch.isEmpty { continue }
            var outputs: [ProducerMessage] = []
            outputs.reserveCapacity(batch.count)
            for message in batch {
                let line = RawLine(
                    bytes: message.value,
                    server: message.headerString(RecordHeader.server)
                        ?? message.key.map { String(decoding: $0, as: UTF8.self) },
                    source: message.headerString(RecordHeader.source))
                switch router.route(line) {
                case .success(let records):
                    accepted += 1
                    outputs.append(contentsOf: records.map(Self.producerMessage))
                case .failure(let rejection):
                    rejected += 1
                    logger.warning(
                        "rejected line",
                        metadata: [
                            "reason": "\(rejection.reason)", "detail": "\(rejection.detail)",
                            "server": "\(line.server ?? "-")", "source": "\(line.source ?? "-")",
                        ])
                    outputs.append(Self.producerMessage(router.deadLetter(line, rejection: rejection)))
                }
            }
            try await producer.sendUntilDelivered(outputs, logger: logger)
            var next: [TopicPartition: Int64] = [:]
            for m in batch {
                let tp = TopicPartition(topic: m.topic, partition: m.partition)
                next[tp] = max(next[tp] ?? 0, m.offset + 1)
            }
            try consumer.store(next)
            logger.debug(
                "batch done", metadata: ["lines": "\(batch.count)", "accepted": "\(accepted)", "rejected": "\(rejected)"])
        }
    }

    static func producerMessage(_ r: RoutedRecord) -> ProducerMessage {
        ProducerMessage(
            topic: r.topic, key: Array(r.key.utf8), value: r.value,
            headers: r.headers.map { KafkaHeader(key: $0.name, value: Array($0.value.utf8)) })
    }
}
