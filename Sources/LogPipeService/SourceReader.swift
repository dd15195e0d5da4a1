import Blocking
import LogPipeCore

/// The input, isolated to an actor that runs on LogPipe's reader executor: every read (a blocking
/// file or stdin read) and every wait for a followed file to change happens there, one at a time,
/// and the compiler checks that nothing else touches the source.
actor SourceReader {
    private let executor: BlockingExecutor
    private var source: (any LineSource)?
    /// Waits for the followed file to change (file and docker-json inputs); nil for the others.
    private let watch: FileWatch?
    /// Ends a wait when the service stops (any thread).
    nonisolated let waker: Waker
    /// While a rotation is pending (the old file is given time for a writer that still appends),
    /// a wait lasts at most this long, so the next file is opened soon even without an event.
    static let rotationGrace: Duration = .milliseconds(100)

    /// Runs on the reader executor's queue.
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Takes `source` over (nothing else may keep it); nil: ``open(_:)`` makes it.
    /// - Parameters:
    ///   - watchPath: the followed file, watched through inotify (nil: stdin, the journal).
    ///   - inotify: false only polls the file.
    init(_ source: sending (any LineSource)?, executor: BlockingExecutor, watchPath: String? = nil, inotify: Bool = true) {
        self.source = source
        self.executor = executor
        let waker = Waker()
        self.waker = waker
        watch = watchPath.map { FileWatch(path: $0, waker: waker, inotify: inotify) }
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

    /// Blocks the reader executor (never the cooperative pool) until the followed file changes,
    /// ``waker`` is woken, or `timeout` passes (the poll, the only wake-up when inotify is
    /// unavailable). Nil when there is no file to watch: the caller sleeps instead. `problem` is
    /// why inotify is not used, once.
    func wait(timeout: Duration) -> (outcome: FileWatch.Outcome, problem: String?)? {
        guard let watch else { return nil }
        let limit = source?.rotationPending == true ? min(timeout, Self.rotationGrace) : timeout
        let outcome = watch.wait(timeout: limit)
        return (outcome, watch.takeProblem())
    }
}
