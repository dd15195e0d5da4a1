import Metrics
import PacketIngestCore

/// Per-batch counts of line outcomes, added to the process's metrics once per batch:
///
/// - `ingest_lines_total{topic, result}`: result `accepted`, `duplicate`, `rejected`, `event`
///   (console line → server event), `ignored` (console line that is no event);
/// - `ingest_rejected_total{reason}`: dead-lettered lines by reason;
/// - `ingest_server_cap_exceeded_total{cap}`: lines dead-lettered `server_cap_exceeded`, by cap
///   (`fingerprints`, `surfaces`, `players`).
struct IngestStats {
    private var lines: [LineKey: Int] = [:]
    private var rejected: [String: Int] = [:]
    private var lineCounters: [LineKey: Counter] = [:]
    private var reasonCounters: [String: Counter] = [:]
    private var capCounters: [ServerCap: Counter] = [:]

    private struct LineKey: Hashable {
        var topic: InputTopic
        var result: String
    }

    mutating func count(_ outcome: LineOutcome, topic: InputTopic) {
        let result: String
        switch outcome {
        case .accepted: result = "accepted"
        case .duplicate: result = "duplicate"
        case .rejected(let reason):
            result = "rejected"
            rejected[reason, default: 0] += 1
        case .consoleEvent: result = "event"
        case .consoleIgnored: result = "ignored"
        }
        lines[LineKey(topic: topic, result: result), default: 0] += 1
    }

    /// Adds the counts (and the processor's cap hits) to the metrics and resets them.
    mutating func flush(capHits: [ServerCap: Int] = [:]) {
        for (cap, n) in capHits {
            let counter = capCounters[cap] ?? Counter(label: "ingest_server_cap_exceeded_total", dimensions: [("cap", cap.rawValue)])
            capCounters[cap] = counter
            counter.increment(by: n)
        }
        for (key, n) in lines {
            let counter =
                lineCounters[key]
                ?? Counter(label: "ingest_lines_total", dimensions: [("topic", key.topic.rawValue), ("result", key.result)])
            lineCounters[key] = counter
            counter.increment(by: n)
        }
        for (reason, n) in rejected {
            let counter = reasonCounters[reason] ?? Counter(label: "ingest_rejected_total", dimensions: [("reason", reason)])
            reasonCounters[reason] = counter
            counter.increment(by: n)
        }
        lines.removeAll(keepingCapacity: true)
        rejected.removeAll(keepingCapacity: true)
    }
}
