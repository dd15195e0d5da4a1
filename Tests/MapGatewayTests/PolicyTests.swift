import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceSupport
import Shared
import Testing

@testable import MapGatewayCore
@testable import MapGatewayServer

/// Viewer authentication, CORS, base path and forwarded headers.
@Suite struct PolicyTests {
    let tiles = TileStore()
    let png = TestPNG.checker()
    static let salt: [UInt8] = Array("0123456789abcdef".utf8)

    func app(_ configure: (inout GatewayConfiguration) -> Void) throws -> some ApplicationProtocol {
        var c = Fixture.configuration()
        configure(&c)
        tiles.put(key: Fixture.key(), png: png, version: 1)
        return try buildApplication(configuration: c, tileStore: tiles, liveHub: LiveHub(), logger: Fixture.logger)
    }

    @Sendable static func basic(_ s: String) -> String { "Basic " + Data(s.utf8).base64EncodedString() }

    static func cookie(_ setCookie: String?) -> String? {
        setCookie?.split(separator: ";").first.map(String.init)
    }

    @Test func pbkdf2MatchesRFC7914Vector() {
        let key = PasswordHash.pbkdf2(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1)
        #expect(Hex.encode(key) == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
        let hash = PasswordHash(password: "secret", salt: Self.salt, iterations: 1000)
        #expect(PasswordHash(encoded: hash.encoded) == hash)
        #expect(hash.verify("secret"))
        #expect(!hash.verify("Secret"))
        #expect(PasswordHash(encoded: "pbkdf2-sha256$0$00$00") == nil)
        #expect(PasswordHash(encoded: "sha1$1000$\(Hex.encode(Self.salt))$\(Hex.encode(hash.key))") == nil)
    }

    @Test func usersFileIsValidated() throws {
        let hash = PasswordHash(password: "pw", salt: Self.salt, iterations: 10).encoded
        let users = try ViewerAuth.parseUsers("# viewers\nalice \(hash)\n\n  bob\t\(hash)  \n")
        #expect(users.keys.sorted() == ["alice", "bob"])
        #expect(throws: UsersFileError.self) { try ViewerAuth.parseUsers("alice\n") }
        #expect(throws: UsersFileError.self) { try ViewerAuth.parseUsers("al/ice \(hash)\n") }
        #expect(throws: UsersFileError.self) { try ViewerAuth.parseUsers("alice plaintext\n") }
        #expect(throws: UsersFileError.self) { try ViewerAuth.parseUsers("a \(hash)\na \(hash)\n") }
    }

