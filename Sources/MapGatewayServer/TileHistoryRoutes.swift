import Hummingbird
import Metrics
import MapGatewayCore
import NIOCore
import Shared

/// Tile answers for `?at=<unix ms>` (issue 16): the version current at that moment from the
/// ``TileHistoryStore``. 200 with a strong ETag `"h<hash>"` (never equal to a live ETag) and
/// `Cache-Control: public, max-age=31536000, immutable` once the answer cannot change
/// (``HistoryCore/isFinal(at:now:)``), else `no-cache`; 404 when the tile did not exist then, was
/// removed, `at` is before the retention window or history is off; 400 for a malformed `at`.
enum TileHistoryAnswers {
    static func serve(
        _ key: TileKey, at raw: String, request: Request, history: TileHistoryStore?, metrics: GatewayMetrics?
    ) async throws(GatewayError) -> Response {
        guard let at = Int64(raw), raw.utf8.count <= 16 else { throw .invalidRequest("at (unix milliseconds)") }
        let now = WallClock.nowMillis()
        guard let history, let version = try? await history.version(key, at: at, now: now) else {
            metrics?.tileMisses.increment()
            return Response(
                status: .notFound, headers: TileAnswers.notFoundHeaders,
                body: .init(byteBuffer: ByteBuffer(string: TileAnswers.notFoundBody)))
        }
        let eTag = "\"h\(String(version.hash, radix: 16))\""
        let cache = history.core.isFinal(at: at, now: now) ? "public, max-age=31536000, immutable" : "no-cache"
        var headers: HTTPFields = [.eTag: eTag, .cacheControl: cache, .xContentTypeOptions: "nosniff"]
        if request.headers[.ifNoneMatch] != nil, ConditionalRequest.ifNoneMatchMatches(request.headers, eTag: eTag) {
            metrics?.tileNotModified.increment()
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "image/png"
        metrics?.tileHits.increment()
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: version.png)))
    }
}

/// The history API (issue 16):
/// - `GET /api/servers/{id}/history?surface=<name>`: `{server, surface, oldest, newest, now,
///   retentionMs, intervalMs, marks: [ms…]}`, marks = starts of the intervals in which a tile of
///   the surface changed, ascending, coarsened to at most 512 (``HistoryCore/coarsen(_:limit:)``);
///   oldest/newest: the first and last mark (null without any).
/// - `GET /api/servers/{id}/history/changes?surface=&from=&to=`: `{from, to, z: 0, tiles: [[x, y]…]}`,
///   the z 0 tiles whose content (any layer) differs between the two moments, sorted by y then x,
///   at most 10,000 (`"truncated": true` beyond).
/// Unknown server 404, bad surface or times 400, history off 404.
struct TileHistoryRoutes<Context: RequestContext> {
    let history: TileHistoryStore?
    let tiles: TileStore
    let hub: LiveHub

    func register(on router: some RouterMethods<Context>) {
        router.get("api/servers/:id/history") { request, context throws(GatewayError) in
            let (history, id, surface) = try self.target(request, context)
            let now = WallClock.nowMillis()
            let marks: [Int64]
            do { marks = try await history.marks(server: id, surface: surface, now: now) } catch { throw .unavailable("history store") }
            var w = JSONWriter(capacity: 256 + marks.count * 16)
            w.beginObject()
            w.field("server", id)
            w.field("surface", surface)
            w.key("oldest")
            if let m = marks.first { w.int(Int(m)) } else { w.null() }
            w.key("newest")
            if let m = marks.last { w.int(Int(m)) } else { w.null() }
            w.field("now", Int(now))
            w.field("retentionMs", Int(history.core.retentionMs))
            w.field("intervalMs", Int(history.core.intervalMs))
            w.key("marks")
            w.beginArray()
            for m in HistoryCore.coarsen(marks) { w.int(Int(m)) }
            w.endArray()
            w.endObject()
            return json(w.buffer)
        }
        router.get("api/servers/:id/history/changes") { request, context throws(GatewayError) in
            let (history, id, surface) = try self.target(request, context)
            guard let from = request.uri.queryParameters["from"].flatMap({ Int64(String($0)) }),
                let to = request.uri.queryParameters["to"].flatMap({ Int64(String($0)) })
            else { throw .invalidRequest("from and to (unix milliseconds)") }
            let found: (tiles: [[Int]], truncated: Bool)
            do { found = try await history.changes(server: id, surface: surface, from: from, to: to) } catch {
                throw .unavailable("history store")
            }
            var w = JSONWriter(capacity: 256 + found.tiles.count * 12)
            w.beginObject()
            w.field("from", Int(from))
            w.field("to", Int(to))
            w.field("z", 0)
            w.key("tiles")
            w.beginArray()
            for t in found.tiles {
                w.beginArray()
                w.int(t[0])
                w.int(t[1])
                w.endArray()
            }
            w.endArray()
            if found.truncated { w.field("truncated", true) }
            w.endObject()
            return json(w.buffer)
        }
    }

    /// The store, server id and surface of a history request.
    private func target(_ request: Request, _ context: Context) throws(GatewayError) -> (TileHistoryStore, String, String) {
        guard let id = context.parameters.get("id"), Identifier.isValidServerID(id) else { throw .invalidRequest("server id") }
        guard let raw = request.uri.queryParameters["surface"], Identifier.isValidSurfaceName(String(raw)) else {
            throw .invalidRequest("surface name")
        }
        return (try Self.store(history, server: id, hub: hub, tiles: tiles), id, String(raw))
    }

    /// The history store for a request about server `id`: 404 when history is off or the gateway
    /// knows no such server (neither live state nor tiles).
    static func store(_ history: TileHistoryStore?, server id: String, hub: LiveHub, tiles: TileStore) throws(GatewayError) -> TileHistoryStore {
        guard let history else { throw .notFound }
        let known = hub.allStates().contains { $0.server == id } || tiles.serverSummaries().contains { $0.server == id }
        guard known else { throw .notFound }
        return history
    }
}
