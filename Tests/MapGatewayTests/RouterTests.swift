import Hummingbird
import HummingbirdTesting
import Shared
import Testing

import MapGatewayCore
import MapGatewayServer

@Suite struct RouterTests {
    let tiles = TileStore()
    /// Staleness an hour after the last packet: the REST test compares wall-clock ages, which a
    /// loaded CI machine can stretch by minutes between set-up and request.
    static let staleAfter = 3600
    let hub = LiveHub(staleAfterSeconds: RouterTests.staleAfter)
    let png = TestPNG.checker()

    func app() throws -> some ApplicationProtocol {
        var configuration = Fixture.configuration()
        configuration.staleAfterSeconds = Self.staleAfter
        return try buildApplication(configuration: configuration, tileStore: tiles, liveHub: hub, logger: Fixture.logger)
    }

    /// Tile tests run through the router (`.router`) and over a real socket (`.live`), where
    /// ``TileFastPath`` answers them: both must give the same answers.
    static let modes = [false, true]

    @Test(arguments: modes) func tileServedWithStrongETagAndRevalidation(live: Bool) async throws {
        tiles.put(key: Fixture.key(x: 2, y: -3), png: png, version: 1)
        let eTag = ContentHash.strongETag(png)
        try await app().test(live ? .live : .router) { client in
            let path = "/tiles/srv/nauvis/terrain/3/2/-3.png"
            try await client.execute(uri: path, method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "image/png")
                #expect(r.headers[.eTag] == eTag)
                #expect(r.headers[.cacheControl] == "no-cache")
                #expect(Array(buffer: r.body) == png)
            }
            try await client.execute(uri: path, method: .get, headers: [.ifNoneMatch: eTag]) { r in
                #expect(r.status == .notModified)
                #expect(r.headers[.eTag] == eTag)
                #expect(r.body.readableBytes == 0)
            }
            try await client.execute(uri: path, method: .get, headers: [.ifNoneMatch: "\"0000\", W/\(eTag)"]) { r in
                #expect(r.status == .notModified)
            }
            try await client.execute(uri: path, method: .get, headers: [.ifNoneMatch: "*"]) { r in
                #expect(r.status == .notModified)
            }
            try await client.execute(uri: path, method: .get, headers: [.ifNoneMatch: "\"deadbeefdeadbeef\""]) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: path, method: .head) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.eTag] == eTag)
                #expect(r.headers[.contentType] == "image/png")
                #expect(r.body.readableBytes == 0)
            }
            try await client.execute(uri: path, method: .head, headers: [.ifNoneMatch: eTag]) { r in
                #expect(r.status == .notModified)
            }
        }
    }

    @Test(arguments: modes) func surfaceNamesArePercentDecoded(live: Bool) async throws {
        tiles.put(key: Fixture.key(surface: "my surface"), png: png, version: 1)
        try await app().test(live ? .live : .router) { client in
            try await client.execute(uri: "/tiles/srv/my%20surface/terrain/3/0/0.png", method: .get) { r in
                #expect(r.status == .ok)
            }
        }
    }

    @Test(arguments: modes) func missingTileIs404(live: Bool) async throws {
        try await app().test(live ? .live : .router) { client in
            try await client.execute(uri: "/tiles/srv/nauvis/terrain/3/0/0.png", method: .get) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/tiles/srv/nauvis/terrain/3/0/0.png", method: .head) { r in
                #expect(r.status == .notFound)
            }
        }
    }

    @Test(arguments: [
        "/tiles/srv/nauvis/lava/3/0/0.png",  // unknown layer
        "/tiles/bad!id/nauvis/terrain/3/0/0.png",  // server id
        "/tiles/srv/nauvis/terrain/4/0/0.png",  // z above the detail zoom
        "/tiles/srv/nauvis/terrain/-14/0/0.png",  // z below TileKey.minZoom
        "/tiles/srv/nauvis/terrain/33/0/0.png",
        "/tiles/srv/nauvis/terrain/3/32769/0.png",  // |x| beyond a Factorio map at z = 3
        "/tiles/srv/nauvis/terrain/3/0/-32769.png",
        "/tiles/srv/nauvis/terrain/-12/2/0.png",  // |x| > 1 at z = -12
        "/tiles/srv/nauvis/terrain/3/0/1%2e0.png",
        "/tiles/srv/nauvis/terrain/3/0x1/0.png",
        "/tiles/srv/nauvis/terrain/3/+1/0.png",
        "/tiles/srv/nauvis/terrain/3/1e3/0.png",
        "/tiles/a/..%2F..%2Fetc/terrain/3/0/0.png",  // traversal via encoded slashes
        "/tiles/a/../terrain/3/0/0.png",
        "/tiles/a/%2e%2e/terrain/3/0/0.png",
        "/tiles/a/%zz/terrain/3/0/0.png",  // malformed escape
        "/tiles/a/%00/terrain/3/0/0.png",  // control character
        "/tiles/a/%FF/terrain/3/0/0.png",  // invalid UTF-8
    ], modes)
    func invalidTileRequestsAre400(path: String, live: Bool) async throws {
        try await app().test(live ? .live : .router) { client in
            try await client.execute(uri: path, method: .get) { r in
                #expect(r.status == .badRequest, "\(path)")
            }
        }
    }

    @Test(arguments: [
        "/leaflet/../../etc/passwd",
        "/leaflet/..%2F..%2Fetc%2Fpasswd",
        "/leaflet/images/../../../../etc/passwd",
        "/leaflet/leaflet.js.map",
        "/../../etc/passwd",
        "/etc/passwd",
        "/tiles/../../etc/passwd",
        "/leaflet/%2e%2e/%2e%2e/etc/passwd",
        "/leaflet/..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/main.js%00.png",
        "/leaflet/leaflet.js%00",
        "/leaflet%2fleaflet.js",
        "/.%2e/.%2e/etc/passwd",
    ])
    func pathTraversalNeverLeaksFiles(path: String) async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: path, method: .get) { r in
                #expect(r.status == .notFound || r.status == .badRequest, "\(path)")
                #expect(!String(buffer: r.body).contains("root:"), "\(path)")
            }
        }
    }

    @Test func staticPageAndLeaflet() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(String(buffer: r.body).contains("src=\"leaflet/leaflet.js\""))
                let eTag = try #require(r.headers[.eTag])
                try await client.execute(uri: "/", method: .get, headers: [.ifNoneMatch: eTag]) { r2 in
                    #expect(r2.status == .notModified)
                }
            }
            try await client.execute(uri: "/map.js", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix("text/javascript") == true)
                #expect(String(buffer: r.body).contains("L.CRS.Simple"))
            }
            try await client.execute(uri: "/map.css", method: .get) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains("pixelated"))
            }
            try await client.execute(uri: "/leaflet/leaflet.js", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.body.readableBytes > 10_000)
            }
            try await client.execute(uri: "/leaflet/images/marker-icon.png", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "image/png")
            }
            try await client.execute(uri: "/healthz", method: .get) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).hasPrefix("ok: 0 tiles"))
            }
        }
    }

    @Test func restAPI() async throws {
        let now = WallClock.nowMillis()
        hub.apply(Fixture.surface("nauvis", planet: "nauvis"), server: "srv", receivedAt: now)
        hub.apply(Fixture.player(1, "alice", x: 10.5, y: -3.25), server: "srv", receivedAt: now)
        hub.apply(Fixture.player(2, "bob", x: 0, y: 0, online: false), server: "srv", receivedAt: now)
        hub.apply(Fixture.player(3, "carol", x: 7, y: 8, surface: "vulcanus"), server: "srv", receivedAt: now)
        tiles.put(key: Fixture.key(surface: "vulcanus"), png: png, version: 1, now: now)
        tiles.put(key: Fixture.key("tiles-only"), png: png, version: 1, now: now - 7_200_000)
        try await app().test(.router) { client in
            try await client.execute(uri: "/api/servers", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = String(buffer: r.body)
                #expect(body.hasPrefix("[{\"id\":\"srv\",\"surfaces\":[\"nauvis\",\"vulcanus\"],\"playersOnline\":2,"))
                #expect(body.contains("\"id\":\"tiles-only\""))
                // 7,200 s plus however long this test took to get here (minutes on a loaded machine).
                let marker = "\"lastTileAt\":\(now - 7_200_000),\"staleSeconds\":"
                let stale = body.split(separator: marker, maxSplits: 1).dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) }
                #expect(stale.map { (7200...(7200 + Int(WallClock.nowMillis() - now) / 1000)).contains($0) } == true, "\(body)")
                #expect(body.hasSuffix("\"stale\":true,\"status\":\"unknown\",\"statusSince\":null}]"))
                #expect(body.contains("\"stale\":false,\"status\":\"online\",\"statusSince\":\(now)"))
                #expect(body.contains("\"lastPacketAt\":\(now)"))
            }
            try await client.execute(uri: "/api/servers/srv", method: .get) { r in
                #expect(r.status == .ok)
                let body = String(buffer: r.body)
                #expect(body.contains("\"stale\":false"))
                #expect(body.contains("{\"name\":\"nauvis\",\"index\":1,\"planet\":\"nauvis\",\"platform\":null,\"tiles\":0}"))
                #expect(body.contains("{\"name\":\"vulcanus\",\"index\":null,\"planet\":null,\"platform\":null,\"tiles\":1}"))
                #expect(body.contains("\"name\":\"alice\",\"surface\":\"nauvis\",\"x\":10.5,\"y\":-3.25,\"color\":\"#e6801a\""))
                #expect(!body.contains("bob"))
            }
            try await client.execute(uri: "/api/servers/srv/surfaces/vulcanus/players", method: .get) { r in
                #expect(r.status == .ok)
                let body = String(buffer: r.body)
                #expect(body.hasPrefix("[{\"index\":3,\"name\":\"carol\""))
                #expect(!body.contains("alice"))
            }
            try await client.execute(uri: "/api/servers/nope", method: .get) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/api/servers/bad%20id", method: .get) { r in
                #expect(r.status == .badRequest)
            }
            try await client.execute(uri: "/api/servers/srv/surfaces/..%2Fx/players", method: .get) { r in
                #expect(r.status == .badRequest)
            }
        }
    }

    @Test func webSocketPathWithoutUpgradeIs400() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/ws", method: .get) { r in #expect(r.status == .badRequest) }
            try await client.execute(uri: "/ws?server=..%2Fx", method: .get) { r in #expect(r.status == .badRequest) }
            try await client.execute(uri: "/ws?server=srv", method: .get) { r in #expect(r.status == .badRequest) }
        }
    }
}
