import MapGatewayCore
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import Shared

/// The live-update WebSocket, `GET /ws?server=<id>`.
///
/// The upgrade is only accepted for a valid server id; otherwise the request falls through to
/// the HTTP router, which answers 400 (see ``WebSocketRoutes/registerFallback(on:)``). After the
/// upgrade the client gets a `snapshot` message, then every update of that server. Messages the
/// client sends are ignored (the stream is read only to notice the close).
struct WebSocketRoutes {
    let hub: LiveHub
    let maxFrameSize: Int

    /// The server id of a WebSocket request, if present and valid.
    static func serverParameter(_ request: Request) -> String? {
        guard let server = request.uri.queryParameters.get("server"), Identifier.isValidServerID(server) else {
            return nil
        }
        return server
    }

    func register(on router: some RouterMethods<GatewayWebSocketContext>) {
        router.ws("ws") { request, _ in
            Self.serverParameter(request) == nil ? .dontUpgrade : .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            guard let server = Self.serverParameter(context.request) else {
                try await outbound.close(.policyViolation, reason: "missing or invalid server")
                return
            }
            try await self.serve(server: server, inbound: inbound, outbound: outbound, logger: context.logger)
        }
    }

    /// Plain-HTTP answers on `/ws` for requests that were not upgraded.
    static func registerFallback<Context: RequestContext>(on router: some RouterMethods<Context>) {
        router.get("ws") { request, _ throws(GatewayError) -> Response in
            guard serverParameter(request) != nil else { throw .invalidRequest("missing or invalid server") }
            throw .invalidRequest("expected a WebSocket upgrade")
        }
    }

    private func serve(
        server: String, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger
    ) async throws {
        let subscription = hub.subscribe(server: server)
        defer { hub.unsubscribe(subscription.id) }
        logger.debug("WebSocket client connected", metadata: ["server": "\(server)", "client": "\(subscription.id)"])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Drain (and ignore) client frames; ends when the peer or the server closes.
                for try await _ in inbound {}
            }
            group.addTask {
                try await Self.writeText(subscription.snapshot, to: outbound, maxFrameSize: maxFrameSize)
                for await message in subscription.messages {
                    try await Self.writeText(message, to: outbound, maxFrameSize: maxFrameSize)
                }
            }
            // Whichever side ends first ends the connection.
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// Writes an already-encoded UTF-8 message as one text message, fragmented if it exceeds the
    /// frame size. The buffer is shared, not copied.
    static func writeText(_ message: ByteBuffer, to outbound: WebSocketOutboundWriter, maxFrameSize: Int) async throws {
        var rest = message
        var opcode = WebSocketOpcode.text
        while rest.readableBytes > maxFrameSize {
            let slice = rest.readSlice(length: maxFrameSize)!
            try await outbound.write(.custom(WebSocketFrame(fin: false, opcode: opcode, data: slice)))
            opcode = .continuation
        }
        try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: opcode, data: rest)))
    }
}
