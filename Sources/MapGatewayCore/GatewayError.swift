import Hummingbird

/// Why the gateway rejected a request. Each case maps to an HTTP status.
public enum GatewayError: Error, Sendable, Hashable, HTTPResponseError {
    /// A path or query component is malformed or out of range (400).
    case invalidRequest(String)
    /// The addressed resource does not exist (404).
    case notFound

    /// The HTTP status of this error.
    public var status: HTTPResponse.Status {
        switch self {
        case .invalidRequest: .badRequest
        case .notFound: .notFound
        }
    }

    /// Headers of the error response.
    public var headers: HTTPFields { [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"] }

    /// Writes a short plain-text body.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let text: String =
            switch self {
            case .invalidRequest(let why): "bad request: \(why)\n"
            case .notFound: "not found\n"
            }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
