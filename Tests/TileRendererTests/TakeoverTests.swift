import Kafka
import Shared
import Testing
import TileRendererCore
import KafkaModel

/// A worker that takes over partitions from one that died replays packets the dead one had
/// already rendered: removals among them must still reach the tiles and the spills.
@Suite struct TakeoverTests {
    static let chunkA = ChunkPosition(x: 7, y: 7), chunkB = ChunkPosition(x: 8, y: 8)
    static let topics = Topics()

    /// Terrain in two chunks of two regions and a refinery in chunk (7, 7) reaching into (8, 8).
    static let before: [Packet] = [
        World.prototypes, World.terrain(7, 7) { _, _ in "grass-1" }, World.terrain(8, 8) { x, _ in x < 16 ? "water" : "sand-1" },
        World.upsert(World.building(1, "oil-refinery", 254.5, 254.5)),
    ]
    /// Replayed by the new owner in the batch it applies right after its restore.
    static let after: [Packet] = [
        World.packet(.chunkDeleted(ChunkDeleted(surface: World.surface, chunks: [chunkB]))), World.removed(1),
    ]

    /// Last record per key wins; an empty value removes the key.
    static func apply(_ records: [ProducerMessage], to tiles: inout [String: [UInt8]]) {
        for r in records where r.topic == topics.tiles { tiles[r.keyString!] = r.value.isEmpty ? nil : r.value }
    }

    /// Flushes until nothing is left, feeding the worker's spills back as its consumer of the
    /// state topic does; returns everything it published, in order.
    static func settle(_ core: DetailCore) throws -> [ProducerMessage] {
        var all: [ProducerMessage] = []
        for _ in 0..<10 {
            let out = core.flush()
            all += out.first + out.then
            let spills = out.first.filter { $0.topic == topics.rendererState }
            for r in spills { try core.applyState(key: r.keyString!, value: r.value, partition: r.partition!) }
            if out.first.isEmpty && out.then.isEmpty && core.dirtyCount == 0 { break }
        }
        return all
    }

    static func everything(_ core: DetailCore) {
        core.assign(0..<4)
        for p: Int32 in 0..<4 { core.restored(p) }
    }

    @Test("a new owner publishes removals of tiles and spills the dead owner published, replayed in its first flush")
    func removalAfterTakeover() throws {
        // The reference: one worker sees everything.
        let solo = try DetailCore(mapPartitions: 4, pyramidPartitions: 4)
        Self.everything(solo)
        var expected: [String: [UInt8]] = [:]
        for p in Self.before + Self.after { solo.apply(p, server: World.server) }
        Self.apply(try Self.settle(solo), to: &expected)

        // The first owner renders the first packets, writes its state, then dies before it
        // stores the offsets of the rest.
        let dead = try DetailCore(mapPartitions: 4, pyramidPartitions: 4)
        Self.everything(dead)
        for p in Self.before { dead.apply(p, server: World.server) }
        let deadOut = try Self.settle(dead)
        var actual: [String: [UInt8]] = [:]
        Self.apply(deadOut, to: &actual)
        let terrainB = World.key(.terrain, Self.chunkB.x, Self.chunkB.y).string
        #expect(actual[terrainB] != nil)
        let spills = deadOut.filter { $0.topic == Self.topics.rendererState && $0.keyString!.hasPrefix("s/") && !$0.value.isEmpty }
        #expect(!spills.isEmpty, "the refinery spills into the next region")

        // The new owner restores the state topic, then applies the replayed packets before it renders.
        let heir = try DetailCore(mapPartitions: 4, pyramidPartitions: 4)
        heir.assign(0..<4)
        for r in deadOut where r.topic == Self.topics.rendererState {
            try heir.applyState(key: r.keyString!, value: r.value, partition: r.partition!)
        }
        for p: Int32 in 0..<4 { heir.restored(p) }
        heir.apply(World.prototypes, server: World.server)
        for p in Self.after { heir.apply(p, server: World.server) }
        let heirOut = try Self.settle(heir)
        Self.apply(heirOut, to: &actual)

        #expect(actual[terrainB] == nil, "the deleted chunk's tile is removed")
        #expect(actual.keys.sorted() == expected.keys.sorted())
        #expect(actual == expected)
        for s in spills {
            #expect(heirOut.contains { $0.keyString! == s.keyString! && $0.value.isEmpty }, "spill \(s.keyString!) is withdrawn; heir sent \(heirOut.filter { $0.topic == Self.topics.rendererState }.map { "\($0.keyString!)=\($0.value.count)" })")
        }
        // Nothing the heir never saw is removed twice: a second flush publishes nothing.
        for p in Self.after { heir.apply(p, server: World.server) }
        #expect(heir.flush().first.isEmpty)
    }

    @Test("a worker that gets a partition back publishes its tiles once again: another worker may have changed them meanwhile")
    func partitionComesBack() throws {
        let w = try DetailCore(mapPartitions: 4, pyramidPartitions: 4)
        Self.everything(w)
        let grass = World.terrain(8, 8) { _, _ in "grass-1" }, water = World.terrain(8, 8) { _, _ in "water" }
        w.apply(World.prototypes, server: World.server)
        w.apply(grass, server: World.server)
        let first = try Self.settle(w)
        let key = World.key(.terrain, Self.chunkB.x, Self.chunkB.y).string
        let bytes = try #require(first.last { $0.keyString! == key }?.value)
        let p = w.partition(of: ChunkID(server: World.server, surface: World.surface, chunk: Self.chunkB))
        w.revoke([p])
        // Meanwhile another owner rendered `water` and died before recording it; `w` gets p
        // back, restores the recorded `grass` and replays both packets.
        w.assign([p])
        for r in first where r.topic == Self.topics.rendererState && r.partition == p { try w.applyState(key: r.keyString!, value: r.value, partition: p) }
        w.restored(p)
        w.apply(water, server: World.server)
        w.apply(grass, server: World.server)
        let again = try Self.settle(w)
        #expect(again.contains { $0.topic == Self.topics.tiles && $0.keyString! == key && $0.value == bytes })
    }
}
