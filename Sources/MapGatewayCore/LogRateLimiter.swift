/// At most one log line per kind of problem per interval: bad records read from an internal
/// topic are logged, but a stream of them (a broken or hostile producer) does not flood the log.
/// The line that is written says how many of that kind were left out since the previous one.
///
/// Bounded: one entry per kind, and kinds are a fixed set chosen by the caller (reasons, never
/// values taken from the records).
package struct LogRateLimiter: Sendable {
    /// The shortest time between two lines of one kind, in milliseconds.
    package let intervalMillis: Int64
    private var kinds: [String: (loggedAt: Int64, suppressed: Int)] = [:]

    package init(intervalMillis: Int64 = 10_000) {
        self.intervalMillis = max(0, intervalMillis)
    }

    /// Whether a problem of `kind` seen at `now` (Unix milliseconds) is logged: nil when it is
    /// left out, else how many of that kind were left out before it.
    package mutating func admit(_ kind: String, now: Int64) -> Int? {
        if let entry = kinds[kind], now - entry.loggedAt < intervalMillis, now >= entry.loggedAt {
            kinds[kind] = (entry.loggedAt, entry.suppressed + 1)
            return nil
        }
        let suppressed = kinds[kind]?.suppressed ?? 0
        kinds[kind] = (now, 0)
        return suppressed
    }
}
