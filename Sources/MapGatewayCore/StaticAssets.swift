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
    static let javaScript = "text/javascript; charset=utf-8"
    static let css = "text/css; charset=utf-8"

    /// The page's own files (`Sources/MapGatewayCore/Web`, compiled into the binary by SwiftPM's
    /// `embedInCode` resource rule) by URL path. The page is `/`; the rest are ES modules and
    /// the style sheet it loads by relative URL.
    static let pageFiles: [(path: String, bytes: [UInt8], contentType: String)] = [
        ("/", PackageResources.index_html, "text/html; charset=utf-8"),
        ("/map.css", PackageResources.map_css, css),
        ("/main.js", PackageResources.main_js, javaScript),
        ("/dom.js", PackageResources.dom_js, javaScript),
        ("/state.js", PackageResources.state_js, javaScript),
        ("/model.js", PackageResources.model_js, javaScript),
        ("/map.js", PackageResources.map_js, javaScript),
        ("/servers.js", PackageResources.servers_js, javaScript),
        ("/players.js", PackageResources.players_js, javaScript),
        ("/live.js", PackageResources.live_js, javaScript),
    ]

    /// The Leaflet files read from the Leaflet directory, relative to it.
    public static let leafletFiles: [(name: String, contentType: String)] = [
        ("leaflet.js", javaScript),
        ("leaflet.css", css),
        ("images/layers.png", "image/png"),
        ("images/layers-2x.png", "image/png"),
        ("images/marker-icon.png", "image/png"),
        ("images/marker-icon-2x.png", "image/png"),
        ("images/marker-shadow.png", "image/png"),
    ]

    /// Assets by URL path, e.g. "/main.js" or "/leaflet/leaflet.css".
    public private(set) var assets: [String: StaticAsset]

    /// The page's own files plus Leaflet's from `leafletDirectory`. A missing Leaflet file is
    /// logged and left out (the page then cannot load, but the API keeps working); a
    /// `leaflet.js` the page cannot run with (``LeafletVersion/check(_:path:)``) is an error,
    /// another 1.x release than the tested one a warning.
    public init(leafletDirectory: String, logger: Logger) throws(LeafletVersionError) {
        var assets: [String: StaticAsset] = [:]
        for file in Self.pageFiles { assets[file.path] = StaticAsset(bytes: file.bytes, contentType: file.contentType) }
        assets["/index.html"] = assets["/"]
        let base = URL(fileURLWithPath: leafletDirectory, isDirectory: true)
        for file in Self.leafletFiles {
            let url = base.appendingPathComponent(file.name)
            let bytes: [UInt8]
            do {
                bytes = Array(try Data(contentsOf: url))
            } catch {
                logger.warning(
                    "Leaflet file missing; the web page will not work",
                    metadata: ["path": "\(url.path)", "error": "\(error)"])
                continue
            }
            if file.name == "leaflet.js", case .untested(let found) = try LeafletVersion.check(bytes, path: url.path) {
                logger.warning(
                    "Leaflet \(found) is not the release the page is tested with (\(LeafletVersion.tested))",
                    metadata: ["path": "\(url.path)"])
            }
            assets["/leaflet/" + file.name] = StaticAsset(bytes: bytes, contentType: file.contentType)
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
