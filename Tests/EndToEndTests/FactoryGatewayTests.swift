import Foundation
import Kafka
import KafkaModel
import Shared
import TestSupport
import Testing

/// Chart tags, train stops and trains with real processes on the real broker: PacketIngest
/// routes tags and stops to `live` and trains to `trains`; MapGateway reads both topics and
/// serves them in REST.
@Suite(.serialized, .timeLimit(.minutes(5)), .needs(.services))
struct FactoryGatewayTests {
    @Test func tagsStationsAndTrainsReachTheGatewayFromBothTopics() async throws {
        let run = try SurfaceDeletionTests.Run.make("fg", subdirs: ["ingest", "g1"])
        let e2e = EndToEndTests()
        let ingest = try run.ingest()
        var processes = [ingest]
        defer { for p in processes { p.killNow() } }
        let (producer, admin) = try run.clients("fg")
        defer { Task { await producer.shutdown() } }
        _ = try await e2e.eventually(timeout: 60, processes: processes) { () -> Bool? in
            (try? await admin.partitionCounts([run.topics.raw, run.topics.trains]))?.count == 2 ? true : nil
        }
        let lines = [
            SurfaceDeletionTests.line("surface", 1, #"{"index":1,"name":"nauvis"}"#),
            SurfaceDeletionTests.line(
                "chart_tag", 2, #"{"tag":7,"surface":"nauvis","force":"player","x":120.5,"y":-48,"text":"Iron <outpost>"}"#),
            SurfaceDeletionTests.line(
                "train_stop", 3,
                #"{"unit":5001,"backer_name":"Iron pickup","x":101,"y":-40,"direction":0,"surface":"nauvis","force":"player"}"#),
            SurfaceDeletionTests.line(
                "train", 4,
                #"{"id":12,"surface":"nauvis","force":"player","state":"on_the_path","manual":false,"speed":0.5,"carriages":[100,-20.5,0.25],"next_stop":"Iron pickup","next_stop_unit":5001}"#),
        ]
        try await SurfaceDeletionTests.ship(lines, run: run, from: 0, producer: producer)
        let port = try TestEnvironment.freePort()
        let gateway = try SurfaceDeletionTests.gateway(run, "g1", port: port)
        processes.append(gateway)
        func get(_ path: String) async -> String? {
            guard let r = try? await httpGet("http://127.0.0.1:\(port)/api/servers/\(run.server)\(path)"), r.status == 200 else { return nil }
            return String(decoding: r.body, as: UTF8.self)
        }
        let trains = try await e2e.eventually(timeout: 90, processes: processes) { () -> String? in
            await get("/surfaces/nauvis/trains").flatMap { $0 == "[]" ? nil : $0 }
        }
        #expect(trains.hasPrefix(#"[{"id":12,"surface":"nauvis","force":"player","state":"on_the_path","manual":false,"speed":0.5,"carriages":[{"x":100,"y":-20.5,"orientation":0.25}]"#))
        let tags = try await e2e.eventually(timeout: 30, processes: processes) { await get("/surfaces/nauvis/tags").flatMap { $0 == "[]" ? nil : $0 } }
        #expect(tags.contains(#""tag":7,"#) && tags.contains(#""text":"Iron \u003coutpost>""#))
        let stations = try await e2e.eventually(timeout: 30, processes: processes) { await get("/surfaces/nauvis/stations").flatMap { $0 == "[]" ? nil : $0 } }
        #expect(stations.contains(#""unit":5001,"name":"Iron pickup""#))
        #expect(await get("/platforms") == "[]")
        for p in [gateway, ingest] { #expect(await p.terminate(timeout: 20) == 0, "\(p.name): clean exit on SIGTERM") }
    }
}
