import Foundation
import KafkaModel
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

import MapGatewayCore
import MapGatewayServer

/// The page's time bar (timebar.js) against a live gateway in headless Chromium.
extension BrowserTests {
    struct TimeState: Decodable {
        var state: String
        var hash: String
        var tiles: [String]
        var liveButton: Bool
        /// The RGB of pixel (12, 12) of tile terrain/3/0/0 as shown (a checker square).
        var pixel: [Int]?
        var bar: [Double]
        var panel: [Double]
        var overflow: Bool
        var width: Double
    }

    static let timeStateJS =
        "(function () { var tb = document.getElementById('timebar'), p = document.getElementById('panel');"
        + " var r = tb.getBoundingClientRect(), pr = p.getBoundingClientRect();"
        + " var img = Array.from(document.querySelectorAll('img.leaflet-tile')).find(function (e) {"
        + " return (e.getAttribute('src') || '').indexOf('tiles/srv/nauvis/terrain/3/0/0.png') === 0 && e.complete; });"
        + " var px = null; if (img) { var c = document.createElement('canvas'); c.width = 256; c.height = 256;"
        + " var g = c.getContext('2d'); g.drawImage(img, 0, 0, 256, 256); var d = g.getImageData(12, 12, 1, 1).data;"
        + " px = [d[0], d[1], d[2]]; }"
        + " return JSON.stringify({ state: document.getElementById('tb-state').textContent, hash: location.hash,"
        + " tiles: Array.from(document.querySelectorAll('img.leaflet-tile')).map(function (e) {"
        + " return e.getAttribute('src'); }).filter(function (s) { return s && s.indexOf('tiles/') === 0; }),"
        + " liveButton: !document.getElementById('tb-live').hidden, pixel: px,"
        + " bar: [r.left, r.right, r.top, r.bottom], panel: [pr.left, pr.right, pr.top, pr.bottom],"
        + " overflow: [tb].concat(Array.from(tb.querySelectorAll('*'))).some(function (e) {"
        + " return e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1; }), width: window.innerWidth }); })()"

