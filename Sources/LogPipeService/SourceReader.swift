import Blocking
import LogPipeCore

/// The input, isolated to an actor that runs on LogPipe's reader executor: every read (a blocking
/// file or stdin read) happens there, one at a time, and the compiler checks that nothing else
/// touches the source.
actor SourceReader {
    private let executor: BlockingExecutor
    private var source: (any LineSource)?

    /// Runs on the reader executor's queue.
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Takes `source` over (nothing else may keep it); nil: ``open(_:)`` makes it.
    init(_ source: sending (any LineSource)?, executor: BlockingExecutor) {
        self.source = source
        self.executor = executor
    }

    /// Makes the source here, on the reader executor (opening a journal reads its files), so it
    /// is created and used on the same serial queue and never on the cooperative pool.
    func open(_ make: @Sendable () throws -> any LineSource) throws { source = try make() }

    /// Up to `maxLines` lines available now, and the bytes still unread after them.
    func read(maxLines: Int) -> (ReadBatch, UInt64) {
        guard let source else { return (ReadBatch(), 0) }
        let batch = source.read(maxLines: maxLines)
        return (batch, source.unreadBytes)
    }
}
