package import Settings

/// TileRenderer's settings (the worker, its default subcommand), each declared once.
package enum TileRendererSettings {
    package static let group = Setting.optionalString(
        "renderer.group", flag: "group", defaultText: "<topic prefix>.tile-renderer",
        help: "Consumer group of the workers; the pyramid role uses <group>.pyramid.")
    package static let coalesceMs = Setting.int(
        "renderer.coalesceMs", flag: "coalesce-ms", default: 1000, range: 0...600_000,
        help: "Collect dirty tiles this many milliseconds before rendering them together (0: after every poll).")
    package static let role = Setting.string(
        "renderer.role", flag: "role", default: "all", oneOf: ["all", "detail", "pyramid"],
        help: "Which work this worker does.")
    package static let detailWorkers = Setting.int(
        "renderer.detailWorkers", flag: "detail-workers", default: 1, range: 0...64,
        help: "Detail workers in this process, each a member of the group rendering its own partitions on a thread of its own (0: one per processor core; at most the map topic's partitions). 1 by default: the embedded broker (Tansu) stalls the JoinGroup of a restarted process with several; on Kafka use 0.")
    package static let workerID = Setting.optionalString(
        "renderer.workerId", flag: "worker-id", defaultText: "<host name>-<pid>", help: "This worker's name in progress reports.")

    package static let stateDirectory = Setting.optionalString(
        "renderer.stateDirectory", flag: "state-directory", defaultText: "none: state in memory, restored from the changelog",
        expected: "a directory",
        help: "Directory of the detail role's persistent state store (RocksDB; relative to the working directory): one per process (its detail workers share it), never shared between processes, and never kept across a new Kafka cluster with the same topic names.")
    package static let stateCacheMiB = Setting.int(
        "renderer.stateCacheMib", flag: "state-cache-mib", default: 64, range: 1...65_536,
        help: "MiB of the state store's block cache (and twice its memtable of a quarter of it).")

    /// Every worker setting, in help order.
    package static let all: [AnySetting] = [
        group.erased, coalesceMs.erased, role.erased, detailWorkers.erased, workerID.erased, stateDirectory.erased, stateCacheMiB.erased,
    ]
    /// Every setting of the worker command: its own and the common ones.
    package static let command: [AnySetting] = all + CommonSettings.service
}

extension TileRendererConfiguration {
    /// Reads the coalescing window, the number of detail workers, the worker id and the state store's directory and cache (``TileRendererSettings``).
    /// - Parameter defaultWorkerID: the worker id without a setting (host name and pid).
    /// - Throws: ``ServiceConfigError`` naming the key and the bad value.
    package init(config: some SettingValues, defaultWorkerID: String) throws(ServiceConfigError) {
        self.init(
            coalesceWindow: .milliseconds(try config.value(TileRendererSettings.coalesceMs)),
            workerID: try config.value(TileRendererSettings.workerID) ?? defaultWorkerID)
        detailWorkers = try config.value(TileRendererSettings.detailWorkers)
        stateDirectory = try config.value(TileRendererSettings.stateDirectory)
        stateCacheBytes = try config.value(TileRendererSettings.stateCacheMiB) << 20
        historyIntervalMs = Int64(try config.value(HistorySettings.interval)) * 1000
    }
}
