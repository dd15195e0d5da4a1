import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing

@testable import MapGatewayCore

/// Loads the page in headless Chromium against a live gateway and checks the DOM: the tile for
/// chunk (0, 0) is requested at z=3 and loaded, the player marker is on the map at its position.
/// Set `KAFKATORIO_SCREENSHOT=/tmp/gw.png` to also write a screenshot.
@Suite(.serialized) struct BrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.timeLimit(.minutes(2))) func pageShowsTilesAndPlayers() async throws {
        let chromium = try #require(Self.chromium, "chromium is required for the browser test")
        let tiles = TileStore()
        let hub = LiveHub()
        for (x, y) in [(0, 0), (-1, -1)] {
            tiles.put(key: Fixture.key(x: x, y: y), png: TestPNG.checker(), version: 1)
        }
        tiles.put(
            key: Fixture.key(x: 1, y: 0), png: TestPNG.checker(a: (60, 60, 160), b: (40, 40, 120)), version: 1)
        hub.apply(Fixture.surface("nauvis", planet: "nauvis"), server: "srv")
        hub.apply(Fixture.player(1, "alice", x: 16, y: 16), server: "srv")
        hub.apply(Fixture.player(2, "bob", x: -20, y: 5), server: "srv")
        hub.apply(Fixture.player(3, "offline", x: 3, y: 3, online: false), server: "srv")
        let app = buildApplication(
            configuration: Fixture.configuration(), tileStore: tiles, liveHub: hub, logger: Fixture.logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let url = "http://127.0.0.1:\(port)/#srv/nauvis/0/0/3"
            let dom = try await Self.run(chromium, ["--virtual-time-budget=5000", "--dump-dom", url])
            let body = try #require(dom.firstRange(of: "<body").map { dom[$0.lowerBound...].prefix(400) })
            #expect(body.contains("data-ws=\"open\""), "\(body)")
            #expect(body.contains("data-players=\"2\""), "\(body)")
            #expect(body.contains("data-server=\"srv\""), "\(body)")
            #expect(!body.contains("data-tiles-loaded=\"0\""), "\(body)")
            #expect(dom.contains("src=\"/tiles/srv/nauvis/terrain/3/0/0.png\""))
            #expect(dom.contains("data-player=\"alice\" data-x=\"16\" data-y=\"16\""))
            #expect(dom.contains("data-player=\"bob\" data-x=\"-20\" data-y=\"5\""))
            #expect(!dom.contains("data-player=\"offline\""))
            if let shot = ProcessInfo.processInfo.environment["KAFKATORIO_SCREENSHOT"] {
                _ = try await Self.run(
                    chromium, ["--virtual-time-budget=5000", "--hide-scrollbars", "--screenshot=\(shot)", url])
            }
        }
    }

    /// Runs headless Chromium with `arguments` and returns its standard output.
    static func run(_ chromium: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        let profile = "/tmp/kt-chromium-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: profile) }
        process.arguments =
            ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,800", "--user-data-dir=\(profile)"]
            + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = await Task.detached { out.fileHandleForReading.readDataToEndOfFile() }.value
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
