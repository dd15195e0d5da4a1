/// Cross-origin settings: which page origins may read the API and tiles (`Access-Control-Allow-*`)
/// and open the WebSocket. Same-origin requests are always allowed.
package struct CORSSettings: Sendable, Hashable {
    /// Allowed origins, exactly as browsers send them (`https://example.org`), or `*` for any.
    package var allowedOrigins: [String]

    package init(allowedOrigins: [String] = []) {
        self.allowedOrigins = allowedOrigins
    }

    /// Whether `origin` may make cross-origin requests.
    package func allows(_ origin: String) -> Bool {
        allowedOrigins.contains("*") || allowedOrigins.contains(origin)
    }

    /// Whether `origin` may make cross-origin requests with the viewer's credentials (cookie,
    /// `Authorization`): only an origin listed by name, never one allowed only by `*`.
    package func allowsCredentials(_ origin: String) -> Bool {
        origin != "*" && allowedOrigins.contains(origin)
    }
}
