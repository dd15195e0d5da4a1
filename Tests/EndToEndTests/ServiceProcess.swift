import Foundation

/// Where the test finds the built binaries and the broker: `make test` exports these.
enum TestEnvironment {
    /// `KAFKA_BOOTSTRAP`, the broker `make test` started.
    static func bootstrap() throws -> String {
        guard let v = ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP"], !v.isEmpty else {
            throw SetupError("KAFKA_BOOTSTRAP is not set: run the suite with `make test`, which starts a broker")
        }
        return v
    }

    /// `KAFKATORIO_BIN_DIR`, the folder with LogPipe, PacketIngest, TileRenderer and MapGateway.
    static func binDir() throws -> URL {
        guard let v = ProcessInfo.processInfo.environment["KAFKATORIO_BIN_DIR"], !v.isEmpty else {
            throw SetupError("KAFKATORIO_BIN_DIR is not set: run the suite with `make test`")
        }
        return URL(fileURLWithPath: v)
    }

    /// A TCP port that was free a moment ago on 127.0.0.1.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard ok else { throw SetupError("cannot find a free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

struct SetupError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A service binary running as a child process, its output captured to a log file.
final class ServiceProcess: @unchecked Sendable {
    let name: String
    let process = Process()
    let logURL: URL

    init(_ name: String, arguments: [String], environment: [String: String], logDir: URL) throws {
        self.name = name
        logURL = logDir.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logURL)
        process.executableURL = try TestEnvironment.binDir().appendingPathComponent(name)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// Sends SIGTERM and waits up to `timeout` for a clean exit; returns the exit status, or nil
    /// if the process had to be killed.
    func terminate(timeout: TimeInterval = 30) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }
}

/// A plain HTTP GET through curl (installed by scripts/deps.sh): status and body.
func httpGet(_ url: String) throws -> (status: Int, body: [UInt8]) {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: out) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    p.arguments = ["-s", "-o", out.path, "-w", "%{http_code}", "--max-time", "5", url]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    p.waitUntilExit()
    let code = Int(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)) ?? 0
    let body = (try? Data(contentsOf: out)).map { [UInt8]($0) } ?? []
    return (code, body)
}
