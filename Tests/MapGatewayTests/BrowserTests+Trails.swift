import Foundation
import KafkaModel
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

import MapGatewayCore
import MapGatewayServer

/// The "Player trails" layer (trails.js) and the time slider, against a live gateway over a real
/// history store, in headless Chromium.
extension BrowserTests {
    struct TrailState: Decodable {
        var time: String
        var names: [String]
        var points: [Int]
        var paths: Int
        var slider: Int
        var pixel: [Int]?
        var injected: Bool
    }

    static let trailStateJS =
        "(function () { var t = window.kafkatorio.trails.shown;"
        + " var img = Array.from(document.querySelectorAll('img.leaflet-tile')).find(function (e) {"
        + " return (e.getAttribute('src') || '').indexOf('tiles/srv/nauvis/terrain/3/0/0.png') === 0 && e.complete; });"
        + " var px = null; if (img) { var c = document.createElement('canvas'); c.width = 256; c.height = 256;"
        + " var g = c.getContext('2d'); g.drawImage(img, 0, 0, 256, 256); var d = g.getImageData(12, 12, 1, 1).data;"
        + " px = [d[0], d[1], d[2]]; }"
        + " return JSON.stringify({ time: document.body.dataset.time || '', names: t.map(function (p) { return p.name; }),"
        + " points: t.map(function (p) { return p.points; }), paths: document.querySelectorAll('path.player-trail').length,"
        + " slider: Number(document.getElementById('tb-slider').value), pixel: px,"
        + " injected: !!window.__trailInjected || document.querySelectorAll('img[src=\"x\"]').length > 0 }); })()"

