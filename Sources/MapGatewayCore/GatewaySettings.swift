package import Settings

/// MapGateway's settings, each declared once (key, flag, default, help);
/// ``GatewayConfiguration`` takes its defaults from them.
package enum GatewaySettings {
    package static let host = Setting.string(
        "gateway.host", flag: "host", default: CommonSettings.defaultListenHost,
        help: "Listen address (0.0.0.0 for every interface).")
    package static let port = Setting.port(
        "gateway.port", flag: "port", default: 8080,
        help: "Listen port; also serves /healthz, and /metrics unless --metrics-port is set.")
    package static let leafletDir = Setting.string(
        "gateway.leafletDir", flag: "leaflet-dir", default: "/usr/share/javascript/leaflet",
        help: "Directory of leaflet.js, leaflet.css and images/ (Debian's libjs-leaflet).")
    package static let basePath = Setting.string(
        "gateway.basePath", flag: "base-path", default: "/", help: "Path prefix behind a reverse proxy, e.g. /map/.")
    package static let tokenFile = Setting.optionalString(
        "gateway.tokenFile", flag: "token-file", defaultText: "none, no token",
        help: "File holding the viewer token; enables viewer auth.")
    package static let usersFile = Setting.optionalString(
        "gateway.usersFile", flag: "users-file", defaultText: "none, no users",
        help: "Viewer users, lines '<name> <pbkdf2-sha256 hash>'; enables viewer auth.")
    package static let corsOrigins = Setting.list(
        "gateway.corsOrigins", flag: "cors-origins", defaultText: "none, same origin only",
        help: "Origins allowed cross-origin, comma-separated, or *.")
    package static let trustedProxies = Setting.list(
        "gateway.trustedProxies", flag: "trusted-proxies", defaultText: "none",
        help: "CIDRs whose X-Forwarded-* headers are believed, comma-separated.")
    package static let wsQueueDepth = Setting.int(
        "gateway.wsQueueDepth", flag: "ws-queue-depth", default: 256, range: 1...1_000_000,
        help: "Messages a WebSocket client may have waiting before its oldest are dropped.")
    package static let playerFrameMillis = Setting.int(
        "gateway.playerFrameMillis", flag: "player-frame-millis", default: 100, range: 0...60_000,
        help: "Player updates within this many milliseconds go out as one message (0: each at once).")
    package static let listenBacklog = Setting.int(
        "gateway.listenBacklog", flag: "listen-backlog", default: 1024, range: 1...65_535,
        help: "Connections the kernel may queue before they are accepted.")
    package static let staleAfterSeconds = Setting.int(
        "gateway.staleAfterSeconds", flag: "stale-after-seconds", default: 60, range: 1...86_400,
        help: "A server whose last packet is older than this many seconds is reported stale.")
    package static let maxPipelinedTiles = Setting.int(
        "gateway.maxPipelinedTiles", flag: "max-pipelined-tiles", default: 16, range: 1...10_000,
        help: "Tile answers the fast path writes on one connection before it waits for them to leave.")
    package static let frameAncestors = Setting.string(
        "gateway.frameAncestors", flag: "frame-ancestors", default: SecurityHeaders.defaultFrameAncestors,
        help: "Pages that may embed the map in a frame: CSP frame-ancestors sources (no ; or ,).")

    package static let headerTimeoutSeconds = Setting.int(
        "gateway.headerTimeoutSeconds", flag: "header-timeout-seconds", default: 10, range: 1...3600,
        help: "A request head must arrive whole within this many seconds of its first byte (slowloris).")
    package static let idleTimeoutSeconds = Setting.int(
        "gateway.idleTimeoutSeconds", flag: "idle-timeout-seconds", default: 60, range: 1...86_400,
        help: "A keep-alive connection with no request for this many seconds is closed (not WebSockets).")
    package static let maxConnections = Setting.int(
        "gateway.maxConnections", flag: "max-connections", default: 8192, range: 1...1_000_000,
        help: "Open connections (HTTP and WebSocket); more are closed at once and counted.")
    package static let authConcurrency = Setting.int(
        "gateway.authConcurrency", flag: "auth-concurrency", default: 2, range: 1...64,
        help: "Password hashes verified at once, each on a thread of its own (not the async pool).")
    package static let maxServers = Setting.int(
        "gateway.maxServers", flag: "max-servers", default: 1000, range: 1...1_000_000,
        help: "Game servers whose live state is kept; records of further servers are ignored.")
    package static let maxPlayersPerServer = Setting.int(
        "gateway.maxPlayersPerServer", flag: "max-players-per-server", default: 1000, range: 1...1_000_000,
        help: "Players kept per server; updates of further players are ignored.")
    package static let maxSurfacesPerServer = Setting.int(
        "gateway.maxSurfacesPerServer", flag: "max-surfaces-per-server", default: 1000, range: 1...1_000_000,
        help: "Surfaces kept per server; further surfaces are ignored.")
    package static let maxTagsPerServer = Setting.int(
        "gateway.maxTagsPerServer", flag: "max-tags-per-server", default: 10_000, range: 1...1_000_000,
        help: "Chart tags kept per server; further tags are ignored.")
    package static let maxStationsPerServer = Setting.int(
        "gateway.maxStationsPerServer", flag: "max-stations-per-server", default: 10_000, range: 1...1_000_000,
        help: "Train stops kept per server; further stops are ignored.")
    package static let maxTrainsPerServer = Setting.int(
        "gateway.maxTrainsPerServer", flag: "max-trains-per-server", default: 10_000, range: 1...1_000_000,
        help: "Trains kept per server; further trains are ignored.")
    package static let maxPlatformsPerServer = Setting.int(
        "gateway.maxPlatformsPerServer", flag: "max-platforms-per-server", default: 1000, range: 1...1_000_000,
        help: "Space platforms kept per server; further platforms are ignored.")
    package static let tileDirectory = Setting.string(
        "gateway.tileDirectory", flag: "tile-directory", default: "map-gateway-tiles",
        help: "Directory of the tiles on local disk, with the tiles offsets (relative: to the working directory; empty: memory only).")
    package static let tileCacheMiB = Setting.int(
        "gateway.tileCacheMiB", flag: "tile-cache-mib", default: 64, range: 1...1_048_576,
        help: "MiB of hot tiles kept in memory over the tile directory (the rest is read from disk).")

    /// The tile history switch (issue 16).
    package static let history = Setting.toggle(
        "gateway.history", flag: "history", default: true,
        help: "Keep and serve the tile history (?at=, /history); --history=false turns it off.")
    /// The tile history's local store (issue 16).
    package static let historyDirectory = Setting.string(
        "gateway.historyDirectory", flag: "history-directory", default: "",
        help: "Directory of the tile history's local store; empty: <tile-directory>-history (no history without a tile directory).")

    /// Every gateway setting, in help order.
    package static let all: [AnySetting] = [
        host.erased, port.erased, leafletDir.erased, basePath.erased, tokenFile.erased, usersFile.erased,
        corsOrigins.erased, trustedProxies.erased, wsQueueDepth.erased, playerFrameMillis.erased,
        listenBacklog.erased, staleAfterSeconds.erased, maxPipelinedTiles.erased, frameAncestors.erased,
        headerTimeoutSeconds.erased, idleTimeoutSeconds.erased, maxConnections.erased, authConcurrency.erased,
        maxServers.erased, maxPlayersPerServer.erased, maxSurfacesPerServer.erased,
        maxTagsPerServer.erased, maxStationsPerServer.erased, maxTrainsPerServer.erased, maxPlatformsPerServer.erased,
        tileDirectory.erased, tileCacheMiB.erased, history.erased, historyDirectory.erased,
    ]
    /// Every setting of the MapGateway command: its own and the common ones, the metrics endpoint
    /// included (off by default: the gateway then serves /metrics and /healthz on its own port).
    package static let command: [AnySetting] = all + CommonSettings.service
}
