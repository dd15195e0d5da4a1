import Hummingbird
import MapGatewayCore
import NIOCore
import Shared

/// The player trails API (issue 16):
/// `GET /api/servers/{id}/surfaces/{surface}/trails?from=&to=&tolerance=` →
/// `{server, surface, from, to, tolerance, players: [{index, name, color, segments: [[[t, x, y]…]…]}]}`:
/// every player's positions on the surface between `from` and `to` (unix ms; default the hour
/// before now), one second apart at most, cut where the player went offline, downsampled by
/// Ramer–Douglas–Peucker so that no dropped position is farther than `tolerance` tiles (default
/// 1) from the line drawn; the answer's `tolerance` is larger when the trails needed it to stay
/// within 20,000 points. Names are data (JSON strings), never markup. Unknown server or history
/// off 404; a bad surface, time or tolerance 400.
struct TrailRoutes<Context: RequestContext> {
    let history: TileHistoryStore?
    let tiles: TileStore
    let hub: LiveHub

    func register(on router: some RouterMethods<Context>) {
        router.get("api/servers/:id/surfaces/:surface/trails") { request, context throws(GatewayError) in
            guard let id = context.parameters.get("id"), Identifier.isValidServerID(id) else { throw .invalidRequest("server id") }
            guard let surface = context.parameters.get("surface"), Identifier.isValidSurfaceName(surface) else {
                throw .invalidRequest("surface name")
            }
            let now = WallClock.nowMillis()
            func time(_ name: String) throws(GatewayError) -> Int64? {
                guard let raw = request.uri.queryParameters[name[...]] else { return nil }
                guard raw.utf8.count <= 16, let v = Int64(String(raw)) else { throw .invalidRequest("\(name) (unix milliseconds)") }
                return v
            }
            let to = try time("to") ?? now
            let from = try time("from") ?? (to - TrailCore.defaultWindowMs)
            guard from <= to else { throw .invalidRequest("from must not be after to") }
            var tolerance = TrailCore.defaultTolerance
            if let raw = request.uri.queryParameters["tolerance"] {
                guard let t = Double(String(raw)), t.isFinite, t >= 0, t <= 10_000 else { throw .invalidRequest("tolerance (tiles, 0…10000)") }
                tolerance = t
            }
            let history = try TileHistoryRoutes<Context>.store(self.history, server: id, hub: hub, tiles: tiles)
            let found: (players: [PlayerTrail], tolerance: Double)
            do { found = try await history.trails(server: id, surface: surface, from: from, to: to, tolerance: tolerance) } catch {
                throw .unavailable("history store")
            }
            let points = found.players.reduce(0) { $0 + $1.segments.reduce(0) { $0 + $1.count } }
            var w = JSONWriter(capacity: 256 + points * 28)
            w.beginObject()
            w.field("server", id)
            w.field("surface", surface)
            w.field("from", Int(from))
            w.field("to", Int(to))
            w.field("tolerance", found.tolerance)
            w.key("players")
            w.beginArray()
            for p in found.players {
                w.beginObject()
                w.field("index", p.index)
                w.field("name", p.name)
                w.key("color")
                w.beginArray()
                for c in p.color { w.double(c) }
                w.endArray()
                w.key("segments")
                w.beginArray()
                for segment in p.segments {
                    w.beginArray()
                    for s in segment {
                        w.beginArray()
                        w.int(Int(s.time))
                        w.double(s.x)
                        w.double(s.y)
                        w.endArray()
                    }
                    w.endArray()
                }
                w.endArray()
                w.endObject()
            }
            w.endArray()
            w.endObject()
            return json(w.buffer)
        }
    }
}
