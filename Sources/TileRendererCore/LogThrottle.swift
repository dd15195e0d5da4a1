/// At most `limit` log lines per `windowMillis` (pure: the caller passes the time): a stream of bad
/// records is counted in full by its metric but logged only this often, with how many lines were
/// held back since the last one logged.
package struct LogThrottle: Sendable, Hashable {
    package let limit: Int
    package let windowMillis: Int64
    private var windowStart: Int64 = .min
    private var logged = 0
    private var suppressed = 0

    package init(limit: Int = 10, windowMillis: Int64 = 10_000) {
        self.limit = max(1, limit)
        self.windowMillis = max(1, windowMillis)
    }

    /// Whether to log an event at `nowMillis`; `suppressed` is the number of events not logged since
    /// the last one that was (to add to the line).
    package mutating func admit(nowMillis: Int64) -> (log: Bool, suppressed: Int) {
        if windowStart == .min || nowMillis - windowStart >= windowMillis || nowMillis < windowStart {
            windowStart = nowMillis
            logged = 0
        }
        guard logged < limit else {
            suppressed += 1
            return (false, 0)
        }
        logged += 1
        defer { suppressed = 0 }
        return (true, suppressed)
    }
}

extension String {
    /// At most `max` characters, with `…` when cut: what a log line shows of a key read from a topic.
    package func clipped(_ max: Int = 200) -> String { count <= max ? self : String(prefix(max)) + "…" }
}
