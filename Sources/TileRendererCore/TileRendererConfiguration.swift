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

    package init(
        coalesceWindow: Duration = .seconds(1), batchSize: Int = 2000, compressionLevel: Int32 = 6, regionsPerStep: Int = 16,
        workerID: String = "worker"
    ) {
        self.coalesceWindow = coalesceWindow
        self.batchSize = batchSize
        self.compressionLevel = compressionLevel
        self.regionsPerStep = regionsPerStep
        self.workerID = workerID
    }
}
