/// Why the gateway rejected a request. Each case maps to an HTTP status
/// (`GatewayError+HTTP.swift` in MapGatewayServer).
package enum GatewayError: Error, Sendable, Hashable {
    /// A path or query component is malformed or out of range (400).
    case invalidRequest(String)
    /// The addressed resource does not exist (404).
    case notFound
    /// Viewer authentication is on and the request has no valid credential (401). `basic`:
    /// users are configured, so browsers are asked for a user name and password.
    case unauthorized(basic: Bool)
    /// The request is understood but not allowed (403), e.g. a WebSocket from a foreign origin.
    case forbidden(String)
    /// Too many failed credentials from this client: try again after `retryAfterSeconds` (429).
    case tooManyRequests(retryAfterSeconds: Int)
    /// A local store the answer needs failed (503), e.g. the history store.
    case unavailable(String)
}
