import Foundation
import KafkaModel
import Shared
import Testing

import MapGatewayCore
@testable import MapGatewayServer

/// Issue 16: player trails, the rules (``TrailCore``) and the store that keeps them over a real
/// RocksDB (``TileHistoryStore/applyTrails(_:)``, ``TileHistoryStore/trails(server:surface:from:to:tolerance:)``).
@Suite struct TrailCoreTests {
    typealias Sample = TrailCore.Sample

    /// A walk of `n` samples a second apart: straight runs with turns, deterministic.
    static func walk(_ n: Int, seed: UInt64 = 7) -> [Sample] {
        var rng = seed
        func next() -> Double {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(rng >> 11) / Double(1 << 53)
        }
        var (x, y, heading) = (0.0, 0.0, 0.0)
        return (0..<n).map { i in
            if next() < 0.05 { heading += (next() - 0.5) * 3 }
            x += cos(heading) * 8.9 + (next() - 0.5) * 0.3
            y += sin(heading) * 8.9 + (next() - 0.5) * 0.3
            return Sample(time: 1_000_000 + Int64(i) * 1000, x: x, y: y)
        }
    }

    /// The farthest any sample of `line` is from the polyline `kept`.
    static func error(_ line: [Sample], _ kept: [Sample]) -> Double {
        line.map { p in
            zip(kept, kept.dropFirst()).map { TrailCore.distance(p, from: $0, to: $1) }.min() ?? 0
        }.max() ?? 0
    }

    @Test func downsamplingKeepsEveryDroppedPointWithinTheToleranceInOrder() {
        let line = Self.walk(3600)
        for tolerance in [0.5, 1.0, 4.0] {
            let kept = TrailCore.simplify(line, tolerance: tolerance)
            #expect(kept.first == line.first && kept.last == line.last)
            #expect(zip(kept, kept.dropFirst()).allSatisfy { $0.time < $1.time }, "in time order")
            #expect(Self.error(line, kept) <= tolerance + 1e-9)
            #expect(kept.count < line.count / 4, "an hour of walking at \(tolerance) tiles: \(kept.count) of \(line.count) points")
        }
        // A straight line is its two ends; a point off it by more than the tolerance stays.
        let straight = (0..<10).map { Sample(time: Int64($0), x: Double($0), y: 0) }
        #expect(TrailCore.simplify(straight, tolerance: 0.1) == [straight[0], straight[9]])
        var bent = straight
        bent[5].y = 3
        #expect(TrailCore.simplify(bent, tolerance: 1).contains(bent[5]))
        #expect(TrailCore.simplify(bent, tolerance: 5).count == 2)
    }

    @Test func aBudgetOfPointsRaisesTheTolerance() {
        let line = Self.walk(3600)
        let (out, tolerance) = TrailCore.downsample([line], tolerance: 0.1, maxPoints: 50)
        #expect(out[0].count <= 50 && tolerance > 0.1)
        #expect(Self.error(line, out[0]) <= tolerance + 1e-9)
        #expect(TrailCore.downsample([line], tolerance: 1).1 == 1, "within the budget: as asked")
    }

    @Test func samplesAreThinnedToOneASecondAndCutWhereThePlayerLeft() {
        let a = Sample(time: 1000, x: 0, y: 0)
        #expect(TrailCore.keep(a, after: nil))
        #expect(!TrailCore.keep(Sample(time: 1500, x: 1, y: 0), after: a))
        #expect(TrailCore.keep(Sample(time: 2000, x: 1, y: 0), after: a))
        #expect(TrailCore.keep(Sample(time: 1200, x: 0, y: 0, online: false), after: a), "leaving is kept at once")
        #expect(!TrailCore.keep(Sample(time: 500, x: 0, y: 0), after: a), "a replay of an earlier sample")
        let samples = [
            Sample(time: 0, x: 0, y: 0), Sample(time: 1000, x: 1, y: 0), Sample(time: 2000, x: 1, y: 0, online: false),
            Sample(time: 5000, x: 9, y: 9), Sample(time: 6000, x: 9, y: 8), Sample(time: 6000 + TrailCore.maxGapMs + 1, x: 0, y: 0),
        ]
        #expect(TrailCore.segments(samples).map { $0.map(\.time) } == [[0, 1000], [5000, 6000], [6000 + TrailCore.maxGapMs + 1]])
        let v = TrailCore.value(Sample(time: 7, x: -12.34, y: 56.78, online: false))
        #expect(TrailCore.sample(key: HistoryCore.timed([1, 2], 7), value: v) == Sample(time: 7, x: -12.3, y: 56.8, online: false))
    }

