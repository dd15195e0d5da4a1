import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing

import MapGatewayCore
import MapGatewayServer

/// The factory layers and the platform panel in headless Chromium against a live gateway, in one
/// browser session of four screenshots: tag and station labels; a train marker that glided to its
/// second sample (and points east), a removed station, an edited tag, a platform further on its
/// way and one removed; the train's popup after
/// a real click on it; a real click on a platform, which shows that platform's surface and its
/// objects only; another server picked from the list, which shows its own tag and no platforms. A second session in a narrow window: the panel is a button that opens it, and
/// nothing in it overflows. The screenshots are kept under `$KAFKATORIO_SCREENSHOT_DIR` (default:
/// a temporary directory).
extension BrowserTests {
    /// What the page shows, read after each screenshot by ``factoryStateJS``.
    struct FactoryState: Decodable {
        var tags: [String]
        var stations: [String]
        /// The train marker's centre on screen, and its arrow's rotation.
        var train: [Double]?
        var arrow: String?
        var popup: String?
        var platforms: [String]
        /// Whether the platform panel is shown.
        var platformPanel: Bool
        var bars: [String]
        var panel: PanelState
    }

    /// The side panel's box: shown or not, whether it or anything in it scrolls sideways (text
    /// that does not wrap), the right edge of its widest element and its own, whether its chat and
    /// player lists scroll.
    struct PanelState: Decodable {
        var display: String
        var toggle: String
        var overflowX: Bool
        var widest: Double
        var width: Double
        var chatScrolls: Bool
        var playersScroll: Bool
    }

    static let factoryStateJS =
        "(function () { function texts(s) { return Array.from(document.querySelectorAll(s)).map(function (e) { return e.textContent; }); }"
        + " var t = document.querySelector('[data-train]'), r = t && t.getBoundingClientRect();"
        + " var a = t && t.querySelector('.train-arrow'), pop = document.querySelector('.leaflet-popup-content');"
        + " var p = document.getElementById('panel'), pr = p.getBoundingClientRect();"
        + " var widest = Math.max.apply(null, Array.from(p.querySelectorAll('*')).map(function (e) { return e.getBoundingClientRect().right; }));"
        + " function scrolls(id) { var e = document.getElementById(id); return e.scrollHeight > e.clientHeight && getComputedStyle(e).overflowY === 'auto'; }"
        + " return JSON.stringify({ tags: texts('.tag-label'), stations: texts('.station-label'),"
        + " train: r ? [r.left + r.width / 2, r.top + r.height / 2] : null, arrow: a ? a.style.transform : null,"
        + " popup: pop ? pop.textContent : null, platforms: texts('#platform-list li'),"
        + " platformPanel: !document.getElementById('platforms').hidden,"
        + " bars: Array.from(document.querySelectorAll('#platform-list .fill')).map(function (e) { return e.style.width; }),"
        + " panel: { display: getComputedStyle(p).display, toggle: getComputedStyle(document.getElementById('panel-toggle')).display,"
        + " overflowX: [p].concat(Array.from(p.querySelectorAll('*'))).some(function (e) { return e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1; }),"
        + " widest: widest, width: pr.right,"
        + " chatScrolls: scrolls('chat-list'), playersScroll: scrolls('player-list') } }); })()"

    /// Runs one browser session on `url`: the first screenshot once `until` holds, then one per
    /// step (`screenshot.py --then`); `between(i)` runs once screenshot `i` is written, before the
    /// next step. Returns each screenshot's data-* state and ``factoryStateJS``.
    static func session(
        url: String, size: String = "1280x800", until: String, steps: [(until: String, click: String?)],
        between: (Int) async throws -> Void = { _ in }
    ) async throws -> [(body: [String: String], page: FactoryState)] {
        try await browserSession(
            url: url, size: size, until: until, steps: steps, eval: factoryStateJS, as: FactoryState.self,
            between: between)
    }

