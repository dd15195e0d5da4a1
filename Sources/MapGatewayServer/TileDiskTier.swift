package import Blocking
import Foundation
package import Logging
import MapGatewayCore
package import Metrics
import Shared

/// The gateway's tiles on local disk: a ``TileKeyValueStore`` in `<directory>/store`, laid out as
/// ``TileDiskLayout``, with the executor every call to it runs on (cold reads and record batches
/// alike, one at a time, so a read never sees half a batch and never races a write into the
/// cache).
///
/// ``open(directory:topic:logger:metrics:opener:)`` checks what it finds: a store whose files are
/// damaged, that was made by another layout version or for another `tiles` topic, or that holds
/// data but no format record is logged, counted
/// (`kafkatorio_gateway_tile_store_rebuilds_total{reason}`) and wiped, so the gateway reads `tiles`
/// from the beginning as it would with no disk at all. A store another process holds (another
/// gateway on the same directory) is an error: two replicas must not share one.
package final class TileDiskTier: Sendable {
    /// The directory given (`--tile-directory`); the store lives in its `store` subdirectory,
    /// which is all a rebuild deletes.
    package let directory: String
    /// The executor every store call runs on.
    package let executor: BlockingExecutor
    /// The next offset to read per `tiles` partition, as the store held them at open.
    package let offsets: [Int32: Int64]
    /// Why the store was rebuilt at open (`corrupt`, `version`, `topic`, `unknown`); nil when it
    /// was opened as it was (or created empty).
    package let rebuildReason: String?
    let summaries: [String: ServerTileSummary]
    let metrics: TileStoreMetrics?
    /// Only called on ``executor``.
    let store: any TileKeyValueStore

    private init(
        directory: String, executor: BlockingExecutor, store: any TileKeyValueStore, offsets: [Int32: Int64],
        summaries: [String: ServerTileSummary], rebuildReason: String?, metrics: TileStoreMetrics?
    ) {
        self.directory = directory
        self.executor = executor
        self.store = store
        self.offsets = offsets
        self.summaries = summaries
        self.rebuildReason = rebuildReason
        self.metrics = metrics
    }

    /// Opens (creating, checking and if need be rebuilding) the tile store in `directory/store`
    /// for the `tiles` topic `topic`. `opener` opens the key-value store in a directory
    /// (creating it if missing).
    /// - Throws: ``TileDiskError`` when the store cannot be opened even after a rebuild, or is
    ///   locked by another process.
    package static func open(
        directory: String, topic: String, logger: Logger, metrics: TileStoreMetrics? = nil,
        opener: @escaping @Sendable (String) throws(TileDiskError) -> any TileKeyValueStore
    ) async throws(TileDiskError) -> TileDiskTier {
        let executor = BlockingExecutor(label: "gateway-tile-store")
        let path = (directory as NSString).appendingPathComponent("store")
        let opened = try await executor.run { () throws(TileDiskError) -> Opened in
            try openChecked(path: path, topic: topic, logger: logger, opener: opener)
        }
        if let reason = opened.rebuildReason { metrics?.rebuilt(reason: reason) }
        logger.info(
            "tile store opened",
            metadata: [
                "directory": "\(directory)", "rebuilt": "\(opened.rebuildReason ?? "no")",
                "servers": "\(opened.summaries.count)", "partitions": "\(opened.offsets.count)",
                "tiles": "\(opened.summaries.values.reduce(0) { $0 + $1.tileCount })",
            ])
        return TileDiskTier(
            directory: directory, executor: executor, store: opened.store, offsets: opened.offsets,
            summaries: opened.summaries, rebuildReason: opened.rebuildReason, metrics: metrics)
    }

    /// Bytes the store takes on disk.
    package func diskBytes() async -> Int { await executor.run { store.diskBytes } }

    /// Closes the store (after the last batch).
    package func close() async { await executor.run { store.close() } }

    private struct Opened: Sendable {
        var store: any TileKeyValueStore
        var offsets: [Int32: Int64] = [:]
        var summaries: [String: ServerTileSummary] = [:]
        var rebuildReason: String?
    }

    /// Opens the store at `path`; on a damaged, foreign or unversioned store wipes it once and
    /// opens it again empty.
    private static func openChecked(
        path: String, topic: String, logger: Logger,
        opener: (String) throws(TileDiskError) -> any TileKeyValueStore
    ) throws(TileDiskError) -> Opened {
        var reason: String?
        for attempt in 0..<2 {
            if attempt == 1 { try wipe(path) }
            try makeDirectory(path)
            let store: any TileKeyValueStore
            do {
                store = try opener(path)
            } catch where error.kind == .corrupt && attempt == 0 {
                reason = "corrupt"
                logger.error("tile store is damaged: rebuilding it from the tiles topic", metadata: ["error": "\(error)"])
                continue
            }
            do {
                if let why = try check(store, topic: topic), attempt == 0 {
                    reason = why
                    logger.error(
                        "tile store is not this gateway's: rebuilding it from the tiles topic",
                        metadata: ["directory": "\(path)", "reason": "\(why)"])
                    store.close()
                    continue
                }
                var opened = Opened(store: store, rebuildReason: reason)
                try restore(store, into: &opened)
                return opened
            } catch where error.kind == .corrupt && attempt == 0 {
                reason = "corrupt"
                logger.error("tile store is damaged: rebuilding it from the tiles topic", metadata: ["error": "\(error)"])
                store.close()
            }
        }
        throw TileDiskError(.other, operation: "open", directory: path, message: "still unusable after a rebuild")
    }

    /// Nil when `store` is this gateway's (or new, which it then becomes); else why it is not.
    private static func check(_ store: any TileKeyValueStore, topic: String) throws(TileDiskError) -> String? {
        let identity = TileDiskLayout.identity(topic: topic)
        switch try store.value(TileDiskLayout.formatKey) {
        case identity?: return nil
        case let other?:
            let sameVersion = String(decoding: other, as: UTF8.self).hasPrefix("kafkatorio-gateway-tiles/\(TileDiskLayout.version) ")
            return sameVersion ? "topic" : "version"
        case nil:
            var empty = true
            try store.scan(prefix: []) { _, _ in
                empty = false
                return false
            }
            guard empty else { return "unknown" }
            try store.write(puts: [(TileDiskLayout.formatKey, identity)], deletes: [])
            return nil
        }
    }

    /// Reads the summaries and offsets; a value that does not decode means a damaged store.
    private static func restore(_ store: any TileKeyValueStore, into opened: inout Opened) throws(TileDiskError) {
        var bad: String?
        var summaries: [String: ServerTileSummary] = [:]
        try store.scan(prefix: TileDiskLayout.summaryPrefix) { key, value in
            guard let summary = TileDiskLayout.summary(value) else {
                bad = String(decoding: key, as: UTF8.self)
                return false
            }
            summaries[summary.server] = summary
            return true
        }
        var offsets: [Int32: Int64] = [:]
        if bad == nil {
            try store.scan(prefix: TileDiskLayout.offsetPrefix) { key, value in
                let partition = Int32(String(decoding: key.dropFirst(TileDiskLayout.offsetPrefix.count), as: UTF8.self))
                guard let partition, let offset = Int64(String(decoding: value, as: UTF8.self)) else {
                    bad = String(decoding: key, as: UTF8.self)
                    return false
                }
                offsets[partition] = offset
                return true
            }
        }
        if let bad {
            throw TileDiskError(.corrupt, operation: "restore", directory: "", message: "undecodable record \(bad)")
        }
        opened.summaries = summaries
        opened.offsets = offsets
    }

    private static func makeDirectory(_ path: String) throws(TileDiskError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw TileDiskError(.other, operation: "create", directory: path, message: error.localizedDescription)
        }
    }

    private static func wipe(_ path: String) throws(TileDiskError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw TileDiskError(.other, operation: "rebuild", directory: path, message: error.localizedDescription)
        }
    }
}

