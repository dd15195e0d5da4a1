import MapGatewayCore
import Metrics
package import Kafka
package import Logging
import ServiceLifecycle
import Shared
import KafkaModel

/// Feeds the gateway from Kafka: every tile record of the `tiles` topic into the ``TileStore``
/// (and a tile invalidation to WebSocket clients), every packet of the `live` topic into the
/// ``LiveHub``. Each replica reads both topics whole, from the beginning, so it holds nothing it
/// cannot rebuild; it never commits offsets.
package final class GatewayFeed: Service, Sendable {
    private let tiles: KafkaConsumer
    private let live: KafkaConsumer
    private let tileStore: TileStore
    private let hub: LiveHub
    private let logger: Logger

    /// - Parameters:
    ///   - tiles: a consumer subscribed to the tiles topic (own group, earliest).
    ///   - live: a consumer subscribed to the live topic (own group, earliest).
    package init(tiles: KafkaConsumer, live: KafkaConsumer, tileStore: TileStore, hub: LiveHub, logger: Logger) {
        self.tiles = tiles
        self.live = live
        self.tileStore = tileStore
        self.hub = hub
        self.logger = logger
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
                apply(tile: message)
            }
        }
    }

    private func consumeLive() async throws {
        while !Task.isCancelled {
            for message in try await live.poll(maxMessages: 1000, timeout: .milliseconds(100)) {
                apply(live: message)
            }
        }
    }

    /// Applies one record of the tiles topic: an empty value removes the tile; the ETag is the
    /// renderer's `hash` header (see ``TileRecord``).
    func apply(tile message: ConsumerMessage) {
        guard
            let record = TileRecord(
                key: message.key, value: message.value, version: message.headerString(RecordHeader.version),
                contentHash: message.headerString(RecordHeader.contentHash))
        else {
            logger.warning("tile record with an invalid key", metadata: ["offset": "\(message.offset)"])
            return
        }
        hub.metrics?.tileRecords.increment()
        if record.isRemoval {
            if tileStore.remove(key: record.key) { hub.tileRemoved(record.key) }
            return
        }
        if tileStore.put(key: record.key, png: record.png, contentHash: record.contentHash, version: record.version)
            == .stored
        {
            hub.tileUpdated(record.key, version: record.version)
        }
    }

    /// Applies one record of the live topic: a canonical packet line, or (header `type` =
    /// `event`) a ``ServerEvent``. The record timestamp is the packet's arrival time (so chat
    /// de-duplication and staleness mean the same after a replay from the beginning).
    func apply(live message: ConsumerMessage) {
        hub.metrics?.liveRecords.increment()
        if message.headerString(RecordHeader.packetType) == ServerEvent.recordType {
            guard let event = ServerEvent.decode(message.value), Identifier.isValidServerID(event.server) else {
                logger.error("undecodable server event", metadata: ["offset": "\(message.offset)"])
                return
            }
            hub.apply(event: event)
            return
        }
        guard let server = message.headerString(RecordHeader.server), Identifier.isValidServerID(server) else {
            logger.warning("live record without a valid server header", metadata: ["offset": "\(message.offset)"])
            return
        }
        do {
            let packet = try PacketLine.decode(message.value)
            _ = hub.apply(packet, server: server, receivedAt: message.timestamp ?? WallClock.nowMillis())
        } catch {
            logger.error("undecodable live record", metadata: ["offset": "\(message.offset)", "error": "\(error)"])
        }
    }
}
