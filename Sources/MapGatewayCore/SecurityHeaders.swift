/// The security headers every response of the gateway's HTTP stack carries (the tile fast path
/// adds its own): a strict Content-Security-Policy (no inline script or style, nothing from
/// other origins), `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`.
///
/// Pure: ``SecurityHeadersMiddleware`` puts them on responses.
package struct SecurityHeaders: Sendable, Hashable {
    /// The `frame-ancestors` sources: `'none'` (no embedding, the default), or the origins that
    /// may embed the map in a frame, e.g. `https://wiki.example.org`.
    package var frameAncestors: String

    /// `frameAncestors` must satisfy ``isValidFrameAncestors(_:)``.
    package init(frameAncestors: String = SecurityHeaders.defaultFrameAncestors) {
        self.frameAncestors = frameAncestors
    }

    /// The default `frame-ancestors`: no page may frame the map.
    package static let defaultFrameAncestors = "'none'"

    /// The `Content-Security-Policy` value. The page's scripts and styles are files of the
    /// gateway; tiles are same-origin images (`data:` for the empty tile, `blob:` for Leaflet);
    /// the API and WebSocket are same-origin.
    package var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            + "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors \(frameAncestors)"
    }

    /// The headers as (name, value) pairs.
    package var fields: [(name: String, value: String)] {
        [
            ("Content-Security-Policy", contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
        ]
    }

    /// Whether `value` is a list of CSP source expressions that cannot end the directive or the
    /// header: non-empty, printable ASCII without `;` or `,`.
    package static func isValidFrameAncestors(_ value: String) -> Bool {
        !value.trimmedOf(" ").isEmpty
            && value.utf8.allSatisfy { c in c >= 0x20 && c < 0x7F && c != UInt8(ascii: ";") && c != UInt8(ascii: ",") }
    }
}
