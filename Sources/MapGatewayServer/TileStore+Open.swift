package import Logging
import LocalStore
import MapGatewayCore
package import Settings

/// The gateway's tile store as its settings ask: every tile in memory (an empty
/// `--tile-directory`), or on local disk in `--tile-directory` under a cache of
/// `--tile-cache-mib`, resuming the tiles topic where the store's offsets say.
package struct GatewayTiles: Sendable {
    /// The store the feed fills and the routes read.
    package let store: TileStore
    /// Where the tiles consumer resumes (nil: from the beginning, memory only).
    package let resume: TileResume?

    /// Opens the store for `topic` (the `tiles` topic's name).
    /// - Throws: ``ServiceConfigError`` for a bad setting, ``TileDiskError`` when the store cannot be
    ///   opened (another gateway holds the directory, permissions, …).
    package static func open(
        config: some SettingValues, topic: String, logger: Logger, metrics: TileStoreMetrics = TileStoreMetrics()
    ) async throws -> GatewayTiles {
        let directory = try config.value(GatewaySettings.tileDirectory)
        let cacheBytes = try config.value(GatewaySettings.tileCacheMiB) << 20
        guard !directory.isEmpty else { return GatewayTiles(store: TileStore(), resume: nil) }
        // RocksDB's own block cache is kept small: the tile cache above it holds the hot tiles.
        let disk = try await TileDiskTier.open(directory: directory, topic: topic, logger: logger, metrics: metrics) {
            path throws(TileDiskError) in try LocalTileStore.open(directory: path, cacheBytes: 8 << 20)
        }
        let store = TileStore(disk: disk, cacheBytes: cacheBytes, logger: logger)
        await store.loadGrids()
        return GatewayTiles(
            store: store,
            resume: TileResume(topic: topic, stored: disk.offsets, metrics: metrics))
    }
}
