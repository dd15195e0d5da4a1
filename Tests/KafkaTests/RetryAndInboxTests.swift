import Kafka
import Synchronization
import Testing
import KafkaModel

/// The wrapper's one backoff, retry loop and rebalance inbox (no broker needed).
@Suite struct RetryAndInboxTests {
    @Test func backoffDoublesUpToItsMaximumAndResets() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .milliseconds(500))
        #expect((0..<5).map { _ in backoff.next() } == [100, 200, 400, 500, 500].map { Duration.milliseconds($0) })
        backoff.reset()
        #expect(backoff.next() == .milliseconds(100))
        // A maximum below the start is raised to it.
        var flat = Backoff(initial: .seconds(2), maximum: .seconds(1))
        #expect([flat.next(), flat.next()] == [.seconds(2), .seconds(2)])
    }

    struct Flaky: Error, Equatable { let attempt: Int }

    @Test func retryUntilSuccessRetriesWithGrowingDelaysAndReturnsTheResult() async throws {
        let attempts = Mutex(0)
        let failures = Mutex<[String]>([])
        let result = try await retryUntilSuccess(
            backoff: Backoff(initial: .milliseconds(1), maximum: .milliseconds(3)),
            onFailure: { error, delay in failures.withLock { $0.append("\(error) \(delay)") } }
        ) { () async throws -> String in
            let n = attempts.withLock { n in
                n += 1
                return n
            }
            if n < 4 { throw Flaky(attempt: n) }
            return "done at \(n)"
        }
        #expect(result == "done at 4")
        #expect(
            failures.withLock { $0 } == [
                "Flaky(attempt: 1) 0.001 seconds", "Flaky(attempt: 2) 0.002 seconds", "Flaky(attempt: 3) 0.003 seconds",
            ])
    }

    @Test func retryUntilSuccessStopsWhenCancelledWhileBackingOff() async {
        let task = Task {
            try await retryUntilSuccess(backoff: Backoff(initial: .seconds(3600)), onFailure: { _, _ in }) {
                throw Flaky(attempt: 0)
            }
        }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func inboxHandsOverEventsInOrderOnce() {
        let inbox = RebalanceInbox()
        #expect(inbox.take().isEmpty)
        let a = TopicPartition(topic: "t", partition: 0)
        let b = TopicPartition(topic: "t", partition: 1)
        inbox.post(.assigned([a, b]))
        inbox.post(.revoked([a]))
        inbox.post(.lost([b]))
        #expect(inbox.take() == [.assigned([a, b]), .revoked([a]), .lost([b])])
        #expect(inbox.take().isEmpty)
        inbox.post(.assigned([a]))
        #expect(inbox.take() == [.assigned([a])])
    }
}
