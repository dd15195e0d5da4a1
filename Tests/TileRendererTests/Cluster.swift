import Kafka
import PalettePNG
import Shared
import TileRendererCore
import KafkaModel

/// An in-memory stand-in for the broker and the worker loops (the real loops are exercised by
/// `MultiWorkerTests` on the real broker): topic logs per partition, detail and pyramid
/// workers that restore, apply, flush and publish exactly as ``DetailWorker`` and
/// ``PyramidWorker`` do, and the last value of every tile key.
final class Cluster {
    struct Record { var key: String; var value: [UInt8]; var headers: [String: String] }
    let partitions: Int
    var map: [[(String, Packet)]]
    var state: [[Record]]
    var pyramid: [[Record]]
    var tiles: [String: [UInt8]] = [:]
    var tileRecords = 0
    var prototypes: [(String, Packet)] = []
    /// Committed map offsets per partition.
    var committed: [Int]

    final class Detail {
        let core: DetailCore
        var mapOffset: [Int32: Int] = [:]
        var stateOffset: [Int32: Int] = [:]
        init(_ partitions: Int) throws { core = try DetailCore(mapPartitions: partitions, pyramidPartitions: partitions, clock: { 1 }) }
    }
    final class Pyramid {
        let core: PyramidCore
        var offset: [Int32: Int] = [:]
        init(_ partitions: Int) throws { core = try PyramidCore(pyramidPartitions: partitions, clock: { 1 }) }
    }
    var details: [Detail] = []
    var pyramids: [Pyramid] = []

    init(partitions: Int = 4) {
        self.partitions = partitions
        map = Array(repeating: [], count: partitions)
        state = Array(repeating: [], count: partitions)
        pyramid = Array(repeating: [], count: partitions)
        committed = Array(repeating: 0, count: partitions)
    }

    /// Produces a packet as PacketIngest does (prototypes to every worker, the rest by region,
    /// a surface deletion to every partition).
    func produce(_ packet: Packet, server: String = World.server) {
        if case .prototypes = packet.payload {
            prototypes.append((server, packet))
            for d in details { d.core.apply(packet, server: server) }
            return
        }
        let key: MapKey
        switch packet.payload {
        case .chunkTerrain(let p): key = MapKey(server: server, surface: p.surface, chunkX: p.cx, chunkY: p.cy)
        case .chunkResources(let p): key = MapKey(server: server, surface: p.surface, chunkX: p.cx, chunkY: p.cy)
        case .chunkBuildings(let p): key = MapKey(server: server, surface: p.surface, chunkX: p.cx, chunkY: p.cy)
        case .buildings(let p):
            // PacketIngest splits by region; tests send one building per packet.
            let b = p.buildings[0]
            key = MapKey(server: server, surface: p.surface, chunkX: Int((b.x / 32).rounded(.down)), chunkY: Int((b.y / 32).rounded(.down)))
        case .buildingRemoved(let p): key = MapKey(server: server, surface: p.surface, chunkX: Int(p.removed[0].x / 32), chunkY: Int(p.removed[0].y / 32))
        case .chunkDeleted(let p): key = MapKey(server: server, surface: p.surface, chunkX: p.chunks[0].x, chunkY: p.chunks[0].y)
        case .surface(let s) where s.deleted:
            // To every partition, as PacketIngest routes it.
            for p in map.indices { map[p].append((server, packet)) }
            return
        default: return
        }
        map[Int(Partitioner.partition(of: key.string, count: partitions))].append((server, packet))
    }

    /// Starts `count` detail and pyramid workers sharing the partitions round-robin.
    func start(workers count: Int) throws {
        details = try (0..<count).map { _ in try Detail(partitions) }
        pyramids = try (0..<count).map { _ in try Pyramid(partitions) }
        for d in details { for (s, p) in prototypes { d.core.apply(p, server: s) } }
        for p in 0..<partitions { assign(Int32(p), detail: details[p % count], pyramid: pyramids[p % count]) }
    }

    func assign(_ p: Int32, detail: Detail, pyramid: Pyramid) {
        detail.core.assign([p])
        detail.stateOffset[p] = 0
        detail.mapOffset[p] = committed[Int(p)]
        pyramid.core.assign([p])
        pyramid.offset[p] = 0
    }

    /// Kills worker `i` (its memory is gone; its uncommitted work is lost) and gives its
    /// partitions to worker `to`.
    func kill(_ i: Int, handOverTo to: Int) {
        let dead = details[i], deadP = pyramids[i]
        for p in dead.mapOffset.keys { assign(p, detail: details[to], pyramid: pyramids[to]) }
        for p in deadP.offset.keys where pyramids[to].offset[p] == nil { pyramids[to].core.assign([p]); pyramids[to].offset[p] = 0 }
        dead.mapOffset = [:]
        deadP.offset = [:]
    }

    /// Runs every live worker until nothing new happens; `maxSteps` limits the rounds (to stop midway).
    @discardableResult
    func run(maxSteps: Int = 1000, mapBatch: Int = 3) throws -> Bool {
        for _ in 0..<maxSteps {
            var progress = false
            for d in details where !d.mapOffset.isEmpty {
                for p in d.mapOffset.keys.sorted() {
                    let log = state[Int(p)]
                    for r in log[d.stateOffset[p]!...] { try d.core.applyState(key: r.key, value: r.value, partition: p); progress = true }
                    d.stateOffset[p] = log.count
                    if d.core.restoring.contains(p) { d.core.restored(p); progress = true }
                    let m = map[Int(p)], from = d.mapOffset[p]!, to = min(m.count, from + mapBatch)
                    for (s, packet) in m[from..<to] { d.core.apply(packet, server: s, partition: p); progress = true }
                    d.mapOffset[p] = to
                }
                let out = d.core.flush(maxRegions: 2)
                append(out.first)
                if out.complete {
                    append(out.then)
                    for (p, o) in d.mapOffset { committed[Int(p)] = o }
                }
                if !out.first.isEmpty || !out.then.isEmpty { progress = true }
            }
            for y in pyramids where !y.offset.isEmpty {
                for p in y.offset.keys.sorted() {
                    let log = pyramid[Int(p)]
                    for r in log[y.offset[p]!...] { try y.core.apply(key: r.key, value: r.value, force: r.headers[PyramidCore.forceHeader] == "1"); progress = true }
                    y.offset[p] = log.count
                    if y.core.restoring.contains(p) { y.core.restored(p); progress = true }
                }
                let out = y.core.flush()
                append(out.first)
                if !out.first.isEmpty { progress = true }
            }
            if !progress { return true }
        }
        return false
    }

    private func append(_ records: [ProducerMessage]) {
        let topics = Topics()
        for r in records {
            let headers = Dictionary(r.headers.map { ($0.key, String(decoding: $0.value ?? [], as: UTF8.self)) }) { _, last in last }
            let rec = Record(key: r.keyString!, value: r.value, headers: headers)
            switch r.topic {
            case topics.tiles:
                tiles[r.keyString!] = r.value.isEmpty ? nil : r.value
                tileRecords += 1
            case topics.rendererState: state[Int(r.partition!)].append(rec)
            case topics.pyramid: pyramid[Int(r.partition!)].append(rec)
            default: fatalError("record for \(r.topic)")
            }
        }
    }
}
