import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

import MapGatewayCore
import MapGatewayServer

/// Loads the page in headless Chromium (driven over the DevTools protocol by
/// `scripts/screenshot.py`, with real waits) against a live gateway: rendered tiles load, the
/// online players are markers, the offline one is not, and a player update moves a marker on
/// screen. The screenshot is kept at `$KAFKATORIO_SCREENSHOT` (default: a temporary file).
@Suite(.serialized) struct BrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct PageState: Decodable {
        var markers: [MarkerState]
        var tiles: [String]
    }

    struct MarkerState: Decodable {
        var name: String
        var x: String
        var y: String
        /// The SVG path of the circle: "M<px>,<py>a…" in screen pixels.
        var d: String
    }

    @Test(.timeLimit(.minutes(2))) func pageShowsTilesAndMovingPlayers() async throws {
        let python = Self.root.appendingPathComponent(".tools/venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "run scripts/deps.sh (needs .tools/venv)")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "chromium is required")
        let tiles = TileStore()
        let hub = LiveHub(playerFrameMillis: 100)  // the page gets frames as in production
        for (x, y) in [(0, 0), (-1, -1), (0, -1)] {
            tiles.put(key: Fixture.key(x: x, y: y), png: TestPNG.checker(), version: 1)
        }
        tiles.put(
            key: Fixture.key(x: 1, y: 0), png: TestPNG.checker(a: (60, 60, 160), b: (40, 40, 120)), version: 1)
        hub.apply(Fixture.surface("nauvis", planet: "nauvis"), server: "srv")
        hub.apply(Fixture.player(1, "alice", x: 16, y: 16), server: "srv")
        hub.apply(Fixture.player(2, "bob", x: -20, y: 5), server: "srv")
        hub.apply(Fixture.player(3, "offline", x: 3, y: 3, online: false), server: "srv")
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: tiles, liveHub: hub, logger: Fixture.logger)
        let shot =
            ProcessInfo.processInfo.environment["KAFKATORIO_SCREENSHOT"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("kafkatorio-browser-\(getpid()).png").path
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let eval =
                "JSON.stringify({ markers: Array.from(document.querySelectorAll('[data-player]')).map(function (e) {"
                + " return { name: e.dataset.player, x: e.dataset.x, y: e.dataset.y, d: e.getAttribute('d') }; }),"
                + " tiles: Array.from(document.querySelectorAll('img.leaflet-tile')).map(function (e) {"
                + " return e.getAttribute('src'); }).filter(function (s) { return s.indexOf('tiles/') === 0; }) })"
            // Real waits, as long as a loaded machine needs: until alice's marker has glided to
            // x = 40 and the re-rendered tile is on screen.
            let until =
                "window.kafkatorio && kafkatorio.live && kafkatorio.live.markers[1]"
                + " && kafkatorio.live.markers[1].getLatLng().lng === 40"
                + " && document.querySelector('img[src$=\"terrain/3/0/0.png?v=2\"]')"
                + " && Number(document.body.dataset.tilesLoaded) >= 5"
            async let output = Self.run(
                python,
                [
                    Self.root.appendingPathComponent("scripts/screenshot.py").path,
                    "http://127.0.0.1:\(port)/#srv/nauvis/0/0/3", shot, "--wait", "60", "--eval", eval,
                    "--until", until,
                ])
            // Once the page is connected (and has its snapshot), alice walks 24 tiles east at 4 Hz.
            var waited = 0
            while hub.clientCount == 0, waited < 600 {
                try await Task.sleep(for: .milliseconds(50))
                waited += 1
            }
            try await Task.sleep(for: .milliseconds(1500))
            for step in 1...8 {
                hub.apply(Fixture.player(1, "alice", x: 16 + Double(step) * 3, y: 16), server: "srv")
                try await Task.sleep(for: .milliseconds(250))
            }
            // The tile under alice is re-rendered: the page swaps in version 2 where it is.
            let red = TestPNG.checker(a: (200, 60, 60), b: (150, 40, 40))
            tiles.put(key: Fixture.key(x: 0, y: 0), png: red, version: 2)
            hub.tileUpdated(Fixture.key(x: 0, y: 0), version: 2)
            let lines = try await output.split(separator: "\n")
            try #require(lines.count == 2, "\(lines)")
            let body = try JSONDecoder().decode([String: String].self, from: Data(lines[0].utf8))
            #expect(body["ws"] == "open", "\(body)")
            #expect(body["server"] == "srv" && body["surface"] == "nauvis", "\(body)")
            #expect(body["players"] == "2", "\(body)")
            #expect(Int(body["tilesLoaded"] ?? "0")! >= 4, "\(body)")
            let inner = try JSONDecoder().decode(String.self, from: Data(lines[1].utf8))
            let page = try JSONDecoder().decode(PageState.self, from: Data(inner.utf8))
            let markers = page.markers
            #expect(page.tiles.contains("tiles/srv/nauvis/terrain/3/0/0.png?v=2"), "\(page.tiles)")
            #expect(page.tiles.contains("tiles/srv/nauvis/terrain/3/-1/-1.png"), "\(page.tiles)")
            // Missing layers (resources, buildings) are not requested outside the explored extent
            // and show the transparent tile where they are: no error images over the terrain.
            #expect(Set(markers.map(\.name)) == ["alice", "bob"])
            let alice = try #require(markers.first { $0.name == "alice" })
            let bob = try #require(markers.first { $0.name == "bob" })
            #expect(alice.x == "40" && alice.y == "16")
            // On screen (8 px per game tile at zoom 3): alice now 60 tiles east of bob → 480 px.
            let px = { (d: String) -> Double in Double(d.dropFirst().prefix { $0 != "," }) ?? .nan }
            #expect(abs(px(alice.d) - px(bob.d) - 480) < 2, "\(alice.d) \(bob.d)")
        }
    }

    /// Runs `executable` with `arguments` (off the cooperative pool: a browser run takes seconds)
    /// and returns its standard output.
    static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        String(decoding: try await runTool(executable, arguments).stdout, as: UTF8.self)
    }
}
