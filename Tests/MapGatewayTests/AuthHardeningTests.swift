import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceSupport
import Settings
import Shared
import Testing

import MapGatewayCore
import MapGatewayServer

/// Issue 17, bounded resources: password checks cost the same for every name, run off the
/// cooperative pool with a concurrency limit, and repeated failures from one client are slowed;
/// a users file is bounded and never silently turns auth off; CORS `*` never allows credentials.
@Suite struct AuthHardeningTests {
    static let salt: [UInt8] = Array("0123456789abcdef".utf8)

    func auth(_ users: [String: (String, Int)]) -> ViewerAuth {
        ViewerAuth(
            token: nil,
            users: users.mapValues { PasswordHash(password: $0.0, salt: Self.salt, iterations: $0.1) })
    }

    func credential(_ name: String, _ password: String) -> BasicCredential {
        BasicCredential(digest: "\(name):\(password)", name: name, password: password)
    }

    @Test func everyCheckCostsTheMostIterationsOfAnyUser() {
        let auth = auth(["alice": ("wonder", 1000), "bob": ("builder", 3000)])
        #expect(auth.checkIterations == 3000)
        let checks = [
            auth.verify(credential("mallory", "x")), auth.verify(credential("alice", "x")),
            auth.verify(credential("bob", "x")), auth.verify(credential("alice", "wonder")),
            auth.verify(credential("bob", "builder")),
        ]
        #expect(checks.map(\.iterations) == Array(repeating: 3000, count: 5))
        #expect(checks.map(\.user) == [nil, nil, nil, "alice", "bob"])
    }

    @Test func theUsersFileIsBoundedAndNeverEmpty() async throws {
        let ok = PasswordHash(password: "pw", salt: Self.salt, iterations: 10).encoded
        let salt = Hex.encode(Self.salt)
        let key = String(repeating: "00", count: 32)
        #expect(try ViewerAuth.parseUsers("a pbkdf2-sha256$\(PasswordHash.maxIterations)$\(salt)$\(key)\n").count == 1)
        let tooMany = "pbkdf2-sha256$\(PasswordHash.maxIterations + 1)$\(salt)$\(key)"
        let error = #expect(throws: UsersFileError.self) { try ViewerAuth.parseUsers("a \(ok)\nb \(tooMany)\n") }
        #expect(error?.line == 2 && error?.reason.contains("iterations") == true, "\(String(describing: error))")
        #expect(PasswordHash(encoded: tooMany) == nil)
        for text in ["", "\n\n", "# nobody yet\n  # still nobody\n"] {
            let path = NSTemporaryDirectory() + "users-\(UUID().uuidString)"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let config = try await ServiceConfig.load(
                arguments: ["--users-file", path], settings: GatewaySettings.command, environment: [:])
            let failure = #expect(throws: ServiceConfigError.self) { try GatewayConfiguration(config: config) }
            #expect(failure?.key == "gateway.usersFile")
            #expect(failure?.description.contains("no users") == true, "\(String(describing: failure))")
        }
    }

    @Test func theThrottleDoublesItsDelayAndStaysBounded() {
        var t = AuthFailureThrottle()
        for i in 0..<t.freeFailures {
            #expect(t.retryAfterMillis(client: "a", now: Int64(i)) == nil)
            t.failed(client: "a", now: Int64(i))
        }
        #expect(t.retryAfterMillis(client: "a", now: 10) == nil)
        t.failed(client: "a", now: 10)
        #expect(t.retryAfterMillis(client: "a", now: 10) == 1000)
        #expect(t.retryAfterMillis(client: "b", now: 10) == nil)
        t.failed(client: "a", now: 1010)
        #expect(t.retryAfterMillis(client: "a", now: 1010) == 2000)
        for i in 0..<30 { t.failed(client: "a", now: 2000 + Int64(i)) }
        #expect(t.retryAfterMillis(client: "a", now: 2029) == t.maxDelayMillis)
        #expect(t.retryAfterMillis(client: "a", now: 2029 + t.forgetAfterMillis) == nil)
        t.succeeded(client: "a")
        #expect(t.retryAfterMillis(client: "a", now: 2030) == nil)

        var many = AuthFailureThrottle()
        many.capacity = 100
        for i in 0..<10_000 { many.failed(client: "10.0.\(i / 256).\(i % 256)", now: Int64(i)) }
        #expect(many.count <= 100)
        // The newest are kept.
        for _ in 0..<10 { many.failed(client: "10.0.39.15", now: 10_000) }
        #expect(many.retryAfterMillis(client: "10.0.39.15", now: 10_000) != nil)
    }

