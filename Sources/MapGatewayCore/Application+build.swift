import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle

/// Builds the gateway's HTTP router: tiles, REST API, static page and health check.
///
/// Exposed so tests can drive it in memory; ``buildApplication(configuration:tileStore:liveHub:logger:)``
/// is what runs in production.
public func buildRouter(
    configuration: GatewayConfiguration, tileStore: TileStore, liveHub: LiveHub, assets: StaticAssets
) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.get("healthz") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: "ok")))
    }
    TileRoutes(tiles: tileStore).register(on: router)
    APIRoutes(tiles: tileStore, hub: liveHub, staleAfterSeconds: configuration.staleAfterSeconds)
        .register(on: router)
    WebSocketRoutes.registerFallback(on: router)
    assets.register(on: router)
    return router
}

/// Builds the gateway application: HTTP/1 with WebSocket upgrade on `configuration.host`:`port`.
///
/// The Kafka side feeds `tileStore` and `liveHub`; this function only reads them. Leaflet's files
/// are read from `configuration.leafletDirectory` once, here. Run the result with
/// `try await app.runService()` (graceful shutdown on SIGTERM/SIGINT: the listener stops, open
/// WebSockets get a normal close frame, then the hub finishes every client stream).
public func buildApplication(
    configuration: GatewayConfiguration,
    tileStore: TileStore,
    liveHub: LiveHub,
    logger: Logger
) -> some ApplicationProtocol {
    let assets = StaticAssets(leafletDirectory: configuration.leafletDirectory, logger: logger)
    let router = buildRouter(configuration: configuration, tileStore: tileStore, liveHub: liveHub, assets: assets)

    let wsRouter = Router(context: BasicWebSocketRequestContext.self)
    WebSocketRoutes(hub: liveHub, maxFrameSize: configuration.wsMaxFrameSize).register(on: wsRouter)

    let autoPing: AutoPingSetup =
        configuration.wsPingSeconds > 0 ? .enabled(timePeriod: .seconds(configuration.wsPingSeconds)) : .disabled
    let wsConfiguration = WebSocketServerConfiguration(
        maxFrameSize: configuration.wsMaxFrameSize, autoPing: autoPing, closeTimeout: .seconds(5))

    var app = Application(
        router: router,
        server: .http1WebSocketUpgrade(
            webSocketRouter: wsRouter, configuration: .init(http1: .init(), ws: wsConfiguration)),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: configuration.serverName),
        logger: logger
    )
    app.addServices(LiveHubShutdownService(hub: liveHub))
    return app
}

/// Finishes every WebSocket client's stream when the application shuts down, so handlers that
/// are still waiting for updates return promptly.
struct LiveHubShutdownService: Service {
    let hub: LiveHub

    func run() async throws {
        try? await gracefulShutdown()
        hub.finishAll()
    }
}
