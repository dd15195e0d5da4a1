import Foundation
import NIOCore
import Shared
import Testing

import MapGatewayCore
@testable import MapGatewayServer

/// The WebSocket snapshot and the JSON writer's number fast paths, byte for byte against what
/// the gateway wrote before them (issue 15, the 200-train snapshot).
@Suite struct SnapshotGoldenTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("gateway")

    /// The state of `snapshot-world.txt` (200 trains, 100 stations, 15 players of a simulated server).
    static func world() throws -> LiveState {
        var state = LiveState(server: "bench")
        let text = try String(contentsOf: fixtures.appendingPathComponent("snapshot-world.txt"), encoding: .utf8)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            state.apply(try PacketLine.decode(String(line)), receivedAt: 1_000)
        }
        return state
    }

    /// `snapshot-world.json` was written by the encoder before the fast paths
    /// (`KafkatorioBench snapshot --write`, at time 0).
    @Test func snapshotEqualsTheGoldenFile() throws {
        let state = try Self.world()
        #expect(state.factory.trains.count == 200)
        let golden = try Data(contentsOf: Self.fixtures.appendingPathComponent("snapshot-world.json"))
        let encoded = LiveMessages.snapshot(state, now: 0, staleAfterSeconds: 60)
        let bytes = Data(encoded.readableBytesView)
        if bytes != golden {
            let a = Array(bytes)
            let g = Array(golden)
            let at = (0..<min(a.count, g.count)).first { a[$0] != g[$0] } ?? min(a.count, g.count)
            let near = String(decoding: a.dropFirst(max(0, at - 40)).prefix(80), as: UTF8.self)
            Issue.record("snapshot differs from the golden file at byte \(at) of \(g.count): \(near)")
        }
    }

    /// Doubles as `String(value)` writes them (the encoding before the fast paths), integers as
    /// `String(Int)`: game-like values (1/256 tile positions, 3 and 4 decimals), edges, random bits.
    @Test func numbersAreWrittenAsStringDescribesThem() {
        var values: [Double] = [0, -0.0, 0.5, -0.5, 1e-3, 9.99e-4, 0.001, 1e9 - 0.5, 1e9 + 0.5, 0.1 + 0.2, 1e15, 1e16,
            -1e15, 123456.789012, 0.000123, .pi, -.pi, 1.5e300, .leastNonzeroMagnitude, 0.30000000000000004]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        for _ in 0..<3000 {
            let r = Double(Int64(bitPattern: next()) % 2_000_000)
            values.append(r / 256)
            values.append(r / 1000)
            values.append(r / 10000)
            values.append(r / 1_000_000)
            values.append(Double(bitPattern: next()))
        }
        for v in values {
            var w = JSONWriter()
            w.double(v)
            let expected = v.isFinite
                ? (v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)) : "null"
            #expect(String(buffer: w.buffer) == expected, "\(v)")
        }
        for i in [0, 1, -1, 9, 10, -10, 99, 100, Int.max, Int.min, 1_234_567_890] {
            var w = JSONWriter()
            w.int(i)
            #expect(String(buffer: w.buffer) == String(i))
        }
        for u in [UInt64(0), 7, 10, UInt64.max] {
            var w = JSONWriter()
            w.uint(u)
            #expect(String(buffer: w.buffer) == String(u))
        }
    }
}
