import Foundation
import Kafka
import KafkaModel
import Shared
import TestSupport
import Testing

/// Issue 16, tile history end to end with real processes on the real broker (PacketIngest →
/// `map` → TileRenderer → `tiles` + `tile-history` → MapGateway): a world is built, changed and
/// partly deleted (a surface) over time, with a history interval of 1 s. `?at=` at each of the
/// three moments answers byte for byte the version the renderer published to `tile-history`
/// last at or before it (after the thinning rule: the last version per tile and interval);
/// before a tile existed, and after its surface was deleted, 404. A gateway restarted over its
/// store answers the same; one with a retention of 3 s answers 404 for the first moment but
/// still serves what is current, and holds fewer versions.
@Suite(.serialized, .timeLimit(.minutes(6)), .needs(.services))
struct TileHistoryTests {
    typealias Run = SurfaceDeletionTests.Run
    static let surfaces = ["nauvis", "gleba"]
    static let probe = "terrain/3/0/0"

    static func gateway(_ run: Run, _ name: String, port: Int, tiles: String, extra: [String] = []) throws -> ServiceProcess {
        try ServiceProcess(
            "MapGateway",
            arguments: run.common + [
                "--host", "127.0.0.1", "--port", "\(port)", "--tile-directory", run.dir.appendingPathComponent(tiles).path,
                "--history-interval", "1",
            ] + extra, environment: ["LOG_LEVEL": "info"], logDir: run.dir.appendingPathComponent(name))
    }

    /// The versions of each probed tile on `tile-history`: (time, bytes), in order, thinned as the
    /// contract says (the last per 1 s interval).
    static func published(_ run: Run, partitions: Int) async throws -> [String: [(time: Int64, png: [UInt8])]] {
        let reader = try KafkaPartitionReader(
            client: KafkaClientConfiguration(bootstrapServers: run.bootstrap, clientID: "history-reader"), logger: RendererWorkersTests.logger)
        defer { Task { await reader.shutdown() } }
        let records = try await reader.readAll(topic: run.topics.tileHistory, partitions: (0..<Int32(partitions)).map { $0 })
        var out: [String: [(time: Int64, png: [UInt8])]] = [:]
        for surface in surfaces {
            let prefix = "\(run.server)/\(surface)/\(probe)/"
            var versions: [(time: Int64, png: [UInt8])] = []
            for m in records where m.keyString?.hasPrefix(prefix) == true {
                let time = try #require(m.headerString(RecordHeader.time).flatMap { Int64($0) })
                #expect(m.keyString == prefix + String(time / 1000), "the key's bucket is the publish time's interval")
                if let last = versions.last, last.time / 1000 == time / 1000 { versions.removeLast() }
                versions.append((time, m.value))
            }
            out[surface] = versions
        }
        return out
    }

    /// What `?at=` must answer: the bytes of the last version at or before `at` (nil: 404).
    static func expected(_ versions: [(time: Int64, png: [UInt8])], at: Int64) -> [UInt8]? {
        guard let v = versions.last(where: { $0.time <= at }), !v.png.isEmpty else { return nil }
        return v.png
    }

    static func at(_ port: Int, _ run: Run, _ surface: String, _ at: Int64) async -> (status: Int, body: [UInt8]) {
        (try? await httpGet("http://127.0.0.1:\(port)/tiles/\(run.server)/\(surface)/\(probe).png?at=\(at)")) ?? (0, [])
    }

    static func live(_ port: Int, _ run: Run, _ surface: String) async -> (status: Int, body: [UInt8]) {
        (try? await httpGet("http://127.0.0.1:\(port)/tiles/\(run.server)/\(surface)/\(probe).png")) ?? (0, [])
    }

    /// The points `[t, x, y]` of the first player's first trail segment in a trails answer; nil
    /// without any.
    static func trailPoints(_ body: [UInt8]) -> [[Double]]? {
        struct Answer: Decodable {
            struct Player: Decodable { var segments: [[[Double]]] }
            var players: [Player]
        }
        return (try? JSONDecoder().decode(Answer.self, from: Data(body)))?.players.first?.segments.first
    }

