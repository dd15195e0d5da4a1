package import Kafka
package import KafkaModel
package import Logging
import ServiceLifecycle
import MapGatewayCore
import Shared

/// Feeds the ``TileHistoryStore`` from one history topic (`tile-history`, or `player-history`
/// for trails): resumes each partition where the store's offsets say (``TileResume``, as the
/// tiles consumer does over its disk tier), stores what it reads in batches, and, when it has a
/// sweep, sweeps the store every so often (a tenth of the retention, at most every ten minutes,
/// at least every second).
package final class TileHistoryFeed: Service, Sendable {
    private let consumer: KafkaConsumer
    private let resume: TileResume
    private let apply: @Sendable ([ConsumerMessage]) async throws -> Void
    private let sweep: (@Sendable (_ now: Int64) async throws -> Void)?
    private let sweepEvery: Int64
    private let logger: Logger

    /// The feed of tile versions, sweeping the store.
    /// - Parameters:
    ///   - consumer: subscribed to `tile-history` (own group, earliest) with `resume.rebalanced` as
    ///     its rebalance handler.
    package convenience init(consumer: KafkaConsumer, store: TileHistoryStore, resume: TileResume, logger: Logger) {
        self.init(
            consumer: consumer, resume: resume, logger: logger, apply: { try await store.apply($0) },
            sweep: { try await store.sweep(now: $0) }, sweepEvery: min(600_000, max(1000, store.core.retentionMs / 10)))
    }

    /// A feed storing with `apply` (and sweeping with `sweep` every `sweepEvery` ms).
    package init(
        consumer: KafkaConsumer, resume: TileResume, logger: Logger, apply: @escaping @Sendable ([ConsumerMessage]) async throws -> Void,
        sweep: (@Sendable (_ now: Int64) async throws -> Void)? = nil, sweepEvery: Int64 = 600_000
    ) {
        self.consumer = consumer
        self.resume = resume
        self.apply = apply
        self.sweep = sweep
        self.sweepEvery = sweepEvery
        self.logger = logger
    }

    package func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.loop() }
        } catch is CancellationError {}
    }

    private func loop() async throws {
        var lastSweep: Int64 = 0
        while !Task.isCancelled {
            var messages = try await consumer.poll(maxMessages: 500, timeout: .milliseconds(200))
            for (partition, offset) in resume.takeSeeks() {
                do { try await consumer.seek(partition, to: offset) } catch {
                    logger.warning("history seek failed", metadata: ["topic": "\(resume.topic)", "partition": "\(partition)", "error": "\(error)"])
                }
            }
            messages = resume.unread(messages)
            do {
                try await apply(messages)
                let now = WallClock.nowMillis()
                if let sweep, now - lastSweep >= sweepEvery {
                    lastSweep = now
                    try await sweep(now)
                }
            } catch {
                logger.error("history store failed", metadata: ["topic": "\(resume.topic)", "error": "\(error)"])
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}
