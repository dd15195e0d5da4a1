import Blocking

/// A render core (``DetailCore``, ``PyramidCore``: not `Sendable`, they hold a libdeflate
/// compressor) isolated to an actor that runs on its own ``BlockingExecutor``: rendering is
/// CPU work that must not occupy the cooperative pool. One executor per worker core, so the
/// detail and pyramid roles of a process (or two workers) render on two threads.
actor CoreExecutor<Core> {
    private let executor: BlockingExecutor
    private let core: Core

    /// Confines `core` to a new executor named `label`.
    init(_ core: sending Core, label: String) {
        self.core = core
        executor = BlockingExecutor(label: label)
    }

    /// Every method of this actor runs on the executor's queue.
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Runs `body` with the core, on the executor's queue.
    func run<T: Sendable>(_ body: @Sendable (Core) -> T) -> T { body(core) }
}
