import ArgumentParser
import Dispatch
import Foundation
import Kafka
import Shared
import TileRendererCore
import KafkaModel

/// `renderer`: a full render of a generated world with the renderer's own cores (no broker):
/// detail stage (z 3…0) then the pyramid stage (z −1…−13), on one worker and on two workers
/// in parallel threads (each owning half the partitions, spills exchanged as the broker would).
struct RendererBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "renderer", abstract: "Full render of a side×side-chunk world: tiles/s, pyramid time, 2 workers vs 1, peak RSS.")

    @Option(help: "World side in chunks.") var side = 100
    @Option(help: "Factory radius as a fraction of the side (buildings in that disc).") var factory = 0.25
    @Option(help: "Map partitions.") var partitions = 8

    struct Result {
        var seconds = 0.0, detailSeconds = 0.0, pyramidSeconds = 0.0
        var detailTiles = 0, allTiles = 0, encode: [Double] = [], draw: [Double] = []
    }

    /// Renders everything with `workers` detail and pyramid cores, each on its own thread.
    func render(_ packets: [Packet], workers: Int) throws -> Result {
        let topics = Topics()
        let details = try (0..<workers).map { _ in try DetailCore(mapPartitions: partitions, pyramidPartitions: partitions) }
        let pyramids = try (0..<workers).map { _ in try PyramidCore(pyramidPartitions: partitions) }
        for (i, d) in details.enumerated() {
            let mine = (0..<Int32(partitions)).filter { Int($0) % workers == i }
            d.assign(mine)
            for p in mine { d.restored(p) }
            pyramids[i].assign(mine)
            for p in mine { pyramids[i].restored(p) }
            for packet in packets {
                // Each worker applies the packets of its partitions (prototypes: all).
                if case .prototypes = packet.payload { d.apply(packet, server: "bench"); continue }
                guard let id = Self.chunk(packet), mine.contains(d.partition(of: id)) else { continue }
                d.apply(packet, server: "bench")
            }
        }
        var result = Result()
        let start = Bench.now()
        // Detail stage: flush in parallel; spills go to the owner of their partition, until quiet.
        var pyramidInputs: [[ProducerMessage]] = Array(repeating: [], count: workers)
        var round = 0
        while true {
            round += 1
            let outs = Self.parallel(workers) { details[$0].flush() }
            var spilled = false
            for out in outs {
                result.detailTiles += out.first.filter { $0.topic == topics.tiles }.count
                result.encode += out.encodeSeconds
                result.draw += out.drawSeconds
                for r in out.first where r.topic == topics.rendererState {
                    let owner = Int(r.partition!) % workers
                    try details[owner].applyState(key: r.keyString ?? "", value: r.value, partition: r.partition!)
                    spilled = true
                }
                for r in out.first where r.topic == topics.pyramid { pyramidInputs[Int(r.partition!) % workers].append(r) }
            }
            if !spilled || round > 3 { break }
        }
        result.detailSeconds = Bench.now() - start
        let pyramidStart = Bench.now()
        var pending = pyramidInputs
        while pending.contains(where: { !$0.isEmpty }) {
            let inputs = pending
            pending = Array(repeating: [], count: workers)
            let outs = Self.parallel(workers) { i -> FlushOutput in
                for r in inputs[i] { try? pyramids[i].apply(key: r.keyString ?? "", value: r.value) }
                return pyramids[i].flush()
            }
            for out in outs {
                result.allTiles += out.first.filter { $0.topic == topics.tiles }.count
                for r in out.first where r.topic == topics.pyramid { pending[Int(r.partition!) % workers].append(r) }
            }
        }
        result.pyramidSeconds = Bench.now() - pyramidStart
        result.allTiles += result.detailTiles
        result.seconds = Bench.now() - start
        return result
    }

    /// Runs `body(i)` for i in 0..<n on n threads.
    static func parallel<T>(_ n: Int, _ body: @escaping (Int) -> T) -> [T] {
        nonisolated(unsafe) var results = [T?](repeating: nil, count: n)
        nonisolated(unsafe) let work = body
        DispatchQueue.concurrentPerform(iterations: n) { i in
            let r = work(i)
            results[i] = r
        }
        return results.map { $0! }
    }

    static func chunk(_ p: Packet) -> ChunkID? {
        switch p.payload {
        case .chunkTerrain(let t): ChunkID(server: "bench", surface: t.surface, chunk: ChunkPosition(x: t.cx, y: t.cy))
        case .chunkResources(let r): ChunkID(server: "bench", surface: r.surface, chunk: ChunkPosition(x: r.cx, y: r.cy))
        case .chunkBuildings(let b): ChunkID(server: "bench", surface: b.surface, chunk: ChunkPosition(x: b.cx, y: b.cy))
        default: nil
        }
    }

    static func peakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    func run() throws {
        let t0 = Bench.now()
        let packets = PNGBenchWorld.packets(side: side, factoryRadius: factory)
        print("world: \(side)×\(side) chunks, \(packets.count) packets, generated in \(Bench.format(Bench.now() - t0, 1)) s")
        let one = try render(packets, workers: 1)
        let rssOne = Self.peakRSSMiB()
        let sortedEncode = one.encode.sorted()
        let meanEncode = one.encode.reduce(0, +) / Double(max(1, one.encode.count))
        print("1 worker: \(one.detailTiles) tiles z 3…0 in \(Bench.format(one.detailSeconds, 2)) s = \(Bench.format(Double(one.detailTiles) / one.detailSeconds, 0)) tiles/s on one core")
        print("          pyramid z −1…−13 in \(Bench.format(one.pyramidSeconds, 2)) s; full pyramid (\(one.allTiles) tiles) in \(Bench.format(one.seconds, 2)) s")
        print("          encode per tile: mean \(Bench.format(meanEncode * 1e3, 3)) ms, p99 \(Bench.format(sortedEncode[min(sortedEncode.count - 1, sortedEncode.count * 99 / 100)] * 1e3, 3)) ms; draw mean \(Bench.format(one.draw.reduce(0, +) / Double(max(1, one.draw.count)) * 1e3, 3)) ms")
        print("          peak RSS \(Bench.format(rssOne, 0)) MiB (world packets + one worker's state)")
        let two = try render(packets, workers: 2)
        print("2 workers (threads, half the partitions each): full pyramid in \(Bench.format(two.seconds, 2)) s; speed-up vs 1 worker \(Bench.format(one.seconds / two.seconds, 2))× (cores: \(ProcessInfo.processInfo.activeProcessorCount))")
        print("peak RSS after both runs \(Bench.format(Self.peakRSSMiB(), 0)) MiB")
    }
}
