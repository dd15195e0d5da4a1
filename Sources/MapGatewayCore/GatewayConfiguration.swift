/// Settings of the map gateway's HTTP/WebSocket server.
public struct GatewayConfiguration: Sendable, Hashable {
    /// Address to bind, e.g. "0.0.0.0" or "127.0.0.1".
    public var host: String
    /// Port to bind; 0 picks a free port (tests).
    public var port: Int
    /// Directory holding Leaflet's `leaflet.js`, `leaflet.css` and `images/*.png`; read once at
    /// startup (Debian's `libjs-leaflet` installs it at the default).
    public var leafletDirectory: String
    /// Messages each WebSocket client may have waiting before its oldest ones are dropped.
    public var wsQueueDepth: Int
    /// Seconds between WebSocket pings (0 disables them).
    public var wsPingSeconds: Int
    /// Largest WebSocket frame sent or received, in bytes (larger messages are fragmented).
    public var wsMaxFrameSize: Int
    /// A server whose last packet is older than this many seconds is reported as stale.
    public var staleAfterSeconds: Int
    /// The server name sent in the `Server` header and used as the logger label.
    public var serverName: String

    /// Creates a configuration; every parameter has a production default.
    public init(
        host: String = "0.0.0.0",
        port: Int = 8080,
        leafletDirectory: String = "/usr/share/javascript/leaflet",
        wsQueueDepth: Int = 256,
        wsPingSeconds: Int = 30,
        wsMaxFrameSize: Int = 1 << 16,
        staleAfterSeconds: Int = 60,
        serverName: String = "kafkatorio-map-gateway"
    ) {
        self.host = host
        self.port = port
        self.leafletDirectory = leafletDirectory
        self.wsQueueDepth = wsQueueDepth
        self.wsPingSeconds = wsPingSeconds
        self.wsMaxFrameSize = wsMaxFrameSize
        self.staleAfterSeconds = staleAfterSeconds
        self.serverName = serverName
    }
}
