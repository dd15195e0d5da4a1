import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing

import MapGatewayCore
import MapGatewayServer

/// Issue 17, bounded resources, over real sockets: a head sent a byte at a time is closed after
/// the header timeout, an idle keep-alive connection after the idle timeout (a WebSocket is not),
/// and connections over the cap are closed at once while the admitted ones are served; a freed
/// slot is taken again. Each runs on the tile fast path and on the normal stack (trusted proxies
/// configured: the policy middleware is on, so the fast path is not installed). The bounds are
/// the tests' time limits, never a measured duration: 3 minutes, a hang guard (each case takes
/// 1–20 s alone; in the parallel suite on a loaded 2-core machine a minute was seen to run out).
@Suite struct ConnectionLimitsTests {
    let registry = PrometheusCollectorRegistry()
    let tiles = TileStore()
    static let tile = "/tiles/srv/nauvis/terrain/3/0/0.png"

    func run(
        normalStack: Bool, _ configure: (inout GatewayConfiguration) -> Void,
        _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        var c = Fixture.configuration()
        c.statusIntervalSeconds = 3600
        if normalStack { c.trustedProxies = [CIDR("10.0.0.0/8")!] }
        configure(&c)
        tiles.put(key: Fixture.key(), png: TestPNG.checker(size: 16), version: 1)
        let hub = LiveHub(metrics: GatewayMetrics(factory: PrometheusMetricsFactory(registry: registry)))
        let app = try buildApplication(
            configuration: c, tileStore: tiles, liveHub: hub, registry: registry, logger: Fixture.logger)
        try await app.test(.live) { client in
            // The test client's own connection: open (and holding a slot) before the test's.
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await body(try #require(client.port))
        }
    }

    /// The value of the counter `name{labels}` in the test's registry.
    func counter(_ line: String) -> Int {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        return text.split(separator: "\n").first { $0.hasPrefix(line + " ") }.flatMap { Int($0.split(separator: " ").last!) } ?? 0
    }

    @Test(.timeLimit(.minutes(3)), arguments: [false, true])
    func aSlowHeadIsClosedAfterTheHeaderTimeout(normalStack: Bool) async throws {
        try await run(normalStack: normalStack, { $0.headerTimeoutSeconds = 1; $0.idleTimeoutSeconds = 3600 }) { port in
            // A first request is answered, so the slow head below is the second on the connection.
            let socket = try RawSocket(port: port)
            #expect(try await socket.get(Self.tile) == 200)
            socket.send("GET /healthz HTTP/1.1\r\n")
            // A header byte every 100 ms: never idle, never a whole head.
            while socket.send("X") {
                if socket.isClosedByPeer { break }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(counter(#"kafkatorio_gateway_connections_closed_total{reason="header_timeout"}"#) == 1)
        #expect(counter(#"kafkatorio_gateway_connections_closed_total{reason="idle_timeout"}"#) == 0)
    }

    @Test(.timeLimit(.minutes(3)), arguments: [(false, tile), (true, tile), (false, "/healthz"), (true, "/api/servers")])
    func anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout(normalStack: Bool, path: String) async throws {
        // 10 s, not 1: in the whole parallel suite on 2 cores a test task can wait seconds for a
        // thread, between connecting and its first request or between its two requests (4 s was
        // seen to run out), and a connection idle that long is rightly closed.
        try await run(normalStack: normalStack, { $0.headerTimeoutSeconds = 3600; $0.idleTimeoutSeconds = 10 }) { port in
            let socket = try RawSocket(port: port)
            #expect(try await socket.get(path) == 200)
            #expect(try await socket.get(path) == 200)  // kept alive between requests
            try await socket.waitUntilClosed()
            // A connection that never sent a byte is idle from the start.
            try await RawSocket(port: port).waitUntilClosed()
        }
        // Two here, and the test client's own once it was idle long enough.
        #expect(counter(#"kafkatorio_gateway_connections_closed_total{reason="idle_timeout"}"#) >= 2)
        #expect(counter(#"kafkatorio_gateway_connections_closed_total{reason="header_timeout"}"#) == 0)
    }

    /// A WebSocket that sends nothing outlives the idle timeout several times over while an idle
    /// HTTP connection opened beside it is closed (pings, off here, are a WebSocket's liveness).
    @Test(.timeLimit(.minutes(3)), arguments: [false, true])
    func aWebSocketIsNotClosedByTheIdleTimeout(normalStack: Bool) async throws {
        try await run(normalStack: normalStack, { $0.headerTimeoutSeconds = 4; $0.idleTimeoutSeconds = 4 }) { port in
            let ws = try RawSocket(port: port)
            ws.send(
                "GET /ws?server=srv HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            #expect(try await ws.response() == 101)
            let http = try RawSocket(port: port)
            #expect(try await http.get("/healthz") == 200)
            try await http.waitUntilClosed()
            try await Task.sleep(for: .seconds(9))
            #expect(!ws.isClosedByPeer, "the WebSocket was closed")
        }
    }

    @Test(.timeLimit(.minutes(3)), arguments: [false, true])
    func connectionsOverTheCapAreClosedAndFreedSlotsServeAgain(normalStack: Bool) async throws {
        try await run(normalStack: normalStack, { $0.maxConnections = 3 }) { port in
            // Three slots: the test client's, `first`'s and `second`'s.
            let first = try RawSocket(port: port)
            let second = try RawSocket(port: port)
            #expect(try await first.get(Self.tile) == 200)
            #expect(try await second.get("/healthz") == 200)
            let third = try RawSocket(port: port)
            third.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await third.response() == nil, "a third connection was served")
            #expect(try await first.get("/healthz") == 200, "an admitted connection starved")
            #expect(try await second.get(Self.tile) == 200)
            first.shutdown()
            // The slot comes back once the gateway has seen the close; until then a new connection
            // may still be refused.
            while true {
                if try await RawSocket(port: port).get("/healthz") == 200 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        #expect(counter(#"kafkatorio_gateway_connections_closed_total{reason="refused"}"#) >= 1)
    }
}
