import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing

import MapGatewayCore
import MapGatewayServer

/// The page never runs game data (names, chat, surfaces are text; the CSP had nothing to block)
/// and does not keep the viewer token in the address bar. Real headless Chromium, real waits.
extension BrowserTests {
    /// Markup that would set `window.__pwned` if the page inserted it as HTML (and no CSP stopped it).
    static let payloads = [
        "<img src=x onerror=window.__pwned=1>", "\"><script>window.__pwned=2</script>",
        "<svg onload=window.__pwned=3></svg>",
    ]

    /// Records every Content-Security-Policy violation in `window.__csp` before the page runs.
    static let recordViolations =
        "window.__csp = []; document.addEventListener('securitypolicyviolation', function (e) {"
        + " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')); });"

    struct TextState: Decodable {
        var pwned: Int?
        var violations: [String]
        /// Elements the payloads would create if parsed as HTML.
        var injected: Int
        var labels: [String]
        var players: [String]
        var chat: [String]
        var surfaces: [String]
        var href: String
        /// The search results and the inspect popup (``searchAndInspect``), when driven.
        var results: [String]?
        var popup: String?
    }

    static let textStateJS =
        "JSON.stringify({ pwned: window.__pwned === undefined ? null : Number(window.__pwned), violations: window.__csp,"
        + " injected: document.querySelectorAll('#panel img, #panel script, #panel svg, .leaflet-tooltip *:not(span),"
        + " .leaflet-popup-content img, .leaflet-popup-content script, .leaflet-popup-content svg').length,"
        + " labels: Array.from(document.querySelectorAll('.player-label')).map(function (e) { return e.textContent; }),"
        + " players: Array.from(document.querySelectorAll('#player-list li')).map(function (e) { return e.textContent; }),"
        + " chat: Array.from(document.querySelectorAll('#chat-list li')).map(function (e) { return e.textContent; }),"
        + " surfaces: Array.from(document.querySelectorAll('#surface-select option')).map(function (e) { return e.textContent; }),"
        + " href: location.href, results: window.__results || null,"
        + " popup: (document.querySelector('.inspect-popup .leaflet-popup-content') || {}).textContent || null })"

