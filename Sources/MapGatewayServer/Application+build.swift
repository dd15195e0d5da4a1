package import MapGatewayCore
package import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
package import Logging
package import Prometheus
import ServiceLifecycle
import Observability
import Shared

/// Builds the gateway's HTTP router: tiles, REST API, static page, `/metrics` and `/healthz`,
/// behind ``SecurityHeadersMiddleware`` (CSP, nosniff, no referrer) and
/// ``GatewayPolicyMiddleware`` (forwarded headers, CORS, viewer auth).
///
/// Every route except `/metrics` and `/healthz` lives under `configuration.basePath`; those two
/// stay at the root, where probes and scrapers reach the pod or host directly (and skip auth).
///
/// `gate`: the viewer gate shared with the WebSocket router (password checks and failure
/// throttling are per application); nil makes one.
/// With ``GatewayConfiguration/metricsOnOwnPort`` `/metrics` is not served here (the metrics
/// endpoint on its own port serves it).
package func buildRouter(
    configuration: GatewayConfiguration, tileStore: TileStore, liveHub: LiveHub, assets: StaticAssets,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), gate: ViewerGate? = nil,
    history: TileHistoryStore? = nil
) -> Router<GatewayRequestContext> {
    let gate = gate ?? configuration.viewerGate(metrics: liveHub.metrics)
    let router = Router(context: GatewayRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(
        middleware: SecurityHeadersMiddleware(
            SecurityHeaders(frameAncestors: configuration.frameAncestors), exemptPrefix: configuration.basePath + "tiles/"))
    if configuration.needsPolicy { router.add(middleware: policy(configuration, gate: gate)) }
    ObservabilityServer.addRoutes(to: router, registry: registry, metrics: !configuration.metricsOnOwnPort) {
        tileStore.health(detail: "\(tileStore.count) tiles, \(liveHub.clientCount) WebSocket clients")
    }
    func routes(on group: some RouterMethods<GatewayRequestContext>) {
        TileRoutes(tiles: tileStore, metrics: liveHub.metrics, history: history).register(on: group)
        TileHistoryRoutes(history: history, tiles: tileStore, hub: liveHub).register(on: group)
        TrailRoutes(history: history, tiles: tileStore, hub: liveHub).register(on: group)
        InspectGridRoutes(grids: tileStore.grids).register(on: group)
        APIRoutes(tiles: tileStore, hub: liveHub, staleAfterSeconds: configuration.staleAfterSeconds)
            .register(on: group)
        WebSocketRoutes.registerFallback(on: group)
        assets.register(on: group, basePath: configuration.basePath)
    }
    if configuration.basePath == "/" {
        routes(on: router)
    } else {
        routes(on: router.group(RouterPath(String(configuration.basePath.dropFirst().dropLast()))))
    }
    return router
}

extension GatewayConfiguration {
    /// Whether any setting needs ``GatewayPolicyMiddleware`` (without auth, CORS or trusted
    /// proxies it would change nothing, so the hot tile path skips it).
    var needsPolicy: Bool { auth.enabled || !cors.allowedOrigins.isEmpty || !trustedProxies.isEmpty }
}

extension GatewayConfiguration {
    /// The viewer gate of an application with this configuration.
    func viewerGate(metrics: GatewayMetrics?) -> ViewerGate {
        ViewerGate(auth: auth, concurrency: authConcurrency, metrics: metrics)
    }
}

func policy<Context: GatewayRequestContextProtocol>(_ c: GatewayConfiguration, gate: ViewerGate) -> GatewayPolicyMiddleware<Context> {
    GatewayPolicyMiddleware(
        gate: gate, cors: c.cors, forwarded: ForwardedHeaders(trusted: c.trustedProxies), basePath: c.basePath)
}

/// Builds the gateway application: HTTP/1 with WebSocket upgrade on `configuration.host`:`port`.
///
/// The Kafka side feeds `tileStore` and `liveHub`; this function only reads them. `gate`: the
/// viewer gate (tests pass their own to watch its password checks); nil makes one.
/// Every connection passes ``ConnectionGuard`` first: the connection cap, header-read and idle
/// timeouts, for the tile fast path and the normal stack alike. Leaflet's files
/// are read from `configuration.leafletDirectory` once, here; a Leaflet the page cannot run with
/// throws ``LeafletVersionError``. Run the result with
/// `try await app.runService()` (graceful shutdown on SIGTERM/SIGINT: the listener stops, open
/// WebSockets get a normal close frame, then the hub finishes every client stream).
package func buildApplication(
    configuration: GatewayConfiguration,
    tileStore: TileStore,
    liveHub: LiveHub,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    gate: ViewerGate? = nil,
    history: TileHistoryStore? = nil,
    logger: Logger
) throws(LeafletVersionError) -> some ApplicationProtocol {
    let assets = try StaticAssets(leafletDirectory: configuration.leafletDirectory, logger: logger)
    let gate = gate ?? configuration.viewerGate(metrics: liveHub.metrics)
    let router = buildRouter(
        configuration: configuration, tileStore: tileStore, liveHub: liveHub, assets: assets, registry: registry,
        gate: gate, history: history)

    let wsRouter = Router(context: GatewayWebSocketContext.self)
    if configuration.needsPolicy { wsRouter.add(middleware: policy(configuration, gate: gate)) }
    let ws = WebSocketRoutes(hub: liveHub, maxFrameSize: configuration.wsMaxFrameSize)
    if configuration.basePath == "/" {
        ws.register(on: wsRouter)
    } else {
        ws.register(on: wsRouter.group(RouterPath(String(configuration.basePath.dropFirst().dropLast()))))
    }

    let autoPing: AutoPingSetup =
        configuration.wsPingSeconds > 0 ? .enabled(timePeriod: .seconds(configuration.wsPingSeconds)) : .disabled
    let wsConfiguration = WebSocketServerConfiguration(
        maxFrameSize: configuration.wsMaxFrameSize, autoPing: autoPing, closeTimeout: .seconds(5))

    // Tile requests are answered at the front of the pipeline when no middleware has to see them.
    let wsResponder = wsRouter.buildResponder()
    // The normal stack tells the connection guard when requests start and are answered.
    let channelConfiguration = HTTP1WebSocketUpgradeChannel.Configuration(
        http1: HTTP1Channel.Configuration(additionalChannelHandlers: [RequestActivityHandler()]), ws: wsConfiguration)
    let fastPath = !configuration.needsPolicy
    let limiter = ConnectionLimiter(capacity: configuration.maxConnections)
    var makeFastPath: (@Sendable () -> TileFastPath)?
    if fastPath {
        makeFastPath = { @Sendable in
            TileFastPath(
                tiles: tileStore, metrics: liveHub.metrics, basePath: configuration.basePath,
                serverName: configuration.serverName, maxPipelined: configuration.maxPipelinedTiles)
        }
    }
    let fastPathHandler = makeFastPath
    let server = HTTPServerBuilder { responder in
        GatewayChildChannel(
            inner: HTTP1WebSocketUpgradeChannel(
                responder: responder, webSocketResponder: wsResponder, configuration: channelConfiguration),
            limiter: limiter, headerTimeoutSeconds: configuration.headerTimeoutSeconds,
            idleTimeoutSeconds: configuration.idleTimeoutSeconds, metrics: liveHub.metrics, makeFastPath: fastPathHandler)
    }
    var app = Application(
        router: router,
        server: server,
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: configuration.serverName, backlog: configuration.listenBacklog),
        logger: logger
    )
    app.addServices(
        LiveHubHousekeeping(
            hub: liveHub, tiles: tileStore, intervalSeconds: configuration.statusIntervalSeconds))
    return app
}

/// Every few seconds sends each WebSocket client its server's status (heartbeat and staleness)
/// and updates the staleness gauges; on shutdown finishes every client stream, so handlers that
/// are still waiting for updates return promptly.
struct LiveHubHousekeeping: Service {
    let hub: LiveHub
    let tiles: TileStore
    let intervalSeconds: Int

    func run() async throws {
        let interval = Duration.seconds(max(1, intervalSeconds))
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            guard !Task.isShuttingDownGracefully, !Task.isCancelled else { break }
            let now = WallClock.nowMillis()
            hub.broadcastStatus(now: now)
            hub.metrics?.recordStaleness(hub.allStates(), tiles: tiles.serverSummaries(), now: now)
        }
        hub.finishAll()
    }
}
