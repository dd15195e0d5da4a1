package import Foundation

/// Runs blocking `work` (a child's `waitpid`, a pipe read to its end) on a thread of its own and
/// suspends until it returns. Swift's cooperative pool has one thread per core (two in CI): a test
/// that blocks one of them for a browser run or a curl call stalls every other test of the
/// parallel suite, whose timers and sleeps then wake late (a suite-wide stall of a minute was
/// seen). Tests call blocking work only through this.
package func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}

/// ``offPool(_:)`` for throwing work.
package func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// What ``runTool(_:_:)`` saw.
package struct ToolOutput: Sendable {
    /// The exit status.
    package var status: Int32
    /// Everything the tool wrote to stdout.
    package var stdout: Data
}

/// Runs `executable` with `arguments` (stderr discarded) off the cooperative pool and returns its
/// exit status and stdout.
package func runTool(_ executable: String, _ arguments: [String]) async throws -> ToolOutput {
    try await offPool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ToolOutput(status: process.terminationStatus, stdout: data)
    }
}
