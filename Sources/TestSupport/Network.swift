import Foundation
import Synchronization

extension TestEnvironment {
    /// Ports this process has handed out (never twice).
    private static let handedOut = Mutex<Set<Int>>([])

    /// A TCP port on 127.0.0.1 that is free now and that no other caller in this process got:
    /// chosen at random below the kernel's ephemeral range (32768…), so no outgoing connection
    /// (a Kafka client, curl) takes it between this check and the test's bind, and never the
    /// kernel's port-0 choice, which it hands out again once the probe socket closes (two tests,
    /// or a test and a client, then met on one port: `bind: Address already in use`).
    package static func freePort() throws(SetupError) -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 20000..<32000)
            let fresh = handedOut.withLock { $0.insert(port).inserted }
            guard fresh else { continue }
            if try isFree(port) { return port }
        }
        throw SetupError("cannot find a free port in 20000..<32000")
    }

    /// Whether a socket can bind 127.0.0.1:`port` now.
    private static func isFree(_ port: Int) throws(SetupError) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SetupError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// A plain HTTP GET through curl (installed by scripts/deps.sh) with a 5 s limit, run off the
/// cooperative pool: the status (0 when nothing answered) and the body.
package func httpGet(_ url: String) async throws -> (status: Int, body: [UInt8]) {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("http-get-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: out) }
    let code = try await runTool("/usr/bin/curl", ["-s", "-o", out.path, "-w", "%{http_code}", "--max-time", "5", url])
    let body = (try? Data(contentsOf: out)).map { [UInt8]($0) } ?? []
    return (Int(String(decoding: code.stdout, as: UTF8.self)) ?? 0, body)
}
