import Hummingbird

/// Why the gateway rejected a request. Each case maps to an HTTP status.
public enum GatewayError: Error, Sendable, Hashable, HTTPResponseError {
    /// A path or query component is malformed or out of range (400).
    case invalidRequest(String)
    /// The addressed resource does not exist (404).
    case notFound
    /// Viewer authentication is on and the request has no valid credential (401). `basic`:
    /// users are configured, so browsers are asked for a user name and password.
    case unauthorized(basic: Bool)
    /// The request is understood but not allowed (403), e.g. a WebSocket from a foreign origin.
    case forbidden(String)

    /// The HTTP status of this error.
    public var status: HTTPResponse.Status {
        switch self {
        case .invalidRequest: .badRequest
        case .notFound: .notFound
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        }
    }

    /// Headers of the error response.
    public var headers: HTTPFields {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"]
        if case .unauthorized(let basic) = self {
            headers[.wwwAuthenticate] = basic ? "Basic realm=\"Kafkatorio\", charset=\"UTF-8\"" : "Bearer"
        }
        return headers
    }

    /// Writes a short plain-text body.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let text: String =
            switch self {
            case .invalidRequest(let why): "bad request: \(why)\n"
            case .notFound: "not found\n"
            case .unauthorized: "authentication required: open the map with ?token=… or log in\n"
            case .forbidden(let why): "forbidden: \(why)\n"
            }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
