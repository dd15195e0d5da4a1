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
        var tags: [String]
        var stations: [String]
        var platforms: [String]
        /// The search results (``searchAndInspectShowGameTextAsText``), when driven.
        var results: [String]?
        var popup: String?
    }

    static let textStateJS =
        "function texts(s) { return Array.from(document.querySelectorAll(s)).map(function (e) { return e.textContent; }); }"
        + " JSON.stringify({ pwned: window.__pwned === undefined ? null : Number(window.__pwned), violations: window.__csp,"
        + " injected: document.querySelectorAll('#panel img, #panel script, #panel svg, .leaflet-tooltip *:not(span),"
        + " .leaflet-marker-icon img, .leaflet-marker-icon script, .leaflet-marker-icon svg, .leaflet-popup-content img,"
        + " .leaflet-popup-content script, .leaflet-popup-content svg').length,"
        + " labels: Array.from(document.querySelectorAll('.player-label')).map(function (e) { return e.textContent; }),"
        + " players: Array.from(document.querySelectorAll('#player-list li')).map(function (e) { return e.textContent; }),"
        + " chat: Array.from(document.querySelectorAll('#chat-list li')).map(function (e) { return e.textContent; }),"
        + " surfaces: Array.from(document.querySelectorAll('#surface-select option')).map(function (e) { return e.textContent; }),"
        + " href: location.href, tags: texts('.tag-label'), stations: texts('.station-label'),"
        + " platforms: texts('#platform-list li'), results: window.__results || null,"
        + " popup: document.querySelector('.leaflet-popup-content') && document.querySelector('.leaflet-popup-content').textContent })"

    /// Opens `url` in headless Chromium until `until` holds (then, with `then`, clicks its
    /// selector and waits until its condition holds); returns the page's data-* state and
    /// ``textStateJS``.
    static func textState(
        url: String, until: String, then: (click: String, until: String)? = nil, drive: String = ""
    ) async throws -> (body: [String: String], page: TextState) {
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
            ] + (then.map { ["--then", shot, $0.until, $0.click] } ?? []))
        let lines = output.split(separator: "\n")
        let last = then == nil ? 0 : 2
        try #require(lines.count == last + 2, "\(lines)")
        let body = try JSONDecoder().decode([String: String].self, from: Data(lines[last].utf8))
        let inner = try JSONDecoder().decode(String.self, from: Data(lines[last + 1].utf8))
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
        // Tag text and icon name, station name, a train's stops, a platform's name and places.
        hub.apply(
            Self.packet(
                .chartTag(
                    ChartTag(
                        tag: 1, surface: "nauvis", force: "player", x: 30, y: -20, text: img,
                        icon: SignalID(type: "item", name: svg), lastUser: script))),
            server: "srv")
        hub.apply(
            Self.packet(
                .trainStop(TrainStop(unit: 9, backerName: script, x: -10, y: -30, direction: 0, surface: "nauvis", force: "player"))),
            server: "srv")
        hub.apply(
            Self.packet(
                .train(
                    TrainState(
                        id: 3, surface: "nauvis", force: "player", state: "manual_control", manual: true, speed: 0,
                        carriages: [Carriage(x: -30, y: 10, orientation: 0)], stop: img, nextStop: script))),
            server: "srv")
        hub.apply(
            Self.packet(
                .spacePlatform(
                    SpacePlatformState(
                        index: 1, name: img, surface: script, force: "player", state: "on_the_path", from: svg, to: script,
                        progress: 0.5, speed: 0))),
            server: "srv")
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: tiles, liveHub: hub, logger: Fixture.logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            // Until the live chat line, the notice and the renamed player's label are on screen.
            let until =
                "document.querySelectorAll('#chat-list li').length >= 3"
                + " && Array.from(document.querySelectorAll('.player-label')).some(function (e) {"
                + " return e.textContent.indexOf('svg') >= 0; })"
            async let result = Self.textState(
                url: "http://127.0.0.1:\(port)/#srv/nauvis/0/0/3", until: until,
                then: (click: "[data-train]", until: "document.querySelector('.leaflet-popup-content')"))
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
            #expect(page.tags == ["\(svg) · \(img)"], "\(page.tags)")
            #expect(page.stations == [script], "\(page.stations)")
            #expect(page.platforms == ["\(img)\(svg) → \(script) · 50 %on the path"], "\(page.platforms)")
            #expect(page.popup == "Train 3state: manual controlspeed: 0 km/hat: \(img)to: \(script)manual", "\(page.popup ?? "-")")
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
