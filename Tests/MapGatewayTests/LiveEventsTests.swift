import Hummingbird
import HummingbirdTesting
import Prometheus
import Shared
import Testing

import MapGatewayCore
@testable import MapGatewayServer

/// Server events on `live`: status, join/leave, chat de-duplication; the surface extent API;
/// metrics.
@Suite struct LiveEventsTests {
    static func event(
        _ kind: ServerEvent.Kind, _ time: Int64, player: String? = nil, message: String? = nil, missing: Int64? = nil
    ) -> ServerEvent {
        ServerEvent(kind: kind, server: "srv", time: time, player: player, message: message, missing: missing)
    }

    static func chat(_ player: String?, _ text: String) -> Packet {
        Packet(tick: 5, seq: 1, payload: .chat(ChatMessage(player: player, message: text)))
    }

    @Test func statusFollowsStartStopAndStaleness() {
        var s = LiveState(server: "srv")
        #expect(s.displayStatus(now: 0, staleAfterSeconds: 60) == "unknown")
        #expect(s.apply(event: Self.event(.serverStarted, 1000)) == [.status(.online, at: 1000)])
        #expect(s.displayStatus(now: 30_000, staleAfterSeconds: 60) == "online")
        #expect(s.displayStatus(now: 62_000, staleAfterSeconds: 60) == "stale")
        s.apply(Fixture.player(1, "alice", x: 1, y: 1), receivedAt: 2000)
        s.apply(Fixture.player(2, "bob", x: 1, y: 1, online: false), receivedAt: 2000)
        let stop = s.apply(event: Self.event(.serverStopped, 3000))
        #expect(stop.count == 2)
        #expect(stop.first == .status(.offline, at: 3000))
        #expect(s.onlinePlayers.isEmpty)
        #expect(s.displayStatus(now: 3001, staleAfterSeconds: 60) == "offline")
        // A late packet does not resurrect a stopped server; a start or session start does.
        s.apply(Fixture.player(1, "alice", x: 2, y: 2, online: false), receivedAt: 3500)
        #expect(s.status == .offline)
        s.apply(
            Packet(tick: 1, seq: 1, payload: .sessionStart(SessionStart(modVersion: "1.0.0", gameVersion: "2.0.7"))),
            receivedAt: 4000)
        #expect(s.status == .online && s.statusSince == 4000)
    }

    @Test func joinAndLeaveMovePlayersOnAndOffline() {
        var s = LiveState(server: "srv")
        s.apply(Fixture.player(1, "alice", x: 1, y: 1, online: false), receivedAt: 10)
        let join = s.apply(event: Self.event(.join, 20, player: "alice"))
        #expect(join.first == .notice(Self.event(.join, 20, player: "alice")))
        #expect(s.onlinePlayers.map(\.name) == ["alice"])
        #expect(join.contains { if case .player(let p) = $0 { p.online } else { false } })
        let kick = s.apply(event: Self.event(.kick, 30, player: "alice", message: "griefing"))
        #expect(kick.count == 2)
        #expect(s.onlinePlayers.isEmpty)
        // Unknown players only produce the notice.
        #expect(s.apply(event: Self.event(.leave, 40, player: "nobody")).count == 1)
        #expect(s.apply(event: Self.event(.sequenceGap, 50, missing: 7)).count == 1)
        #expect(s.missingLines == 7)
    }

    @Test func chatFromModAndConsoleIsShownOnce() {
        var s = LiveState(server: "srv")
        #expect(s.apply(Self.chat("alice", "hi"), receivedAt: 1000) != nil)
        // The console copy of the same line, 2 s later: dropped.
        #expect(s.apply(event: Self.event(.chat, 3000, player: "alice", message: "hi")).isEmpty)
        // Saying it again is a new message (each copy matches only once) …
        #expect(s.apply(event: Self.event(.chat, 4000, player: "alice", message: "hi")).count == 1)
        #expect(s.apply(Self.chat("alice", "hi"), receivedAt: 4500) == nil)
        // … as is the same text after the window, or from someone else.
        #expect(s.apply(event: Self.event(.chat, 20_000, player: "alice", message: "hi")).count == 1)
        #expect(s.apply(Self.chat("bob", "hi"), receivedAt: 20_100) != nil)
        // Console "<server>" is the mod's nil player; console first this time.
        #expect(s.apply(event: Self.event(.chat, 30_000, player: "<server>", message: "restart")).count == 1)
        #expect(s.apply(Self.chat(nil, "restart"), receivedAt: 31_000) == nil)
        #expect(s.chat.map(\.message) == ["hi", "hi", "hi", "hi", "restart"])
        #expect(s.chat.map(\.source) == [.mod, .console, .console, .mod, .console])
    }

