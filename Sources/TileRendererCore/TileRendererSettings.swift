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
    package static let workerID = Setting.optionalString(
        "renderer.workerId", flag: "worker-id", defaultText: "<host name>-<pid>", help: "This worker's name in progress reports.")

    /// Every worker setting, in help order.
    package static let all: [AnySetting] = [group.erased, coalesceMs.erased, role.erased, workerID.erased]
    /// Every setting of the worker command: its own and the common ones.
    package static let command: [AnySetting] = all + CommonSettings.service
}

extension TileRendererConfiguration {
    /// Reads the coalescing window and the worker id (``TileRendererSettings``).
    /// - Parameter defaultWorkerID: the worker id without a setting (host name and pid).
    /// - Throws: ``ServiceConfigError`` naming the key and the bad value.
    package init(config: some SettingValues, defaultWorkerID: String) throws(ServiceConfigError) {
        self.init(
            coalesceWindow: .milliseconds(try config.value(TileRendererSettings.coalesceMs)),
            workerID: try config.value(TileRendererSettings.workerID) ?? defaultWorkerID)
    }
}
