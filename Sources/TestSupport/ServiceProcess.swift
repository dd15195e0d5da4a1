package import Foundation

/// A service binary of `KAFKATORIO_BIN_DIR` (or any executable) running as a child process, its
/// stdout and stderr captured to a log file. Waits poll with `Task.sleep`, never blocking a thread
/// of the cooperative pool.
package final class ServiceProcess: @unchecked Sendable {
    /// The binary's name, e.g. `TileRenderer`.
    package let name: String
    /// The running process.
    package let process = Process()
    /// Where its output goes.
    package let logURL: URL
    /// The write end of its stdin, when started with `stdin: true`.
    package let stdin: Pipe?

    /// Starts `name` from `KAFKATORIO_BIN_DIR` with `arguments`, the test's environment overlaid by
    /// `environment`, and output in `logDir/<logName or name>.log`.
    package init(
        _ name: String, arguments: [String], environment: [String: String] = [:], logDir: URL,
        logName: String? = nil, stdin: Bool = false
    ) throws {
        self.name = name
        logURL = logDir.appendingPathComponent("\(logName ?? name).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logURL)
        process.executableURL = try TestEnvironment.binDir().appendingPathComponent(name)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = handle
        process.standardError = handle
        self.stdin = stdin ? Pipe() : nil
        if let pipe = self.stdin { process.standardInput = pipe }
        try process.run()
    }

    /// The child's process id.
    package var pid: Int32 { process.processIdentifier }
    /// Everything it has written so far.
    package var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// SIGTERM, then the exit status; nil if it had to be killed after `timeout` seconds.
    package func terminate(timeout: Double = 30) async -> Int32? {
        if process.isRunning { kill(pid, SIGTERM) }
        return await waitForExit(timeout: timeout)
    }

    /// The exit status once it exits by itself; nil if it had to be killed after `timeout` seconds.
    package func waitForExit(timeout: Double) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            await kill9()
            return nil
        }
        return process.terminationStatus
    }

    /// SIGKILL, then waits until it is gone.
    package func kill9() async {
        kill(pid, SIGKILL)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
    }

    /// Last resort for `defer`: SIGKILL without waiting.
    package func killNow() { if process.isRunning { kill(pid, SIGKILL) } }
}