    /// Live, the trails layer (switched on in the layer control) shows the last hour: bob's walk.
    /// Clicking the middle of the time slider views a moment two days back: the older (blue) map
    /// and the trail of the player who walked then, whose name is markup and stays text; "Live"
    /// brings back the live map and bob's trail.
    @Test(.timeLimit(.minutes(3)))
    func trailsFollowTheSliderIntoThePastAndBack() async throws {
        let tiles = TileStore()
        let hub = LiveHub(playerFrameMillis: 100)
        for (x, y) in [(0, 0), (-1, -1), (0, -1), (1, 0)] {
            tiles.put(key: Fixture.key(x: x, y: y), png: TestPNG.checker(), version: 1)
        }
        hub.apply(Fixture.surface("nauvis", planet: "nauvis"), server: "srv")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let day: Int64 = 86_400_000
        let core = HistoryCore(intervalMs: 60_000, retentionMs: 30 * day)
        let directory = NSTemporaryDirectory() + "kafkatorio-trails-page-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let history = try await TileHistoryStore.open(directory: directory, core: core)
        // The history window starts four days back with blue versions of the tiles.
        let older = TestPNG.checker(a: (40, 60, 200))
        let start = now - 4 * day
        try await history.apply([(0, 0), (-1, -1), (0, -1), (1, 0)].enumerated().map { i, xy in
            ConsumerMessage(
                topic: "tile-history", partition: 0, offset: Int64(i),
                key: Array("\(Fixture.key(x: xy.0, y: xy.1).string)/\(core.bucket(start))".utf8), value: older,
                headers: [
                    KafkaHeader(key: RecordHeader.contentHash, string: String(ContentHash.fnv1a64(older), radix: 16)),
                    KafkaHeader(key: RecordHeader.time, string: String(start)),
                ])
        })
        // Three days of walking in circles by a player whose name is markup (a sample a minute),
        // then bob's last half hour on a line.
        let hostile = "<img src=x onerror=window.__trailInjected=1>"
        func sample(_ index: Int, _ name: String, x: Double, y: Double, at: Int64, offset: Int64) -> ConsumerMessage {
            let state = PlayerState(
                index: index, name: name, surface: "nauvis", x: x, y: y, color: GameColor(r: 1, g: 0.2, b: 0.8), online: true, afk: false)
            return ConsumerMessage(
                topic: "player-history", partition: 0, offset: offset, key: Array("srv".utf8),
                value: PacketLine.encode(Packet(tick: UInt64(offset), seq: UInt64(offset), payload: .player(state))),
                headers: [KafkaHeader(key: RecordHeader.server, string: "srv")], timestamp: at)
        }
        var messages: [ConsumerMessage] = []
        for minute in 0..<(3 * 24 * 60) {
            let a = Double(minute) / 20
            messages.append(sample(1, hostile, x: 16 + 12 * cos(a), y: -16 + 12 * sin(a), at: start + 3_600_000 + Int64(minute) * 60_000, offset: Int64(minute)))
        }
        for second in stride(from: 0, to: 1800, by: 10) {
            messages.append(sample(2, "bob", x: Double(second) / 60, y: 8, at: now - 1_800_000 + Int64(second) * 1000, offset: Int64(10_000 + second)))
        }
        try await history.applyTrails(messages)
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: tiles, liveHub: hub, history: history, logger: Fixture.logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let results = try await Self.browserSession(
                url: "http://127.0.0.1:\(port)/#srv/nauvis/0/0/3", size: "1280x800",
                until: "document.body.dataset.time === 'live' && Number(document.body.dataset.tilesLoaded) >= 3"
                    + " && !document.getElementById('tb-slider').disabled",
                steps: [
                    // Pressing the collapsed control expands it under the pointer, so the release
                    // lands on its first row (Terrain) and turns it off: the next click turns it on.
                    ("document.querySelector('.leaflet-control-layers-expanded')", ".leaflet-control-layers-toggle"),
                    (
                        "window.kafkatorio.map.hasLayer(window.kafkatorio.layers.terrain)",
                        ".leaflet-control-layers-overlays label:first-child input"
                    ),
                    ("document.body.dataset.trails === '1'", ".leaflet-control-layers-overlays label:last-child input"),
                    (
                        "document.body.dataset.time !== 'live' && window.kafkatorio.trails.shown.length === 1"
                            + " && window.kafkatorio.trails.shown[0].name !== 'bob' && document.querySelector('img.leaflet-tile[src*=\"?at=\"]')"
                            + " && Array.from(document.querySelectorAll('img.leaflet-tile[src*=\"?at=\"]')).every(function (e) { return e.complete; })",
                        "#tb-slider"
                    ),
                    ("document.body.dataset.time === 'live' && window.kafkatorio.trails.shown.length === 1"
                        + " && window.kafkatorio.trails.shown[0].name === 'bob'", "#tb-live"),
                ], eval: Self.trailStateJS, as: TrailState.self
            ) { _ in }
            let (live, past, back) = (results[3], results[4], results[5])
            #expect(live.page.names == ["bob"], "\(live.page)")
            #expect(live.page.paths == 1 && live.page.points == [2], "bob walked a straight line: its two ends \(live.page)")
            #expect(live.page.pixel != nil && live.page.pixel != [40, 60, 200], "the live map \(String(describing: live.page.pixel))")
            // The slider's middle: two days back, the older map and the trail walked then.
            let at = Int64(past.page.time) ?? 0
            #expect(abs(at - (now - 2 * day)) < day / 10, "\(past.page.time)")
            #expect(past.page.slider > 400 && past.page.slider < 600, "\(past.page.slider)")
            #expect(past.page.names == [hostile], "the markup name is data \(past.page.names)")
            #expect(past.page.points.count == 1 && past.page.points[0] >= 3 && past.page.points[0] <= 61, "\(past.page.points)")
            #expect(past.page.pixel == [40, 60, 200], "\(String(describing: past.page.pixel))")
            #expect(back.page.names == ["bob"] && back.page.time == "live", "\(back.page)")
            for r in results { #expect(!r.page.injected, "\(r.page)") }
        }
    }
}
