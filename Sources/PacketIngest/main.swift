import ArgumentParser
import Kafka
import PacketIngestCore
import ServiceLifecycle
import ServiceSupport

/// PacketIngest: authenticates, deduplicates, validates and routes the raw packet lines and console
/// lines of every server.
@main
struct PacketIngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "PacketIngest",
        abstract: "Authenticate, deduplicate, validate and route Factorio packet and console lines.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Consumer group id (env INGEST_GROUP; default <topic prefix>.packet-ingest).") var group: String?
    @Option(help: "Server registry file: '<server-id> <secret>' per line (env INGEST_SERVERS_FILE).")
    var servers: String?
    @Flag(
        name: .customLong("allow-unsigned"),
        help: "Without a registry: accept unsigned lines from any server id (demos and tests only; env INGEST_ALLOW_UNSIGNED=true).")
    var allowUnsigned = false
    @Option(name: .customLong("batch-size"), help: "Most lines per batch (env INGEST_BATCH_SIZE; default 5000).")
    var batchSize: String?
    @Option(name: .customLong("metrics-host"), help: "Address of /metrics and /healthz (env INGEST_METRICS_HOST; default 127.0.0.1).")
    var metricsHost: String?
    @Option(name: .customLong("metrics-port"), help: "Port of /metrics and /healthz, 0 = none (env INGEST_METRICS_PORT; default 9102).")
    var metricsPort: String?

    func run() async throws {
        let config = try await common.load(extra: [
            "ingest.group": group, "ingest.serversFile": servers, "ingest.allowUnsigned": allowUnsigned ? "true" : nil,
            "ingest.batchSize": batchSize, "ingest.metricsHost": metricsHost, "ingest.metricsPort": metricsPort,
        ])
        let logger = ServiceRunner.bootstrapLogging(config: config, label: "PacketIngest")
        let registry = Observability.bootstrapMetrics()
        let r = config.reader
        let kafka = try KafkaSettings(config: config, service: "packet-ingest")
        var services: [any Service] = []
        let authenticator: Authenticator
        if let path = r.string(forKey: "ingest.serversFile"), !path.isEmpty {
            let watcher = try RegistryWatcher(path: path, logger: logger)
            authenticator = .registry(watcher.store)
            services.append(watcher)
        } else if r.bool(forKey: "ingest.allowUnsigned", default: false) {
            logger.warning("no server registry: accepting unsigned lines from any server id (--allow-unsigned)")
            authenticator = .unsigned
        } else {
            throw ValidationError(
                "a server registry is required: --servers FILE (or INGEST_SERVERS_FILE); --allow-unsigned skips authentication")
        }
        let batch = r.int(forKey: "ingest.batchSize", default: 5000)
        guard batch > 0 else { throw ValidationError("--batch-size must be positive") }
        try await kafka.ensureTopics(logger: logger)
        let app = try await PacketIngestApp(
            kafka: kafka, authenticator: authenticator,
            configuration: PacketIngestConfiguration(
                groupID: r.string(forKey: "ingest.group", default: kafka.groupID("packet-ingest")), batchSize: batch),
            logger: logger)
        services = app.services + services
        let port = r.int(forKey: "ingest.metricsPort", default: 9102)
        if port > 0 {
            let service = app.service
            services.append(
                ObservabilityServer(
                    host: r.string(forKey: "ingest.metricsHost", default: "127.0.0.1"), port: port, registry: registry,
                    logger: logger, health: { service.health() }))
        }
        try await ServiceRunner.run(services, logger: logger)
    }
}
