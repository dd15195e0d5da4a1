import ArgumentParser
import Kafka
import Logging
import PacketIngestCore
import PacketIngestService
import ServiceLifecycle
import ServiceSupport
import Settings
import Observability

/// PacketIngest: authenticates, deduplicates, validates and routes the raw packet lines and console
/// lines of every server.
@main
struct PacketIngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "PacketIngest",
        abstract: "Authenticate, deduplicate, validate and route Factorio packet and console lines.",
        discussion: settingsDiscussion(
            "", [("PacketIngest settings", PacketIngestSettings.all), ("Common settings", CommonSettings.service)]))

    @OptionGroup var arguments: SettingsArguments

    func run() async throws {
        let config = try await arguments.load(PacketIngestSettings.command)
        let logger = try ServiceRunner.bootstrapLogging(config: config, label: "PacketIngest")
        let registry = Observability.bootstrapMetrics()
        let kafka = try KafkaSettings(config: config, service: "packet-ingest")
        let configuration = try PacketIngestConfiguration(config: config, kafka: kafka)
        var services: [any Service] = []
        let authenticator: Authenticator
        switch try PacketIngestSettings.authentication(config) {
        case .registry(let path):
            let watcher = try RegistryWatcher(path: path, logger: logger)
            authenticator = .registry(watcher.store)
            services.append(watcher)
        case .unsigned:
            logger.warning("no server registry: accepting unsigned lines from any server id (--allow-unsigned)")
            authenticator = .unsigned
        }
        try await kafka.ensureTopics(logger: logger)
        let app = try await PacketIngestApp(
            kafka: kafka, authenticator: authenticator, configuration: configuration, logger: logger)
        services = app.services + services
        let service = app.service
        if let metrics = try ObservabilityServer.fromSettings(
            config, registry: registry, logger: logger, health: { service.health() })
        {
            services.append(metrics)
        }
        try await ServiceRunner.run(services, logger: logger)
    }
}