    // MARK: - The store, over RocksDB

    func player(_ index: Int, _ name: String, surface: String = "nauvis", x: Double, y: Double, online: Bool = true, at ms: Int64, offset: Int64)
        -> ConsumerMessage
    {
        let state = PlayerState(
            index: index, name: name, surface: surface, x: x, y: y, color: GameColor(r: 1, g: 0.5, b: 0), online: online, afk: false)
        return ConsumerMessage(
            topic: "player-history", partition: 0, offset: offset, key: Array("srv".utf8),
            value: PacketLine.encode(Packet(tick: UInt64(offset), seq: UInt64(offset), payload: .player(state))),
            headers: [KafkaHeader(key: RecordHeader.server, string: "srv")], timestamp: ms)
    }

    @Test func theStoreKeepsTrailsInOrderAnswersWindowsAndSweeps() async throws {
        let directory = NSTemporaryDirectory() + "kafkatorio-trails-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await TileHistoryStore.open(directory: directory, core: HistoryCore(intervalMs: 1000, retentionMs: 100_000))
        let hostile = "<img src=x onerror=alert(1)>"
        let walk = Self.walk(60)
        var messages = walk.enumerated().map { i, s in player(1, hostile, x: s.x, y: s.y, at: s.time, offset: Int64(i)) }
        // Half a second after each: thinned away. A second player on another surface.
        messages += walk.enumerated().map { i, s in player(1, hostile, x: s.x + 50, y: s.y, at: s.time + 500, offset: Int64(100 + i)) }
        messages.append(player(2, "bob", surface: "vulcanus", x: 1, y: 1, at: walk[0].time, offset: 200))
        messages.append(
            ConsumerMessage(topic: "player-history", partition: 0, offset: 201, key: nil, value: Array("junk".utf8), timestamp: walk[1].time))
        try await store.applyTrails(messages.sorted { $0.timestamp! < $1.timestamp! })
        let t0 = walk[0].time
        let all = try await store.trails(server: "srv", surface: "nauvis", from: t0, to: t0 + 60_000, tolerance: 0)
        #expect(all.players.map(\.name) == [hostile], "the name comes back as it was sent: data")
        #expect(all.players.first?.color == [1, 0.502, 0, 1])
        #expect(all.players.first?.segments.first == walk.map { Sample(time: $0.time, x: ($0.x * 10).rounded() / 10, y: ($0.y * 10).rounded() / 10) })
        let window = try await store.trails(server: "srv", surface: "nauvis", from: t0 + 10_000, to: t0 + 19_999, tolerance: 0)
        #expect(window.players.first?.segments.first?.map(\.time) == (10..<20).map { t0 + Int64($0) * 1000 })
        let simplified = try await store.trails(server: "srv", surface: "nauvis", from: t0, to: t0 + 60_000, tolerance: 2)
        #expect((simplified.players.first?.segments.first?.count ?? 0) < walk.count)
        #expect(try await store.trails(server: "srv", surface: "vulcanus", from: t0, to: t0 + 1, tolerance: 1).players.map(\.name) == ["bob"])
        #expect(try await store.trails(server: "srv", surface: "nauvis", from: t0 - 10_000, to: t0 - 1, tolerance: 1).players.isEmpty)

        // Replayed after a restart: nothing twice; the offsets say where to resume.
        await store.close()
        let reopened = try await TileHistoryStore.open(directory: directory, core: HistoryCore(intervalMs: 1000, retentionMs: 100_000))
        #expect(reopened.trailOffsets == [0: 202])
        try await reopened.applyTrails(Array(messages.prefix(30)))
        let again = try await reopened.trails(server: "srv", surface: "nauvis", from: t0, to: t0 + 60_000, tolerance: 0)
        #expect(again.players.first?.segments.first?.count == walk.count)

        // Retention: the sweep 100 s after the 30th sample drops the first 30.
        try await reopened.sweep(now: t0 + 30_000 + 100_000)
        let swept = try await reopened.trails(server: "srv", surface: "nauvis", from: 0, to: t0 + 60_000, tolerance: 0)
        #expect(swept.players.first?.segments.first?.first?.time == t0 + 30_000)
        await reopened.close()
    }
}
