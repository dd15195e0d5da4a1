import ArgumentParser

/// Command-line options every service shares. Each one overrides its environment variable and
/// the configuration file (see ``ServiceConfig``).
public struct CommonOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("config"), help: "JSON configuration file.")
    public var configFile: String?

    @Option(
        name: .customLong("kafka-bootstrap"),
        help: "Kafka bootstrap servers, host:port[,host:port] (env KAFKA_BOOTSTRAP; default 127.0.0.1:9092).")
    public var kafkaBootstrap: String?

    @Option(name: .customLong("topic-prefix"), help: "Prefix of every topic name (env KAFKA_TOPIC_PREFIX; default kafkatorio).")
    public var topicPrefix: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error (env LOG_LEVEL).")
    public var logLevel: String?

    public init() {}

    /// These options as dotted configuration keys.
    public var flags: [String: String?] {
        ["kafka.bootstrap": kafkaBootstrap, "kafka.topicPrefix": topicPrefix, "log.level": logLevel]
    }

    /// Loads the layered configuration with `extra` service-specific flags.
    public func load(extra: [String: String?] = [:]) async throws -> ServiceConfig {
        try await ServiceConfig.load(flags: flags.merging(extra) { _, new in new }, configFile: configFile)
    }
}
