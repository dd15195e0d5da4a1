#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hummingbird
import Logging
import Shared
import NIOCore

/// One file served from memory.
public struct StaticAsset: Sendable, Hashable {
    /// The bytes.
    public var bytes: ByteBuffer
    /// The `Content-Type` header value.
    public var contentType: String
    /// A strong content ETag.
    public var eTag: String

    /// Creates an asset and computes its ETag.
    public init(bytes: [UInt8], contentType: String) {
        self.bytes = ByteBuffer(bytes: bytes)
        self.contentType = contentType
        self.eTag = ContentHash.strongETag(bytes)
    }
}

/// Every static file the gateway serves, held in memory and keyed by exact URL path. A request
/// path is only ever used as a dictionary key, so no request reaches the filesystem.
public struct StaticAssets: Sendable {
    /// The Leaflet files read from the Leaflet directory, relative to it.
    public static let leafletFiles: [(name: String, contentType: String)] = [
        ("leaflet.js", "text/javascript; charset=utf-8"),
        ("leaflet.css", "text/css; charset=utf-8"),
        ("images/layers.png", "image/png"),
        ("images/layers-2x.png", "image/png"),
        ("images/marker-icon.png", "image/png"),
        ("images/marker-icon-2x.png", "image/png"),
        ("images/marker-shadow.png", "image/png"),
    ]

    /// Assets by URL path, e.g. "/app.js" or "/leaflet/leaflet.css".
    public private(set) var assets: [String: StaticAsset]

    /// The page's own files plus Leaflet's from `leafletDirectory`; a missing Leaflet file is
    /// logged and left out (the page then cannot load, but the API keeps working).
    public init(leafletDirectory: String, logger: Logger) {
        var assets: [String: StaticAsset] = [
            "/": StaticAsset(bytes: Array(WebAssets.indexHTML.utf8), contentType: "text/html; charset=utf-8"),
            "/app.js": StaticAsset(bytes: Array(WebAssets.appJS.utf8), contentType: "text/javascript; charset=utf-8"),
            "/live.js": StaticAsset(bytes: Array(WebAssets.liveJS.utf8), contentType: "text/javascript; charset=utf-8"),
            "/app.css": StaticAsset(bytes: Array(WebAssets.appCSS.utf8), contentType: "text/css; charset=utf-8"),
        ]
        assets["/index.html"] = assets["/"]
        let base = URL(fileURLWithPath: leafletDirectory, isDirectory: true)
        for file in Self.leafletFiles {
            let url = base.appendingPathComponent(file.name)
            do {
                let data = try Data(contentsOf: url)
                assets["/leaflet/" + file.name] = StaticAsset(bytes: Array(data), contentType: file.contentType)
            } catch {
                logger.warning(
                    "Leaflet file missing; the web page will not work",
                    metadata: ["path": "\(url.path)", "error": "\(error)"])
            }
        }
        self.assets = assets
    }

    /// The asset at `path`, if any.
    public subscript(path: String) -> StaticAsset? { assets[path] }

    /// Serves `GET`/`HEAD` for every asset path (each route is an exact path; nothing is
    /// resolved against a directory). The page is `basePath` itself; the base path without its
    /// trailing slash redirects there, so the page's relative URLs resolve under it.
    func register<Context: RequestContext>(on router: some RouterMethods<Context>, basePath: String) {
        for (path, asset) in assets {
            let routePath = RouterPath(stringLiteral: path == "/" ? "" : String(path.dropFirst()))
            router.get(routePath) { request, _ in
                if path == "/", !request.uri.path.hasSuffix("/") {
                    return Response(status: .movedPermanently, headers: [.location: basePath])
                }
                var headers: HTTPFields = [.eTag: asset.eTag, .cacheControl: "no-cache"]
                if ConditionalRequest.ifNoneMatchMatches(request.headers, eTag: asset.eTag) {
                    return Response(status: .notModified, headers: headers)
                }
                headers[.contentType] = asset.contentType
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.bytes))
            }
        }
    }
}
