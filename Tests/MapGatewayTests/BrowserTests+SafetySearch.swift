import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing

import MapGatewayCore
import MapGatewayServer

/// Game text in the search box and the inspect popup (issue 15), shown as text, never run.
extension BrowserTests {
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

    /// The search box and the inspect popup show game text as text: a station, a tag and a player
    /// named with markup are found by typing, and a building and force named with markup are
    /// shown by a click at detail zoom; nothing runs, nothing is injected.
    @Test(.timeLimit(.minutes(2))) func searchAndInspectShowGameTextAsText() async throws {
        let (img, script, svg) = (Self.payloads[0], Self.payloads[1], Self.payloads[2])
        let tiles = TileStore()
        tiles.put(key: Fixture.key(), png: TestPNG.checker(), version: 1)
        let hub = LiveHub(playerFrameMillis: 100)
        hub.apply(Fixture.surface("nauvis", planet: "nauvis"), server: "srv")
        hub.apply(Fixture.surface(script, index: 2, planet: svg), server: "srv")
        hub.apply(Fixture.player(1, img + svg, x: 16, y: 16), server: "srv")
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
            let (body, page) = try await Self.textState(
                url: "http://127.0.0.1:\(port)/#srv/nauvis/0/0/3", until: "document.body.dataset.inspect === 'building'",
                drive: Self.searchAndInspect)
            #expect(body["ws"] == "open", "\(body)")
            #expect(page.pwned == nil)
            #expect(page.violations.isEmpty, "\(page.violations)")
            #expect(page.injected == 0)
            // The search lists the station, the tag and the player by their names as text.
            let results = page.results ?? []
            #expect(results.sorted() == [img, img + script, img + svg].sorted(), "\(results)")
            // The inspect popup shows the building's name, type and force as text.
            let popup = page.popup ?? ""
            #expect(popup.hasPrefix(script + "type" + script + "force" + svg), "\(popup)")
        }
    }
}
