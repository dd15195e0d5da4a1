import Foundation
import KafkaModel
import Shared
import Testing

import MapGatewayCore
@testable import MapGatewayServer

/// Issue 16: the rules of the tile history (``HistoryCore``) and the store that applies them
/// over a real RocksDB (``TileHistoryStore``).
@Suite struct HistoryCoreTests {
    let core = HistoryCore(intervalMs: 1000, retentionMs: 10_000)
    let tile = TileKey(server: "srv", surface: "nauvis", layer: .buildings, z: 0, x: -1, y: 2)

    @Test func keysSortByTimeAcrossSigns() {
        let times: [Int64] = [-5000, -1, 0, 1, 999, 1000, 1_800_000_000_000]
        let keys = times.map { HistoryCore.versionKey(tile, $0) }
        #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(keys.map { HistoryCore.time($0) } == times)
        #expect(HistoryCore.xy(ofVersionKey: keys[0]).map { [$0.x, $0.y] } == [-1, 2])
        #expect(HistoryCore.tile(ofRecordKey: "\(tile.string)/1700") == tile)
        #expect(HistoryCore.tile(ofRecordKey: tile.string) == nil)
    }

    @Test func thinningReplacesTheLatestVersionOfTheSameInterval() {
        #expect(core.decide(time: 1500, hash: 2, removed: false, latest: (1200, 1, false)) == .replace(1200))
        #expect(core.decide(time: 2000, hash: 2, removed: false, latest: (1200, 1, false)) == .store)
        #expect(core.decide(time: 1500, hash: 1, removed: false, latest: (1200, 1, false)) == .replace(1200))
        #expect(core.decide(time: 2500, hash: 1, removed: false, latest: (1200, 1, false)) == .skip)
        #expect(core.decide(time: 1500, hash: 0, removed: true, latest: nil) == .skip)
        #expect(core.decide(time: 1500, hash: 0, removed: true, latest: (1200, 1, false)) == .replace(1200))
    }

    @Test func theSweepKeepsTheVersionCurrentAtTheCut() {
        let versions: [(time: Int64, removed: Bool)] = [(100, false), (200, false), (300, false), (900, false)]
        #expect(HistoryCore.sweep(versions, cut: 500) == [100, 200])
        #expect(HistoryCore.sweep([(100, false), (200, true), (900, false)], cut: 500) == [100, 200])
        #expect(HistoryCore.sweep(versions, cut: 50).isEmpty)
    }

    @Test func marksAreCoarsenedToAtMost512() {
        let marks = (0..<5000).map { Int64($0) * 60_000 }
        let coarse = HistoryCore.coarsen(marks)
        #expect(coarse.count <= 512 && coarse.count > 400)
        #expect(coarse == coarse.sorted() && coarse.first == marks.first && Set(coarse).isSubset(of: Set(marks)))
        #expect(HistoryCore.coarsen(Array(marks.prefix(300))) == Array(marks.prefix(300)))
    }

    @Test func immutableOnlyBeforeThePreviousInterval() {
        #expect(core.isFinal(at: 7999, now: 10_500))
        #expect(!core.isFinal(at: 9000, now: 10_500))
    }

    // MARK: - The store, over RocksDB

    func record(_ tile: TileKey, _ png: [UInt8], at ms: Int64, offset: Int64) -> ConsumerMessage {
        ConsumerMessage(
            topic: "tile-history", partition: 0, offset: offset, key: Array("\(tile.string)/\(core.bucket(ms))".utf8), value: png,
            headers: [
                KafkaHeader(key: RecordHeader.contentHash, string: String(ContentHash.fnv1a64(png), radix: 16)),
                KafkaHeader(key: RecordHeader.time, string: String(ms)),
            ])
    }

    @Test func theStoreAnswersLookupsChangesAndSweeps() async throws {
        let directory = NSTemporaryDirectory() + "kafkatorio-history-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try await TileHistoryStore.open(directory: directory, core: core)
        let base: Int64 = 1_000_000
        let other = TileKey(server: "srv", surface: "nauvis", layer: .terrain, z: 0, x: 3, y: 0)
        let a = [UInt8](repeating: 1, count: 40), b = [UInt8](repeating: 2, count: 40), c = [UInt8](repeating: 3, count: 40)
        try await store.apply([
            record(tile, a, at: base + 100, offset: 0),
            record(tile, b, at: base + 600, offset: 1),  // same interval: replaces a
            record(tile, c, at: base + 2100, offset: 2),
            record(tile, [], at: base + 4100, offset: 3),  // removed
            record(other, a, at: base + 2500, offset: 4),
        ])
        #expect(store.versionCount == 4)
        let now = base + 5000
        #expect(try await store.version(tile, at: base + 50, now: now) == nil)
        #expect(try await store.version(tile, at: base + 700, now: now)?.png == b)
        #expect(try await store.version(tile, at: base + 300, now: now) == nil)  // thinned: a is gone, b is later
        #expect(try await store.version(tile, at: base + 3000, now: now)?.png == c)
        #expect(try await store.version(tile, at: base + 4500, now: now) == nil)
        let changes = try await store.changes(server: "srv", surface: "nauvis", from: base + 1000, to: base + 3000)
        #expect(changes.tiles == [[3, 0], [-1, 2]] && !changes.truncated)
        #expect(try await store.changes(server: "srv", surface: "nauvis", from: base + 2200, to: base + 2300).tiles.isEmpty)
        #expect(try await store.marks(server: "srv", surface: "nauvis", now: now) == [base, base + 2000, base + 4000])

        // The cut passes b and c: b goes, c is still current at the cut and stays.
        let later = base + 2600 + 10_000
        #expect(try await store.sweep(now: later) == 1)
        #expect(try await store.version(tile, at: base + 700, now: later) == nil)
        #expect(try await store.version(tile, at: base + 2700, now: later)?.png == c)
        #expect(try await store.version(other, at: base + 2700, now: later)?.png == a)

        // Reopened: the same answers and the offsets to resume from.
        await store.close()
        let reopened = try await TileHistoryStore.open(directory: directory, core: core)
        #expect(reopened.offsets == [0: 5] && reopened.versionCount == 3)
        #expect(try await reopened.version(tile, at: base + 2700, now: later)?.png == c)
        await reopened.close()
    }
}
