import Kafka
import KafkaModel
package import Logging
import MapGatewayCore
import Shared
package import ServiceLifecycle
package import Settings

/// The gateway's tile history as its settings ask (issue 16): the store in `--history-directory`
/// (default `<tile-directory>-history`; `--history=false`: off), fed by a consumer of
/// `tile-history` of its own that resumes where the store's offsets say, and one of
/// `player-history` for the player trails, the same way.
package struct GatewayHistory: Sendable {
    /// The store the routes read.
    package let store: TileHistoryStore
    /// The consumer and the feed, to run with the gateway.
    package let services: [any Service]

    /// Opens the store and makes its consumer (group `map-gateway.history.<replica>`, never committed);
    /// nil when history is off.
    /// - Throws: ``ServiceConfigError`` for a bad setting, ``LocalStore/LocalStoreError`` when the
    ///   store cannot be opened, ``Kafka/KafkaError`` for the consumer.
    package static func open(config: some SettingValues, kafka: KafkaSettings, replica: String, logger: Logger) async throws -> GatewayHistory? {
        guard try config.value(GatewaySettings.history) else {
            logger.info("tile history is off (--history=false)")
            return nil
        }
        var directory = try config.value(GatewaySettings.historyDirectory)
        if directory.isEmpty {
            let tiles = try config.value(GatewaySettings.tileDirectory)
            guard !tiles.isEmpty else {
                logger.info("tile history is off: no --history-directory and no --tile-directory")
                return nil
            }
            directory = (tiles.hasSuffix("/") ? String(tiles.dropLast()) : tiles) + "-history"
        }
        let core = HistoryCore(
            intervalMs: Int64(try config.value(HistorySettings.interval)) * 1000,
            retentionMs: Int64(try config.value(HistorySettings.retention)) * 1000)
        let store = try await TileHistoryStore.open(directory: directory, core: core)
        /// A consumer of `topic` (group `map-gateway.<name>.<replica>`, never committed) resuming where `stored` says.
        func reader(_ topic: String, _ name: String, _ stored: [Int32: Int64]) throws(KafkaError) -> (KafkaConsumer, TileResume) {
            let resume = TileResume(topic: topic, stored: stored, metrics: nil)
            let consumer = try KafkaConsumer(
                configuration: ConsumerConfiguration(
                    client: kafka.client(name), groupID: kafka.groupID("map-gateway.\(name).\(replica)"), topics: [topic]),
                logger: logger, onRebalance: { resume.rebalanced($0) })
            return (consumer, resume)
        }
        let (versions, resume) = try reader(kafka.topics.tileHistory, "history", store.offsets)
        let (samples, trailResume) = try reader(kafka.topics.playerHistory, "trails", store.trailOffsets)
        return GatewayHistory(
            store: store,
            services: [
                versions, TileHistoryFeed(consumer: versions, store: store, resume: resume, logger: logger),
                samples, TileHistoryFeed(consumer: samples, resume: trailResume, logger: logger, apply: { try await store.applyTrails($0) }),
            ])
    }
}
