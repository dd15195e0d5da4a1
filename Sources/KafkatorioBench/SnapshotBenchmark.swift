import ArgumentParser
import Foundation
import MapGatewayCore
import MapGatewayServer
import NIOCore
import Shared

/// `snapshot`: the WebSocket `snapshot` message of a server with 200 trains, 100 stations and 15
/// players (`Tests/Fixtures/gateway/snapshot-world.txt`, the latest packets of a simulated
/// server), encoded repeatedly: milliseconds per snapshot (median and range of `--runs` runs of
/// `--repeat` encodings each). `--write FILE` writes the encoding at `at` = 0 instead (how the
/// golden file of `SnapshotGoldenTests` was made).
struct SnapshotBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "WebSocket snapshot encoding of a server with 200 trains.")

    @Option(help: "Packet lines of the server's state.") var world = "Tests/Fixtures/gateway/snapshot-world.txt"
    @Option(help: "Runs (each reports its average).") var runs = 7
    @Option(help: "Encodings per run.") var `repeat` = 50
    @Option(help: "Write the snapshot at time 0 to this file and exit.") var write: String?

    /// The live state the packet lines of `path` leave (comments and blank lines skipped).
    static func state(_ path: String) throws -> LiveState {
        var state = LiveState(server: "bench")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            state.apply(try PacketLine.decode(String(line)), receivedAt: 1_000)
        }
        return state
    }

    func run() throws {
        let state = try Self.state(world)
        if let write {
            let bytes = LiveMessages.snapshot(state, now: 0, staleAfterSeconds: 60)
            try Data(bytes.readableBytesView).write(to: URL(fileURLWithPath: write))
            print("snapshot: wrote \(bytes.readableBytes) bytes to \(write)")
            return
        }
        var size = 0
        var perRun: [Double] = []
        for _ in 0..<runs {
            let start = Bench.now()
            for i in 0..<self.repeat {
                size = LiveMessages.snapshot(state, now: Int64(i), staleAfterSeconds: 60).readableBytes
            }
            perRun.append((Bench.now() - start) * 1000 / Double(self.repeat))
        }
        let sorted = perRun.sorted()
        let f = state.factory
        print("snapshot: \(f.trains.count) trains, \(f.stations.count) stations, \(state.players.count) players, "
            + "\(size) bytes; ms per snapshot: median \(Bench.format(sorted[sorted.count / 2], 3)), "
            + "range \(Bench.format(sorted[0], 3))–\(Bench.format(sorted[sorted.count - 1], 3)) "
            + "(\(runs) runs × \(self.repeat))")
    }
}
