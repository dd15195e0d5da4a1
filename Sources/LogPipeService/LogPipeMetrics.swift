import LogPipeCore
import Metrics
import Synchronization

/// LogPipe's metrics (swift-metrics; Prometheus names):
///
/// | name | type | meaning |
/// |---|---|---|
/// | `logpipe_lines_read_total` | counter | complete lines read from the input |
/// | `logpipe_lines_shipped_total{topic}` | counter | lines acknowledged by the broker (`raw`, `console`, `deadletter`) |
/// | `logpipe_lines_filtered_total` | counter | lines not shipped (empty; console lines when console shipping is off) |
/// | `logpipe_lines_oversize_total` | counter | lines over the size limit (sent to the dead-letter topic) |
/// | `logpipe_bad_entries_total` | counter | broken input entries (`--input docker-json`: invalid JSON, no `log`…), sent to the dead-letter topic as `bad_docker_entry` |
/// | `logpipe_bytes_read_total` | counter | bytes of the lines read (newlines included) |
/// | `logpipe_bytes_shipped_total` | counter | value bytes acknowledged |
/// | `logpipe_delivery_errors_total` | counter | failed delivery reports or refused produces (each is re-sent) |
/// | `logpipe_producer_rebuilds_total` | counter | producers replaced after a fatal error or a stall |
/// | `logpipe_input_events_total{event}` | counter | rotations, truncations, deletions… of the input |
/// | `logpipe_lag_bytes` | gauge | bytes in the input not yet acknowledged (read or not) |
/// | `logpipe_inflight_lines` | gauge | lines read and not yet acknowledged |
/// | `logpipe_checkpoint_age_seconds` | gauge | seconds since the checkpoint was last known to be current |
package final class LogPipeMetrics: Sendable {
    let linesRead = Counter(label: "logpipe_lines_read_total")
    let shipped: [Counter] = ["raw", "console", "deadletter"].map {
        Counter(label: "logpipe_lines_shipped_total", dimensions: [("topic", $0)])
    }
    let filtered = Counter(label: "logpipe_lines_filtered_total")
    let oversize = Counter(label: "logpipe_lines_oversize_total")
    let badEntries = Counter(label: "logpipe_bad_entries_total")
    let bytesRead = Counter(label: "logpipe_bytes_read_total")
    let bytesShipped = Counter(label: "logpipe_bytes_shipped_total")
    let deliveryErrors = Counter(label: "logpipe_delivery_errors_total")
    let rebuilds = Counter(label: "logpipe_producer_rebuilds_total")
    let lagBytes = Gauge(label: "logpipe_lag_bytes")
    let inFlight = Gauge(label: "logpipe_inflight_lines")
    let checkpointAge = Gauge(label: "logpipe_checkpoint_age_seconds")
    private let reported = Mutex(DeliveryTotals())

    struct DeliveryTotals {
        var delivered = [0, 0, 0]
        var bytes = 0
        var errors = 0
    }

    package init() {
        // Export every series from the start, so dashboards see zeros rather than gaps.
        for c in shipped + [linesRead, filtered, oversize, badEntries, bytesRead, bytesShipped, deliveryErrors, rebuilds] {
            c.increment(by: 0)
        }
    }

    func event(_ event: SourceEvent) {
        Counter(label: "logpipe_input_events_total", dimensions: [("event", event.name)]).increment()
    }

    /// Publishes the delivery totals of `snapshot` (increments since the last call).
    func record(_ snapshot: DeliveryWindow.Snapshot) {
        let (delivered, bytes, errors) = reported.withLock { r in
            defer {
                r.delivered = snapshot.delivered
                r.bytes = snapshot.deliveredBytes
                r.errors = snapshot.errors
            }
            return (
                zip(snapshot.delivered, r.delivered).map { $0 - $1 }, snapshot.deliveredBytes - r.bytes,
                snapshot.errors - r.errors
            )
        }
        for (counter, n) in zip(shipped, delivered) where n > 0 { counter.increment(by: n) }
        if bytes > 0 { bytesShipped.increment(by: bytes) }
        if errors > 0 { deliveryErrors.increment(by: errors) }
        inFlight.record(snapshot.unacked)
    }
}
