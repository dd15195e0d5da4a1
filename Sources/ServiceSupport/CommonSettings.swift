/// The settings every service shares: where Kafka is, how topics are named and created, the log
/// level, the metrics endpoint and the configuration file. Each is declared here once.
public enum CommonSettings {
    /// The JSON configuration file (read from the command line and the environment only).
    public static let configFile = Setting.optionalString(
        "configFile", flag: "config", help: "JSON configuration file; its keys nest ({\"kafka\": {\"bootstrap\": \"…\"}}).")

    /// Kafka bootstrap servers.
    public static let kafkaBootstrap = Setting.string(
        "kafka.bootstrap", flag: "kafka-bootstrap", default: "127.0.0.1:9092",
        help: "Kafka bootstrap servers, host:port[,host:port].")
    /// The prefix of every topic name (and of the consumer groups).
    public static let topicPrefix = Setting.string(
        "kafka.topicPrefix", flag: "topic-prefix", default: "kafkatorio", help: "Prefix of every topic and consumer group name.")
    /// librdkafka `client.id`; each service's default is its own name.
    public static let clientID = Setting.optionalString(
        "kafka.clientId", flag: "kafka-client-id", defaultText: "the service's name", help: "librdkafka client.id.")
    /// Extra librdkafka properties, `key=value` items.
    public static let kafkaProperties = Setting.list(
        "kafka.properties", flag: "kafka-properties",
        help: "Extra librdkafka properties, comma-separated key=value (e.g. security.protocol=SASL_SSL).")
    /// Partitions of `raw` (and `console`, and PacketIngest's dedup state) when a service creates them.
    public static let rawPartitions = Setting.int(
        "kafka.partitions.raw", flag: "partitions-raw", default: 4, range: 1...10_000,
        help: "Partitions of raw (and of the ingest dedup state) when the topics are created.")
    /// Partitions of `map` (and the renderer's state and pyramid topics) when created.
    public static let mapPartitions = Setting.int(
        "kafka.partitions.map", flag: "partitions-map", default: 8, range: 1...10_000,
        help: "Partitions of map (and of renderer-state and pyramid) when the topics are created.")
    /// Partitions of `live` when created.
    public static let livePartitions = Setting.int(
        "kafka.partitions.live", flag: "partitions-live", default: 4, range: 1...10_000,
        help: "Partitions of live when the topic is created.")
    /// Partitions of `tiles` when created.
    public static let tilesPartitions = Setting.int(
        "kafka.partitions.tiles", flag: "partitions-tiles", default: 8, range: 1...10_000,
        help: "Partitions of tiles when the topic is created.")

    /// The log level.
    public static let logLevel = Setting.string(
        "log.level", flag: "log-level", default: "info",
        oneOf: ["trace", "debug", "info", "notice", "warning", "error", "critical"], help: "Log level.")

    /// The one listen host default of every server of ours (metrics endpoints, MapGateway).
    public static let defaultListenHost = "127.0.0.1"
    /// Address of the `/metrics` and `/healthz` endpoint.
    public static let metricsHost = Setting.string(
        "metrics.host", flag: "metrics-host", default: defaultListenHost,
        help: "Address of /metrics and /healthz (0.0.0.0 to reach it from other hosts).")
    /// Port of the `/metrics` and `/healthz` endpoint; 0 = none.
    public static let metricsPort = Setting.port(
        "metrics.port", flag: "metrics-port", default: 0, help: "Port of /metrics and /healthz; 0 = no endpoint.")

    /// The Kafka settings, in help order.
    public static let kafka: [AnySetting] = [
        kafkaBootstrap.erased, topicPrefix.erased, clientID.erased, kafkaProperties.erased, rawPartitions.erased,
        mapPartitions.erased, livePartitions.erased, tilesPartitions.erased,
    ]
    /// The settings of a command that reaches Kafka but serves no metrics (`TileRenderer rerender`).
    public static let base: [AnySetting] = [configFile.erased, logLevel.erased] + kafka
    /// `base` plus the metrics endpoint: what every long-running service shares.
    public static let service: [AnySetting] = base + [metricsHost.erased, metricsPort.erased]
}