    @Test func pastTilesAreServedAsPublishedAcrossRestartAndRetention() async throws {
        let run = try Run.make("th", subdirs: ["ingest", "r1", "g1", "g2", "g3"])
        let e2e = EndToEndTests()
        let ingest = try run.ingest()
        var processes = [ingest]
        defer { for p in processes { p.killNow() } }
        let (producer, admin) = try run.clients("th")
        defer { Task { await producer.shutdown() } }
        let partitions = try await e2e.eventually(timeout: 60, processes: processes) { () -> Int? in
            (try? await admin.partitionCounts([run.topics.tileHistory]))?[run.topics.tileHistory]
        }
        let renderer = try ServiceProcess(
            "TileRenderer", arguments: run.common + ["--worker-id", "r1", "--history-interval", "1"], environment: ["LOG_LEVEL": "info"],
            logDir: run.dir.appendingPathComponent("r1"))
        let port1 = try TestEnvironment.freePort()
        let g1 = try Self.gateway(run, "g1", port: port1, tiles: "g-tiles")
        processes += [renderer, g1]

        // 1. Built: both surfaces.
        var seq = 1
        let prototypes = SurfaceDeletionTests.line(
            "prototypes", 0, #"{"tiles":[{"name":"grass-1","color":[55,53,11,255]},{"name":"water","color":[51,83,95,255]}]}"#)
        var lines = [prototypes] + Self.surfaces.flatMap { SurfaceDeletionTests.world($0, seq: &seq) }
        try await SurfaceDeletionTests.ship(lines, run: run, from: 0, producer: producer)
        let built = try await e2e.eventually(timeout: 120, processes: processes) { () -> [UInt8]? in
            let n = await Self.live(port1, run, "nauvis"), g = await Self.live(port1, run, "gleba")
            return n.status == 200 && g.status == 200 ? n.body : nil
        }
        let t1 = WallClock.nowMillis()

        // A player walks three steps a little over a second apart (samples are thinned to one a
        // second by arrival), through PacketIngest to `player-history`.
        let walk: [(Double, Double)] = [(1.5, 2), (9, 2), (9, -4.5)]  // positions are kept to a tenth of a tile
        for (x, y) in walk {
            let player = SurfaceDeletionTests.line(
                "player", seq, #"{"index":3,"name":"<b>walker</b>","surface":"nauvis","x":\#(x),"y":\#(y),"color":[1,0,0,1],"online":true,"afk":false}"#)
            seq += 1
            try await SurfaceDeletionTests.ship([player], run: run, from: lines.count, producer: producer)
            lines.append(player)
            try await Task.sleep(for: .milliseconds(1200))
        }
        let trailsPath = "/api/servers/\(run.server)/surfaces/nauvis/trails?from=\(t1 - 60_000)&to=\(WallClock.nowMillis() + 60_000)&tolerance=0"
        let trail = try await e2e.eventually(timeout: 120, processes: processes) { () -> [UInt8]? in
            guard let answer = try? await httpGet("http://127.0.0.1:\(port1)\(trailsPath)"), answer.status == 200,
                let points = Self.trailPoints(answer.body), points.count == walk.count
            else { return nil }
            return answer.body
        }
        #expect(Self.trailPoints(trail)?.map { [$0[1], $0[2]] } == walk.map { [$0.0, $0.1] }, "in order, every step")
        #expect(String(decoding: trail, as: UTF8.self).contains(#""name":"\u003cb>walker\u003c/b>""#), "the name is data (< escaped)")

        // 2. Changed: nauvis's chunk (0, 0) is all water now.
        let change = SurfaceDeletionTests.line("chunk_terrain", seq, #"{"surface":"nauvis","cx":0,"cy":0,"palette":["water"],"runs":[1024,0]}"#)
        seq += 1
        try await SurfaceDeletionTests.ship([change], run: run, from: lines.count, producer: producer)
        lines.append(change)
        _ = try await e2e.eventually(timeout: 120, processes: processes) { () -> Bool? in
            let n = await Self.live(port1, run, "nauvis")
            return n.status == 200 && n.body != built ? true : nil
        }
        let t2 = WallClock.nowMillis()

        // 3. Partly deleted: gleba goes.
        try await SurfaceDeletionTests.ship([SurfaceDeletionTests.deletion("gleba", seq: seq)], run: run, from: lines.count, producer: producer)
        _ = try await e2e.eventually(timeout: 120, processes: processes) { await Self.live(port1, run, "gleba").status == 404 ? true : nil }
        let t3 = WallClock.nowMillis()

        // What the renderer published, and what each moment must answer.
        let published = try await Self.published(run, partitions: partitions)
        let nauvis = try #require(published["nauvis"]), gleba = try #require(published["gleba"])
        let before = try #require(nauvis.first?.time) - 1
        #expect(Self.expected(nauvis, at: t1) != nil && Self.expected(nauvis, at: t2) != nil)
        #expect(Self.expected(nauvis, at: t1) != Self.expected(nauvis, at: t2), "the change is a new version")
        #expect(Self.expected(gleba, at: t1) != nil && Self.expected(gleba, at: t3) == nil, "gleba's removal is a version")
        let probes: [(String, Int64, [UInt8]?)] =
            [("nauvis", before, nil)] + [t1, t2, t3].flatMap { t in [("nauvis", t, Self.expected(nauvis, at: t)), ("gleba", t, Self.expected(gleba, at: t))] }
        func answersAll(_ port: Int) async -> Bool {
            for (surface, t, png) in probes {
                let answer = await Self.at(port, run, surface, t)
                if let png { if answer.status != 200 || answer.body != png { return false } } else if answer.status != 404 { return false }
            }
            return true
        }
        _ = try await e2e.eventually(timeout: 120, processes: processes) { await answersAll(port1) ? true : nil }
        #expect(await Self.at(port1, run, "nauvis", -5).status == 404)
        #expect((try await httpGet("http://127.0.0.1:\(port1)/tiles/\(run.server)/nauvis/\(Self.probe).png?at=soon")).status == 400)
        let versions1 = try #require(try GatewayRestartTests.metric(port1, "kafkatorio_gateway_history_versions"))
        #expect(await g1.terminate(timeout: 20) == 0, "gateway: clean exit on SIGTERM")

        // 4. Restarted over its store: the same answers.
        let port2 = try TestEnvironment.freePort()
        let g2 = try Self.gateway(run, "g2", port: port2, tiles: "g-tiles")
        processes.append(g2)
        _ = try await e2e.eventually(timeout: 120, processes: [g2]) { await answersAll(port2) ? true : nil }
        // At least what it held before: versions the renderer published after the first count was
        // read (the pyramid's last ones) count too. CI once saw a different count with `==`; the
        // values were not printed, so whether more or fewer is not known.
        #expect(try GatewayRestartTests.metric(port2, "kafkatorio_gateway_history_versions") ?? 0 >= versions1)
        #expect(try await httpGet("http://127.0.0.1:\(port2)\(trailsPath)").body == trail, "the same trails, from its store")

        // 5. A retention of 3 s: the first moment is gone, what is current is still served.
        let port3 = try TestEnvironment.freePort()
        let g3 = try Self.gateway(run, "g3", port: port3, tiles: "g3-tiles", extra: ["--history-retention", "3"])
        processes.append(g3)
        let current = try #require(Self.expected(nauvis, at: t3))
        _ = try await e2e.eventually(timeout: 120, processes: [g3]) { () -> Bool? in
            let now = await Self.at(port3, run, "nauvis", WallClock.nowMillis())
            let old = await Self.at(port3, run, "nauvis", t1)
            let versions = try? GatewayRestartTests.metric(port3, "kafkatorio_gateway_history_versions")
            return now.status == 200 && now.body == current && old.status == 404 && (versions ?? .infinity) < versions1 ? true : nil
        }
        // The walk is older than 3 s: swept.
        _ = try await e2e.eventually(timeout: 60, processes: [g3]) { () -> Bool? in
            guard let answer = try? await httpGet("http://127.0.0.1:\(port3)\(trailsPath)"), answer.status == 200 else { return nil }
            return Self.trailPoints(answer.body) == nil ? true : nil
        }
        for p in [g2, g3, renderer, ingest] { #expect(await p.terminate(timeout: 20) == 0, "\(p.name): clean exit on SIGTERM") }
    }
}