    @Test func tokenAuthSetsACookie() async throws {
        try await app { $0.auth = ViewerAuth(token: "s3cret", users: [:]) }.test(.router) { client in
            let tile = "/tiles/srv/nauvis/terrain/3/0/0.png"
            for path in ["/", tile, "/api/servers", "/main.js", "/ws?server=srv"] {
                try await client.execute(uri: path, method: .get) { r in
                    #expect(r.status == .unauthorized, "\(path)")
                    #expect(r.headers[.wwwAuthenticate] == "Bearer")
                    #expect(r.headers[.setCookie] == nil)
                }
            }
            try await client.execute(uri: "/?token=wrong", method: .get) { r in #expect(r.status == .unauthorized) }
            try await client.execute(uri: tile, method: .get, headers: [.authorization: "Bearer nope"]) { r in
                #expect(r.status == .unauthorized)
            }
            try await client.execute(uri: "/healthz", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { r in #expect(r.status == .ok) }
            var cookie: String?
            try await client.execute(uri: "/?token=s3cret", method: .get) { r in
                #expect(r.status == .ok)
                let set = try #require(r.headers[.setCookie])
                #expect(set.hasPrefix("kafkatorio_viewer=token."))
                #expect(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/;"))
                #expect(!set.contains("Secure"))
                cookie = Self.cookie(set)
            }
            try await client.execute(uri: tile, method: .get, headers: [.cookie: try #require(cookie)]) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.setCookie] == nil)
            }
            try await client.execute(uri: tile, method: .get, headers: [.authorization: "Bearer s3cret"]) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: tile, method: .get, headers: [.cookie: "kafkatorio_viewer=token.00ff"]) { r in
                #expect(r.status == .unauthorized)
            }
        }
    }

    @Test func usersWithHashedPasswords() async throws {
        let users = ["alice": PasswordHash(password: "wonder land", salt: Self.salt, iterations: 1000)]
        try await app { $0.auth = ViewerAuth(token: nil, users: users) }.test(.router) { client in
            try await client.execute(uri: "/api/servers", method: .get) { r in
                #expect(r.status == .unauthorized)
                #expect(r.headers[.wwwAuthenticate]?.hasPrefix("Basic realm=\"Kafkatorio\"") == true)
            }
            for wrong in ["alice:wonder", "bob:wonder land", "alice", "token:x"] {
                try await client.execute(uri: "/api/servers", method: .get, headers: [.authorization: Self.basic(wrong)]) {
                    #expect($0.status == .unauthorized, "\(wrong)")
                }
            }
            try await client.execute(uri: "/?token=x", method: .get) { r in #expect(r.status == .unauthorized) }
            var cookie: String?
            try await client.execute(
                uri: "/api/servers", method: .get, headers: [.authorization: Self.basic("alice:wonder land")]
            ) { r in
                #expect(r.status == .ok)
                cookie = Self.cookie(r.headers[.setCookie])
                #expect(cookie?.hasPrefix("kafkatorio_viewer=alice.") == true)
            }
            try await client.execute(uri: "/api/servers", method: .get, headers: [.cookie: try #require(cookie)]) {
                #expect($0.status == .ok)
            }
        }
    }

    @Test func corsOnlyForAllowedOrigins() async throws {
        try await app { $0.cors = CORSSettings(allowedOrigins: ["https://fans.example"]) }.test(.router) { client in
            let tile = "/tiles/srv/nauvis/terrain/3/0/0.png"
            try await client.execute(uri: tile, method: .get, headers: [.origin: "https://fans.example"]) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.accessControlAllowOrigin] == "https://fans.example")
                #expect(r.headers[.accessControlExposeHeaders] == "ETag")
            }
            try await client.execute(uri: tile, method: .get, headers: [.origin: "https://evil.example"]) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.accessControlAllowOrigin] == nil)
            }
            try await client.execute(
                uri: "/api/servers", method: .options,
                headers: [.origin: "https://fans.example", .accessControlRequestMethod: "GET"]
            ) { r in
                #expect(r.status == .noContent)
                #expect(r.headers[.accessControlAllowOrigin] == "https://fans.example")
                #expect(r.headers[.accessControlAllowMethods]?.contains("GET") == true)
            }
            try await client.execute(
                uri: "/api/servers", method: .options,
                headers: [.origin: "https://evil.example", .accessControlRequestMethod: "GET"]
            ) { r in
                #expect(r.headers[.accessControlAllowOrigin] == nil)
            }
            // A WebSocket upgrade from a foreign origin is refused (cookies would let any site read
            // a protected map); the allowed origin and same-origin pages may connect.
            let upgrade: HTTPFields = [.upgrade: "websocket", .connection: "Upgrade"]
            var evil = upgrade
            evil[.origin] = "https://evil.example"
            try await client.execute(uri: "/ws?server=srv", method: .get, headers: evil) { r in
                #expect(r.status == .forbidden)
            }
            var allowed = upgrade
            allowed[.origin] = "https://fans.example"
            try await client.execute(uri: "/ws?server=srv", method: .get, headers: allowed) { r in
                #expect(r.status == .badRequest)  // not forbidden: an in-memory router cannot upgrade
            }
        }
    }

    /// With a metrics port of its own (METRICS_PORT), the gateway's port answers /healthz but not
    /// /metrics, so a public Service of that port never shows them; without one, both.
    @Test func metricsLeaveTheGatewayPortWhenTheyHaveTheirOwn() async throws {
        for own in [false, true] {
            try await app { $0.metricsOnOwnPort = own }.test(.router) { client in
                try await client.execute(uri: "/healthz", method: .get) { r in #expect(r.status == .ok) }
                try await client.execute(uri: "/metrics", method: .get) { r in
                    #expect(r.status == (own ? .notFound : .ok), "own port: \(own)")
                }
            }
        }
    }

    @Test func everythingWorksUnderABasePath() async throws {
        try await app { $0.basePath = "map" }.test(.router) { client in
            try await client.execute(uri: "/map", method: .get) { r in
                #expect(r.status == .movedPermanently)
                #expect(r.headers[.location] == "/map/")
            }
            try await client.execute(uri: "/map/", method: .get) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains("<script type=\"module\" src=\"main.js\">"))
            }
            for path in ["/map/main.js", "/map/live.js", "/map/map.css", "/map/leaflet/leaflet.js", "/map/api/servers",
                "/map/tiles/srv/nauvis/terrain/3/0/0.png", "/healthz", "/metrics"]
            {
                try await client.execute(uri: path, method: .get) { r in #expect(r.status == .ok, "\(path)") }
            }
            for path in ["/", "/main.js", "/api/servers", "/tiles/srv/nauvis/terrain/3/0/0.png", "/map/../main.js"] {
                try await client.execute(uri: path, method: .get) { r in #expect(r.status == .notFound, "\(path)") }
            }
        }
        #expect(GatewayConfiguration.normalizedBasePath("/a/b") == "/a/b/")
        #expect(GatewayConfiguration.normalizedBasePath("/a/../b") == "/")
        #expect(GatewayConfiguration.normalizedBasePath("") == "/")
    }

    @Test func forwardedHeadersOnlyFromTrustedProxies() throws {
        let nets = [try #require(CIDR("10.0.0.0/8")), try #require(CIDR("::1"))]
        #expect(nets[0].contains("10.1.2.3") && !nets[0].contains("11.0.0.1") && nets[0].contains("::ffff:10.0.0.9"))
        #expect(nets[1].contains("::1") && !nets[1].contains("::2"))
        #expect(CIDR("10.0.0.0/33") == nil && CIDR("banana") == nil && CIDR("fe80::/10") != nil)
        let f = ForwardedHeaders(trusted: nets)
        let headers: HTTPFields = [
            HTTPField.Name("X-Forwarded-For")!: "6.6.6.6, 203.0.113.7, 10.0.0.2",
            HTTPField.Name("X-Forwarded-Proto")!: "https", HTTPField.Name("X-Forwarded-Host")!: "map.example",
        ]
        let viaProxy = f.resolve(peer: "10.0.0.1", authority: "internal:8080", headers: headers)
        // Right to left, skipping trusted hops: the client is the first untrusted address.
        #expect(viaProxy == ClientInfo(address: "203.0.113.7", scheme: "https", host: "map.example", viaTrustedProxy: true))
        let direct = f.resolve(peer: "198.51.100.1", authority: "internal:8080", headers: headers)
        #expect(direct == ClientInfo(address: "198.51.100.1", scheme: "http", host: "internal:8080", viaTrustedProxy: false))
        var bad = headers
        bad[HTTPField.Name("X-Forwarded-Host")!] = "evil\r\nx: y"
        bad[HTTPField.Name("X-Forwarded-Proto")!] = "gopher"
        #expect(f.resolve(peer: "10.0.0.1", authority: "internal:8080", headers: bad).host == "internal:8080")
        #expect(f.resolve(peer: "10.0.0.1", authority: "internal:8080", headers: bad).scheme == "http")
        let https = ClientInfo(address: "", scheme: "https", host: "map.example", viaTrustedProxy: true)
        #expect(GatewayPolicyMiddleware<GatewayRequestContext>.isSameOrigin("https://map.example", client: https))
        #expect(GatewayPolicyMiddleware<GatewayRequestContext>.isSameOrigin("https://map.example:443", client: https))
        #expect(!GatewayPolicyMiddleware<GatewayRequestContext>.isSameOrigin("http://map.example", client: https))
        #expect(!GatewayPolicyMiddleware<GatewayRequestContext>.isSameOrigin("https://evil.example", client: https))
    }

    /// Over a real socket (the peer is 127.0.0.1): the cookie is `Secure` only when a trusted
    /// proxy says the client used https.
    @Test(.timeLimit(.minutes(1))) func secureCookieBehindTrustedProxy() async throws {
        for trusted in [true, false] {
            let app = try app {
                $0.auth = ViewerAuth(token: "t", users: [:])
                $0.trustedProxies = trusted ? [CIDR("127.0.0.0/8")!] : []
            }
            try await app.test(.live) { client in
                try await client.execute(
                    uri: "/?token=t", method: .get, headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"]
                ) { r in
                    #expect(r.status == .ok)
                    #expect(r.headers[.setCookie]?.hasSuffix("; Secure") == trusted)
                }
            }
        }
    }
}
