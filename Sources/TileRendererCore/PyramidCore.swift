package import KafkaModel
package import PalettePNG
package import Shared

/// One pyramid worker's core (no Kafka): the coarse levels (z < 0) of the buckets it owns.
///
/// Input records (`pyramid` topic) are tile images at some zoom z ≤ 0, keyed by the tile and
/// placed in the partition of their bucket, the ancestor ``TileLevels/bucketDepth`` levels up
/// (clamped to ``TileKey/minZoom``). The worker keeps the inputs of its buckets, builds the
/// levels z−1 … bucket zoom from them with ``Downsample``, publishes each as a tile, and sends
/// the bucket-level tile on as the input of the next bucket — until ``TileKey/minZoom``. The
/// `pyramid` topic is its own state: on assignment a worker reads its partitions from the start.
///
/// Not `Sendable` (it holds a libdeflate compressor); confine it to one thread.
package final class PyramidCore {
    /// Header of inputs that must be re-published even when unchanged (a re-render).
    package static let forceHeader = "force"
    package let pyramidPartitions: Int
    package private(set) var owned: Set<Int32> = []
    package private(set) var restoring: Set<Int32> = []
    /// The inputs and the levels built from them, as PNG bytes (a decoded tile is 64 KiB, its
    /// PNG a few: at 100,000 chunks that is most of the renderer's memory); decoded when a flush
    /// needs them. A decoded PNG downsamples exactly as the image it was encoded from
    /// (``Downsample`` depends only on colours).
    private var inputs: [TileKey: [UInt8]] = [:]
    private var built: [TileKey: [UInt8]] = [:]
    /// Inputs whose last record was a removal (re-announced after a restore).
    private var removed: Set<TileKey> = []
    private var dirty: Set<TileKey> = []
    private var forced: Set<TileKey> = []
    private var published: PublishLedger
    private let encoder: PNGEncoderContext

    /// - Parameter topics: the names of the topics its records go to.
    package init(
        pyramidPartitions: Int, level: Int32 = 6, topics: Topics = Topics(), clock: @escaping () -> UInt64 = { UInt64(WallClock.nowMillis()) }
    ) throws(PNGError) {
        self.pyramidPartitions = pyramidPartitions
        self.encoder = try PNGEncoderContext(level: level)
        self.published = PublishLedger(topics: topics, clock: clock)
    }

    /// The partition of the bucket of input `key`.
    package func partition(ofInput key: TileKey) -> Int32 {
        Partitioner.partition(of: TileLevels.bucket(of: key).string, count: pyramidPartitions)
    }

    /// Inputs held (for metrics).
    package var inputCount: Int { inputs.count }
    /// Dirty inputs waiting for a flush.
    package var dirtyCount: Int { dirty.count }

    /// The partition whose owner builds (and publishes) `tile` (z < 0).
    package func partition(ofBuilt tile: TileKey) -> Int32 {
        Partitioner.partition(of: TileLevels.bucket(ofBuilt: tile).string, count: pyramidPartitions)
    }

    /// Partitions were assigned: read them from the start before rendering. The consumer reads
    /// every assigned partition from its start (nothing is committed), also one this worker kept
    /// over a rebalance: that one restores again from nothing, so no flush renders the mix of
    /// old and new inputs the re-read passes through (an owner killed in the middle would leave
    /// that mix as the last record). What it published stays noted: it was the only publisher.
    package func assign(_ partitions: some Sequence<Int32>) {
        let parts = Set(partitions)
        forget(parts)
        owned.subtract(parts)
        restoring.formUnion(parts)
    }

    /// Partition `p` was read to its end: (re)build everything in it.
    package func restored(_ p: Int32) {
        guard restoring.remove(p) != nil else { return }
        owned.insert(p)
        for key in inputs.keys where partition(ofInput: key) == p { dirty.insert(key) }
        // A previous owner may have died before publishing what a removal implies.
        for key in removed where partition(ofInput: key) == p {
            dirty.insert(key)
            forced.insert(key)
        }
    }

    /// Partitions were taken away: forget their inputs, levels and what was published of them.
    /// Another worker publishes them meanwhile, so if they come back, everything in them is
    /// published once again (the tiles may have been left as another owner last saw them).
    package func revoke(_ partitions: some Sequence<Int32>) {
        let gone = Set(partitions)
        owned.subtract(gone)
        restoring.subtract(gone)
        forget(gone)
        published.retain { slot in
            guard let bar = slot.firstIndex(of: "|"), let tile = TileKey(string: String(slot[slot.index(after: bar)...])) else { return true }
            return !gone.contains(partition(ofBuilt: tile))
        }
    }

    /// Drops the inputs, levels and pending work of `parts` (not the ledger).
    private func forget(_ parts: Set<Int32>) {
        guard !parts.isEmpty else { return }
        inputs = inputs.filter { !parts.contains(partition(ofInput: $0.key)) }
        removed = removed.filter { !parts.contains(partition(ofInput: $0)) }
        built = built.filter { !parts.contains(partition(ofBuilt: $0.key)) }
        dirty = dirty.filter { !parts.contains(partition(ofInput: $0)) }
        forced = forced.filter { !parts.contains(partition(ofInput: $0)) }
    }

    /// Applies one input (PNG bytes; empty = the tile is gone). Throws on an undecodable PNG.
    package func apply(key: String, value: [UInt8], force: Bool = false) throws(PNGError) {
        guard let tile = TileKey(string: key), tile.z <= TileLevels.regionZoom, tile.z > TileKey.minZoom, RecordBounds.tile(tile) else {
            throw PNGError.malformed("pyramid key \(key.clipped())")
        }
        if value.isEmpty {
            inputs[tile] = nil
            removed.insert(tile)
        } else {
            removed.remove(tile)
            _ = try Self.image(value)
            inputs[tile] = value
        }
        dirty.insert(tile)
        if force { forced.insert(tile) }
    }

    /// Builds the levels above every dirty input of an owned bucket; returns tiles and the
    /// inputs of the next buckets.
    package func flush() -> FlushOutput {
        var out = FlushOutput()
        var levels: [Int: Set<TileKey>] = [:]
        var force = Set<TileKey>(), bucketTiles = Set<TileKey>(), mayExist = Set<TileKey>()
        for key in dirty where owned.contains(partition(ofInput: key)) {
            let bucket = TileLevels.bucket(of: key)
            bucketTiles.insert(bucket)
            for z in stride(from: key.z - 1, through: bucket.z, by: -1) {
                let k = TileLevels.ancestor(key, atZoom: z)
                levels[z, default: []].insert(k)
                if forced.contains(key) { force.insert(k) }
                // A removed input: the levels above it may exist although this worker never
                // published them (another owner did before it restored), so their removal is sent.
                if removed.contains(key) { mayExist.insert(k) }
            }
        }
        // The images built at the previous level of this flush (their parents need them next).
        var fresh: [TileKey: PaletteImage?] = [:]
        for z in levels.keys.sorted(by: >) {
            var next: [TileKey: PaletteImage?] = [:]
            for key in levels[z]!.sorted(by: { $0.string < $1.string }) {
                let t0 = ContinuousClock.now
                let image = Downsample.parent(TileLevels.children(key).map { child -> PaletteImage? in
                    if let png = inputs[child] { return try? Self.image(png) }
                    if let image = fresh[child] { return image }
                    return built[child].flatMap { try? Self.image($0) }
                })
                out.drawSeconds.append((ContinuousClock.now - t0).seconds)
                next[key] = image
                var bytes: [UInt8] = []
                if let image {
                    let t1 = ContinuousClock.now
                    bytes = (try? encoder.encode(image)) ?? []
                    out.encodeSeconds.append((ContinuousClock.now - t1).seconds)
                }
                built[key] = bytes.isEmpty ? nil : bytes
                let f = force.contains(key), m = mayExist.contains(key)
                if let r = published.record(.tiles, key.string, bytes, partition: nil, force: f, mayExist: m, server: key.server) {
                    out.first.append(r)
                    out.rendered += 1
                } else {
                    out.unchanged += 1
                }
                // A bucket's tile is the input of the next bucket, down to the least zoom.
                if bucketTiles.contains(key), key.z > TileKey.minZoom,
                    var r = published.record(.pyramid, key.string, bytes, partition: nil, force: f, mayExist: m, server: key.server)
                {
                    r.partition = partition(ofInput: key)
                    if f { r.headers.append(KafkaHeader(key: Self.forceHeader, string: "1")) }
                    out.first.append(r)
                }
            }
            fresh = next
        }
        dirty = dirty.filter { !owned.contains(partition(ofInput: $0)) }
        forced = forced.intersection(dirty)
        out.complete = true
        return out
    }

    /// The palette image of a tile's PNG bytes; throws unless it decodes to a full tile.
    static func image(_ png: [UInt8]) throws(PNGError) -> PaletteImage {
        let d = try PNGDecoder.decode(png)
        guard d.width == TileRasterizer.tileSize, d.height == TileRasterizer.tileSize else { throw PNGError.malformed("tile size") }
        return Downsample.paletteImage(width: d.width, height: d.height, rgba: d.rgba)
    }

    /// A publish failed: forget it so the next flush sends it again.
    package func failed(_ record: ProducerMessage) {
        published.forget(record)
    }
}
