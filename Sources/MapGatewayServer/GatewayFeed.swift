import MapGatewayCore
package import Kafka
package import Logging
import ServiceLifecycle

/// Feeds the gateway from Kafka: every tile record of the `tiles` topic into the ``TileStore``
/// (and a tile invalidation to WebSocket clients), every packet of the `live` topic into the
/// ``LiveHub`` (the live consumer also reads the `trains` topic: its records are live packets too).
/// Each replica reads the topics whole, from the beginning, so it holds nothing it
/// cannot rebuild; it never commits offsets.
package final class GatewayFeed: Service, Sendable {
    private let tiles: KafkaConsumer
    private let live: KafkaConsumer
    /// What is done with each record.
    let records: FeedRecords

    /// - Parameters:
    ///   - tiles: a consumer subscribed to the tiles topic (own group, earliest).
    ///   - live: a consumer subscribed to the live topic (own group, earliest).
    package init(tiles: KafkaConsumer, live: KafkaConsumer, tileStore: TileStore, hub: LiveHub, logger: Logger) {
        self.tiles = tiles
        self.live = live
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
            for message in try await tiles.poll(maxMessages: 500, timeout: .milliseconds(200)) {
                records.apply(tile: message)
            }
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
