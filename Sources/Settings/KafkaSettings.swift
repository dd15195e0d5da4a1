package import KafkaModel
package import Shared

/// How a service reaches Kafka: the one setting users change for production
/// (`kafka.bootstrap` / `KAFKA_BOOTSTRAP`), plus topic prefix, client id and raw librdkafka
/// properties (`kafka.properties` / `KAFKA_PROPERTIES`, comma-separated `key=value`, e.g.
/// `security.protocol=SASL_SSL,sasl.mechanism=PLAIN`).
package struct KafkaSettings: Sendable {
    /// Comma-separated `host:port` list.
    package var bootstrap: String
    /// The topic names.
    package var topics: Topics
    /// librdkafka `client.id`.
    package var clientID: String
    /// Extra librdkafka properties, applied last.
    package var properties: [String: String]
    /// Partition counts used when this service creates topics.
    package var partitions: TopicLayout
    /// `retention.ms` of the history topics (``HistorySettings/retention``).
    package var historyRetentionMs: Int64 = Int64(HistorySettings.retention.defaultValue) * 1000

    package init(
        bootstrap: String, topics: Topics = Topics(), clientID: String, properties: [String: String] = [:],
        partitions: TopicLayout = TopicLayout()
    ) {
        self.bootstrap = bootstrap
        self.topics = topics
        self.clientID = clientID
        self.properties = properties
        self.partitions = partitions
    }

    /// Reads the Kafka settings of ``CommonSettings``; `service` is the default client id.
    /// - Throws: ``ServiceConfigError`` for an invalid value or a property that is not `key=value`.
    package init(config: some SettingValues, service: String) throws(ServiceConfigError) {
        var props: [String: String] = [:]
        for item in try config.value(CommonSettings.kafkaProperties) {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw .invalid(CommonSettings.kafkaProperties, value: item)
            }
            props[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        self.init(
            bootstrap: try config.value(CommonSettings.kafkaBootstrap),
            topics: Topics(prefix: try config.value(CommonSettings.topicPrefix)),
            clientID: try config.value(CommonSettings.clientID) ?? service,
            properties: props,
            partitions: TopicLayout(
                raw: try config.value(CommonSettings.rawPartitions), map: try config.value(CommonSettings.mapPartitions),
                live: try config.value(CommonSettings.livePartitions), tiles: try config.value(CommonSettings.tilesPartitions)))
        historyRetentionMs = Int64(try config.value(HistorySettings.retention)) * 1000
    }

    /// The consumer group id for `base` in this deployment: `<topic prefix>.<base>`, so that
    /// deployments sharing a cluster under different prefixes never share a group.
    package func groupID(_ base: String) -> String { "\(topics.prefix).\(base)" }

    /// The client configuration for one librdkafka client of this service.
    package func client(_ suffix: String? = nil) -> KafkaClientConfiguration {
        var c = KafkaClientConfiguration(
            bootstrapServers: bootstrap, clientID: suffix.map { "\(clientID)-\($0)" } ?? clientID)
        c.properties = properties
        return c
    }

    /// Every topic of the system with its partition count and configs (see `docs/architecture.md`).
    package var topicSpecs: [TopicSpec] {
        let week = "604800000"
        return [
            TopicSpec(name: topics.raw, partitions: partitions.raw, configs: ["retention.ms": week]),
            TopicSpec(name: topics.console, partitions: 1, configs: ["retention.ms": week]),
            TopicSpec(name: topics.map, partitions: partitions.map, configs: ["retention.ms": "-1"]),
            TopicSpec(name: topics.live, partitions: partitions.live, configs: ["retention.ms": "86400000"]),
            TopicSpec(name: topics.trains, partitions: partitions.live, configs: ["retention.ms": "3600000"]),
            TopicSpec(name: topics.prototypes, partitions: 1, configs: ["cleanup.policy": "compact"]),
            TopicSpec(name: topics.tiles, partitions: partitions.tiles, configs: ["cleanup.policy": "compact"]),
            // Partitioned like tiles: a tile's versions are in the partition of its tiles record.
            TopicSpec(
                name: topics.tileHistory, partitions: partitions.tiles,
                configs: ["cleanup.policy": "compact,delete", "retention.ms": String(historyRetentionMs)]),
            TopicSpec(name: topics.playerHistory, partitions: partitions.live, configs: ["retention.ms": String(historyRetentionMs)]),
            TopicSpec(name: topics.deadLetter, partitions: 1, configs: ["retention.ms": week]),
            TopicSpec(name: topics.rendererState, partitions: partitions.map, configs: ["cleanup.policy": "compact"]),
            TopicSpec(name: topics.pyramid, partitions: partitions.map, configs: ["cleanup.policy": "compact"]),
            TopicSpec(name: topics.rendererControl, partitions: 1, configs: ["retention.ms": "86400000"]),
            // Partitioned like raw: state partition n belongs to raw (and console) partition n.
            TopicSpec(name: topics.ingestDedup, partitions: partitions.raw, configs: ["cleanup.policy": "compact"]),
        ]
    }
}

/// Partition counts of the topics whose count is a scaling decision.
package struct TopicLayout: Sendable, Hashable {
    package var raw: Int
    package var map: Int
    package var live: Int
    package var tiles: Int
    /// The defaults are those of the settings (``CommonSettings/rawPartitions`` …).
    package init(
        raw: Int = CommonSettings.rawPartitions.defaultValue, map: Int = CommonSettings.mapPartitions.defaultValue,
        live: Int = CommonSettings.livePartitions.defaultValue, tiles: Int = CommonSettings.tilesPartitions.defaultValue
    ) {
        self.raw = raw
        self.map = map
        self.live = live
        self.tiles = tiles
    }
}
