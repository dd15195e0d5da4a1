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
    @Option(name: .customLong("base-path"), help: "Path prefix behind a reverse proxy, e.g. /map/ (env GATEWAY_BASE_PATH).")
    var basePath: String?
    @Option(name: .customLong("token-file"), help: "File holding the viewer token; enables auth (env GATEWAY_TOKEN_FILE).")
    var tokenFile: String?
    @Option(name: .customLong("users-file"), help: "Viewer users, lines `<name> <pbkdf2-sha256 hash>` (env GATEWAY_USERS_FILE).")
    var usersFile: String?
    @Option(name: .customLong("cors-origins"), help: "Comma-separated origins allowed cross-origin, or * (env GATEWAY_CORS_ORIGINS).")
    var corsOrigins: String?
    @Option(name: .customLong("trusted-proxies"), help: "Comma-separated CIDRs whose X-Forwarded-* are believed (env GATEWAY_TRUSTED_PROXIES).")
    var trustedProxies: String?
    @Option(name: .customLong("frame-ancestors"), help: "Pages that may frame the map, CSP sources (env GATEWAY_FRAME_ANCESTORS; default 'none').")
    var frameAncestors: String?

    func run() async throws {
        let config = try await common.load(extra: [
            "gateway.host": host, "gateway.port": port, "gateway.leafletDir": leafletDir,
            "gateway.basePath": basePath, "gateway.tokenFile": tokenFile, "gateway.usersFile": usersFile,
            "gateway.corsOrigins": corsOrigins, "gateway.trustedProxies": trustedProxies,
            "gateway.frameAncestors": frameAncestors,
        ])
        let logger = ServiceRunner.bootstrapLogging(config: config, label: "MapGateway")
        let registry = Observability.bootstrapMetrics()
        let r = config.reader
        let kafka = try KafkaSettings(config: config, service: "map-gateway")
        try await kafka.ensureTopics(logger: logger)

        var token: String?
        if let path = r.string(forKey: "gateway.tokenFile") {
            token = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard token?.isEmpty == false else { throw ServiceConfigError(message: "token file \(path) is empty") }
        }
        var users: [String: PasswordHash] = [:]
        if let path = r.string(forKey: "gateway.usersFile") {
            users = try ViewerAuth.parseUsers(String(contentsOfFile: path, encoding: .utf8))
        }
        let list = { (value: String?) in
            (value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        var proxies: [CIDR] = []
        for text in list(r.string(forKey: "gateway.trustedProxies")) {
            guard let cidr = CIDR(text) else { throw ServiceConfigError(message: "invalid trusted proxy CIDR \(text)") }
            proxies.append(cidr)
        }
        let frameAncestors = r.string(forKey: "gateway.frameAncestors", default: SecurityHeaders.defaultFrameAncestors)
        guard SecurityHeaders.isValidFrameAncestors(frameAncestors) else {
            throw ServiceConfigError(message: "invalid frame ancestors \(frameAncestors): CSP sources without ; or ,")
        }
        let gateway = GatewayConfiguration(
            host: r.string(forKey: "gateway.host", default: "127.0.0.1"),
            port: r.int(forKey: "gateway.port", default: 8080),
            leafletDirectory: r.string(forKey: "gateway.leafletDir", default: "/usr/share/javascript/leaflet"),
            wsQueueDepth: r.int(forKey: "gateway.wsQueueDepth", default: 256),
            playerFrameMillis: r.int(forKey: "gateway.playerFrameMillis", default: 100),
            listenBacklog: r.int(forKey: "gateway.listenBacklog", default: 1024),
            staleAfterSeconds: r.int(forKey: "gateway.staleAfterSeconds", default: 60),
            basePath: r.string(forKey: "gateway.basePath", default: "/"),
            auth: ViewerAuth(token: token, users: users),
            cors: CORSSettings(allowedOrigins: list(r.string(forKey: "gateway.corsOrigins"))),
            trustedProxies: proxies, frameAncestors: frameAncestors)
        logger.info(
            "gateway settings",
            metadata: [
                "basePath": "\(gateway.basePath)", "auth": "\(gateway.auth.enabled)", "users": "\(users.count)",
                "corsOrigins": "\(gateway.cors.allowedOrigins)", "trustedProxies": "\(proxies)",
            ])
        let metrics = GatewayMetrics()
        let tileStore = TileStore()
        let hub = LiveHub(
            queueDepth: gateway.wsQueueDepth, staleAfterSeconds: gateway.staleAfterSeconds,
            playerFrameMillis: gateway.playerFrameMillis, metrics: metrics)
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
        let app = try buildApplication(
            configuration: gateway, tileStore: tileStore, liveHub: hub, registry: registry, logger: logger)
        try await ServiceRunner.run([tiles, live, feed, app], logger: logger)
    }
}
