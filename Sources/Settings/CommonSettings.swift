/// The settings every service shares: where Kafka is, how topics are named and created, the log
/// level, the metrics endpoint and the configuration file. Each is declared here once.
package enum CommonSettings {
    /// The JSON configuration file (read from the command line and the environment only).
    package static let configFile = Setting.optionalString(
        "configFile", flag: "config", help: "JSON configuration file; its keys nest ({\"kafka\": {\"bootstrap\": \"…\"}}).")

    /// Kafka bootstrap servers.
    package static let kafkaBootstrap = Setting.string(
        "kafka.bootstrap", flag: "kafka-bootstrap", default: "127.0.0.1:9092",
        help: "Kafka bootstrap servers, host:port[,host:port].")
    /// The prefix of every topic name (and of the consumer groups).
    package static let topicPrefix = Setting.string(
        "kafka.topicPrefix", flag: "topic-prefix", default: "kafkatorio", help: "Prefix of every topic and consumer group name.")
    /// librdkafka `client.id`; each service's default is its own name.
    package static let clientID = Setting.optionalString(
        "kafka.clientId", flag: "kafka-client-id", defaultText: "the service's name", help: "librdkafka client.id.")
    /// Extra librdkafka properties, `key=value` items.
    package static let kafkaProperties = Setting.list(
        "kafka.properties", flag: "kafka-properties",
        help: "Extra librdkafka properties, comma-separated key=value (e.g. security.protocol=SASL_SSL).")
    /// Partitions of `raw` (and `console`, and PacketIngest's dedup state) when a service creates them.
    package static let rawPartitions = Setting.int(
        "kafka.partitions.raw", flag: "partitions-raw", default: 4, range: 1...10_000,
        help: "Partitions of raw (and of the ingest dedup state) when the topics are created.")
    /// Partitions of `map` (and the renderer's state and pyramid topics) when created.
    package static let mapPartitions = Setting.int(
        "kafka.partitions.map", flag: "partitions-map", default: 8, range: 1...10_000,
        help: "Partitions of map (and of renderer-state and pyramid) when the topics are created.")
    /// Partitions of `live` when created.
    package static let livePartitions = Setting.int(
        "kafka.partitions.live", flag: "partitions-live", default: 4, range: 1...10_000,
        help: "Partitions of live when the topic is created.")
    /// Partitions of `tiles` when created.
    package static let tilesPartitions = Setting.int(
        "kafka.partitions.tiles", flag: "partitions-tiles", default: 8, range: 1...10_000,
        help: "Partitions of tiles when the topic is created.")

    /// The log level.
    package static let logLevel = Setting.string(
        "log.level", flag: "log-level", default: "info",
        oneOf: ["trace", "debug", "info", "notice", "warning", "error", "critical"], help: "Log level.")

    /// The one listen host default of every server of ours (metrics endpoints, MapGateway).
    package static let defaultListenHost = "127.0.0.1"
    /// Address of the `/metrics` and `/healthz` endpoint.
    package static let metricsHost = Setting.string(
        "metrics.host", flag: "metrics-host", default: defaultListenHost,
        help: "Address of /metrics and /healthz (0.0.0.0 to reach it from other hosts).")
    /// Port of the `/metrics` and `/healthz` endpoint; 0 = none.
    package static let metricsPort = Setting.port(
        "metrics.port", flag: "metrics-port", default: 0, help: "Port of /metrics and /healthz; 0 = no endpoint.")

    /// The Kafka settings, in help order.
    package static let kafka: [AnySetting] = [
        kafkaBootstrap.erased, topicPrefix.erased, clientID.erased, kafkaProperties.erased, rawPartitions.erased,
        mapPartitions.erased, livePartitions.erased, tilesPartitions.erased,
    ] + HistorySettings.all
    /// The settings of a command that reaches Kafka but serves no metrics (`TileRenderer rerender`).
    package static let base: [AnySetting] = [configFile.erased, logLevel.erased] + kafka
    /// `base` plus the metrics endpoint: what every long-running service shares.
    package static let service: [AnySetting] = base + [metricsHost.erased, metricsPort.erased]
}
