import MapGatewayCore
package import Kafka
package import KafkaModel
package import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Feeds the gateway from Kafka: every tile record of the `tiles` topic into the ``TileStore``
/// (and a tile invalidation to WebSocket clients), every packet of the `live` topic into the
/// ``LiveHub`` (the live consumer also reads the `trains` topic: its records are live packets too).
/// Each replica reads the topics whole, from the beginning, so it holds nothing it
/// cannot rebuild; it never commits offsets. With a disk tier the tiles consumer resumes instead
/// where the tile store's stored offsets say (``TileResume``).
package final class GatewayFeed: Service, Sendable {
    private let tiles: KafkaConsumer
    private let live: KafkaConsumer
    private let resume: TileResume?
    private let logger: Logger
    /// What is done with each record.
    let records: FeedRecords

    /// - Parameters:
    ///   - tiles: a consumer subscribed to the tiles topic (own group, earliest).
    ///   - live: a consumer subscribed to the live topic (own group, earliest).
    ///   - resume: the offsets the tile store holds, whose ``TileResume/rebalanced(_:)`` is the tiles
    ///     consumer's rebalance handler; nil reads `tiles` whole.
    package init(
        tiles: KafkaConsumer, live: KafkaConsumer, tileStore: TileStore, hub: LiveHub, resume: TileResume? = nil,
        logger: Logger
    ) {
        self.tiles = tiles
        self.live = live
        self.resume = resume
        self.logger = logger
        self.records = FeedRecords(tileStore: tileStore, hub: hub, logger: logger)
    }

    package func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await self.consumeTiles() }
                    group.addTask { try await self.consumeLive() }
                    try await group.waitForAll()
                }
            }
        } catch is CancellationError {
            // Graceful shutdown.
        }
    }

    private func consumeTiles() async throws {
        while !Task.isCancelled {
            var messages = try await tiles.poll(maxMessages: 500, timeout: .milliseconds(200))
            if let resume {
                for (partition, offset) in resume.takeSeeks() {
                    do {
                        try await tiles.seek(partition, to: offset)
                    } catch {
                        // The filter below still skips what the store holds.
                        logger.warning("tiles seek failed", metadata: ["partition": "\(partition)", "error": "\(error)"])
                    }
                }
                messages = resume.unread(messages)
            }
            await records.apply(tiles: messages)
        }
    }

    private func consumeLive() async throws {
        while !Task.isCancelled {
            for message in try await live.poll(maxMessages: 1000, timeout: .milliseconds(100)) {
                records.apply(live: message)
            }
        }
    }
}

/// Where the tiles consumer resumes over a disk tier: each partition from the next offset the
/// tile store holds for it (written with the tiles, so nothing it holds is read again and
/// nothing after it is missed). When a partition is assigned the feed seeks it there; records
/// below that offset that arrive anyway (fetched before the seek) are skipped and counted
/// (`kafkatorio_gateway_tile_records_skipped_total`). A partition the store knows nothing of is
/// read from the beginning.
package final class TileResume: Sendable {
    /// The tiles topic.
    package let topic: String
    /// The next offset to read per partition, as the tile store held them at start.
    package let stored: [Int32: Int64]
    private let metrics: TileStoreMetrics?
    private let toSeek = Mutex<[TopicPartition]>([])

    package init(topic: String, stored: [Int32: Int64], metrics: TileStoreMetrics?) {
        self.topic = topic
        self.stored = stored
        self.metrics = metrics
    }

    /// The tiles consumer's rebalance handler: assigned partitions with a stored offset are sought.
    package func rebalanced(_ event: RebalanceEvent) {
        guard case .assigned(let partitions) = event else { return }
        let known = partitions.filter { $0.topic == topic && stored[$0.partition] != nil }
        toSeek.withLock { $0 += known }
    }

    /// The seeks due since the last call.
    func takeSeeks() -> [(TopicPartition, Int64)] {
        toSeek.withLock { list in
            defer { list.removeAll() }
            return list.map { ($0, stored[$0.partition]!) }
        }
    }

    /// `messages` without those the store already holds.
    func unread(_ messages: [ConsumerMessage]) -> [ConsumerMessage] {
        let kept = messages.filter { $0.offset >= stored[$0.partition] ?? 0 }
        if kept.count < messages.count { metrics?.skippedRecords.increment(by: messages.count - kept.count) }
        return kept
    }
}
