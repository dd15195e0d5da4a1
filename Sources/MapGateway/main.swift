import ArgumentParser
import Foundation
import Kafka
import Logging
import MapGatewayCore
import MapGatewayServer
import ServiceSupport
import Shared
import Settings
import KafkaModel
import Observability

/// MapGateway: serves map tiles, the REST API, live updates over WebSocket and the web page.
@main
struct MapGatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "MapGateway", abstract: "Serve the live Factorio map over HTTP and WebSocket.",
        discussion: settingsDiscussion(
            "See docs/gateway.md.", [("MapGateway settings", GatewaySettings.all), ("Common settings", CommonSettings.service)]))

    @OptionGroup var arguments: SettingsArguments

    func run() async throws {
        let config = try await arguments.load(GatewaySettings.command)
        let gateway = try GatewayConfiguration(config: config)
        let logger = try ServiceRunner.bootstrapLogging(config: config, label: "MapGateway")
        let registry = Observability.bootstrapMetrics()
        let kafka = try KafkaSettings(config: config, service: "map-gateway")
        try await kafka.ensureTopics(logger: logger)
        logger.info(
            "gateway settings",
            metadata: [
                "basePath": "\(gateway.basePath)", "auth": "\(gateway.auth.enabled)", "users": "\(gateway.auth.users.count)",
                "corsOrigins": "\(gateway.cors.allowedOrigins)", "trustedProxies": "\(gateway.trustedProxies)",
            ])
        let metrics = GatewayMetrics()
        let store = try await GatewayTiles.open(config: config, topic: kafka.topics.tiles, logger: logger)
        let tileStore = store.store
        let hub = LiveHub(
            queueDepth: gateway.wsQueueDepth, staleAfterSeconds: gateway.staleAfterSeconds,
            playerFrameMillis: gateway.playerFrameMillis, limits: gateway.liveLimits, metrics: metrics)
        // Each replica reads both topics whole: groups of its own, never committed.
        let replica = UUID().uuidString.prefix(8)
        // Over a tile directory the tiles consumer resumes where the store's offsets say.
        let resume = store.resume
        var onRebalance: (@Sendable (RebalanceEvent) -> Void)?
        if let resume { onRebalance = { resume.rebalanced($0) } }
        let tiles = try KafkaConsumer(
            configuration: ConsumerConfiguration(
                client: kafka.client("tiles"), groupID: kafka.groupID("map-gateway.tiles.\(replica)"),
                topics: [kafka.topics.tiles]),
            logger: logger, onRebalance: onRebalance)
        let live = try KafkaConsumer(
            configuration: ConsumerConfiguration(
                client: kafka.client("live"), groupID: kafka.groupID("map-gateway.live.\(replica)"),
                topics: [kafka.topics.live, kafka.topics.trains]),
            logger: logger)
        let feed = GatewayFeed(tiles: tiles, live: live, tileStore: tileStore, hub: hub, resume: resume, logger: logger)
        let history = try await GatewayHistory.open(config: config, kafka: kafka, replica: String(replica), logger: logger)
        let app = try buildApplication(
            configuration: gateway, tileStore: tileStore, liveHub: hub, registry: registry, history: history?.store,
            logger: logger)
        // METRICS_PORT set: /metrics (and /healthz) there, and not on the gateway's port.
        let metricsServer = try ObservabilityServer.fromSettings(config, registry: registry, logger: logger) {
            tileStore.health(detail: "\(tileStore.count) tiles")
        }
        try await ServiceRunner.run(
            [tiles, live, feed, app] + (history?.services ?? []) + (metricsServer.map { [$0] } ?? []), logger: logger)
        await tileStore.disk?.close()
        await history?.store.close()
    }
}
