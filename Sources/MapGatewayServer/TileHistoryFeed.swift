package import Kafka
package import Logging
import ServiceLifecycle
import MapGatewayCore
import Shared

/// Feeds the ``TileHistoryStore`` from `tile-history`: resumes each partition where the store's
/// offsets say (``TileResume``, as the tiles consumer does over its disk tier), stores what it
/// reads in batches, and sweeps the store every so often (a tenth of the retention, at most
/// every ten minutes, at least every second).
package final class TileHistoryFeed: Service, Sendable {
    private let consumer: KafkaConsumer
    private let store: TileHistoryStore
    private let resume: TileResume
    private let logger: Logger

    /// - Parameters:
    ///   - consumer: subscribed to `tile-history` (own group, earliest) with `resume.rebalanced` as
    ///     its rebalance handler.
    package init(consumer: KafkaConsumer, store: TileHistoryStore, resume: TileResume, logger: Logger) {
        self.consumer = consumer
        self.store = store
        self.resume = resume
        self.logger = logger
    }

    package func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.loop() }
        } catch is CancellationError {}
    }

    private func loop() async throws {
        let sweepEvery = min(600_000, max(1000, store.core.retentionMs / 10))
        var lastSweep: Int64 = 0
        while !Task.isCancelled {
            var messages = try await consumer.poll(maxMessages: 500, timeout: .milliseconds(200))
            for (partition, offset) in resume.takeSeeks() {
                do { try await consumer.seek(partition, to: offset) } catch {
                    logger.warning("tile-history seek failed", metadata: ["partition": "\(partition)", "error": "\(error)"])
                }
            }
            messages = resume.unread(messages)
            do {
                try await store.apply(messages)
                let now = WallClock.nowMillis()
                if now - lastSweep >= sweepEvery {
                    lastSweep = now
                    try await store.sweep(now: now)
                }
            } catch {
                logger.error("tile history store failed", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}
