package import MapGatewayCore
import HTTPTypes
package import Hummingbird
import NIOCore

/// The gateway's request policy, run first on every HTTP and WebSocket-upgrade request:
/// 1. resolves the client (``ForwardedHeaders``, only from trusted proxies);
/// 2. answers CORS preflights and adds CORS headers for allowed origins;
/// 3. refuses WebSocket upgrades from foreign origins (cookies would otherwise let any site
///    read a protected map: cross-site WebSocket hijacking);
/// 4. enforces ``ViewerAuth`` through the ``ViewerGate`` (except `healthz`/`metrics`, which
///    probes and scrapers reach), setting the session cookie after a token or password was
///    accepted.
///
/// CORS: an origin listed by name is answered with `Access-Control-Allow-Credentials: true` (it
/// may read with the viewer's cookie); an origin allowed only by `*` is not (any site may read
/// what needs no credential, none may read with the viewer's), and when viewer auth is on its
/// WebSocket upgrades are refused like a foreign origin's (browsers send cookies with them).
package struct GatewayPolicyMiddleware<Context: GatewayRequestContextProtocol>: RouterMiddleware {
    package let gate: ViewerGate
    package var auth: ViewerAuth { gate.auth }
    package let cors: CORSSettings
    package let forwarded: ForwardedHeaders
    /// The base path with a trailing slash ("/" or "/map/"), the cookie's path.
    package let basePath: String

    package init(gate: ViewerGate, cors: CORSSettings, forwarded: ForwardedHeaders, basePath: String) {
        self.gate = gate
        self.cors = cors
        self.forwarded = forwarded
        self.basePath = basePath
    }

    package func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.client = forwarded.resolve(
            peer: context.remoteAddress?.ipAddress, authority: request.head.authority, headers: request.headers)
        let origin = request.headers[.origin]
        let crossOrigin = origin.map { !Self.isSameOrigin($0, client: context.client) } ?? false
        let allowedOrigin = crossOrigin && origin.map(cors.allows) == true ? origin : nil
        let withCredentials = allowedOrigin.map(cors.allowsCredentials) ?? false

        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers: HTTPFields = [.vary: "Origin"]
            if let allowedOrigin {
                headers[.accessControlAllowOrigin] = allowedOrigin
                headers[.accessControlAllowMethods] = "GET, HEAD, OPTIONS"
                headers[.accessControlAllowHeaders] = "Authorization, If-None-Match"
                if withCredentials { headers[.accessControlAllowCredentials] = "true" }
                headers[.accessControlMaxAge] = "600"
            }
            return Response(status: .noContent, headers: headers)
        }
        // Only browsers can be tricked into a cross-site WebSocket, and they send http(s) origins
        // (or "null"); other clients (e.g. `ws://host` from a WebSocket library) are not refused.
        if crossOrigin, allowedOrigin == nil || (auth.enabled && !withCredentials),
            request.headers[.upgrade]?.lowercased() == "websocket",
            let origin, origin.hasPrefix("http://") || origin.hasPrefix("https://") || origin == "null"
        {
            throw GatewayError.forbidden("WebSocket from a foreign origin")
        }

        var setCookie = false
        if auth.enabled, !isOpenPath(request.uri.path) {
            let result = try await gate.admit(request, client: context.client.address)
            context.viewer = result.viewer
            setCookie = result.setCookie
        }
        var response = try await next(request, context)
        if let allowedOrigin {
            response.headers[.accessControlAllowOrigin] = allowedOrigin
            if withCredentials { response.headers[.accessControlAllowCredentials] = "true" }
            response.headers[.accessControlExposeHeaders] = "ETag"
            response.headers.append(HTTPField(name: .vary, value: "Origin"))
        }
        if setCookie, let viewer = context.viewer {
            let secure = context.client.scheme == "https" ? "; Secure" : ""
            response.headers.append(
                HTTPField(
                    name: .setCookie,
                    value: "\(ViewerAuth.cookieName)=\(auth.cookieValue(viewer: viewer)); Path=\(basePath); "
                        + "HttpOnly; SameSite=Lax\(secure)"))
        }
        return response
    }

    /// `/healthz` and `/metrics` (at the root, not under the base path) need no credentials.
    private func isOpenPath(_ path: String) -> Bool {
        path == "/healthz" || path == "/metrics"
    }

    /// Whether `origin` (`scheme://host[:port]`) is the gateway itself as the client reached it.
    static func isSameOrigin(_ origin: String, client: ClientInfo) -> Bool {
        guard let host = client.host else { return false }
        return origin == "\(client.scheme)://\(host)"
            || (client.scheme == "http" && origin == "http://\(host):80")
            || (client.scheme == "https" && origin == "https://\(host):443")
    }
}