    /// A link with `t=` opens that moment ("Viewing 3 days ago (…)", tiles asked with `?at=`);
    /// a live tile update while viewing the past leaves the past tile on screen; "Live" returns
    /// to the live tiles, the update included, and drops `t=` from the address. The time bar
    /// stays beside the panel (wide) or within the screen (narrow) and never overflows.
    /// The past tiles come from a real history store, so the older map is what is shown.
    @Test(.timeLimit(.minutes(3)), arguments: ["1280x800", "420x760"])
    func sharedMomentLinkOpensThePastAndLiveReturns(size: String) async throws {
        let tiles = TileStore()
        let hub = LiveHub(playerFrameMillis: 100)
        for (x, y) in [(0, 0), (-1, -1), (0, -1), (1, 0)] {
            tiles.put(key: Fixture.key(x: x, y: y), png: TestPNG.checker(), version: 1)
        }
        hub.apply(Fixture.surface("nauvis", planet: "nauvis"), server: "srv")
        let at = Int64(Date().timeIntervalSince1970 * 1000) - 3 * 86_400_000 - 5000
        // The older map: a real history store (RocksDB) holding blue versions of the tiles a
        // minute before the moment viewed; the live tiles are green.
        let core = HistoryCore(intervalMs: 60_000, retentionMs: 30 * 86_400_000)
        let directory = NSTemporaryDirectory() + "kafkatorio-time-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let history = try await TileHistoryStore.open(directory: directory, core: core)
        let older = TestPNG.checker(a: (40, 60, 200))
        try await history.apply([(0, 0), (-1, -1), (0, -1), (1, 0)].enumerated().map { (i, xy) -> ConsumerMessage in
            let (x, y) = xy
            return ConsumerMessage(
                topic: "tile-history", partition: 0, offset: Int64(i),
                key: Array("\(Fixture.key(x: x, y: y).string)/\(core.bucket(at - 60_000))".utf8), value: older,
                headers: [
                    KafkaHeader(key: RecordHeader.contentHash, string: String(ContentHash.fnv1a64(older), radix: 16)),
                    KafkaHeader(key: RecordHeader.time, string: String(at - 60_000)),
                ])
        })
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: tiles, liveHub: hub, history: history, logger: Fixture.logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let pastTile = "img[src$=\"terrain/3/0/0.png?at=\(at)\"]"
            let liveTile = "img[src$=\"terrain/3/0/0.png?v=2\"]"
            let results = try await Self.browserSession(
                url: "http://127.0.0.1:\(port)/#srv/nauvis/0/0/3/t=\(at)", size: size,
                until: "document.body.dataset.time === '\(at)' && document.querySelector('\(pastTile)')"
                    + " && document.querySelector('\(pastTile)').complete && Number(document.body.dataset.tilesLoaded) >= 3",
                steps: [
                    // The page has the live update (its version) but keeps the past tile.
                    ("window.kafkatorio.state.versions['terrain/3/0/0'] === 2", nil),
                    (
                        "document.body.dataset.time === 'live' && document.querySelector('\(liveTile)')"
                            + " && document.querySelector('\(liveTile)').complete", "#tb-live"
                    ),
                ], eval: Self.timeStateJS, as: TimeState.self
            ) { step in
                guard step == 0 else { return }
                tiles.put(key: Fixture.key(x: 0, y: 0), png: TestPNG.checker(a: (200, 60, 60)), version: 2)
                hub.tileUpdated(Fixture.key(x: 0, y: 0), version: 2)
            }
            let (past, kept, back) = (results[0], results[1], results[2])
            #expect(past.body["time"] == "\(at)", "\(past.body)")
            #expect(past.page.state.hasPrefix("Viewing 3 days ago ("), "\(past.page.state)")
            #expect(past.page.liveButton)
            #expect(past.page.hash.hasSuffix("/t=\(at)"), "\(past.page.hash)")
            #expect(past.page.tiles.contains("tiles/srv/nauvis/terrain/3/0/0.png?at=\(at)"), "\(past.page.tiles)")
            #expect(past.page.tiles.allSatisfy { $0.hasSuffix("?at=\(at)") }, "\(past.page.tiles)")
            // The older map is on screen (blue), not the live one (green).
            #expect(past.page.pixel == [40, 60, 200], "\(String(describing: past.page.pixel))")
            // The live update did not replace the past tile (still the older, blue one on screen).
            #expect(kept.page.tiles.allSatisfy { $0.hasSuffix("?at=\(at)") }, "\(kept.page.tiles)")
            #expect(kept.page.pixel == [40, 60, 200], "\(String(describing: kept.page.pixel))")
            // Back to live: the live tiles with the update, no t= in the address.
            #expect(back.body["time"] == "live", "\(back.body)")
            #expect(back.page.state.hasPrefix("Live"), "\(back.page.state)")
            #expect(!back.page.liveButton)
            #expect(!back.page.hash.contains("t="), "\(back.page.hash)")
            #expect(back.page.tiles.contains("tiles/srv/nauvis/terrain/3/0/0.png?v=2"), "\(back.page.tiles)")
            #expect(!back.page.tiles.contains { $0.contains("at=") }, "\(back.page.tiles)")
            #expect(back.page.pixel == [200, 60, 60], "\(String(describing: back.page.pixel))")
            for r in results {
                #expect(!r.page.overflow, "\(r.page)")
                #expect(r.page.bar[0] >= 0 && r.page.bar[1] <= r.page.width, "\(r.page.bar)")
                if r.page.width > 700 {  // wide: left of the panel
                    #expect(r.page.bar[1] < r.page.panel[0], "\(r.page.bar) \(r.page.panel)")
                }
            }
        }
    }
}
