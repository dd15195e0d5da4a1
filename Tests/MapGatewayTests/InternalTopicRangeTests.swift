import Hummingbird
import HummingbirdTesting
import KafkaModel
import Prometheus
import Shared
import Testing

import MapGatewayCore
import MapGatewayServer

/// Issue 17, bounded resources: every value read from the internal topics is range-checked before
/// use, and a hostile game server cannot grow the gateway's live state without bound. The records
/// go through the feed's real parsing (``FeedRecords``) into the real store and hub, and the
/// answers come from the real router.
@Suite struct InternalTopicRangeTests {
    let registry = PrometheusCollectorRegistry()
    let tiles = TileStore()
    let hub: LiveHub
    let feed: FeedRecords

    init() {
        hub = LiveHub(
            limits: LiveLimits(maxServers: 2, maxPlayersPerServer: 3, maxSurfacesPerServer: 2),
            metrics: GatewayMetrics(factory: PrometheusMetricsFactory(registry: registry)))
        feed = FeedRecords(tileStore: tiles, hub: hub, logger: Fixture.logger)
    }

    func metric(_ line: String) -> Int {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self).split(separator: "\n")
            .first { $0.hasPrefix(line + " ") }.flatMap { Int($0.split(separator: " ").last!) } ?? 0
    }

    func tile(_ key: String, offset: Int64 = 0) -> ConsumerMessage {
        ConsumerMessage(
            topic: "tiles", partition: 0, offset: offset, key: Array(key.utf8), value: TestPNG.checker(size: 16),
            headers: [KafkaHeader(key: RecordHeader.version, string: "1")])
    }

    func live(_ packet: Packet, server: String = "srv", timestamp: Int64 = 1_000) -> ConsumerMessage {
        ConsumerMessage(
            topic: "live", partition: 0, offset: 0, value: PacketLine.encode(packet),
            headers: [KafkaHeader(key: RecordHeader.server, string: server)], timestamp: timestamp)
    }

    /// The report of the issue: a detail tile 2^62 chunks out made `/api/servers/srv/surfaces/nauvis`
    /// trap (the extent's `* 32` overflowed) on every request for that surface. Such keys, and every
    /// other key a URL could not ask for, are ignored; the surface keeps being served.
    @Test func tileKeysOutOfRangeAreIgnoredAndTheSurfaceStillAnswers() async throws {
        let bad = [
            "srv/nauvis/terrain/3/4611686018427387904/0", "srv/nauvis/terrain/3/0/-4611686018427387904",
            "srv/nauvis/terrain/3/99999999999999999999999/0", "srv/nauvis/terrain/3/x/0", "srv/nauvis/terrain/3/32769/0",
            "srv/nauvis/terrain/4/0/0", "srv/nauvis/terrain/-14/0/0", "srv/nauvis/lava/3/0/0", "srv/nauvis/terrain/3/0",
            "sr v/nauvis/terrain/3/0/0", "srv/../terrain/3/0/0",
        ]
        for (i, key) in bad.enumerated() { feed.apply(tile: tile(key, offset: Int64(i))) }
        feed.apply(tile: tile("srv/nauvis/terrain/3/32768/-2"))
        #expect(tiles.count == 1)
        #expect(metric("kafkatorio_gateway_tile_records_rejected_total") == bad.count)
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: tiles, liveHub: hub, logger: Fixture.logger)
        try await app.test(.router) { client in
            for _ in 0..<2 {
                try await client.execute(uri: "/api/servers/srv/surfaces/nauvis", method: .get) { r in
                    #expect(r.status == .ok)
                    let body = String(buffer: r.body)
                    #expect(body.contains("\"minChunkX\":32768") && body.contains("\"maxX\":1048608"), "\(body)")
                }
            }
            try await client.execute(uri: "/tiles/srv/nauvis/terrain/3/32768/-2.png", method: .get) {
                #expect($0.status == .ok)
            }
        }
    }

    @Test func playersAndSurfacesPerServerAndServersAreCapped() {
        for i in 1...5 { feed.apply(live: live(Fixture.player(i, "p\(i)", x: 0, y: 0))) }
        #expect(hub.state(server: "srv")?.players.keys.sorted() == [1, 2, 3])
        // A known player still moves at the cap.
        feed.apply(live: live(Fixture.player(2, "p2", x: 5, y: 6)))
        #expect(hub.state(server: "srv")?.players[2]?.x == 5)
        #expect(metric(#"kafkatorio_gateway_live_rejected_total{reason="players"}"#) == 2)

        for name in ["nauvis", "vulcanus", "fulgora"] { feed.apply(live: live(Fixture.surface(name))) }
        #expect(hub.state(server: "srv")?.surfaces.keys.sorted() == ["nauvis", "vulcanus"])
        feed.apply(live: live(Fixture.surface("vulcanus", deleted: true)))
        feed.apply(live: live(Fixture.surface("fulgora")))
        #expect(hub.state(server: "srv")?.surfaces.keys.sorted() == ["fulgora", "nauvis"])
        #expect(metric(#"kafkatorio_gateway_live_rejected_total{reason="surfaces"}"#) == 1)

        feed.apply(live: live(Fixture.player(1, "a", x: 0, y: 0), server: "two"))
        feed.apply(live: live(Fixture.player(1, "a", x: 0, y: 0), server: "three"))
        feed.apply(event: """
            {"kind":"join","player":"a","server":"four","time":1000}
            """)
        #expect(hub.allStates().map(\.server) == ["srv", "two"])
        #expect(metric(#"kafkatorio_gateway_live_rejected_total{reason="servers"}"#) == 2)
    }

    @Test func playerIndicesPositionsAndTimesAreRangeChecked() async throws {
        let bad: [(Packet, String)] = [
            (Fixture.player(0, "zero", x: 0, y: 0), "player_index"),
            (Fixture.player(1 << 32, "huge", x: 0, y: 0), "player_index"),
            (
                Packet(
                    tick: 1, seq: 1,
                    payload: .player(
                        PlayerState(
                            index: -1, name: "negative", surface: "nauvis", x: 0, y: 0, color: GameColor(r: 1, g: 1, b: 1),
                            online: true, afk: false))), "player_index"
            ),
            (Fixture.player(1, "far", x: 1e12, y: 0), "player_position"),
            (Fixture.player(1, "far", x: 0, y: -2e6), "player_position"),
        ]
        // The packet parser refuses some of them already; the hub refuses each by itself too.
        for (packet, reason) in bad {
            feed.apply(live: live(packet))
            let result = hub.applyChecked(packet, server: "srv", receivedAt: 1000)
            #expect(result.map { _ in "applied" }.mapError { $0 } == .failure(LiveRejection(rawValue: reason)!))
        }
        feed.apply(live: live(Fixture.player(1, "ok", x: 0, y: 0), timestamp: -1))
        feed.apply(event: #"{"kind":"join","player":"a","server":"srv","time":-9223372036854775808}"#)
        feed.apply(event: #"{"kind":"nonsense","server":"srv","time":1}"#)
        #expect(hub.state(server: "srv")?.players.isEmpty ?? true)
        #expect(metric(#"kafkatorio_gateway_live_rejected_total{reason="player_index"}"#) >= 3)
        #expect(metric(#"kafkatorio_gateway_live_rejected_total{reason="player_position"}"#) >= 2)
        #expect(metric(#"kafkatorio_gateway_live_rejected_total{reason="time"}"#) == 2)

        // Gaps that would overflow the counter saturate instead of trapping.
        for _ in 0..<2 {
            feed.apply(event: #"{"kind":"sequence_gap","missing":9223372036854775807,"server":"srv","time":5}"#)
        }
        feed.apply(live: live(Fixture.player(7, "ok", x: 1_000_000, y: -1_000_000)))
        #expect(hub.state(server: "srv")?.missingLines == .max)
        #expect(hub.state(server: "srv")?.players.keys.sorted() == [7])
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: tiles, liveHub: hub, logger: Fixture.logger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/servers/srv", method: .get) { #expect($0.status == .ok) }
        }
    }
}

extension FeedRecords {
    /// Applies a `live` record holding the server event `json`.
    func apply(event json: String) {
        apply(
            live: ConsumerMessage(
                topic: "live", partition: 0, offset: 0, value: Array(json.utf8),
                headers: [KafkaHeader(key: RecordHeader.packetType, string: ServerEvent.recordType)]))
    }
}
