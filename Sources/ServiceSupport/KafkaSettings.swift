import Configuration
import Kafka
import Logging
import Shared

/// How a service reaches Kafka: the one setting users change for production
/// (`kafka.bootstrap` / `KAFKA_BOOTSTRAP`), plus topic prefix, client id and raw librdkafka
/// properties (`kafka.properties` / `KAFKA_PROPERTIES`, comma-separated `key=value`, e.g.
/// `security.protocol=SASL_SSL,sasl.mechanism=PLAIN`).
public struct KafkaSettings: Sendable {
    /// Comma-separated `host:port` list.
    public var bootstrap: String
    /// The topic names.
    public var topics: Topics
    /// librdkafka `client.id`.
    public var clientID: String
    /// Extra librdkafka properties, applied last.
    public var properties: [String: String]
    /// Partition counts used when this service creates topics.
    public var partitions: TopicLayout

    public init(
        bootstrap: String, topics: Topics = Topics(), clientID: String, properties: [String: String] = [:],
        partitions: TopicLayout = TopicLayout()
    ) {
        self.bootstrap = bootstrap
        self.topics = topics
        self.clientID = clientID
        self.properties = properties
        self.partitions = partitions
    }

    /// Reads `kafka.bootstrap`, `kafka.topicPrefix`, `kafka.clientId`, `kafka.properties`.
    /// - Throws: ``ServiceConfigError`` for a malformed property.
    public init(config: ServiceConfig, service: String) throws(ServiceConfigError) {
        let r = config.reader
        var props: [String: String] = [:]
        for item in r.stringArray(forKey: "kafka.properties", default: []) where !item.isEmpty {
            guard let eq = item.firstIndex(of: "=") else {
                throw ServiceConfigError(message: "kafka.properties: '\(item)' is not key=value")
            }
            props[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        self.init(
            bootstrap: r.string(forKey: "kafka.bootstrap", default: "127.0.0.1:9092"),
            topics: Topics(prefix: r.string(forKey: "kafka.topicPrefix", default: "kafkatorio")),
            clientID: r.string(forKey: "kafka.clientId", default: service),
            properties: props,
            partitions: TopicLayout(
                raw: r.int(forKey: "kafka.partitions.raw", default: 4),
                map: r.int(forKey: "kafka.partitions.map", default: 8),
                live: r.int(forKey: "kafka.partitions.live", default: 4),
                tiles: r.int(forKey: "kafka.partitions.tiles", default: 8)))
    }

    /// The consumer group id for `base` in this deployment: `<topic prefix>.<base>`, so that
    /// deployments sharing a cluster under different prefixes never share a group.
    public func groupID(_ base: String) -> String { "\(topics.prefix).\(base)" }

    /// The client configuration for one librdkafka client of this service.
    public func client(_ suffix: String? = nil) -> KafkaClientConfiguration {
        var c = KafkaClientConfiguration(
            bootstrapServers: bootstrap, clientID: suffix.map { "\(clientID)-\($0)" } ?? clientID)
        c.properties = properties
        return c
    }

    /// Every topic of the system with its partition count and configs (see `docs/architecture.md`).
    public var topicSpecs: [TopicSpec] {
        let week = "604800000"
        return [
            TopicSpec(name: topics.raw, partitions: partitions.raw, configs: ["retention.ms": week]),
            TopicSpec(name: topics.console, partitions: 1, configs: ["retention.ms": week]),
            TopicSpec(name: topics.map, partitions: partitions.map, configs: ["retention.ms": "-1"]),
            TopicSpec(name: topics.live, partitions: partitions.live, configs: ["retention.ms": "86400000"]),
            TopicSpec(name: topics.prototypes, partitions: 1, configs: ["cleanup.policy": "compact"]),
            TopicSpec(name: topics.tiles, partitions: partitions.tiles, configs: ["cleanup.policy": "compact"]),
            TopicSpec(name: topics.deadLetter, partitions: 1, configs: ["retention.ms": week]),
            TopicSpec(name: topics.rendererState, partitions: partitions.map, configs: ["cleanup.policy": "compact"]),
            TopicSpec(name: topics.pyramid, partitions: partitions.map, configs: ["cleanup.policy": "compact"]),
            TopicSpec(name: topics.rendererControl, partitions: 1, configs: ["retention.ms": "86400000"]),
            // Partitioned like raw: state partition n belongs to raw (and console) partition n.
            TopicSpec(name: topics.ingestDedup, partitions: partitions.raw, configs: ["cleanup.policy": "compact"]),
        ]
    }

    /// Creates every topic that does not exist yet (idempotent; existing topics are left alone).
    public func ensureTopics(logger: Logger) async throws(KafkaError) {
        let admin = try KafkaAdmin(configuration: client("admin"), logger: logger)
        try await admin.createTopics(topicSpecs)
    }
}

/// Partition counts of the topics whose count is a scaling decision.
public struct TopicLayout: Sendable, Hashable {
    public var raw: Int
    public var map: Int
    public var live: Int
    public var tiles: Int
    public init(raw: Int = 4, map: Int = 8, live: Int = 4, tiles: Int = 8) {
        self.raw = raw
        self.map = map
        self.live = live
        self.tiles = tiles
    }
}
