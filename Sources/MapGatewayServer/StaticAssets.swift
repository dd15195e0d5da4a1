#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
package import MapGatewayCore
import Hummingbird
package import Logging
import Shared
package import NIOCore

/// One file served from memory.
package struct StaticAsset: Sendable, Hashable {
    /// The bytes.
    package var bytes: ByteBuffer
    /// The `Content-Type` header value.
    package var contentType: String
    /// A strong content ETag.
    package var eTag: String

    /// Creates an asset and computes its ETag.
    package init(bytes: [UInt8], contentType: String) {
        self.bytes = ByteBuffer(bytes: bytes)
        self.contentType = contentType
        self.eTag = ContentHash.strongETag(bytes)
    }
}

/// Every static file the gateway serves, held in memory and keyed by exact URL path. A request
/// path is only ever used as a dictionary key, so no request reaches the filesystem.
package struct StaticAssets: Sendable {
    /// Assets by URL path, e.g. "/main.js" or "/leaflet/leaflet.css".
    package private(set) var assets: [String: StaticAsset]

    /// The page's own files plus Leaflet's from `leafletDirectory`. A missing Leaflet file is
    /// logged and left out (the page then cannot load, but the API keeps working); a
    /// `leaflet.js` the page cannot run with (``LeafletVersion/check(_:path:)``) is an error,
    /// another 1.x release than the tested one a warning.
    package init(leafletDirectory: String, logger: Logger) throws(LeafletVersionError) {
        var assets: [String: StaticAsset] = [:]
        for file in PageFiles.pageFiles { assets[file.path] = StaticAsset(bytes: file.bytes, contentType: file.contentType) }
        assets["/index.html"] = assets["/"]
        let base = URL(fileURLWithPath: leafletDirectory, isDirectory: true)
        for file in PageFiles.leafletFiles {
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
    package subscript(path: String) -> StaticAsset? { assets[path] }

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
