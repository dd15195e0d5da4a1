import Blocking
import Testing

/// State an actor keeps on a blocking executor.
actor Counter {
    let executor: BlockingExecutor
    private var value = 0
    init(executor: BlockingExecutor) { self.executor = executor }
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    /// The new value, and whether this ran on the executor's queue.
    func bump() -> (value: Int, onExecutor: Bool) {
        value += 1
        return (value, executor.isCurrent)
    }
}

@Suite struct BlockingExecutorTests {
    @Test func runExecutesOnTheExecutorsQueue() async {
        let executor = BlockingExecutor(label: "test.run")
        #expect(!executor.isCurrent)
        let (v, on) = await executor.run { (6 * 7, executor.isCurrent) }
        #expect(v == 42)
        #expect(on)
        // Another executor's queue is not this one.
        let other = BlockingExecutor(label: "test.other")
        let onFirst = await other.run { executor.isCurrent }
        #expect(!onFirst)
    }

    @Test func runRethrowsTypedErrors() async {
        struct Boom: Error {}
        let executor = BlockingExecutor(label: "test.throw")
        await #expect(throws: Boom.self) {
            try await executor.run { () throws(Boom) -> Int in throw Boom() }
        }
    }

    @Test func anActorOnTheExecutorRunsEveryMethodThereInOrder() async {
        let counter = Counter(executor: BlockingExecutor(label: "test.actor"))
        let results = await withTaskGroup(of: (value: Int, onExecutor: Bool).self) { group in
            for _ in 0..<200 { group.addTask { await counter.bump() } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.onExecutor })
        #expect(Set(results.map(\.value)) == Set(1...200))
    }
}
