import MapGatewayCore
import Hummingbird
import NIOCore
import Shared

/// The REST API under `/api` (all JSON, times in Unix milliseconds):
/// - `GET /api/servers`: `[{id, surfaces, playersOnline, tileCount, lastPacketAt, lastTileAt, staleSeconds, stale}]`
/// - `GET /api/servers/{id}`: `{id, lastPacketAt, lastTileAt, staleSeconds, stale, session,
///   surfaces: [{name, index, planet, platform, tiles}], players: [online players]}`
/// - `GET /api/servers/{id}/surfaces/{surface}`: `{name, index, planet, platform, tiles,
///   extent: {minChunkX, minChunkY, maxChunkX, maxChunkY, minX, minY, maxX, maxY} | null (the
///   explored box: every detail tile stored so far),
///   zooms: [z with tiles, ascending], players}` (x/y in game tiles, max exclusive)
/// - `GET /api/servers/{id}/surfaces/{surface}/players`: `[online players on that surface]`
/// - `GET /api/servers/{id}/surfaces/{surface}/tags|stations|trains`: `[objects on that surface]`
///   (fields as in the WebSocket messages, ``LiveMessages``; `[]` for a surface with none)
/// - `GET /api/servers/{id}/platforms`: `[every space platform of the server]`
///
/// Every server object also has `status` (`online`|`offline`|`stale`|`unknown`, see
/// ``LiveState/displayStatus(now:staleAfterSeconds:)``) and `statusSince`.
struct APIRoutes<Context: RequestContext> {
    let tiles: TileStore
    let hub: LiveHub
    let staleAfterSeconds: Int

    func register(on router: some RouterMethods<Context>) {
        router.get("api/servers") { _, _ in
            json(self.serverList(now: WallClock.nowMillis()))
        }
        router.get("api/servers/:id") { _, context throws(GatewayError) in
            let id = try Self.serverID(context)
            return json(try self.serverDetail(id, now: WallClock.nowMillis()))
        }
        router.get("api/servers/:id/surfaces/:surface/players") { _, context throws(GatewayError) in
            json(try self.surfacePlayers(try Self.serverID(context), surface: try Self.surfaceName(context)))
        }
        for kind in FactoryKind.allCases {
            router.get("api/servers/:id/surfaces/:surface/\(kind.rawValue)") { _, context throws(GatewayError) in
                json(try self.factoryList(kind, try Self.serverID(context), surface: try Self.surfaceName(context)))
            }
        }
        router.get("api/servers/:id/platforms") { _, context throws(GatewayError) in
            json(try self.platforms(try Self.serverID(context)))
        }
        router.get("api/servers/:id/surfaces/:surface") { _, context throws(GatewayError) in
            json(try self.surfaceDetail(try Self.serverID(context), surface: try Self.surfaceName(context)))
        }
    }

    private static func surfaceName(_ context: Context) throws(GatewayError) -> String {
        guard let raw = context.parameters.get("surface"), let surface = PercentDecoding.decode(raw),
            Identifier.isValidSurfaceName(surface)
        else { throw .invalidRequest("surface name") }
        return surface
    }

    private static func serverID(_ context: Context) throws(GatewayError) -> String {
        guard let id = context.parameters.get("id"), Identifier.isValidServerID(id) else {
            throw .invalidRequest("server id")
        }
        return id
    }

    /// One server as both sources know it.
    fileprivate struct ServerView {
        var id: String
        var live: LiveState?
        var tiles: ServerTileSummary?

        /// Names of existing surfaces plus surfaces that have tiles, sorted.
        var surfaceNames: [String] {
            var names = Set(live?.surfaces.keys.map { $0 } ?? [])
            names.formUnion(tiles?.tilesPerSurface.keys.map { $0 } ?? [])
            return names.sorted()
        }
    }

    private func views() -> [ServerView] {
        var byID: [String: ServerView] = [:]
        for live in hub.allStates() { byID[live.server] = ServerView(id: live.server, live: live) }
        for summary in tiles.serverSummaries() {
            byID[summary.server, default: ServerView(id: summary.server)].tiles = summary
        }
        return byID.values.sorted { $0.id < $1.id }
    }

    fileprivate func view(_ id: String) throws(GatewayError) -> ServerView {
        let view = ServerView(id: id, live: hub.state(server: id), tiles: tiles.summary(server: id))
        guard view.live != nil || view.tiles != nil else { throw .notFound }
        return view
    }

    private func writeTimes(_ w: inout JSONWriter, _ v: ServerView, now: Int64) {
        w.key("lastPacketAt")
        if let t = v.live?.lastPacketAt { w.int(Int(t)) } else { w.null() }
        w.key("lastTileAt")
        if let t = v.tiles?.lastTileUpdateAt { w.int(Int(t)) } else { w.null() }
        let last = max(v.live?.lastPacketAt ?? .min, v.tiles?.lastTileUpdateAt ?? .min)
        let staleSeconds = last == .min ? nil : Int(max(0, now - last) / 1000)
        w.key("staleSeconds")
        if let staleSeconds { w.int(staleSeconds) } else { w.null() }
        w.field("stale", staleSeconds.map { $0 > staleAfterSeconds } ?? true)
        w.field("status", v.live?.displayStatus(now: now, staleAfterSeconds: staleAfterSeconds) ?? "unknown")
        w.key("statusSince")
        if let t = v.live?.statusSince { w.int(Int(t)) } else { w.null() }
    }

