import Hummingbird
import MapGatewayCore

extension ViewerAuth {
    /// The viewer `request` authenticates as, and whether a cookie should be set; nil when the
    /// request carries no valid credential (see ``ViewerAuth/authenticate(authorization:queryToken:cookie:)``).
    func authenticate(_ request: Request) -> (viewer: String, setCookie: Bool)? {
        authenticate(
            authorization: request.headers[.authorization], queryToken: request.uri.queryParameters.get("token"),
            cookie: request.cookies[Self.cookieName]?.value)
    }
}