    @Test func repeatedFailuresAreAnswered429WithRetryAfter() async throws {
        var c = Fixture.configuration()
        c.auth = auth(["alice": ("wonder", 100)])
        // An hour's delay: the test does not depend on how quickly a loaded machine sends the next request.
        var throttle = AuthFailureThrottle()
        throttle.baseDelayMillis = 3_600_000
        throttle.maxDelayMillis = 3_600_000
        let gate = ViewerGate(auth: c.auth, concurrency: 1, metrics: nil, throttle: throttle)
        let app = try buildApplication(
            configuration: c, tileStore: TileStore(), liveHub: LiveHub(), gate: gate, logger: Fixture.logger)
        try await app.test(.router) { client in
            let wrong: HTTPFields = [.authorization: PolicyTests.basic("alice:nope")]
            let right: HTTPFields = [.authorization: PolicyTests.basic("alice:wonder")]
            for _ in 0..<6 {
                try await client.execute(uri: "/api/servers", method: .get, headers: wrong) { #expect($0.status == .unauthorized) }
            }
            for headers in [wrong, right] {
                try await client.execute(uri: "/api/servers", method: .get, headers: headers) { r in
                    #expect(r.status == .tooManyRequests)
                    #expect(r.headers[.retryAfter].flatMap { Int($0) }.map { (3500...3600).contains($0) } == true)
                }
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
    }

    /// Twelve wrong passwords (10,000 iterations each: a fraction of a second in a debug
    /// build) checked two at a time, as many as the cooperative pool has threads here: they finish
    /// over six rounds, and `/healthz` is answered in the first ones. Were the checks on the pool,
    /// both its threads would be taken until nearly all were done. (Eight at once, the first form
    /// of this test, finished together, so a loaded machine's delay of one check failed it.)
    @Test(.timeLimit(.minutes(3))) func wrongPasswordsDoNotStallOtherRequests() async throws {
        var c = Fixture.configuration()
        c.auth = auth(["alice": ("wonder", 10_000)])
        c.authConcurrency = 2
        let gate = ViewerGate(auth: c.auth, concurrency: c.authConcurrency, metrics: nil)
        let app = try buildApplication(
            configuration: c, tileStore: TileStore(), liveHub: LiveHub(), gate: gate, logger: Fixture.logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let attempts = 12
            let sockets = try (0..<attempts).map { _ in try RawSocket(port: port) }
            let header = "Authorization: \(PolicyTests.basic("alice:nope"))\r\n"
            for socket in sockets { socket.send("GET /api/servers HTTP/1.1\r\nHost: x\r\n\(header)\r\n") }
            while gate.verifier.started < 1 { try await Task.sleep(for: .milliseconds(5)) }
            #expect(try await RawSocket(port: port).get("/healthz") == 200)
            let finished = gate.verifier.finished
            #expect(finished < attempts / 2, "\(finished) of \(attempts) checks were done before /healthz answered")
            for socket in sockets { #expect(try await socket.response() == 401) }
        }
    }

    @Test func corsWildcardNeverAllowsCredentials() async throws {
        var c = Fixture.configuration()
        c.cors = CORSSettings(allowedOrigins: ["*", "https://fans.example"])
        c.auth = ViewerAuth(token: "t", users: [:])
        let app = try buildApplication(configuration: c, tileStore: TileStore(), liveHub: LiveHub(), logger: Fixture.logger)
        try await app.test(.router) { client in
            let token: HTTPFields = [.authorization: "Bearer t"]
            for (origin, credentials) in [("https://any.example", nil), ("https://fans.example", "true")] {
                var headers = token
                headers[.origin] = origin
                try await client.execute(uri: "/api/servers", method: .get, headers: headers) { r in
                    #expect(r.status == .ok)
                    #expect(r.headers[.accessControlAllowOrigin] == origin)
                    #expect(r.headers[.accessControlAllowCredentials] == credentials, "\(origin)")
                }
                try await client.execute(
                    uri: "/api/servers", method: .options, headers: [.origin: origin, .accessControlRequestMethod: "GET"]
                ) { r in
                    #expect(r.headers[.accessControlAllowOrigin] == origin)
                    #expect(r.headers[.accessControlAllowCredentials] == credentials, "\(origin)")
                }
            }
            // With viewer auth on, a WebSocket (which carries the cookie) from an origin only `*`
            // allows is refused; a named origin may connect.
            var upgrade: HTTPFields = [.upgrade: "websocket", .connection: "Upgrade", .origin: "https://any.example"]
            try await client.execute(uri: "/ws?server=srv", method: .get, headers: upgrade) { #expect($0.status == .forbidden) }
            upgrade[.origin] = "https://fans.example"
            upgrade[.authorization] = "Bearer t"
            try await client.execute(uri: "/ws?server=srv", method: .get, headers: upgrade) { #expect($0.status == .badRequest) }
        }
    }
}
