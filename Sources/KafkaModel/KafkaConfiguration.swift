public import Metrics

/// Settings every client (producer, consumer, admin) shares.
public struct KafkaClientConfiguration: Sendable {
    /// Comma-separated `host:port` list.
    public var bootstrapServers: String
    /// The `client.id`; also the `client_id` label on metrics.
    public var clientID: String
    /// Extra raw librdkafka properties, applied last (they override everything else).
    public var properties: [String: String]
    /// How often librdkafka emits statistics into swift-metrics; `nil` disables statistics.
    public var statisticsInterval: Duration?
    /// Where statistics go; `nil` means the bootstrapped `MetricsSystem.factory`.
    public var metricsFactory: (any MetricsFactory)?

    /// Creates a client configuration.
    public init(
        bootstrapServers: String, clientID: String, properties: [String: String] = [:],
        statisticsInterval: Duration? = nil, metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.properties = properties
        self.statisticsInterval = statisticsInterval
        self.metricsFactory = metricsFactory
    }

    /// The librdkafka properties derived from this configuration, without `properties`.
    package var baseProperties: [(String, String)] {
        var result = [
            ("bootstrap.servers", bootstrapServers), ("client.id", clientID), ("log.connection.close", "false"),
        ]
        if let statisticsInterval { result.append(("statistics.interval.ms", "\(statisticsInterval.milliseconds)")) }
        return result
    }

    /// The user's raw properties in a stable order.
    package var extraProperties: [(String, String)] {
        properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// Producer settings.
public struct ProducerConfiguration: Sendable {
    /// Shared client settings.
    public var client: KafkaClientConfiguration
    /// `enable.idempotence`: no duplicates or reordering on retries (requires `acks=all`).
    public var idempotence: Bool
    /// `acks`: `"all"`, `"1"` or `"0"`.
    public var acks: String
    /// `compression.type`: `none`, `gzip`, `snappy`, `lz4` or `zstd`.
    public var compression: String
    /// `linger.ms`: how long to wait to fill a batch.
    public var linger: Duration
    /// `queue.buffering.max.messages`: the local queue size; `send` waits while it is full.
    public var maxQueuedMessages: Int
    /// `message.timeout.ms`: how long librdkafka tries before failing a delivery.
    public var messageTimeout: Duration
    /// `message.max.bytes`: the largest record (batch) the client will send.
    public var maxMessageBytes: Int
    /// How long `shutdown()`/`run()` wait for outstanding deliveries before failing them.
    public var shutdownFlushTimeout: Duration

    /// Creates a producer configuration.
    public init(
        client: KafkaClientConfiguration, idempotence: Bool = true, acks: String = "all", compression: String = "lz4",
        linger: Duration = .milliseconds(5), maxQueuedMessages: Int = 100_000, messageTimeout: Duration = .seconds(300),
        maxMessageBytes: Int = 1_000_000, shutdownFlushTimeout: Duration = .seconds(10)
    ) {
        self.client = client
        self.idempotence = idempotence
        self.acks = acks
        self.compression = compression
        self.linger = linger
        self.maxQueuedMessages = maxQueuedMessages
        self.messageTimeout = messageTimeout
        self.maxMessageBytes = maxMessageBytes
        self.shutdownFlushTimeout = shutdownFlushTimeout
    }

    /// All librdkafka properties, raw `client.properties` last.
    package var rdKafkaProperties: [(String, String)] {
        client.baseProperties + [
            ("enable.idempotence", idempotence ? "true" : "false"), ("acks", acks),
            ("compression.type", compression), ("linger.ms", "\(linger.milliseconds)"),
            ("queue.buffering.max.messages", "\(maxQueuedMessages)"),
            ("message.timeout.ms", "\(messageTimeout.milliseconds)"), ("message.max.bytes", "\(maxMessageBytes)"),
        ] + client.extraProperties
    }
}

/// Consumer-group consumer settings.
public struct ConsumerConfiguration: Sendable {
    /// Shared client settings.
    public var client: KafkaClientConfiguration
    /// `group.id`.
    public var groupID: String
    /// Topics to subscribe to (a leading `^` makes a regex).
    public var topics: [String]
    /// The partition assignment strategy.
    public var strategy: AssignmentStrategy
    /// `auto.offset.reset`.
    public var offsetReset: OffsetReset
    /// `session.timeout.ms` (the heartbeat interval is a third of it). Tansu delays the first join by half of it.
    public var sessionTimeout: Duration
    /// `auto.commit.interval.ms`: how often *stored* offsets are committed in the background.
    public var autoCommitInterval: Duration
    /// `enable.partition.eof`: report end-of-partition in `ConsumerBatch.eofPartitions`.
    public var partitionEOF: Bool
    /// `fetch.wait.max.ms`: how long the broker may hold a fetch that has no data yet.
    public var fetchWaitMax: Duration

    /// The default of ``fetchWaitMax`` (and of ``KafkaPartitionReader``'s): 50 ms. Tansu holds an empty
    /// fetch for the whole wait instead of answering as soon as a record arrives, so librdkafka's 500 ms
    /// default added up to half a second to every record's trip through each consumer.
    public static let defaultFetchWaitMax: Duration = .milliseconds(50)

    /// Creates a consumer configuration.
    public init(
        client: KafkaClientConfiguration, groupID: String, topics: [String],
        strategy: AssignmentStrategy = .cooperativeSticky, offsetReset: OffsetReset = .earliest,
        sessionTimeout: Duration = .seconds(6), autoCommitInterval: Duration = .seconds(1), partitionEOF: Bool = false,
        fetchWaitMax: Duration = ConsumerConfiguration.defaultFetchWaitMax
    ) {
        self.client = client
        self.groupID = groupID
        self.topics = topics
        self.strategy = strategy
        self.offsetReset = offsetReset
        self.sessionTimeout = sessionTimeout
        self.autoCommitInterval = autoCommitInterval
        self.partitionEOF = partitionEOF
        self.fetchWaitMax = fetchWaitMax
    }

    /// All librdkafka properties, raw `client.properties` last.
    package var rdKafkaProperties: [(String, String)] {
        let session = sessionTimeout.milliseconds
        return client.baseProperties + [
            ("group.id", groupID), ("enable.auto.commit", "true"), ("enable.auto.offset.store", "false"),
            ("auto.commit.interval.ms", "\(autoCommitInterval.milliseconds)"),
            ("auto.offset.reset", offsetReset.rawValue), ("session.timeout.ms", "\(session)"),
            ("heartbeat.interval.ms", "\(max(100, session / 3))"),
            ("enable.partition.eof", partitionEOF ? "true" : "false"),
            ("fetch.wait.max.ms", "\(fetchWaitMax.milliseconds)"),
            ("partition.assignment.strategy", strategy == .eager ? "range" : "cooperative-sticky"),
        ] + client.extraProperties
    }
}

extension Duration {
    /// Whole milliseconds (rounded down), clamped to `Int32` for librdkafka's `int timeout_ms`.
    package var milliseconds: Int {
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int(max(0, min(ms, Int64(Int32.max))))
    }

    /// `milliseconds` as a C `int`.
    package var timeoutMs: Int32 { Int32(milliseconds) }
}