/// The tile store's metrics: rebuilds, cold reads, write failures, cache and disk sizes.
package struct TileStoreMetrics: Sendable {
    let coldReads: Counter
    let cacheBytes: Gauge
    let unsavedTiles: Gauge
    let diskBytes: Gauge
    let writeFailing: Gauge
    let skippedRecords: Counter
    private let factory: any MetricsFactory

    package init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        coldReads = Counter(label: "kafkatorio_gateway_tile_store_cold_reads_total", factory: factory)
        cacheBytes = Gauge(label: "kafkatorio_gateway_tile_cache_bytes", factory: factory)
        unsavedTiles = Gauge(label: "kafkatorio_gateway_tile_store_unsaved_tiles", factory: factory)
        diskBytes = Gauge(label: "kafkatorio_gateway_tile_store_disk_bytes", factory: factory)
        writeFailing = Gauge(label: "kafkatorio_gateway_tile_store_write_failing", factory: factory)
        skippedRecords = Counter(label: "kafkatorio_gateway_tile_records_skipped_total", factory: factory)
    }

    func rebuilt(reason: String) {
        Counter(label: "kafkatorio_gateway_tile_store_rebuilds_total", dimensions: [("reason", reason)], factory: factory)
            .increment()
    }

    func writeFailed(_ kind: TileDiskError.Kind) {
        Counter(label: "kafkatorio_gateway_tile_store_write_errors_total", dimensions: [("kind", kind.rawValue)], factory: factory)
            .increment()
    }
}
