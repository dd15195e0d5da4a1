package import Hummingbird
package import MapGatewayCore

/// The HTTP answer of each ``GatewayError``.
extension GatewayError: HTTPResponseError {
    /// The HTTP status of this error.
    package var status: HTTPResponse.Status {
        switch self {
        case .invalidRequest: .badRequest
        case .notFound: .notFound
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .tooManyRequests: .tooManyRequests
        case .unavailable: .serviceUnavailable
        }
    }

    /// Headers of the error response.
    package var headers: HTTPFields {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"]
        if case .unauthorized(let basic) = self {
            headers[.wwwAuthenticate] = basic ? "Basic realm=\"Kafkatorio\", charset=\"UTF-8\"" : "Bearer"
        }
        if case .tooManyRequests(let seconds) = self { headers[.retryAfter] = "\(seconds)" }
        return headers
    }

    /// Writes a short plain-text body.
    package func response(from request: Request, context: some RequestContext) throws -> Response {
        let text: String =
            switch self {
            case .invalidRequest(let why): "bad request: \(why)\n"
            case .notFound: "not found\n"
            case .unauthorized: "authentication required: open the map with ?token=… or log in\n"
            case .forbidden(let why): "forbidden: \(why)\n"
            case .tooManyRequests(let seconds): "too many failed logins: try again in \(seconds) s\n"
            case .unavailable(let what): "unavailable: \(what) failed\n"
            }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
