import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// Who is asking, as far as the gateway can tell: the peer address, or the client behind a
/// trusted reverse proxy (see ``ForwardedHeaders``), and the scheme and host it used.
public struct ClientInfo: Sendable, Hashable {
    /// The client's IP address as text ("" when unknown, e.g. in-memory tests).
    public var address: String
    /// "https" or "http" as the client sees the gateway.
    public var scheme: String
    /// The `Host` the client used (from `X-Forwarded-Host` only behind a trusted proxy).
    public var host: String?
    /// Whether the request came through a trusted proxy whose forwarded headers were applied.
    public var viaTrustedProxy: Bool

    /// An unknown client on plain HTTP.
    public static let unknown = ClientInfo(address: "", scheme: "http", host: nil, viaTrustedProxy: false)
}

/// What every gateway request context carries beyond Hummingbird's: the peer address and the
/// resolved ``ClientInfo`` (set by ``GatewayPolicyMiddleware``).
public protocol GatewayRequestContextProtocol: RemoteAddressRequestContext {
    /// The resolved client; ``ClientInfo/unknown`` until the policy middleware ran.
    var client: ClientInfo { get set }
    /// The authenticated viewer, if viewer authentication is on.
    var viewer: String? { get set }
}

/// The request context of the gateway's HTTP routes.
public struct GatewayRequestContext: GatewayRequestContextProtocol {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var client: ClientInfo = .unknown
    public var viewer: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}

/// The request context of the WebSocket upgrade route.
public struct GatewayWebSocketContext: GatewayRequestContextProtocol, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    public let remoteAddress: SocketAddress?
    public var client: ClientInfo = .unknown
    public var viewer: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.remoteAddress = source.channel.remoteAddress
    }
}
