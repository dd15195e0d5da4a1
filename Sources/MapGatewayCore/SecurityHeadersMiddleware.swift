import HTTPTypes
import Hummingbird

/// Puts ``SecurityHeaders`` on every response of the router, error responses included (it is
/// the outermost middleware, so the policy's 401/403 and the router's 404 carry them too).
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    private let fields: [HTTPField]

    public init(_ headers: SecurityHeaders) {
        self.fields = headers.fields.compactMap { f in HTTPField.Name(f.name).map { HTTPField(name: $0, value: f.value) } }
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        for field in fields { response.headers[field.name] = field.value }
        return response
    }
}
