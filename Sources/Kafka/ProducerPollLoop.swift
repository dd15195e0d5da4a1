import CRdKafka
import Synchronization
import Blocking
import Logging
import KafkaModel

/// The producer's poll loop: a task on the client's `BlockingExecutor` that runs
/// `rd_kafka_poll(rk, 50 ms)`, which serves delivery reports, statistics and errors, and after every
/// poll wakes senders waiting for queue space and yields, so other blocking jobs of the client (a
/// `flush`) run between two polls. On stop it flushes (bounded), purges what is left, fails any
/// remaining handlers with `.shutdown`, and wakes the stoppers.
final class ProducerPollLoop: Sendable {
    private struct State {
        var flushTimeout: Duration?
        var stopRequested = false
        var finished = false
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let client: RDKafkaClient
    private let state = Mutex(State())
    private let space = QueueSpace()

    /// Starts the loop on `client.executor`. It keeps `client` alive until it exits.
    init(client: RDKafkaClient) {
        self.client = client
        Task(executorPreference: client.executor) { [self] in await run() }
    }

    /// `true` once a stop was requested: new messages are refused.
    var isStopping: Bool { state.withLock { $0.stopRequested } }

    /// The queue-space generation, read before a produce attempt.
    var spaceGeneration: UInt64 { space.generation }

    /// Suspends until the poll loop has served events after `generation` (at most one poll interval).
    /// Returns `false` if the loop is stopping.
    func waitForSpace(after generation: UInt64) async -> Bool {
        await space.wait(after: generation)
    }

    /// Asks the loop to stop: flush for up to `flushTimeout` (nil: no flush), then exit.
    func requestStop(flushTimeout: Duration?) {
        state.withLock { state in
            guard !state.stopRequested else { return }
            state.stopRequested = true
            state.flushTimeout = flushTimeout
        }
    }

    /// Suspends until the loop has finished its final flush.
    func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.finished { return true }
                state.stopWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// The loop; runs on the client's executor (its task prefers it), so the blocking polls and the
    /// final flush never occupy the cooperative pool.
    private func run() async {
        precondition(client.executor.isCurrent, "the poll loop runs on the client's executor")
        let rk = client.rk
        var flushTimeout: Duration?
        while true {
            let stop = state.withLock { state in
                flushTimeout = state.flushTimeout
                return state.stopRequested
            }
            if stop { break }
            rd_kafka_poll(rk, 50)
            space.advance()
            await Task.yield()
            assert(client.executor.isCurrent, "the poll loop resumes on the client's executor")
        }
        let logger = client.context.logger
        if let flushTimeout {
            let err = rd_kafka_flush(rk, flushTimeout.timeoutMs)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning(
                    "producer flush at shutdown incomplete",
                    metadata: ["error": "\(String(cString: rd_kafka_err2str(err)))", "outq": "\(rd_kafka_outq_len(rk))"])
            }
        }
        // Whatever is still queued fails with a purge error through the normal delivery path
        // (nothing to wait for when the flush delivered everything).
        if rd_kafka_outq_len(rk) > 0 {
            rd_kafka_purge(rk, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            rd_kafka_poll(rk, 100)
        }
        client.context.deliveries?.failAll(.shutdown("delivery"))
        space.close()
        let waiters = state.withLock { state in
            state.finished = true
            defer { state.stopWaiters.removeAll() }
            return state.stopWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Senders waiting for room in librdkafka's local queue, woken by the poll loop after each poll.
/// A generation counter avoids lost wake-ups: a sender that saw the queue full at generation `g` waits
/// only until the generation moves past `g`.
final class QueueSpace: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var closed = false
        var waiters: [CheckedContinuation<Bool, Never>] = []
    }

    private let state = Mutex(State())

    /// The current generation.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Bumps the generation and wakes every waiter.
    func advance() {
        let waiters = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// Wakes every waiter with `false`; later waits return `false` at once.
    func close() {
        let waiters = state.withLock { state in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: false) }
    }

    /// Suspends until the generation passes `generation`; `false` if closed.
    func wait(after generation: UInt64) async -> Bool {
        await withCheckedContinuation { continuation in
            let immediate: Bool? = state.withLock { state in
                if state.closed { return false }
                if state.generation != generation { return true }
                state.waiters.append(continuation)
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }
}
