package import Shared
import Settings

/// Settings of the TileRenderer workers.
package struct TileRendererConfiguration: Sendable {
    /// Dirty tiles are collected for this long before they are rendered together (0 renders
    /// after every poll).
    package var coalesceWindow: Duration
    /// Most records handled per poll.
    package var batchSize: Int
    /// libdeflate compression level of the PNGs.
    package var compressionLevel: Int32
    /// Most region tiles (z 0 groups) rendered per flush step, so progress is reported and
    /// polling continues during a big render.
    package var regionsPerStep: Int
    /// This worker's name in progress reports.
    package var workerID: String
    /// Detail workers in one process (0: one per processor core); see ``detailWorkerCount(cores:mapPartitions:)``.
    package var detailWorkers: Int = 1
    /// Directory of the detail role's persistent state store (nil: none, state in memory only).
    package var stateDirectory: String?
    /// Bytes of the state store's block cache (nil: the store's default).
    package var stateCacheBytes: Int?
    /// Milliseconds of one history interval: the bucket of a `tile-history` key (``TileHistoryRecords``).
    package var historyIntervalMs: Int64 = Int64(HistorySettings.interval.defaultValue) * 1000

    /// How tile versions go to `tile-history` under `topics`.
    package func history(_ topics: Topics) -> TileHistoryRecords { TileHistoryRecords(topics: topics, intervalMs: historyIntervalMs) }

    package init(
        coalesceWindow: Duration = .seconds(1), batchSize: Int = 2000, compressionLevel: Int32 = 6, regionsPerStep: Int = 16,
        workerID: String = "worker", stateDirectory: String? = nil
    ) {
        self.stateDirectory = stateDirectory
        self.coalesceWindow = coalesceWindow
        self.batchSize = batchSize
        self.compressionLevel = compressionLevel
        self.regionsPerStep = regionsPerStep
        self.workerID = workerID
    }

    /// How many detail workers a process runs: ``detailWorkers``, or one per core when 0; never
    /// more than the `map` partitions (a member beyond them would own nothing), at least one.
    package func detailWorkerCount(cores: Int, mapPartitions: Int) -> Int {
        max(1, min(detailWorkers == 0 ? cores : detailWorkers, mapPartitions))
    }

    /// The name of detail worker `index` of `count` in progress reports: ``workerID``, with
    /// `/<index>` appended when the process runs more than one.
    package func detailWorkerID(_ index: Int, of count: Int) -> String {
        count > 1 ? "\(workerID)/\(index)" : workerID
    }
}
