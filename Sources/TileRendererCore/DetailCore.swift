package import KafkaModel
package import PalettePNG
package import Shared

/// What one flush produced: publish `first` and wait for delivery, then `then`, then commit.
package struct FlushOutput: Sendable {
    /// Tiles, pyramid inputs and spills: everything derived from the state.
    package var first: [ProducerMessage] = []
    /// Chunk records of the state topic: written only after `first` was delivered, so a
    /// restored state never claims outputs that were lost.
    package var then: [ProducerMessage] = []
    /// Tiles rendered (encoded) and tiles skipped because their bytes were unchanged.
    package var rendered = 0
    package var unchanged = 0
    /// Dirty tiles left for the next call (a flush renders a bounded step).
    package var remaining = 0
    /// Whether this call finished the dirty work (then `then` holds the chunk records).
    package var complete = false
    /// The region tiles (z 0 groups) this call rendered (the detail stage's; empty for the pyramid's).
    package var regions: [TileKey] = []
    /// Seconds spent drawing and encoding.
    package var drawSeconds: [Double] = []
    package var encodeSeconds: [Double] = []
}

/// One detail worker's core (no Kafka): the map state of the `map` partitions it owns, what is
/// dirty, and what it has published. Renders detail tiles (z 3) and the levels down to z 0
/// (one tile per region) itself, hands z 0 tiles to the pyramid stage, writes chunk records
/// to the state topic and sends building spills across region borders.
///
/// Not `Sendable` (it holds a libdeflate compressor); confine it to one thread.
package final class DetailCore {
    /// Partition counts of `map` (= state topic) and `pyramid`.
    package let mapPartitions: Int
    package let pyramidPartitions: Int
    package private(set) var state = MapState()
    /// Partitions whose state is restored and which this worker renders.
    package private(set) var owned: Set<Int32> = []
    /// Partitions being restored from the state topic.
    package private(set) var restoring: Set<Int32> = []
    var dirty: Set<TileKey> = []
    private var forced: Set<TileKey> = []
    /// Tiles changed by a packet since they were last rendered. A previous owner of the
    /// partition may have published them (a crash replays packets it had already rendered), so
    /// if one renders empty its removal is published even though this worker never sent it.
    private var changed: Set<TileKey> = []
    private var dirtyChunks: Set<ChunkID> = []
    /// Chunks whose spills into neighbouring regions must be (re)sent.
    private var spillChunks: Set<ChunkID> = []
    var published: PublishLedger
    /// Spill keys whose last record read from the state topic is not empty (with the partition
    /// holding them): maybe written by a previous owner, so withdrawn even if never sent here.
    private var seenSpills: [String: Int32] = [:]
    /// Spill keys (with their partition) whose records must be removed: they were read from the
    /// state topic for chunks of a surface that was deleted since.
    private var withdrawnSpills: [String: Int32] = [:]
    private let encoder: PNGEncoderContext
    /// The state-store bookkeeping (``DetailCore/StoreTracking``): partitions resumed from the
    /// store and what changed since the last save.
    var store = StoreTracking()

    /// - Parameter topics: the names of the topics its records go to.
    package init(
        mapPartitions: Int, pyramidPartitions: Int, level: Int32 = 6, topics: Topics = Topics(),
        clock: @escaping () -> UInt64 = { UInt64(WallClock.nowMillis()) }
    ) throws(PNGError) {
        self.mapPartitions = mapPartitions
        self.pyramidPartitions = pyramidPartitions
        self.encoder = try PNGEncoderContext(level: level)
        self.published = PublishLedger(topics: topics, clock: clock)
        published.tracksChanges = true
    }

    /// The partition of the region holding `id`.
    package func partition(of id: ChunkID) -> Int32 { Partitioner.partition(of: id.regionKey, count: mapPartitions) }
    func partition(of key: TileKey) -> Int32 {
        partition(of: ChunkID(server: key.server, surface: key.surface, chunk: ChunkPosition(x: key.x, y: key.y)))
    }

    /// Dirty tiles waiting for a flush.
    package var dirtyCount: Int { dirty.count }
    /// The region tiles (z 0) of the dirty tiles of owned partitions (what a flush renders).
    package var dirtyRegions: Set<TileKey> {
        Set(dirty.lazy.filter { self.owned.contains(self.partition(of: $0)) }.map { TileLevels.ancestor($0, atZoom: TileLevels.regionZoom) })
    }

    /// Partitions were assigned: restore them from the state topic before rendering them.
    package func assign(_ partitions: some Sequence<Int32>) {
        for p in partitions where !owned.contains(p) { restoring.insert(p) }
    }

    /// The state topic of partition `p` was read to its end: render everything in it.
    package func restored(_ p: Int32) {
        guard restoring.remove(p) != nil else { return }
        owned.insert(p)
        // Resumed from the state store: only what the changelog's tail changed is dirty.
        guard store.resumed.remove(p) == nil else { return }
        for id in state.chunkIDs() where partition(of: id) == p { markAll(id, force: false) }
    }

    /// Partitions were taken away: forget their state and pending work.
    package func revoke(_ partitions: some Sequence<Int32>) {
        let gone = Set(partitions)
        owned.subtract(gone)
        restoring.subtract(gone)
        state.forget { gone.contains(self.partition(of: $0)) }
        dirty = dirty.filter { !gone.contains(partition(of: $0)) }
        forced = forced.filter { !gone.contains(partition(of: $0)) }
        changed = changed.filter { !gone.contains(partition(of: $0)) }
        dirtyChunks = dirtyChunks.filter { !gone.contains(partition(of: $0)) }
        spillChunks = spillChunks.filter { !gone.contains(partition(of: $0)) }
        seenSpills = seenSpills.filter { !gone.contains($0.value) }
        withdrawnSpills = withdrawnSpills.filter { !gone.contains($0.value) }
        store.forget(gone, partition: partition(of:))
        // Another worker may publish them meanwhile: if they come back, publish them once again.
        published.retain { slot in slotPartition(slot).map { !gone.contains($0) } ?? true }
    }

    /// The partition of a ``published`` slot (`topic|key`): a tile's region, a state key's chunk.
    func slotPartition(_ slot: String) -> Int32? {
        guard let bar = slot.firstIndex(of: "|") else { return nil }
        let key = String(slot[slot.index(after: bar)...])
        if let g = InspectGridKey(string: key) {
            return partition(of: ChunkID(server: g.server, surface: g.surface, chunk: ChunkPosition(x: g.x, y: g.y)))
        }
        if let t = TileKey(string: key), t.z >= 0, t.z <= TileKey.detailZoom {
            let scale = 1 << (TileKey.detailZoom - t.z)
            return partition(of: ChunkID(server: t.server, surface: t.surface, chunk: ChunkPosition(x: t.x * scale, y: t.y * scale)))
        }
        switch StateKey(string: key) {
        case .chunk(let server, let surface, let chunk), .spill(let server, let surface, let chunk, _):
            return partition(of: ChunkID(server: server, surface: surface, chunk: chunk))
        case nil: return nil
        }
    }

    /// Applies a packet read from `map` partition `partition` (an owned one), or a
    /// `prototypes` packet (`partition` nil).
    ///
    /// A deleted `surface` arrives on every `map` partition (PacketIngest produces one copy per
    /// partition, ordered after the earlier packets of the surface's regions there): it drops
    /// that partition's part of the surface, so the next flush publishes removals of its tiles
    /// (every level down to z 0 and the pyramid inputs), tombstones of its chunk records and
    /// withdraws the spill records held in that partition. Without a partition it is ignored.
    package func apply(_ packet: Packet, server: String, partition: Int32? = nil) {
        guard case .surface(let s) = packet.payload else {
            // Amounts alone change no PNG, but the chunk's inspect grid and record (InspectGrid).
            let before = state.resourcesTouched(by: packet, server: server)
            return note(state.apply(packet, server: server).union(state.amountChanges(since: before, server: server)))
        }
        guard s.deleted, let p = partition else { return }
        note(state.dropSurface(server: server, surface: s.name) { self.partition(of: ChunkID(server: server, surface: s.name, chunk: $0)) == p })
        for (key, q) in seenSpills where q == p {
            guard case .spill(server, s.name, _, _) = StateKey(string: key) else { continue }
            withdrawnSpills[key] = p
            seenSpills[key] = nil
        }
    }

    /// Applies a state-topic record from partition `p` (chunk records only while restoring;
    /// spills always). Throws on an unreadable record (nothing else changes).
    package func applyState(key: String, value: [UInt8], partition p: Int32) throws(StateRecordError) {
        guard let k = StateKey(string: key) else { throw StateRecordError(reason: "bad key \(key.clipped())") }
        guard RecordBounds.stateKey(k) else { throw StateRecordError(reason: "key out of range \(key.clipped())") }
        switch k {
        case .chunk(let server, let surface, let chunk):
            guard restoring.contains(p) else { return }
            let record = value.isEmpty ? nil : try ChunkRecord(decoding: value)
            if let b = record?.buildings.first(where: { SurfaceMap.chunk(of: $0) != chunk }) {
                throw StateRecordError(reason: "building \(b.unit) is not in chunk \(chunk.x),\(chunk.y)")
            }
            let id = ChunkID(server: server, surface: surface, chunk: chunk)
            let keys = state.restore(id, record)
            // The changelog already holds this: do not write it again unless it changes.
            published.remember(.state, key, value)
            if !store.loading { store.unsavedChunks.insert(id) }
            if store.resumed.contains(p), !store.loading {
                // The tail of the changelog after the stored state (another owner's records):
                // render what it changed and publish it even if this worker sent those bytes.
                note(keys)
                forced.formUnion(keys)
            }
        case .spill(let server, let surface, let chunk, let region):
            let record = value.isEmpty ? nil : try SpillRecord(decoding: value)
            let keys = state.applySpill(into: ChunkID(server: server, surface: surface, chunk: chunk), from: region, record)
            seenSpills[key] = value.isEmpty ? nil : p
            if !store.loading { store.unsavedSpills[key] = (p, value) }
            if !restoring.contains(p) || (store.resumed.contains(p) && !store.loading) { dirty.formUnion(keys) }
        }
    }

    /// Marks every owned tile of `server` (and `surface`) for re-rendering and re-publishing
    /// even if unchanged; returns how many chunks that covers.
    @discardableResult
    package func rerender(server: String, surface: String?) -> Int {
        let ids = state.chunkIDs(server: server, surface: surface).filter { owned.contains(partition(of: $0)) }
        for id in ids { markAll(id, force: true) }
        return ids.count
    }

    private func markAll(_ id: ChunkID, force: Bool) {
        for layer in MapLayer.allCases {
            let key = TileKey(server: id.server, surface: id.surface, layer: layer, z: TileKey.detailZoom, x: id.chunk.x, y: id.chunk.y)
            dirty.insert(key)
            if force { forced.insert(key) }
            if layer == .buildings { spillChunks.insert(id) }
        }
    }

    private func note(_ keys: Set<TileKey>) {
        dirty.formUnion(keys)
        changed.formUnion(keys)
        for k in keys {
            let id = ChunkID(server: k.server, surface: k.surface, chunk: ChunkPosition(x: k.x, y: k.y))
            dirtyChunks.insert(id)
            store.unsavedChunks.insert(id)
        }
    }

    /// Renders what is dirty — at most `maxRegions` region tiles (z 0 groups) per call — and
    /// returns the records to publish (see ``FlushOutput``). Spills and chunk records are
    /// emitted by the call that finishes the dirty work (``FlushOutput/complete``).
    package func flush(maxRegions: Int = .max) -> FlushOutput {
        var out = FlushOutput()
        // Group by region tile (z 0) so each group's images are drawn once and then dropped.
        var groups: [TileKey: Set<TileKey>] = [:]
        for key in dirty where owned.contains(partition(of: key)) {
            groups[TileLevels.ancestor(key, atZoom: TileLevels.regionZoom), default: []].insert(key)
        }
        let regions = groups.keys.sorted(by: { $0.string < $1.string })
        out.regions = Array(regions.prefix(maxRegions))
        // Chunks whose inspect grid may have changed (their buildings or resources tile is dirty;
        // the layers are in different region groups).
        var grids: [ChunkID: (force: Bool, mayExist: Bool)] = [:]
        for region in regions.prefix(maxRegions) {
            var keys = Set<TileKey>()
            for key in groups[region]! {
                let force = forced.contains(key), change = changed.contains(key)
                for z in stride(from: TileKey.detailZoom, through: TileLevels.regionZoom, by: -1) {
                    let k = TileLevels.ancestor(key, atZoom: z)
                    keys.insert(k)
                    if force { forced.insert(k) }
                    if change { changed.insert(k) }
                }
            }
            var images = TileImages(state: state)
            for key in keys.sorted(by: { ($0.z, $0.string) > ($1.z, $1.string) }) {
                let t0 = ContinuousClock.now
                let image = images.image(key)
                out.drawSeconds.append((ContinuousClock.now - t0).seconds)
                let force = forced.contains(key), mayExist = changed.contains(key)
                var bytes: [UInt8] = []
                if let image {
                    let t1 = ContinuousClock.now
                    bytes = (try? encoder.encode(image)) ?? []
                    out.encodeSeconds.append((ContinuousClock.now - t1).seconds)
                }
                if let r = published.record(.tiles, key.string, bytes, partition: nil, force: force, mayExist: mayExist, server: key.server) {
                    out.first.append(r)
                    out.rendered += 1
                } else {
                    out.unchanged += 1
                }
                if key.z == TileLevels.regionZoom {
                    let p = Partitioner.partition(of: TileLevels.bucket(of: key).string, count: pyramidPartitions)
                    if var r = published.record(.pyramid, key.string, bytes, partition: p, force: force, mayExist: mayExist, server: key.server) {
                        if force { r.headers.append(KafkaHeader(key: PyramidCore.forceHeader, string: "1")) }
                        out.first.append(r)
                    }
                }
                if key.z == TileKey.detailZoom, key.layer != .terrain {
                    let id = ChunkID(server: key.server, surface: key.surface, chunk: ChunkPosition(x: key.x, y: key.y))
                    let g = grids[id] ?? (false, false)
                    grids[id] = (g.force || force, g.mayExist || mayExist)
                }
                forced.remove(key)
                changed.remove(key)
            }
            dirty.subtract(groups[region]!)
        }
        for (id, g) in grids.sorted(by: { ($0.key.server, $0.key.surface, $0.key.chunk) < ($1.key.server, $1.key.surface, $1.key.chunk) }) {
            let key = InspectGridKey(server: id.server, surface: id.surface, x: id.chunk.x, y: id.chunk.y).string
            let bytes = state.inspectGrid(id).encoded()
            if let r = published.record(.tiles, key, bytes, partition: nil, force: g.force, mayExist: g.mayExist, server: id.server) {
                out.first.append(r)
            }
        }
        out.remaining = regions.count > maxRegions ? regions.dropFirst(maxRegions).reduce(0) { $0 + groups[$1]!.count } : 0
        guard out.remaining == 0 else { return out }
        out.complete = true
        // Withdrawn spills first: a spill recomputed below for the same key then follows them.
        for (key, p) in withdrawnSpills.sorted(by: { $0.key < $1.key }) where owned.contains(p) {
            if let r = published.record(.state, key, [], partition: p, force: false, mayExist: true, server: "") { out.first.append(r) }
        }
        withdrawnSpills = [:]
        // Spills: buildings of owned regions reaching into chunks of other regions.
        let spilling = Set(dirty.filter { $0.layer == .buildings }.map {
            ChunkID(server: $0.server, surface: $0.surface, chunk: ChunkPosition(x: $0.x, y: $0.y))
        }).union(dirtyChunks).union(spillChunks)
        for id in spilling.sorted(by: { $0.chunk < $1.chunk }) {
            for dy in -1...1 {
                for dx in -1...1 where dx != 0 || dy != 0 {
                    let region = ChunkPosition(x: id.region.x + dx, y: id.region.y + dy)
                    let source = ChunkID(server: id.server, surface: id.surface, chunk: ChunkPosition(x: region.x * 8, y: region.y * 8))
                    guard owned.contains(partition(of: source)) else { continue }
                    let spill = state.spill(into: id, from: region)
                    let key = StateKey.spill(server: id.server, surface: id.surface, chunk: id.chunk, region: region).string
                    let value = spill.buildings.isEmpty ? [] : spill.encoded()
                    let seen = seenSpills[key] != nil
                    if let r = published.record(.state, key, value, partition: partition(of: id), force: false, mayExist: seen, server: id.server) {
                        out.first.append(r)
                        seenSpills[key] = nil
                    }
                }
            }
        }
        for id in dirtyChunks.sorted(by: { $0.chunk < $1.chunk }) where owned.contains(partition(of: id)) {
            let key = StateKey.chunk(server: id.server, surface: id.surface, chunk: id.chunk).string
            let value = state.chunkRecord(id)?.encoded() ?? []
            if let r = published.record(.state, key, value, partition: partition(of: id), force: false, server: id.server) { out.then.append(r) }
        }
        dirty = dirty.filter { restoring.contains(partition(of: $0)) }
        forced = forced.filter { restoring.contains(partition(of: $0)) }
        changed = changed.filter { restoring.contains(partition(of: $0)) }
        dirtyChunks = dirtyChunks.filter { restoring.contains(partition(of: $0)) }
        spillChunks = spillChunks.filter { restoring.contains(partition(of: $0)) }
        return out
    }

    /// A publish failed: forget it so the next flush sends it again.
    package func failed(_ record: ProducerMessage) {
        published.forget(record)
        if record.topic == published.topics.tiles, let key = TileKey(string: record.keyString ?? ""), key.z == TileKey.detailZoom { dirty.insert(key) }
        if record.topic == published.topics.tiles, let g = InspectGridKey(string: record.keyString ?? "") {
            dirty.insert(TileKey(server: g.server, surface: g.surface, layer: .buildings, z: TileKey.detailZoom, x: g.x, y: g.y))
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