    /// Opens `url` in headless Chromium until `until` holds; returns the page's data-* state and
    /// ``textStateJS``.
    static func textState(url: String, until: String, drive: String = "") async throws -> (body: [String: String], page: TextState) {
        let python = root.appendingPathComponent(".tools/venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "run scripts/deps.sh (needs .tools/venv)")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "chromium is required")
        let shot = FileManager.default.temporaryDirectory.appendingPathComponent("kafkatorio-text-\(getpid()).png").path
        defer { try? FileManager.default.removeItem(atPath: shot) }
        let output = try await run(
            python,
            [
                root.appendingPathComponent("scripts/screenshot.py").path, url, shot, "--wait", "60",
                "--init", recordViolations + drive, "--eval", textStateJS, "--until", until,
            ])
        let lines = output.split(separator: "\n")
        try #require(lines.count == 2, "\(lines)")
        let body = try JSONDecoder().decode([String: String].self, from: Data(lines[0].utf8))
        let inner = try JSONDecoder().decode(String.self, from: Data(lines[1].utf8))
        return (body, try JSONDecoder().decode(TextState.self, from: Data(inner.utf8)))
    }

    /// Waits (really) until the page's WebSocket client is connected.
    static func waitForClient(_ hub: LiveHub) async throws {
        var waited = 0
        while hub.clientCount == 0, waited < 1200 {
            try await Task.sleep(for: .milliseconds(50))
            waited += 1
        }
    }

    /// Once the snapshot has the stations: types `img` into the search box (keeping what it lists
    /// in `window.__results`), then clicks game tile (5, 5) at detail zoom (the inspect popup).
    static let searchAndInspect =
        "var __drive = setInterval(function () { var k = window.kafkatorio;"
        + " if (!k || !k.search || document.body.dataset.ws !== 'open' || k.search.stations.size < 1) { return; }"
        + " clearInterval(__drive); var input = document.getElementById('search-input'); input.value = 'img';"
        + " input.dispatchEvent(new Event('input'));"
        + " window.__results = Array.from(document.querySelectorAll('#search-results li .name')).map(function (e) { return e.textContent; });"
        + " input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));"
        + " var pt = k.map.latLngToContainerPoint(k.toLatLng(5.5, 5.5)), r = k.map.getContainer().getBoundingClientRect();"
        + " var el = document.elementFromPoint(r.left + pt.x, r.top + pt.y);"
        + " el.dispatchEvent(new MouseEvent('click', { clientX: r.left + pt.x, clientY: r.top + pt.y, bubbles: true })); }, 100);"

    /// A grid for chunk (0, 0) whose cell (5, 5) is building `name` of force `force`.
    static func grid(name: String, force: String) -> [UInt8] {
        let rows = (0..<32).map { y in String((0..<32).map { x in x == 5 && y == 5 ? "!" : " " }) }
        func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        let json = "{\"v\":1,\"x\":0,\"y\":0,\"names\":[\(q(name))],\"types\":[\(q(name))],\"forces\":[\(q(force))],"
            + "\"buildings\":[1,0,5.5,5.5,0,0],\"grid\":[\(rows.map(q).joined(separator: ","))],"
            + "\"resources\":[],\"ore\":[],\"amounts\":[]}"
        return Array(json.utf8)
    }

    @Test(.timeLimit(.minutes(2))) func gameTextIsShownAsTextAndNeverRuns() async throws {
        let (img, script, svg) = (Self.payloads[0], Self.payloads[1], Self.payloads[2])
        let tiles = TileStore()
        tiles.put(key: Fixture.key(), png: TestPNG.checker(), version: 1)
        let hub = LiveHub(playerFrameMillis: 100)
        hub.apply(Fixture.surface("nauvis", planet: "nauvis"), server: "srv")
        hub.apply(Fixture.surface(script, index: 2, planet: svg), server: "srv")
        hub.apply(Fixture.player(1, img, x: 16, y: 16), server: "srv")
        hub.apply(Fixture.player(2, script, x: 5, y: 5, surface: script), server: "srv")
        hub.apply(Packet(tick: 5, seq: 1, payload: .chat(ChatMessage(player: img, message: script))), server: "srv")
        hub.apply(
            Packet(tick: 5, seq: 1, payload: .trainStop(TrainStop(unit: 9, backerName: img, x: 3, y: 3, direction: 0, surface: "nauvis", force: "player"))),
            server: "srv")
        hub.apply(
            Packet(tick: 5, seq: 1, payload: .chartTag(ChartTag(tag: 4, surface: script, force: "player", x: 1, y: 1, text: img + script, icon: nil, lastUser: svg))),
            server: "srv")
        tiles.grids.put(key: InspectGridKey(server: "srv", surface: "nauvis", x: 0, y: 0), json: Self.grid(name: script, force: svg), contentHash: nil, version: 1)
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: tiles, liveHub: hub, logger: Fixture.logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            // Until the live chat line, the notice and the renamed player's label are on screen.
            let until =
                "document.querySelectorAll('#chat-list li').length >= 3"
                + " && Array.from(document.querySelectorAll('.player-label')).some(function (e) {"
                + " return e.textContent.indexOf('svg') >= 0; })"
                + " && document.body.dataset.inspect === 'building'"
            async let result = Self.textState(url: "http://127.0.0.1:\(port)/#srv/nauvis/0/0/3", until: until, drive: Self.searchAndInspect)
            try await Self.waitForClient(hub)
            // Live (after the snapshot): a chat line, a join notice, a player renamed.
            hub.apply(Packet(tick: 6, seq: 2, payload: .chat(ChatMessage(player: script, message: svg))), server: "srv")
            _ = hub.apply(
                event: ServerEvent(
                    kind: .kick, server: "srv", time: WallClock.nowMillis(), player: svg, message: img, missing: nil))
            hub.apply(Fixture.player(1, img + svg, x: 17, y: 16), server: "srv")
            let (body, page) = try await result
            #expect(body["ws"] == "open" && body["surface"] == "nauvis", "\(body)")
            #expect(page.pwned == nil)
            #expect(page.violations.isEmpty, "\(page.violations)")
            #expect(page.injected == 0)
            #expect(page.labels == [img + svg])
            #expect(page.players.sorted() == [img + svg, "\(script) (\(script))"].sorted(), "\(page.players)")
            #expect(page.chat == ["\(img): \(script)", "\(script): \(svg)", "\(svg) was kicked (\(img))"], "\(page.chat)")
            #expect(page.surfaces.sorted() == ["nauvis", "\(script) (\(svg))"].sorted(), "\(page.surfaces)")
            // The search lists the station, the tag and the player by their names as text.
            // (The player is `img` or, once renamed, `img + svg`.)
            let results = page.results ?? []
            #expect(results.count == 3 && results.contains(img) && results.contains(img + script), "\(results)")
            #expect(results.allSatisfy { [img, img + script, img + svg].contains($0) }, "\(results)")
            // The inspect popup shows the building's name, type and force as text.
            let popup = page.popup ?? ""
            #expect(popup.hasPrefix(script + "type" + script + "force" + svg), "\(popup)")
        }
    }

    /// A page opened with `?token=` drops it from the address once the session cookie works
    /// (the API and the WebSocket then authenticate with the cookie); the view in the hash stays.
    @Test(.timeLimit(.minutes(2))) func tokenLeavesTheAddressBar() async throws {
        let hub = LiveHub(playerFrameMillis: 100)
        hub.apply(Fixture.surface("nauvis", planet: "nauvis"), server: "srv")
        hub.apply(Fixture.player(1, "alice", x: 16, y: 16), server: "srv")
        var configuration = Fixture.configuration()
        configuration.auth = ViewerAuth(token: "s3cret", users: [:])
        let app = try buildApplication(
            configuration: configuration, tileStore: TileStore(), liveHub: hub, logger: Fixture.logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let (body, page) = try await Self.textState(
                url: "http://127.0.0.1:\(port)/?token=s3cret#srv/nauvis/0/0/3",
                until: "location.search === '' && document.body.dataset.ws === 'open'"
                    + " && document.querySelectorAll('.player-label').length === 1")
            #expect(body["ws"] == "open", "\(body)")
            #expect(page.href.hasPrefix("http://127.0.0.1:\(port)/#srv/nauvis/"), "\(page.href)")
            #expect(!page.href.contains("s3cret"))
            #expect(page.labels == ["alice"])
            #expect(page.violations.isEmpty, "\(page.violations)")
        }
    }
}
