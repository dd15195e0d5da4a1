/// Exponential backoff: the delay before the next retry starts at `initial`, doubles after every
/// failure up to `maximum`, and goes back to `initial` after a success. A pure value: callers sleep
/// (``retryUntilSuccess(backoff:onFailure:_:)``, ``KafkaProducer/sendUntilDelivered(_:logger:backoff:)``)
/// or schedule the next attempt themselves (LogPipe's re-sends).
public struct Backoff: Sendable, Hashable {
    /// The first delay, and the delay after a ``reset()``.
    public let initial: Duration
    /// The longest delay.
    public let maximum: Duration
    /// The delay ``next()`` returns next.
    public private(set) var current: Duration

    /// A backoff starting at `initial` and doubling up to `maximum` (at least `initial`).
    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(10)) {
        precondition(initial > .zero, "backoff must start above zero")
        self.initial = initial
        self.maximum = max(initial, maximum)
        current = initial
    }

    /// The delay to wait before the next attempt; doubles the one after it (capped at `maximum`).
    public mutating func next() -> Duration {
        defer { current = min(current * 2, maximum) }
        return current
    }

    /// Starts over at `initial` (after a success).
    public mutating func reset() { current = initial }
}

/// Runs `attempt` until it succeeds and returns its result. After each failure it calls
/// `onFailure` with the error and the delay about to be waited, then sleeps that long (``Backoff``).
/// Throws only `CancellationError`, when the task is cancelled while it waits.
public func retryUntilSuccess<T>(
    backoff: Backoff, onFailure: (any Error, Duration) -> Void, _ attempt: () async throws -> T
) async throws -> T {
    var backoff = backoff
    while true {
        do {
            return try await attempt()
        } catch {
            let delay = backoff.next()
            onFailure(error, delay)
            try await Task.sleep(for: delay)
        }
    }
}
