import Kafka
import Logging
import Metrics
import Shared
import Synchronization
import TileRendererCore
import KafkaModel

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

    /// - Parameters:
    ///   - role: `detail` or `pyramid`.
    ///   - worker: the index of a detail worker in its process (label `worker`), nil for none.
    init(role: String, worker: Int? = nil) {
        let d = [("role", role)] + (worker.map { [("worker", "\($0)")] } ?? [])
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

/// Bad records read from an internal topic: every one counted in `renderer_bad_records_total`,
/// logged at most ten per 10 s (``LogThrottle``), with the number held back.
final class BadRecords: Sendable {
    private let counter: Counter
    private let logger: Logger
    private let throttle = Mutex(LogThrottle())

    init(metrics: RendererMetrics, logger: Logger) {
        counter = metrics.badRecords
        self.logger = logger
    }

    /// Counts one bad record and logs `message` with `metadata` unless too many were logged lately.
    func report(_ message: Logger.Message, _ metadata: Logger.Metadata) {
        counter.increment()
        let (log, suppressed) = throttle.withLock { $0.admit(nowMillis: WallClock.nowMillis()) }
        guard log else { return }
        var metadata = metadata
        if suppressed > 0 { metadata["suppressed"] = "\(suppressed)" }
        logger.error(message, metadata: metadata)
    }
}

/// Sends `records` and waits for every delivery; returns the ones that failed (after logging).
/// With `history`, each delivered tile record is then also written to `tile-history` (in the
/// partition its `tiles` record went to); a tile whose history record fails counts as failed
/// too, so the next flush publishes it again. Both are delivered before the caller acks.
func publish(
    _ records: [ProducerMessage], producer: KafkaProducer, logger: Logger, history: TileHistoryRecords? = nil
) async -> [ProducerMessage] {
    guard !records.isEmpty else { return [] }
    var failed: [ProducerMessage] = []
    var versions: [(tile: ProducerMessage, version: ProducerMessage)] = []
    let now = WallClock.nowMillis()
    for (record, result) in zip(records, await producer.send(records)) {
        switch result {
        case .failure(let error):
            logger.error("publish failed", metadata: ["topic": "\(record.topic)", "key": "\(record.keyString ?? "")", "error": "\(error)"])
            failed.append(record)
        case .success(let report):
            if let version = history?.record(of: record, partition: report.partition, now: now) { versions.append((record, version)) }
        }
    }
    guard !versions.isEmpty else { return failed }
    for (pair, result) in zip(versions, await producer.send(versions.map { $0.version })) {
        if case .failure(let error) = result {
            logger.error("history publish failed", metadata: ["key": "\(pair.version.keyString ?? "")", "error": "\(error)"])
            failed.append(pair.tile)
        }
    }
    return failed
}
