import Foundation
import Kafka
import KafkaModel
import LocalStore
import Logging
import Shared
import Testing
import TileRendererCore
import TileRendererService

/// The detail core over its persistent state store (``RendererStore`` on RocksDB, no broker):
/// resumed, it renders nothing unchanged and exactly what changed; a store that is
/// half-written, of another version or partition layout, or corrupt is rebuilt, never served.
@Suite struct StateStoreTests {
    static let partitions = 2
    static let topics = Topics()
    static var logger: Logger {
        var l = Logger(label: "state-store-test")
        l.logLevel = .critical
        return l
    }

    /// Terrain in the 2×2 chunks meeting at a region corner (4 regions) and a refinery reaching across it (a spill).
    static let world: [Packet] = {
        var out = [World.prototypes]
        for cy in 7..<9 { for cx in 7..<9 { out.append(World.terrain(cx, cy) { x, y in (x + y + cx) % 3 == 0 ? "water" : "grass-1" }) } }
        out.append(World.upsert(World.building(1, "oil-refinery", 254.5, 254.5)))
        out.append(World.upsert(World.building(2, "oil-refinery", 280.5, 230.5)))
        return out
    }()
    /// One building in chunk (8, 8), inside it.
    static let change = World.upsert(World.building(3, "oil-refinery", 272.5, 272.5))

    /// Flushes until nothing is left, feeding spills back as the state-topic consumer does.
    static func settle(_ core: DetailCore) throws -> [ProducerMessage] {
        var all: [ProducerMessage] = []
        for _ in 0..<10 {
            let out = core.flush()
            all += out.first + out.then
            for r in out.first where r.topic == topics.rendererState { try core.applyState(key: r.keyString!, value: r.value, partition: r.partition!) }
            if out.first.isEmpty && out.then.isEmpty && core.dirtyCount == 0 { break }
        }
        return all
    }

