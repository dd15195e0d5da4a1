import Settings

/// Settings of the map gateway's HTTP/WebSocket server; the defaults of those a user can set are
/// the declarations' in ``GatewaySettings``.
package struct GatewayConfiguration: Sendable {
    /// Address to bind, e.g. "0.0.0.0" or "127.0.0.1".
    package var host: String
    /// Port to bind; 0 picks a free port (tests).
    package var port: Int
    /// Directory holding Leaflet's `leaflet.js`, `leaflet.css` and `images/*.png`; read once at
    /// startup (Debian's `libjs-leaflet` installs it at the default).
    package var leafletDirectory: String
    /// Messages each WebSocket client may have waiting before its oldest ones are dropped.
    package var wsQueueDepth: Int
    /// Player updates of a server within this many milliseconds go to clients as one `players`
    /// message (0: each at once). See ``LiveHub``.
    package var playerFrameMillis: Int
    /// Connections the kernel may queue before they are accepted (a page reload by many
    /// viewers at once, or a load balancer moving them over, arrives as a burst).
    package var listenBacklog: Int
    /// Seconds between WebSocket pings (0 disables them).
    package var wsPingSeconds: Int
    /// Largest WebSocket frame sent or received, in bytes (larger messages are fragmented).
    package var wsMaxFrameSize: Int
    /// A server whose last packet is older than this many seconds is reported as stale.
    package var staleAfterSeconds: Int
    /// Seconds between `status` messages to every WebSocket client (the page's heartbeat).
    package var statusIntervalSeconds: Int
    /// The server name sent in the `Server` header and used as the logger label.
    package var serverName: String
    /// The path prefix every route lives under, for reverse proxies ("/" or e.g. "/map/").
    package var basePath: String {
        didSet { basePath = Self.normalizedBasePath(basePath) }
    }
    /// Viewer authentication (disabled when it has no credentials).
    package var auth: ViewerAuth
    /// Origins allowed to use the API, tiles and WebSocket cross-origin.
    package var cors: CORSSettings
    /// Proxies whose `X-Forwarded-*` headers are believed.
    package var trustedProxies: [CIDR]
    /// Tile requests the fast path answers on one connection before it stops reading and waits
    /// for those answers to leave: with the channel's writability, bounds what a client that
    /// pipelines requests and never reads makes the gateway buffer (see ``TileFastPathMachine``).
    package var maxPipelinedTiles: Int
    /// The pages that may embed the map in a frame: the Content-Security-Policy's
    /// `frame-ancestors` sources (``SecurityHeaders``), `'none'` by default.
    package var frameAncestors: String
    /// Seconds a request head may take from its first byte to its end (``ConnectionGuardMachine``).
    package var headerTimeoutSeconds: Int
    /// Seconds a keep-alive connection may wait for its next request (not WebSockets).
    package var idleTimeoutSeconds: Int
    /// Connections open at once; further ones are closed as soon as they are accepted.
    package var maxConnections: Int
    /// Password hashes verified at once, off the cooperative pool.
    package var authConcurrency: Int
    /// Bounds on the live state kept from the `live` topic.
    package var liveLimits: LiveLimits
    /// `/metrics` has a port of its own (``CommonSettings/metricsPort`` is set): the gateway's
    /// port serves only `/healthz` of the two, so a public Service of that port never shows the
    /// metrics. Off by default: `/metrics` is served on the gateway's port.
    package var metricsOnOwnPort = false

    /// Creates a configuration; every parameter has a production default.
    package init(
        host: String = GatewaySettings.host.defaultValue,
        port: Int = GatewaySettings.port.defaultValue,
        leafletDirectory: String = GatewaySettings.leafletDir.defaultValue,
        wsQueueDepth: Int = GatewaySettings.wsQueueDepth.defaultValue,
        playerFrameMillis: Int = GatewaySettings.playerFrameMillis.defaultValue,
        listenBacklog: Int = GatewaySettings.listenBacklog.defaultValue,
        wsPingSeconds: Int = 30,
        wsMaxFrameSize: Int = 1 << 16,
        staleAfterSeconds: Int = GatewaySettings.staleAfterSeconds.defaultValue,
        statusIntervalSeconds: Int = 10,
        serverName: String = "kafkatorio-map-gateway",
        basePath: String = GatewaySettings.basePath.defaultValue,
        auth: ViewerAuth = ViewerAuth(token: nil, users: [:]),
        cors: CORSSettings = CORSSettings(),
        trustedProxies: [CIDR] = [],
        maxPipelinedTiles: Int = GatewaySettings.maxPipelinedTiles.defaultValue,
        frameAncestors: String = SecurityHeaders.defaultFrameAncestors,
        headerTimeoutSeconds: Int = GatewaySettings.headerTimeoutSeconds.defaultValue,
        idleTimeoutSeconds: Int = GatewaySettings.idleTimeoutSeconds.defaultValue,
        maxConnections: Int = GatewaySettings.maxConnections.defaultValue,
        authConcurrency: Int = GatewaySettings.authConcurrency.defaultValue,
        liveLimits: LiveLimits = LiveLimits()
    ) {
        self.host = host
        self.port = port
        self.leafletDirectory = leafletDirectory
        self.wsQueueDepth = wsQueueDepth
        self.playerFrameMillis = playerFrameMillis
        self.listenBacklog = listenBacklog
        self.wsPingSeconds = wsPingSeconds
        self.wsMaxFrameSize = wsMaxFrameSize
        self.staleAfterSeconds = staleAfterSeconds
        self.statusIntervalSeconds = statusIntervalSeconds
        self.serverName = serverName
        self.basePath = Self.normalizedBasePath(basePath)
        self.auth = auth
        self.cors = cors
        self.trustedProxies = trustedProxies
        self.maxPipelinedTiles = maxPipelinedTiles
        self.frameAncestors = frameAncestors
        self.headerTimeoutSeconds = headerTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxConnections = maxConnections
        self.authConcurrency = authConcurrency
        self.liveLimits = liveLimits
    }

    /// "/", or the path with exactly one leading and one trailing slash ("map" → "/map/").
    /// Only `[A-Za-z0-9._~-]` segments are allowed; anything else falls back to "/".
    package static func normalizedBasePath(_ path: String) -> String {
        let segments = path.split(separator: "/")
        let valid = segments.allSatisfy { seg in
            seg != "." && seg != ".."
                && seg.utf8.allSatisfy { c in
                    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                        || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "~")
                        || c == UInt8(ascii: "-")
                }
        }
        guard valid, !segments.isEmpty else { return "/" }
        return "/" + segments.joined(separator: "/") + "/"
    }
}