    func serverList(now: Int64) -> ByteBuffer {
        var w = JSONWriter(capacity: 512)
        w.beginArray()
        for v in views() {
            w.beginObject()
            w.field("id", v.id)
            w.key("surfaces")
            w.beginArray()
            for name in v.surfaceNames { w.string(name) }
            w.endArray()
            w.field("playersOnline", v.live?.onlinePlayers.count ?? 0)
            w.field("tileCount", v.tiles?.tileCount ?? 0)
            writeTimes(&w, v, now: now)
            w.endObject()
        }
        w.endArray()
        return w.buffer
    }

    func serverDetail(_ id: String, now: Int64) throws(GatewayError) -> ByteBuffer {
        let v = try view(id)
        var w = JSONWriter(capacity: 1024)
        w.beginObject()
        w.field("id", id)
        writeTimes(&w, v, now: now)
        w.key("session")
        if let s = v.live?.session {
            w.beginObject()
            LiveMessages.writeSessionFields(&w, s)
            w.endObject()
        } else {
            w.null()
        }
        w.key("surfaces")
        w.beginArray()
        for name in v.surfaceNames {
            let s = v.live?.surfaces[name]
            w.beginObject()
            w.field("name", name)
            w.key("index")
            if let s { w.int(s.index) } else { w.null() }
            w.field("planet", s?.planet)
            w.field("platform", s?.platform)
            w.field("tiles", v.tiles?.tilesPerSurface[name] ?? 0)
            w.endObject()
        }
        w.endArray()
        w.key("players")
        LiveMessages.writePlayers(&w, v.live?.onlinePlayers ?? [])
        w.endObject()
        return w.buffer
    }

    func surfaceDetail(_ id: String, surface: String) throws(GatewayError) -> ByteBuffer {
        let v = try view(id)
        let live = v.live?.surfaces[surface]
        let extent = v.tiles?.extents[surface]
        guard live != nil || extent != nil else { throw .notFound }
        var w = JSONWriter(capacity: 512)
        w.beginObject()
        w.field("name", surface)
        w.key("index")
        if let live { w.int(live.index) } else { w.null() }
        w.field("planet", live?.planet)
        w.field("platform", live?.platform)
        w.field("tiles", v.tiles?.tilesPerSurface[surface] ?? 0)
        w.key("extent")
        if let e = extent, !e.isEmpty {
            w.beginObject()
            w.field("minChunkX", e.minChunkX)
            w.field("minChunkY", e.minChunkY)
            w.field("maxChunkX", e.maxChunkX)
            w.field("maxChunkY", e.maxChunkY)
            w.field("minX", e.minChunkX * 32)
            w.field("minY", e.minChunkY * 32)
            w.field("maxX", (e.maxChunkX + 1) * 32)
            w.field("maxY", (e.maxChunkY + 1) * 32)
            w.endObject()
        } else {
            w.null()
        }
        w.key("zooms")
        w.beginArray()
        for z in (extent?.tilesPerZoom.keys.sorted() ?? []) { w.int(z) }
        w.endArray()
        w.key("players")
        LiveMessages.writePlayers(&w, (v.live?.onlinePlayers ?? []).filter { $0.surface == surface })
        w.endObject()
        return w.buffer
    }

    func surfacePlayers(_ id: String, surface: String) throws(GatewayError) -> ByteBuffer {
        let v = try view(id)
        var w = JSONWriter()
        LiveMessages.writePlayers(&w, (v.live?.onlinePlayers ?? []).filter { $0.surface == surface })
        return w.buffer
    }
}

/// The per-surface factory lists of the REST API, by their path segment.
enum FactoryKind: String, CaseIterable, Sendable {
    case tags, stations, trains
}

extension APIRoutes {
    /// `GET /api/servers/{id}/surfaces/{surface}/{kind}`: the objects of `kind` on `surface`.
    func factoryList(_ kind: FactoryKind, _ id: String, surface: String) throws(GatewayError) -> ByteBuffer {
        let factory = try view(id).live?.factory ?? FactoryState()
        var w = JSONWriter(capacity: 512)
        switch kind {
        case .tags: LiveMessages.writeArray(&w, factory.tags(on: surface), LiveMessages.writeTagFields)
        case .stations: LiveMessages.writeArray(&w, factory.stations(on: surface), LiveMessages.writeStationFields)
        case .trains: LiveMessages.writeArray(&w, factory.trains(on: surface), LiveMessages.writeTrainFields)
        }
        return w.buffer
    }

    /// `GET /api/servers/{id}/platforms`: every space platform of the server, by index.
    func platforms(_ id: String) throws(GatewayError) -> ByteBuffer {
        let factory = try view(id).live?.factory ?? FactoryState()
        var w = JSONWriter(capacity: 512)
        LiveMessages.writeArray(&w, factory.sortedPlatforms, LiveMessages.writePlatformFields)
        return w.buffer
    }
}

/// A `200 OK` JSON response that must not be cached (it is live data).
func json(_ body: ByteBuffer) -> Response {
    Response(
        status: .ok,
        headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
        body: .init(byteBuffer: body))
}
