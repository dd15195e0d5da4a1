package import MapGatewayCore
import HTTPTypes
package import Hummingbird

/// Puts ``SecurityHeaders`` on every response of the router, error responses included (it is
/// the outermost middleware, so the policy's 401/403 and the router's 404 carry them too) —
/// except under `exemptPrefix`: the tile routes answer with their own header set
/// (`TileAnswers`: nosniff, no CSP on images), which the tile fast path must repeat byte for byte.
package struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    private let fields: [HTTPField]
    private let exemptPrefix: String?

    /// - Parameter exemptPrefix: a path prefix (e.g. `/tiles/`) whose responses are left as they are.
    package init(_ headers: SecurityHeaders, exemptPrefix: String? = nil) {
        self.fields = headers.fields.compactMap { f in HTTPField.Name(f.name).map { HTTPField(name: $0, value: f.value) } }
        self.exemptPrefix = exemptPrefix
    }

    package func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        if let exemptPrefix, request.uri.path.hasPrefix(exemptPrefix) { return response }
        for field in fields { response.headers[field.name] = field.value }
        return response
    }
}
