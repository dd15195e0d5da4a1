import MapGatewayCore
package import Hummingbird
package import HummingbirdWebSocket
package import NIOCore

/// Who is asking, as far as the gateway can tell: the peer address, or the client behind a
/// trusted reverse proxy (see ``ForwardedHeaders``), and the scheme and host it used.
package struct ClientInfo: Sendable, Hashable {
    /// The client's IP address as text ("" when unknown, e.g. in-memory tests).
    package var address: String
    /// "https" or "http" as the client sees the gateway.
    package var scheme: String
    /// The `Host` the client used (from `X-Forwarded-Host` only behind a trusted proxy).
    package var host: String?
    /// Whether the request came through a trusted proxy whose forwarded headers were applied.
    package var viaTrustedProxy: Bool

    /// An unknown client on plain HTTP.
    package static let unknown = ClientInfo(address: "", scheme: "http", host: nil, viaTrustedProxy: false)
}

/// What every gateway request context carries beyond Hummingbird's: the peer address and the
/// resolved ``ClientInfo`` (set by ``GatewayPolicyMiddleware``).
package protocol GatewayRequestContextProtocol: RemoteAddressRequestContext {
    /// The resolved client; ``ClientInfo/unknown`` until the policy middleware ran.
    var client: ClientInfo { get set }
    /// The authenticated viewer, if viewer authentication is on.
    var viewer: String? { get set }
}

/// The request context of the gateway's HTTP routes.
package struct GatewayRequestContext: GatewayRequestContextProtocol {
    package var coreContext: CoreRequestContextStorage
    package let remoteAddress: SocketAddress?
    package var client: ClientInfo = .unknown
    package var viewer: String?

    package init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}

/// The request context of the WebSocket upgrade route.
package struct GatewayWebSocketContext: GatewayRequestContextProtocol, WebSocketRequestContext {
    package var coreContext: CoreRequestContextStorage
    package let webSocket: WebSocketHandlerReference<Self>
    package let remoteAddress: SocketAddress?
    package var client: ClientInfo = .unknown
    package var viewer: String?

    package init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.remoteAddress = source.channel.remoteAddress
    }
}
