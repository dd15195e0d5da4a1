import KafkaModel
import PalettePNG
import Shared
import Testing
import TileRendererCore

/// Pyramid workers handing a partition back and forth, and keeping one over a rebalance (the
/// consumer then reads it again from its start): the last record of every tile is what one
/// worker that saw the final inputs publishes. These are the orders a chaos run produced once
/// (`make chaos`: one `buildings` tile at z −12 was left as an earlier owner had last seen it).
@Suite("Pyramid partitions moving between workers")
struct PyramidTakeoverTests {
    static let topics = Topics()
    static let input = TileKey(server: World.server, surface: World.surface, layer: .buildings, z: 0, x: 0, y: 0)

    /// A 256×256 input tile: opaque colour `c` on the left `width` columns, transparent elsewhere.
    static func png(_ c: UInt8, width: Int) throws -> [UInt8] {
        let pixels = (0..<(256 * 256)).map { UInt8($0 % 256 < width ? 1 : 0) }
        let palette = [RGBA(r: 0, g: 0, b: 0, a: 0), RGBA(r: c, g: 255 - c, b: 7, a: 255)]
        return try PNGEncoder.encode(PaletteImage(width: 256, height: 256, pixels: pixels, palette: palette))
    }

    /// The one `pyramid` partition (all buckets go to it) and the last value of every tile key.
    final class Topic {
        var log: [(key: String, value: [UInt8])] = []
        var tiles: [String: [UInt8]] = [:]
        var tileRecords = 0

        func publish(_ records: [ProducerMessage]) {
            for r in records {
                if r.topic == PyramidTakeoverTests.topics.tiles {
                    tiles[r.keyString!] = r.value.isEmpty ? nil : r.value
                    tileRecords += 1
                } else {
                    log.append((r.keyString!, r.value))
                }
            }
        }

        /// `core` reads the partition from `offset` to its end (restored there), flushes and
        /// publishes, until nothing new comes; returns the new offset.
        @discardableResult
        func settle(_ core: PyramidCore, from offset: Int = 0) throws -> Int {
            var offset = offset
            repeat {
                for r in log[offset...] { try core.apply(key: r.key, value: r.value) }
                offset = log.count
                core.restored(0)
                publish(core.flush().first)
            } while offset < log.count
            return offset
        }
    }

    /// What one worker that only ever saw `values` of the input publishes, last record per key.
    static func reference(_ values: [[UInt8]]) throws -> [String: [UInt8]] {
        let t = Topic()
        t.log = values.map { (input.string, $0) }
        let core = try PyramidCore(pyramidPartitions: 1, clock: { 1 })
        core.assign([0])
        try t.settle(core)
        return t.tiles
    }

    @Test("a worker that gets a pyramid partition back publishes its tiles once again: another owner may have left them changed")
    func partitionComesBack() throws {
        let (v1, v2) = (try Self.png(10, width: 40), try Self.png(200, width: 90))
        let t = Topic()
        let a = try PyramidCore(pyramidPartitions: 1, clock: { 1 }), b = try PyramidCore(pyramidPartitions: 1, clock: { 1 })
        t.log.append((Self.input.string, v1))
        a.assign([0])
        try t.settle(a)
        // b owns the partition meanwhile and sees the input change; then the input goes back to
        // v1 and a, which had published v1's levels before, owns the partition again.
        a.revoke([0])
        b.assign([0])
        t.log.append((Self.input.string, v2))
        try t.settle(b)
        #expect(PyramidTests.digest(t.tiles) == PyramidTests.digest(try Self.reference([v2])))
        b.revoke([0])
        a.assign([0])
        t.log.append((Self.input.string, v1))
        try t.settle(a)
        let expected = try Self.reference([v1])
        #expect(expected.count == 13, "z −1 … −13")
        #expect(PyramidTests.digest(t.tiles) == PyramidTests.digest(expected), "tiles left as b published them: \(t.tiles.keys.filter { t.tiles[$0] != expected[$0] }.sorted())")
    }

    @Test("a partition kept over a rebalance is read again from its start without publishing the old inputs it passes")
    func keptPartitionReread() throws {
        let (v1, v2) = (try Self.png(10, width: 40), try Self.png(200, width: 90))
        let t = Topic()
        let a = try PyramidCore(pyramidPartitions: 1, clock: { 1 })
        t.log = [(Self.input.string, v1), (Self.input.string, v2)]
        a.assign([0])
        try t.settle(a)
        let final = t.tiles, records = t.tileRecords
        #expect(PyramidTests.digest(final) == PyramidTests.digest(try Self.reference([v2])))
        // The rebalance gives the partition back to a; the consumer starts again at offset 0.
        // A flush between the first record (v1) and the end must not publish v1's levels (a
        // worker killed right after would leave them as the last record, and the next owner,
        // which had published v2's, would not send them again).
        a.assign([0])
        try a.apply(key: t.log[0].key, value: t.log[0].value)
        t.publish(a.flush().first)
        #expect(PyramidTests.digest(t.tiles) == PyramidTests.digest(final), "stale levels published during the re-read")
        for r in t.log[1...] { try a.apply(key: r.key, value: r.value) }
        a.restored(0)
        t.publish(a.flush().first)
        // Nothing changed and a was the only publisher: nothing is sent again.
        #expect(PyramidTests.digest(t.tiles) == PyramidTests.digest(final))
        #expect(t.tileRecords == records)
    }

    @Test("a removal that arrives after a fresh worker's restore, before its first flush, is published although that worker never published the levels")
    func removalBeforeFirstFlush() throws {
        let t = Topic()
        let a = try PyramidCore(pyramidPartitions: 1, clock: { 1 })
        t.log = [(Self.input.string, try Self.png(10, width: 40))]
        a.assign([0])
        try t.settle(a)
        #expect(t.tiles.count == 13, "z −1 … −13")
        // a stops; a fresh worker (nothing published yet) reads the partition to its end, and
        // the detail stage's removal of the input (its surface was deleted) comes next.
        let b = try PyramidCore(pyramidPartitions: 1, clock: { 1 })
        b.assign([0])
        for r in t.log { try b.apply(key: r.key, value: r.value) }
        b.restored(0)
        let end = t.log.count
        t.log.append((Self.input.string, []))
        try t.settle(b, from: end)
        #expect(t.tiles.isEmpty, "tiles left of a removed input: \(t.tiles.keys.sorted())")
        var last: [String: [UInt8]] = [:]
        for r in t.log { last[r.key] = r.value }
        let kept = last.filter { !$0.value.isEmpty }.keys.sorted()
        #expect(kept.isEmpty, "pyramid inputs of the next buckets not removed: \(kept)")
    }
}