    /// ``session(url:size:until:steps:between:)`` with the page state of `eval` (a JavaScript
    /// expression giving a JSON string) decoded as `State`.
    static func browserSession<State: Decodable>(
        url: String, size: String, until: String, steps: [(until: String, click: String?)], eval: String,
        as: State.Type, between: (Int) async throws -> Void
    ) async throws -> [(body: [String: String], page: State)] {
        let python = root.appendingPathComponent(".tools/venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "run scripts/deps.sh (needs .tools/venv)")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "chromium is required")
        let dir = ProcessInfo.processInfo.environment["KAFKATORIO_SCREENSHOT_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("kafkatorio-factory-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tag = UUID().uuidString.prefix(8)
        let shots = (0...steps.count).map { dir.appendingPathComponent("\(size)-\(tag)-\($0).png").path }
        var arguments = [
            root.appendingPathComponent("scripts/screenshot.py").path, url, shots[0], "--wait", "60", "--size", size,
            "--eval", eval, "--until", until,
        ]
        for (i, step) in steps.enumerated() { arguments += ["--then", shots[i + 1], step.until] + (step.click.map { [$0] } ?? []) }
        let ended = Ended()
        let command = arguments
        let output = Task {
            defer { ended.set() }
            return try await Self.run(python, command)
        }
        for i in 0..<steps.count {
            // Really waits for the screenshot, however long a loaded machine takes (the script
            // gives up waiting for a step's condition after --wait, and then still shoots), unless
            // the script ended without it.
            while !FileManager.default.fileExists(atPath: shots[i]), !ended.value {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await between(i)
        }
        let lines = try await output.value.split(separator: "\n")
        try #require(lines.count == 2 * (steps.count + 1), "\(lines)")
        return try (0...steps.count).map { i in
            let body = try JSONDecoder().decode([String: String].self, from: Data(lines[2 * i].utf8))
            let inner = try JSONDecoder().decode(String.self, from: Data(lines[2 * i + 1].utf8))
            return (body, try JSONDecoder().decode(State.self, from: Data(inner.utf8)))
        }
    }

    static func packet(_ payload: Payload) -> Packet { Packet(tick: 10, seq: 1, payload: payload) }

    /// A three-carriage train heading east with its middle at (`x`, 5).
    static func train(x: Double, state: String = "on_the_path", speed: Double = 0.4) -> Packet {
        packet(
            .train(
                TrainState(
                    id: 12, surface: "nauvis", force: "player", state: state, manual: false, speed: speed,
                    carriages: [7, 0, -7].map { Carriage(x: x + $0, y: 5, orientation: 0.25) }, nextStop: "Smelter 1",
                    nextStopUnit: 5002)))
    }

    static func tag(_ n: Int, _ text: String, x: Double, y: Double, surface: String = "nauvis") -> Packet {
        packet(
            .chartTag(
                ChartTag(
                    tag: n, surface: surface, force: "player", x: x, y: y, text: text,
                    icon: SignalID(type: "item", name: "iron-plate"), lastUser: "alice")))
    }

    /// The platform "Iron Express" travelling from nauvis to vulcanus, `progress` of the way.
    static func express(_ progress: Double) -> Packet {
        packet(
            .spacePlatform(
                SpacePlatformState(
                    index: 1, name: "Iron Express", surface: "platform-1", force: "player", state: "on_the_path",
                    from: "nauvis", to: "vulcanus", progress: progress, speed: 0.3, hub: MapPoint(x: 0, y: 0))))
    }

    @Test(.timeLimit(.minutes(3))) func factoryLayersAndPlatformPanel() async throws {
        let tiles = TileStore()
        for (x, y) in [(0, 0), (-1, -1), (0, -1), (-1, 0), (1, 0), (1, -1)] {
            tiles.put(key: Fixture.key(x: x, y: y), png: TestPNG.checker(), version: 1)
        }
        let hub = LiveHub(playerFrameMillis: 100)
        hub.apply(Fixture.surface("nauvis", planet: "nauvis"), server: "srv")
        hub.apply(Fixture.surface("platform-1", index: 2), server: "srv")
        hub.apply(Self.tag(7, "Iron outpost", x: -30, y: -20), server: "srv")
        hub.apply(Self.tag(8, "Hub tag", x: 2, y: 3, surface: "platform-1"), server: "srv")
        for (unit, name, x) in [(5001 as UInt64, "Mine 1", -60.0), (5002, "Smelter 1", 60)] {
            hub.apply(
                Self.packet(
                    .trainStop(TrainStop(unit: unit, backerName: name, x: x, y: 2, direction: 0, surface: "nauvis", force: "player"))),
                server: "srv")
        }
        hub.apply(Self.train(x: -20), server: "srv")
        hub.apply(Self.express(0.42), server: "srv")
        hub.apply(
            Self.packet(
                .spacePlatform(
                    SpacePlatformState(
                        index: 2, name: "Parked", surface: "platform-2", force: "player", state: "waiting_at_station",
                        location: "nauvis", speed: 0))),
            server: "srv")
        hub.apply(Fixture.surface("nauvis", planet: "nauvis"), server: "srv2")
        hub.apply(Self.tag(1, "Other server", x: 0, y: 0), server: "srv2")
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: tiles, liveHub: hub, logger: Fixture.logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let train = "document.querySelector('[data-train=\"12\"]')"
            let marker = "kafkatorio.factory.markers.trains.get(12).marker"
            let steps: [(until: String, click: String?)] = [
                // The second sample is on screen when the marker has glided all the way to it.
                ("\(train) && \(train).dataset.x === '20' && \(marker).getLatLng().lng === 20"
                    + " && document.querySelectorAll('.station-label').length === 1"
                    + " && document.querySelector('.tag-label').textContent.indexOf('edited') >= 0"
                    + " && document.querySelector('#platform-list .fill').style.width === '50%'", nil),
                // Shown when it has faded in.
                ("document.querySelector('.leaflet-popup') && getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'",
                    "[data-train=\"12\"]"),
                ("document.body.dataset.surface === 'platform-1' && document.querySelectorAll('[data-train]').length === 0"
                    + " && document.querySelectorAll('.tag-label').length === 1", "#platform-list li"),
                // Another server (from the server list): its own tag, no platforms.
                ("!document.getElementById('server-picker').hidden", "#server-name"),
                ("document.body.dataset.server === 'srv2' && document.body.dataset.ws === 'open'"
                    + " && document.querySelectorAll('.tag-label').length === 1"
                    + " && document.querySelector('.tag-label').textContent.indexOf('Other') >= 0",
                    "#server-list li:nth-child(2)"),
            ]
            let pages = try await Self.session(
                url: "http://127.0.0.1:\(port)/#srv/nauvis/0/0/3",
                until: "\(train) && document.querySelectorAll('.station-label').length === 2"
                    + " && document.querySelectorAll('.tag-label').length === 1"
                    + " && document.querySelectorAll('#platform-list li').length === 2",
                steps: steps
            ) { i in
                guard i == 0 else { return }
                // After the first screenshot: the train's next sample 40 tiles east, a station
                // removed, a tag edited, a platform further on its way and one removed.
                hub.apply(Self.train(x: 20), server: "srv")
                hub.apply(Self.packet(.trainStopRemoved(TrainStopRemoved(unit: 5001, surface: "nauvis"))), server: "srv")
                hub.apply(Self.tag(7, "Iron outpost (edited)", x: -30, y: -20), server: "srv")
                hub.apply(Self.express(0.5), server: "srv")
                hub.apply(Self.packet(.spacePlatformRemoved(SpacePlatformRemoved(index: 2))), server: "srv")
            }
            let (first, moved, popup, platform) = (pages[0].page, pages[1].page, pages[2].page, pages[3].page)
            #expect(pages[0].body["ws"] == "open" && pages[0].body["surface"] == "nauvis", "\(pages[0].body)")
            #expect(first.tags == ["iron-plate · Iron outpost"])
            #expect(first.stations.sorted() == ["Mine 1", "Smelter 1"])
            #expect(first.platforms == ["Iron Expressnauvis → vulcanus · 42 %on the path · 18 km/s", "Parkedat nauviswaiting at station"], "\(first.platforms)")
            #expect(first.bars == ["42%"])
            #expect(first.panel.display == "block" && first.panel.toggle == "none" && !first.panel.overflowX, "\(first.panel)")
            // 40 tiles east at 8 px per tile: 320 px right, none down; the arrow points east.
            let (a, b) = (try #require(first.train), try #require(moved.train))
            #expect(abs(b[0] - a[0] - 320) < 2 && abs(b[1] - a[1]) < 1, "\(a) \(b)")
            #expect(moved.arrow == "rotate(90deg)", "\(moved.arrow ?? "-")")
            #expect(moved.stations == ["Smelter 1"])
            #expect(moved.tags == ["iron-plate · Iron outpost (edited)"])
            #expect(moved.platforms == ["Iron Expressnauvis → vulcanus · 50 %on the path · 18 km/s"] && moved.bars == ["50%"])
            #expect(popup.popup == "Train 12state: on the pathspeed: 86 km/hto: Smelter 1automatic", "\(popup.popup ?? "-")")
            #expect(pages[3].body["surface"] == "platform-1", "\(pages[3].body)")
            #expect(platform.tags == ["iron-plate · Hub tag"] && platform.stations.isEmpty && platform.train == nil)
            #expect(first.platformPanel && platform.platformPanel)
            let other = pages[5].page
            #expect(pages[5].body["server"] == "srv2" && pages[5].body["surface"] == "nauvis", "\(pages[5].body)")
            #expect(other.tags == ["iron-plate · Other server"] && other.stations.isEmpty && other.train == nil, "\(other)")
            #expect(other.platforms.isEmpty && !other.platformPanel)
        }
    }

    @Test(.timeLimit(.minutes(3))) func narrowPanelCollapsesAndNothingOverflows() async throws {
        let hub = LiveHub(playerFrameMillis: 100)
        hub.apply(Fixture.surface("nauvis", planet: "nauvis"), server: "srv")
        for i in 1...40 { hub.apply(Fixture.player(i, "player\(i)-" + String(repeating: "w", count: 40), x: 0, y: 0), server: "srv") }
        let long = String(repeating: "unbrokenword", count: 40)
        for i in 1...30 {
            hub.apply(Packet(tick: UInt64(i), seq: 1, payload: .chat(ChatMessage(player: "bob", message: "line \(i) \(long)"))), server: "srv")
        }
        hub.apply(
            Self.packet(
                .spacePlatform(
                    SpacePlatformState(
                        index: 1, name: String(repeating: "Platform", count: 20), surface: "platform-1", force: "player",
                        state: "on_the_path", from: "nauvis", to: "vulcanus", progress: 0.5, speed: 0.3))),
            server: "srv")
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: TileStore(), liveHub: hub, logger: Fixture.logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let pages = try await Self.session(
                url: "http://127.0.0.1:\(port)/#srv/nauvis/0/0/3", size: "480x800",
                until: "document.body.dataset.ws === 'open' && document.querySelectorAll('#chat-list li').length === 30"
                    + " && document.querySelectorAll('#platform-list li').length === 1",
                steps: [("document.body.dataset.panel === 'open'", "#panel-toggle")])
            let (closed, open) = (pages[0].page.panel, pages[1].page.panel)
            #expect(closed.display == "none" && closed.toggle == "block", "\(closed)")
            #expect(open.display == "block" && !open.overflowX, "\(open)")
            #expect(open.widest <= open.width + 0.5, "\(open)")
            #expect(open.width <= 480, "\(open)")
            #expect(open.chatScrolls && open.playersScroll, "\(open)")
        }
    }
}

/// Set once a process has ended (read by a polling loop).
private final class Ended: @unchecked Sendable {
    private let lock = NSLock()
    private var ended = false
    var value: Bool { lock.withLock { ended } }
    func set() { lock.withLock { ended = true } }
}
