import Hummingbird
import Shared

/// Limits on tile addresses accepted from URLs: z in `TileKey.minZoom...TileKey.detailZoom`,
/// and |x|, |y| within a Factorio map (±1,000,000 game tiles = ±31,250 chunks, rounded up to
/// 2^15 chunks at the detail zoom, halving per level below it).
public enum TileRequestLimits {
    /// Largest absolute chunk coordinate at the detail zoom.
    public static let maxAbsChunk = 1 << 15

    /// Largest absolute tile x or y at zoom `z`.
    public static func maxAbsCoordinate(atZoom z: Int) -> Int {
        max(1, maxAbsChunk >> (TileKey.detailZoom - z))
    }
}

extension TileKey {
    /// Parses and validates the raw (still percent-encoded) path components of a tile URL.
    /// Throws ``GatewayError/invalidRequest(_:)`` naming the first bad component.
    static func fromURLComponents(
        server: String, surface rawSurface: String, layer: String, z: String, x: String, y: String
    ) throws(GatewayError) -> TileKey {
        guard Identifier.isValidServerID(server) else { throw .invalidRequest("server id") }
        guard let surface = PercentDecoding.decode(rawSurface), Identifier.isValidSurfaceName(surface) else {
            throw .invalidRequest("surface name")
        }
        guard let layer = MapLayer(rawValue: layer) else { throw .invalidRequest("layer") }
        guard let z = Self.integer(z, limit: 99), (TileKey.minZoom...TileKey.detailZoom).contains(z) else {
            throw .invalidRequest("z")
        }
        let limit = TileRequestLimits.maxAbsCoordinate(atZoom: z)
        guard let x = Self.integer(x, limit: limit) else { throw .invalidRequest("x") }
        guard let y = Self.integer(y, limit: limit) else { throw .invalidRequest("y") }
        return TileKey(server: server, surface: surface, layer: layer, z: z, x: x, y: y)
    }

    /// A decimal integer with optional leading `-`, at most 9 digits, |value| ≤ `limit`.
    private static func integer(_ s: String, limit: Int) -> Int? {
        let digits = s.utf8.first == UInt8(ascii: "-") ? s.utf8.dropFirst() : s.utf8[...]
        guard (1...9).contains(digits.count), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let value = Int(s), abs(value) <= limit
        else { return nil }
        return value
    }
}

/// Strict `%XX` decoding of a URL path component.
enum PercentDecoding {
    /// The decoded string; nil on a malformed escape or invalid UTF-8.
    static func decode(_ s: String) -> String? {
        guard s.utf8.contains(UInt8(ascii: "%")) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        while let byte = it.next() {
            if byte == UInt8(ascii: "%") {
                guard let hi = it.next().flatMap(hexValue), let lo = it.next().flatMap(hexValue) else { return nil }
                out.append(hi << 4 | lo)
            } else {
                out.append(byte)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}

/// `If-None-Match` evaluation (RFC 9110 §13.1.2: weak comparison, `*` matches any).
enum ConditionalRequest {
    /// Whether the request's `If-None-Match` header matches `eTag`.
    static func ifNoneMatchMatches(_ headers: HTTPFields, eTag: String) -> Bool {
        let opaque = stripWeak(eTag)
        for line in headers[values: .ifNoneMatch] {
            for candidate in line.split(separator: ",") {
                let tag = candidate.trimmingASCIISpaces()
                if tag == "*" || stripWeak(tag) == opaque { return true }
            }
        }
        return false
    }

    private static func stripWeak(_ tag: some StringProtocol) -> Substring {
        let s = Substring(tag)
        return s.hasPrefix("W/") ? s.dropFirst(2) : s
    }
}

extension StringProtocol {
    fileprivate func trimmingASCIISpaces() -> Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
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

    func register(on router: some RouterMethods<Context>) {
        router.get("tiles/:server/:surface/:layer/:z/:x/{y}.png") { request, context in
            try self.serve(request, context)
        }
    }

    func serve(_ request: Request, _ context: Context) throws(GatewayError) -> Response {
        let p = context.parameters
        guard let server = p.get("server"), let surface = p.get("surface"), let layer = p.get("layer"),
            let z = p.get("z"), let x = p.get("x"), let y = p.get("y")
        else { throw .notFound }
        let key: TileKey
        do {
            key = try TileKey.fromURLComponents(server: server, surface: surface, layer: layer, z: z, x: x, y: y)
        } catch {
            metrics?.tileInvalid.increment()
            throw error
        }
        guard let tile = tiles.get(key) else {
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