    @Test func hubBroadcastsEventsAndStatus() async throws {
        let hub = LiveHub()
        let sub = hub.subscribe(server: "srv")
        #expect(String(buffer: sub.snapshot).contains("\"status\":{\"status\":\"unknown\""))
        hub.apply(event: Self.event(.serverStarted, WallClock.nowMillis()))
        hub.apply(event: Self.event(.join, WallClock.nowMillis(), player: "zed"))
        hub.broadcastStatus()
        hub.unsubscribe(sub.id)
        var messages: [String] = []
        for await m in sub.messages { messages.append(String(buffer: m)) }
        #expect(messages.count == 3)
        #expect(messages[0].hasPrefix("{\"type\":\"status\",\"server\":\"srv\",\"status\":\"online\""))
        #expect(messages[1].hasPrefix("{\"type\":\"notice\",\"server\":\"srv\",\"kind\":\"join\",\"player\":\"zed\""))
        #expect(messages[1].contains("\"at\":"))
        #expect(messages[2].hasPrefix("{\"type\":\"status\""))
    }

    @Test func surfaceExtentAndZooms() async throws {
        let tiles = TileStore()
        tiles.put(key: Fixture.key(x: -2, y: 3), png: TestPNG.checker(), version: 1)
        tiles.put(key: Fixture.key(layer: .buildings, x: 5, y: -1), png: TestPNG.checker(), version: 1)
        // Coarser tiles are counted but do not widen the explored box (z −13 spans 65,536 chunks).
        tiles.put(key: Fixture.key(z: 0, x: 1, y: 1), png: TestPNG.checker(), version: 1)
        tiles.put(key: Fixture.key(z: TileKey.minZoom, x: -1, y: -1), png: TestPNG.checker(), version: 1)
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: tiles, liveHub: LiveHub(), logger: Fixture.logger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/servers/srv/surfaces/nauvis", method: .get) { r in
                #expect(r.status == .ok)
                #expect(
                    String(buffer: r.body)
                        == "{\"name\":\"nauvis\",\"index\":null,\"planet\":null,\"platform\":null,\"tiles\":4,"
                        + "\"extent\":{\"minChunkX\":-2,\"minChunkY\":-1,\"maxChunkX\":5,\"maxChunkY\":3,"
                        + "\"minX\":-64,\"minY\":-32,\"maxX\":192,\"maxY\":128},\"zooms\":[-13,0,3],\"players\":[]}")
            }
            try await client.execute(uri: "/api/servers/srv/surfaces/vulcanus", method: .get) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/api/servers/srv/surfaces/%2e%2e", method: .get) { r in
                #expect(r.status == .badRequest)
            }
        }
    }

    @Test func metricsCountTilesAndConnections() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let tiles = TileStore()
        tiles.put(key: Fixture.key(), png: TestPNG.checker(), version: 1, now: 1000)
        let hub = LiveHub(metrics: metrics)
        hub.apply(Fixture.player(1, "alice", x: 0, y: 0), server: "srv", receivedAt: 1000)
        metrics.recordStaleness(hub.allStates(), tiles: tiles.serverSummaries(), now: 6000)
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: tiles, liveHub: hub, registry: registry,
            logger: Fixture.logger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/tiles/srv/nauvis/terrain/3/0/0.png", method: .get) { _ in }
            try await client.execute(uri: "/tiles/srv/nauvis/terrain/3/9/9.png", method: .get) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { r in
                let text = String(buffer: r.body)
                #expect(text.contains("kafkatorio_gateway_tile_requests_total{result=\"hit\"} 1"))
                #expect(text.contains("kafkatorio_gateway_tile_requests_total{result=\"miss\"} 1"))
                #expect(text.contains("kafkatorio_gateway_server_staleness_seconds{server=\"srv\"} 5"))
            }
        }
    }
}
