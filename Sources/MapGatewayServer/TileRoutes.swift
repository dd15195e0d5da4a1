import MapGatewayCore
import Metrics
import Hummingbird
import Shared

extension ConditionalRequest {
    /// Whether the request's `If-None-Match` header matches `eTag` (``ConditionalRequest`` over its values).
    static func ifNoneMatchMatches(_ headers: HTTPFields, eTag: String) -> Bool {
        ifNoneMatchMatches(headers[values: .ifNoneMatch], eTag: eTag)
    }
}

/// The tile route: `GET|HEAD /tiles/{server}/{surface}/{layer}/{z}/{x}/{y}.png`. Plain requests
/// usually never reach it: ``TileFastPath`` answers them the same way in the channel pipeline
/// unless middleware (auth, CORS, proxies) has to see them.
///
/// `Cache-Control: no-cache`: a browser or proxy may keep the tile but must revalidate it
/// before each use. Tiles change whenever the factory does, so any max-age would show stale
/// tiles; revalidation costs one small 304 thanks to the strong content ETag. (The page also
/// adds `?v=<version>` after an invalidation, so it never waits on a revalidation it knows
/// would fail.) A missing tile is a plain 404 with `no-cache` too: it may appear any moment.
/// Every tile answer carries `X-Content-Type-Options: nosniff` (see ``TileAnswers``).
struct TileRoutes<Context: RequestContext> {
    let tiles: TileStore
    let metrics: GatewayMetrics?
    /// The tile history for `?at=` (nil: history is off, every `?at=` is a 404).
    var history: TileHistoryStore? = nil

    func register(on router: some RouterMethods<Context>) {
        router.get("tiles/:server/:surface/:layer/:z/:x/{y}.png") { request, context in
            try await self.serve(request, context)
        }
    }

    func serve(_ request: Request, _ context: Context) async throws(GatewayError) -> Response {
        guard let c = Self.components(context.parameters) else { throw .notFound }
        let key: TileKey
        do {
            key = try TileKey.fromURLComponents(server: c.server, surface: c.surface, layer: c.layer, z: c.z, x: c.x, y: c.y)
        } catch {
            metrics?.tileInvalid.increment()
            throw error
        }
        if let at = request.uri.queryParameters["at"] {
            return try await TileHistoryAnswers.serve(key, at: String(at), request: request, history: history, metrics: metrics)
        }
        guard let tile = await tiles.tile(key) else {
            metrics?.tileMisses.increment()
            return Response(
                status: .notFound, headers: TileAnswers.notFoundHeaders,
                body: .init(byteBuffer: ByteBuffer(string: TileAnswers.notFoundBody)))
        }
        if request.headers[.ifNoneMatch] != nil, ConditionalRequest.ifNoneMatchMatches(request.headers, eTag: tile.eTag) {
            metrics?.tileNotModified.increment()
            return Response(status: .notModified, headers: tile.notModifiedHeaders)
        }
        metrics?.tileHits.increment()
        return Response(status: .ok, headers: tile.okHeaders, body: .init(byteBuffer: tile.bytes))
    }
}

extension TileRoutes {
    /// The raw (percent-encoded) components of a `tiles/:server/:surface/:layer/:z/:x/{y}.…` route
    /// (tiles and ``InspectGridRoutes``); nil if one is missing.
    static func components(_ p: Parameters) -> (server: String, surface: String, layer: String, z: String, x: String, y: String)? {
        guard let server = p.get("server"), let surface = p.get("surface"), let layer = p.get("layer"),
            let z = p.get("z"), let x = p.get("x"), let y = p.get("y")
        else { return nil }
        return (server, surface, layer, z, x, y)
    }
}

/// The headers of tile answers, in one place for ``TileRoutes`` and ``TileFastPath`` (which writes
/// them as bytes): both must answer byte for byte the same.
enum TileAnswers {
    /// The headers of a 304 answer for a tile with `eTag`; a 200 adds `Content-Type: image/png`.
    /// `nosniff`: a browser must not read a tile as anything but its declared type.
    static func notModifiedHeaders(eTag: String) -> HTTPFields {
        [.eTag: eTag, .cacheControl: "no-cache", .xContentTypeOptions: "nosniff"]
    }

    /// The headers of a 404 answer for a missing tile.
    static let notFoundHeaders: HTTPFields = [
        .cacheControl: "no-cache", .contentType: "text/plain; charset=utf-8", .xContentTypeOptions: "nosniff",
    ]
    /// The body of a 404 answer for a missing tile.
    static let notFoundBody = "no such tile\n"
    /// The status line and headers of a 404 answer up to (without) Date and Server.
    static let rawNotFoundHead = rawHead("404 Not Found", notFoundHeaders, contentLength: notFoundBody.utf8.count)

    /// `HTTP/1.1 <status>\r\n`, then each field as `Name: value\r\n` in order, then `Content-Length`
    /// if given: what Hummingbird writes before its `Date` and `Server` headers.
    static func rawHead(_ status: String, _ fields: HTTPFields, contentLength: Int?) -> String {
        var head = "HTTP/1.1 \(status)\r\n"
        for field in fields { head += "\(field.name.rawName): \(field.value)\r\n" }
        if let contentLength { head += "Content-Length: \(contentLength)\r\n" }
        return head
    }
}
