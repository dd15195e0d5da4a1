import Dispatch
import Kafka
import Logging
import Metrics
import Shared
import Synchronization

/// Settings of the TileRenderer workers.
public struct TileRendererConfiguration: Sendable {
    /// Dirty tiles are collected for this long before they are rendered together (0 renders
    /// after every poll).
    public var coalesceWindow: Duration
    /// Most records handled per poll.
    public var batchSize: Int
    /// libdeflate compression level of the PNGs.
    public var compressionLevel: Int32
    /// Most region tiles (z 0 groups) rendered per flush step, so progress is reported and
    /// polling continues during a big render.
    public var regionsPerStep: Int
    /// This worker's name in progress reports.
    public var workerID: String

    public init(
        coalesceWindow: Duration = .seconds(1), batchSize: Int = 2000, compressionLevel: Int32 = 6, regionsPerStep: Int = 16,
        workerID: String = "worker"
    ) {
        self.coalesceWindow = coalesceWindow
        self.batchSize = batchSize
        self.compressionLevel = compressionLevel
        self.regionsPerStep = regionsPerStep
        self.workerID = workerID
    }
}

/// A non-Sendable value confined to one serial queue: rendering is CPU work that must not
/// occupy the cooperative pool.
final class Confined<Value>: @unchecked Sendable {
    // `value` is touched only on `queue`.
    private let queue: DispatchQueue
    private let value: Value

    init(_ value: Value, label: String) {
        self.value = value
        queue = DispatchQueue(label: label)
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (Value) -> T) async -> T {
        await withCheckedContinuation { c in queue.async { c.resume(returning: body(self.value)) } }
    }
}

/// The renderer's metrics (swift-metrics; Prometheus via ``Observability``).
struct RendererMetrics: Sendable {
    let rendered: Counter
    let skipped: Counter
    let draw: Timer
    let encode: Timer
    let stateChunks: Gauge
    let stateBuildings: Gauge
    let dirty: Gauge
    let restoring: Gauge
    let rerenderRemaining: Gauge
    let badRecords: Counter

    init(role: String) {
        let d = [("role", role)]
        rendered = Counter(label: "renderer_tiles_rendered_total", dimensions: d)
        skipped = Counter(label: "renderer_tiles_skipped_total", dimensions: d)
        draw = Timer(label: "renderer_draw_seconds", dimensions: d, preferredDisplayUnit: .seconds)
        encode = Timer(label: "renderer_encode_seconds", dimensions: d, preferredDisplayUnit: .seconds)
        stateChunks = Gauge(label: "renderer_state_chunks", dimensions: d)
        stateBuildings = Gauge(label: "renderer_state_buildings", dimensions: d)
        dirty = Gauge(label: "renderer_dirty_tiles", dimensions: d)
        restoring = Gauge(label: "renderer_restoring_partitions", dimensions: d)
        rerenderRemaining = Gauge(label: "renderer_rerender_remaining_tiles", dimensions: d)
        badRecords = Counter(label: "renderer_bad_records_total", dimensions: d)
    }

    func record(_ out: FlushOutput) {
        if out.rendered > 0 { rendered.increment(by: out.rendered) }
        if out.unchanged > 0 { skipped.increment(by: out.unchanged) }
        for s in out.drawSeconds { draw.recordNanoseconds(Int64(s * 1e9)) }
        for s in out.encodeSeconds { encode.recordNanoseconds(Int64(s * 1e9)) }
    }
}

extension OutputRecord {
    /// The Kafka message of this record.
    func message(_ topics: Topics) -> ProducerMessage {
        let topic: String =
            switch self.topic {
            case .tiles: topics.tiles
            case .pyramid: topics.pyramid
            case .state: topics.rendererState
            }
        return ProducerMessage(
            topic: topic, key: Array(key.utf8), value: value,
            headers: headers.sorted { $0.key < $1.key }.map { KafkaHeader(key: $0.key, string: $0.value) }, partition: partition)
    }
}

/// Sends `records` and waits for every delivery; returns the ones that failed (after logging).
func publish(_ records: [OutputRecord], producer: KafkaProducer, topics: Topics, logger: Logger) async -> [OutputRecord] {
    guard !records.isEmpty else { return [] }
    var failed: [OutputRecord] = []
    for (record, result) in zip(records, await producer.send(records.map { $0.message(topics) })) {
        if case .failure(let error) = result {
            logger.error("publish failed", metadata: ["topic": "\(record.topic)", "key": "\(record.key)", "error": "\(error)"])
            failed.append(record)
        }
    }
    return failed
}
