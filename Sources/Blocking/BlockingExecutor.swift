import Dispatch

/// The one way Kafkatorio runs blocking work (librdkafka calls, file reads, CPU-heavy rendering)
/// without occupying Swift's cooperative thread pool.
///
/// A `BlockingExecutor` owns one serial `DispatchQueue` (one thread at a time, never a pool
/// thread) and is both a `TaskExecutor` and a `SerialExecutor`, after swift-kafka-client's
/// `DispatchQueueTaskExecutor`:
/// - ``run(_:)`` runs a synchronous closure there with `withTaskExecutorPreference`, for one-off
///   blocking calls (a `poll`, a `read`, a `flush`);
/// - an actor whose isolated methods block returns ``asUnownedSerialExecutor()`` from its
///   `unownedExecutor`, so its state stays actor-isolated (checked by the compiler) while every
///   method of it runs on this queue.
///
/// Work submitted to one executor runs in order, one job at a time. Give each independent
/// blocking activity its own executor (one per Kafka client, one per render worker) so they do
/// not wait for each other.
package final class BlockingExecutor: TaskExecutor, SerialExecutor, @unchecked Sendable {
    // Immutable after init; DispatchQueue is thread-safe.
    private let queue: DispatchQueue
    private let key = DispatchSpecificKey<ObjectIdentifier>()

    /// A new executor on its own serial queue.
    /// - Parameter label: the queue's label, shown by debuggers and in thread dumps.
    package init(label: String) {
        queue = DispatchQueue(label: label)
        queue.setSpecific(key: key, value: ObjectIdentifier(self))
    }

    /// Whether the caller runs on this executor's queue (for preconditions and tests).
    package var isCurrent: Bool { DispatchQueue.getSpecific(key: key) == ObjectIdentifier(self) }

    /// Enqueues a job (called by the Swift runtime).
    package func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.async {
            unowned.runSynchronously(
                isolatedTo: self.asUnownedSerialExecutor(), taskExecutor: self.asUnownedTaskExecutor())
        }
    }

    /// This executor as a task executor.
    package func asUnownedTaskExecutor() -> UnownedTaskExecutor { UnownedTaskExecutor(ordinary: self) }

    /// This executor as a serial executor, for an actor's `unownedExecutor`.
    package func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }

    /// Runs `body` on this executor's queue and returns its result; the calling task suspends
    /// (it does not block a cooperative thread) until `body` returns.
    package func run<T: Sendable, E: Error>(_ body: () throws(E) -> T) async throws(E) -> T {
        try await withTaskExecutorPreference(self) { () async throws(E) -> T in try body() }
    }
}
