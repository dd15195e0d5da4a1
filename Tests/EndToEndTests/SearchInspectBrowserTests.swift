import Foundation
import Kafka
import Shared
import TestSupport
import Testing

/// The search box and click-to-inspect in headless Chromium (`scripts/screenshot.py`, one
/// browser session, real waits on conditions) against real processes on the real broker
/// (PacketIngest → TileRenderer → MapGateway): `/` focuses the box, a typo'd station name finds
/// the station on another surface, Enter switches surface and centres the map on it; a click on
/// an ore tile shows the resource and its amount, one on a building its name, type, force and
/// position, from the grid the renderer published. The screenshot is kept at
/// `$KAFKATORIO_SCREENSHOT_SEARCH` (default: a temporary file).
@Suite(.serialized, .timeLimit(.minutes(5)), .needs(.services))
struct SearchInspectBrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    typealias L = SurfaceDeletionTests

    /// The world: nauvis has an assembler at (5.5, 5.5), iron ore at (20, 20) and (21, 20) and the
    /// stations; the page opens on vulcanus.
    static func lines() -> [String] {
        [
            L.line(
                "prototypes", 1,
                #"{"tiles":[{"name":"grass-1","color":[55,53,11,255]}],"entities":[{"name":"assembling-machine-2","type":"assembling-machine","box":[-1.2,-1.2,1.2,1.2],"w":3,"h":3},{"name":"iron-ore","type":"resource","color":[0.4,0.5,0.6],"box":[-0.1,-0.1,0.1,0.1],"w":1,"h":1}]}"#),
            L.line("surface", 2, #"{"index":1,"name":"nauvis","planet":"nauvis"}"#),
            L.line("surface", 3, #"{"index":2,"name":"vulcanus","planet":"vulcanus"}"#),
            L.line("chunk_terrain", 4, #"{"surface":"nauvis","cx":0,"cy":0,"palette":["grass-1"],"runs":[1024,0]}"#),
            L.line("chunk_terrain", 5, #"{"surface":"vulcanus","cx":0,"cy":0,"palette":["grass-1"],"runs":[1024,0]}"#),
            L.line(
                "chunk_buildings", 6,
                #"{"surface":"nauvis","cx":0,"cy":0,"names":["assembling-machine-2"],"forces":["player"],"entities":[77,0,5.5,5.5,0,0]}"#),
            L.line("chunk_resources", 7, #"{"surface":"nauvis","cx":0,"cy":0,"names":["iron-ore"],"cells":[20,20,0,1500,21,20,0,1600]}"#),
            L.line(
                "train_stop", 8,
                #"{"unit":5001,"backer_name":"Iron Smelting","x":24,"y":28,"direction":0,"surface":"nauvis","force":"player"}"#),
            L.line(
                "train_stop", 9,
                #"{"unit":5002,"backer_name":"Copper Mine","x":-200,"y":90,"direction":0,"surface":"nauvis","force":"player"}"#),
        ]
    }

    /// Drives the page from inside (run before its scripts by `--init`): waits for each
    /// condition, then acts, recording what it saw in `window.__scenario`.
    static let scenario = """
        window.__scenario = { step: 0 };
        (function () {
          var s = window.__scenario;
          function key(el, k) { el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true })); }
          function clickAt(x, y) {
            var k = window.kafkatorio, m = k.map, pt = m.latLngToContainerPoint(k.toLatLng(x, y));
            var r = m.getContainer().getBoundingClientRect(), cx = r.left + pt.x, cy = r.top + pt.y;
            var el = document.elementFromPoint(cx, cy);
            ['mousedown', 'mouseup', 'click'].forEach(function (t) {
              el.dispatchEvent(new MouseEvent(t, { clientX: cx, clientY: cy, bubbles: true, cancelable: true, button: 0 }));
            });
          }
          function popup() { var p = document.querySelector('.inspect-popup .leaflet-popup-content'); return p ? p.textContent : null; }
          var timer = setInterval(function () {
            var k = window.kafkatorio, b = document.body.dataset;
            if (!k || !k.search) { return; }
            if (s.step === 0 && b.ws === 'open' && b.surface === 'vulcanus' && k.search.stations.size >= 2) {
              key(document.body, '/');
              var input = document.getElementById('search-input');
              s.focused = document.activeElement === input;
              input.value = 'iron smleting';
              input.dispatchEvent(new Event('input'));
              s.results = Array.from(document.querySelectorAll('#search-results li')).map(function (e) { return e.dataset.label; });
              key(input, 'ArrowDown'); key(input, 'ArrowUp');
              s.active = document.querySelector('#search-results li.active').dataset.label;
              key(input, 'Enter');
              s.step = 1;
            } else if (s.step === 1 && b.surface === 'nauvis') {
              var c = k.map.getCenter();
              if (Math.abs(c.lng - 24) < 0.5 && Math.abs(-c.lat - 28) < 0.5 && k.map.getZoom() >= 3 && Number(b.tilesLoaded) >= 1) {
                s.center = [c.lng, -c.lat, k.map.getZoom()];
                s.listHidden = document.getElementById('search-results').hidden;
                clickAt(20.5, 20.5);
                s.step = 2;
              }
            } else if (s.step === 2 && b.inspect === 'resource') {
              s.ore = popup();
              clickAt(5.2, 6.4);
              s.step = 3;
            } else if (s.step === 3 && b.inspect === 'building') {
              s.building = popup();
              s.step = 4;
              clearInterval(timer);
            }
          }, 100);
        })();
        """

    struct Seen: Decodable {
        var step: Int
        var focused: Bool?
        var results: [String]?
        var active: String?
        var center: [Double]?
        var listHidden: Bool?
        var ore: String?
        var building: String?
    }

    @Test func searchFindsAStationByATypoAndAClickShowsTheBuilding() async throws {
        let python = Self.root.appendingPathComponent(".tools/venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "run scripts/deps.sh (needs .tools/venv)")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "chromium is required")
        let run = try L.Run.make("si", subdirs: ["ingest", "r1", "g1"])
        let e2e = EndToEndTests()
        let ingest = try run.ingest()
        var processes = [ingest]
        defer { for p in processes { p.killNow() } }
        let (producer, admin) = try run.clients("si")
        defer { Task { await producer.shutdown() } }
        _ = try await e2e.eventually(timeout: 60, processes: processes) { () -> Bool? in
            (try? await admin.partitionCounts([run.topics.raw, run.topics.map]))?.count == 2 ? true : nil
        }
        try await L.ship(Self.lines(), run: run, from: 0, producer: producer)
        let port = try TestEnvironment.freePort()
        let renderer = try L.renderer(run, "r1"), gateway = try L.gateway(run, "g1", port: port)
        processes += [renderer, gateway]
        let base = "http://127.0.0.1:\(port)"
        // The grid is served (the renderer published it and the gateway read it) and the
        // stations are in the gateway's state before the browser starts.
        let grid = try await e2e.eventually(timeout: 120, processes: processes) { () -> String? in
            guard let r = try? await httpGet("\(base)/tiles/\(run.server)/nauvis/inspect/3/0/0.json"), r.status == 200,
                let s = try? await httpGet("\(base)/api/servers/\(run.server)/surfaces/nauvis/stations"),
                String(decoding: s.body, as: UTF8.self).contains("Copper Mine")
            else { return nil }
            return String(decoding: r.body, as: UTF8.self)
        }
        #expect(grid.contains(#""names":["assembling-machine-2"],"types":["assembling-machine"],"forces":["player"],"buildings":[77,0,5.5,5.5,0,0]"#), "\(grid)")
        let shot =
            ProcessInfo.processInfo.environment["KAFKATORIO_SCREENSHOT_SEARCH"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("kafkatorio-search-\(getpid()).png").path
        let output = try await Self.screenshot(python, [
            Self.root.appendingPathComponent("scripts/screenshot.py").path, "\(base)/#\(run.server)/vulcanus/0/0/3", shot,
            "--wait", "120", "--init", Self.scenario, "--eval", "JSON.stringify(window.__scenario)",
            "--until", "window.__scenario && window.__scenario.step === 4",
        ])
        let lines = output.split(separator: "\n")
        try #require(lines.count == 2, "\(lines)")
        let inner = try JSONDecoder().decode(String.self, from: Data(lines[1].utf8))
        let seen = try JSONDecoder().decode(Seen.self, from: Data(inner.utf8))
        #expect(seen.step == 4, "\(seen)")
        #expect(seen.focused == true, "`/` focuses the search box")
        #expect(seen.results?.first == "Iron Smelting" && seen.active == "Iron Smelting", "\(seen)")
        #expect(seen.results?.contains("Copper Mine") == false, "\(seen)")
        #expect(seen.listHidden == true, "the results close once one is picked")
        let center = try #require(seen.center)
        #expect(abs(center[0] - 24) < 0.5 && abs(center[1] - 28) < 0.5 && center[2] >= 3, "\(center)")
        #expect(seen.ore?.contains("iron-ore") == true && seen.ore?.contains("1,500") == true, "\(seen.ore ?? "")")
        let building = try #require(seen.building)
        for part in ["assembling-machine-2", "assembling-machine", "player", "5.5, 5.5", "tile 5, 6"] {
            #expect(building.contains(part), "\(building)")
        }
        for p in [gateway, renderer, ingest] { #expect(await p.terminate(timeout: 20) == 0, "\(p.name): clean exit on SIGTERM") }
    }

    /// Runs scripts/screenshot.py (`arguments`) with `python` (off the cooperative pool) and returns
    /// its standard output.
    static func screenshot(_ python: String, _ arguments: [String]) async throws -> String {
        String(decoding: try await runTool(python, arguments).stdout, as: UTF8.self)
    }
}
