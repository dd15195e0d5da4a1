import Foundation
import KafkaModel
import Shared
import Testing

import MapGatewayCore
@testable import MapGatewayServer

/// Interactivity grids over the disk tier: the feed resumes `tiles` at the stored offsets, so a
/// grid read before them must come back from disk, and a removed one must stay removed.
@Suite struct TileDiskGridTests {
    static func message(_ key: String, _ value: [UInt8], offset: Int64, version: UInt64) -> ConsumerMessage {
        ConsumerMessage(
            topic: "kt.tiles", partition: 0, offset: offset, key: Array(key.utf8), value: value,
            headers: [KafkaHeader(key: RecordHeader.version, value: Array("\(version)".utf8))])
    }

    @Test func gridsOutliveARestartThatResumesAtTheStoredOffsets() async throws {
        let dir = TileDiskStoreTests.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let kept = InspectGridKey(server: "srv", surface: "nauvis", x: 0, y: 0)
        let gone = InspectGridKey(server: "srv", surface: "nauvis", x: 1, y: 0)
        let json = Array(#"{"v":1,"buildings":[],"grid":[]}"#.utf8)
        let disk = try await TileDiskStoreTests.open(dir)
        let store = TileStore(disk: disk, cacheBytes: 1 << 20, logger: Fixture.logger)
        let hub = LiveHub()
        let feed = FeedRecords(tileStore: store, hub: hub, logger: Fixture.logger)
        await feed.apply(tiles: [
            Self.message(kept.string, json, offset: 0, version: 3), Self.message(gone.string, json, offset: 1, version: 3),
            Self.message(Fixture.key().string, TestPNG.checker(size: 16), offset: 2, version: 3),
        ])
        await feed.apply(tiles: [Self.message(gone.string, [], offset: 3, version: 4)])
        #expect(store.grids.get(kept) != nil && store.grids.get(gone) == nil)
        let eTag = store.grids.get(kept)?.eTag
        await disk.close()

        let reopened = try await TileDiskStoreTests.open(dir)
        #expect(reopened.offsets == [0: 4], "the feed resumes past every grid record")
        let again = TileStore(disk: reopened, cacheBytes: 1 << 20, logger: Fixture.logger)
        await again.loadGrids()
        #expect(again.grids.get(kept)?.bytes == store.grids.get(kept)?.bytes)
        #expect(again.grids.get(kept)?.eTag == eTag && again.grids.get(kept)?.version == 3)
        #expect(again.grids.get(gone) == nil, "a removed grid stays removed")
        await reopened.close()
    }
}
