/// Slows down guessing: after ``freeFailures`` wrong credentials from one client (its address as
/// ``ClientInfo`` resolves it, so behind a trusted proxy the real client), each further attempt
/// must wait twice as long as the one before (``baseDelayMillis``, doubling, at most
/// ``maxDelayMillis``); the server answers 429 with `Retry-After` until then. A success forgets the
/// client; so does ``forgetAfterMillis`` without a failure.
///
/// Bounded memory under many clients: at most ``capacity`` clients are remembered; when a new one
/// would exceed it, the forgotten ones go first, then the older half of the rest (amortized
/// O(log n) per failure).
package struct AuthFailureThrottle: Sendable {
    /// Failures allowed before the first delay.
    package var freeFailures = 5
    /// The first delay, in milliseconds; each further failure doubles it.
    package var baseDelayMillis: Int64 = 1000
    /// The longest delay, in milliseconds.
    package var maxDelayMillis: Int64 = 300_000
    /// A client without a failure for this long is forgotten, in milliseconds.
    package var forgetAfterMillis: Int64 = 900_000
    /// The most clients remembered.
    package var capacity = 10_000

    private struct Entry {
        var failures: Int
        var lastFailureAt: Int64
    }

    private var clients: [String: Entry] = [:]

    package init() {}

    /// Clients currently remembered.
    package var count: Int { clients.count }

    /// Milliseconds `client` must still wait at `now` before its credentials are looked at, or
    /// nil when it may try now.
    package func retryAfterMillis(client: String, now: Int64) -> Int64? {
        guard let entry = clients[client], now - entry.lastFailureAt < forgetAfterMillis else { return nil }
        let wait = entry.lastFailureAt + delay(failures: entry.failures) - now
        return wait > 0 ? wait : nil
    }

    /// `client` presented a wrong credential at `now`.
    package mutating func failed(client: String, now: Int64) {
        if var entry = clients[client], now - entry.lastFailureAt < forgetAfterMillis {
            entry.failures += 1
            entry.lastFailureAt = now
            clients[client] = entry
            return
        }
        if clients[client] == nil, clients.count >= capacity { evict(now: now) }
        clients[client] = Entry(failures: 1, lastFailureAt: now)
    }

    /// `client` presented a valid credential.
    package mutating func succeeded(client: String) {
        clients[client] = nil
    }

    /// The delay after `failures` failures, in milliseconds (0 within the free ones).
    func delay(failures: Int) -> Int64 {
        let over = failures - freeFailures
        guard over > 0 else { return 0 }
        guard over <= 40 else { return maxDelayMillis }
        return min(maxDelayMillis, baseDelayMillis << Int64(over - 1))
    }

    private mutating func evict(now: Int64) {
        clients = clients.filter { now - $0.value.lastFailureAt < forgetAfterMillis }
        guard clients.count >= capacity else { return }
        let newest = clients.sorted { $0.value.lastFailureAt > $1.value.lastFailureAt }.prefix(capacity / 2)
        clients = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
    }
}
