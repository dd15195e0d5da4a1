import ArgumentParser
import Foundation
import Hummingbird
import Kafka
import MapGatewayCore
import ServiceSupport

/// MapGateway: serves map tiles, the REST API, live updates over WebSocket and the web page.
@main
struct MapGatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "MapGateway", abstract: "Serve the live Factorio map over HTTP and WebSocket.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Listen address (env GATEWAY_HOST; default 127.0.0.1).") var host: String?
    @Option(help: "Listen port (env GATEWAY_PORT; default 8080).") var port: String?
    @Option(name: .customLong("leaflet-dir"), help: "Leaflet files (env GATEWAY_LEAFLET_DIR; default /usr/share/javascript/leaflet).")
    var leafletDir: String?

    func run() async throws {
        let config = try await common.load(extra: [
            "gateway.host": host, "gateway.port": port, "gateway.leafletDir": leafletDir,
        ])
        let logger = ServiceRunner.bootstrapLogging(config: config, label: "MapGateway")
        let r = config.reader
        let kafka = try KafkaSettings(config: config, service: "map-gateway")
        try await kafka.ensureTopics(logger: logger)
        let gateway = GatewayConfiguration(
            host: r.string(forKey: "gateway.host", default: "127.0.0.1"),
            port: r.int(forKey: "gateway.port", default: 8080),
            leafletDirectory: r.string(forKey: "gateway.leafletDir", default: "/usr/share/javascript/leaflet"))
        let tileStore = TileStore()
        let hub = LiveHub(queueDepth: gateway.wsQueueDepth)
        // Each replica reads both topics whole: groups of its own, never committed.
        let replica = UUID().uuidString.prefix(8)
        let tiles = try KafkaConsumer(
            configuration: ConsumerConfiguration(
                client: kafka.client("tiles"), groupID: kafka.groupID("map-gateway.tiles.\(replica)"),
                topics: [kafka.topics.tiles]),
            logger: logger)
        let live = try KafkaConsumer(
            configuration: ConsumerConfiguration(
                client: kafka.client("live"), groupID: kafka.groupID("map-gateway.live.\(replica)"),
                topics: [kafka.topics.live]),
            logger: logger)
        let feed = GatewayFeed(tiles: tiles, live: live, tileStore: tileStore, hub: hub, logger: logger)
        let app = buildApplication(configuration: gateway, tileStore: tileStore, liveHub: hub, logger: logger)
        try await ServiceRunner.run([tiles, live, feed, app], logger: logger)
    }
}
