import Foundation

extension TestEnvironment {
    /// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice for port 0).
    package static func freePort() throws(SetupError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SetupError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw SetupError("cannot find a free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
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
