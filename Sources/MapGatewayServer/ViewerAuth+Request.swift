import Hummingbird
import MapGatewayCore

extension ViewerGate {
    /// The viewer `request` from `client` authenticates as, and whether a cookie should be set
    /// (see ``admit(client:authorization:queryToken:cookie:)``).
    func admit(_ request: Request, client: String) async throws(GatewayError) -> (viewer: String, setCookie: Bool) {
        try await admit(
            client: client, authorization: request.headers[.authorization],
            queryToken: request.uri.queryParameters.get("token"), cookie: request.cookies[ViewerAuth.cookieName]?.value)
    }
}