    static func tiles(_ records: [ProducerMessage]) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for r in records where r.topic == topics.tiles { out[r.keyString!] = r.value }
        return out
    }

    static func open(_ dir: String, partitions: Int = partitions) throws -> RendererStore {
        try RendererStore(directory: dir, cacheBytes: 1 << 20, partitions: partitions, logger: logger)
    }

    /// Assigns every partition, resuming each from `store`; returns the headers found.
    static func assign(_ core: DetailCore, _ store: RendererStore) -> [Int32: StateStoreLayout.Header] {
        let ps = Set((0..<Int32(partitions)))
        core.assign(ps)
        var headers: [Int32: StateStoreLayout.Header] = [:]
        for p in ps.sorted() { headers[p] = store.resume(p, into: core) }
        for p in ps.sorted() { core.restored(p) }
        return headers
    }

    static func save(_ core: DetailCore, _ store: RendererStore, mapOffset: Int64) throws {
        for p in 0..<Int32(partitions) {
            try store.save(p, header: .init(partitions: partitions, mapOffset: mapOffset, stateOffset: 7), core.takeUnsaved(p))
        }
    }

    /// A worker that restored from the changelog (here: applied the world), rendered and saved.
    static func firstRun(_ dir: String) throws -> (published: [String: [UInt8]], store: RendererStore) {
        let store = try open(dir)
        let core = try DetailCore(mapPartitions: partitions, pyramidPartitions: partitions)
        #expect(assign(core, store).isEmpty)
        for p in world { core.apply(p, server: World.server) }
        let published = tiles(try settle(core))
        try save(core, store, mapOffset: Int64(world.count))
        return (published, store)
    }

    func withDirectory(_ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("state-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try body(dir)
    }

    @Test func resumedWorkerRendersNothingUnchangedAndExactlyWhatChanged() throws {
        try withDirectory { dir in
            let (published, store) = try Self.firstRun(dir)
            #expect(published.count > 12)
            store.close()
            // The reference: a worker that saw everything renders the change.
            let reference = try DetailCore(mapPartitions: Self.partitions, pyramidPartitions: Self.partitions)
            reference.assign(0..<2)
            for p: Int32 in 0..<2 { reference.restored(p) }
            for p in Self.world { reference.apply(p, server: World.server) }
            _ = try Self.settle(reference)
            reference.apply(Self.change, server: World.server)
            let expectedChange = Self.tiles(try Self.settle(reference))
            #expect(!expectedChange.isEmpty)

            let reopened = try Self.open(dir)
            let core = try DetailCore(mapPartitions: Self.partitions, pyramidPartitions: Self.partitions)
            // Prototypes are not stored: every worker reads the whole topic first.
            core.apply(World.prototypes, server: World.server)
            let headers = Self.assign(core, reopened)
            #expect(headers.count == 2 && headers.values.allSatisfy { $0.mapOffset == Int64(Self.world.count) && $0.stateOffset == 7 })
            #expect(core.state.size.chunks == 4)
            let idle = core.flush()
            #expect(idle.rendered == 0 && idle.unchanged == 0 && idle.first.isEmpty && idle.then.isEmpty, "nothing changed: nothing rendered")
            core.apply(Self.change, server: World.server)
            let changed = Self.tiles(try Self.settle(core))
            #expect(changed == expectedChange)
        }
    }

    @Test func emptyStoreConvergesToTheSameBytes() throws {
        try withDirectory { dir in
            let (published, store) = try Self.firstRun(dir)
            store.close()
            try LocalStore.destroy(directory: dir)
            let (again, _) = try Self.firstRun(dir)
            #expect(again == published)
        }
    }

    /// Reopens `dir` after `damage` (done on the closed store) and checks partition 0 is
    /// rebuilt (restores from the changelog: nothing of it loaded) and `p1Resumed` for 1.
    func expectRebuilt(_ dir: String, partitions: Int = partitions, p1Resumed: Bool, _ damage: (LocalStore) throws -> Void) throws {
        let (_, store) = try Self.firstRun(dir)
        store.close()
        do {
            let raw = try LocalStore(directory: dir)
            try damage(raw)
            raw.close()
        }
        let reopened = try Self.open(dir, partitions: partitions)
        let core = try DetailCore(mapPartitions: Self.partitions, pyramidPartitions: Self.partitions)
        let headers = Self.assign(core, reopened)
        #expect(headers[0] == nil)
        #expect(!core.state.chunkIDs().contains { core.partition(of: $0) == 0 }, "nothing of the rebuilt partition is served")
        #expect((headers[1] != nil) == p1Resumed)
        // Rebuilt: the partition's keys are gone, its next save is complete.
        reopened.close()
        let raw = try LocalStore(directory: dir)
        var left = 0
        try raw.scan(prefix: StateStoreLayout.recordPrefix(0)) { _, _ in left += 1; return true }
        #expect(left == 0)
    }

    @Test func halfWrittenPartitionIsRebuilt() throws {
        try withDirectory { dir in
            try expectRebuilt(dir, p1Resumed: true) { raw in
                var b = LocalStoreBatch()
                b.delete(StateStoreLayout.headerKey(0))
                try raw.write(b, sync: true)
            }
        }
    }

    @Test func otherFormatVersionIsRebuilt() throws {
        try withDirectory { dir in
            try expectRebuilt(dir, p1Resumed: true) { raw in
                var b = LocalStoreBatch()
                b.put(StateStoreLayout.headerKey(0), StateStoreLayout.Header(formatVersion: 99, partitions: Self.partitions, mapOffset: 1, stateOffset: 1).encoded)
                try raw.write(b, sync: true)
            }
        }
    }

    @Test func otherPartitionLayoutIsRebuilt() throws {
        try withDirectory { dir in
            try expectRebuilt(dir, partitions: 3, p1Resumed: false) { _ in }
        }
    }

    @Test func unreadableRecordIsRebuilt() throws {
        try withDirectory { dir in
            try expectRebuilt(dir, p1Resumed: true) { raw in
                var key: [UInt8]?
                try raw.scan(prefix: StateStoreLayout.recordPrefix(0)) { k, _ in key = k; return false }
                var b = LocalStoreBatch()
                b.put(try #require(key), [0xff, 0x00, 0x13])
                try raw.write(b, sync: true)
            }
        }
    }

    @Test func corruptStoreIsDeletedAndRebuilt() throws {
        try withDirectory { dir in
            let (_, store) = try Self.firstRun(dir)
            store.close()
            try Data("garbage".utf8).write(to: URL(fileURLWithPath: dir + "/CURRENT"))
            let reopened = try Self.open(dir)
            let core = try DetailCore(mapPartitions: Self.partitions, pyramidPartitions: Self.partitions)
            #expect(Self.assign(core, reopened).isEmpty)
            #expect(core.state.size.chunks == 0)
        }
    }
}
