#if canImport(Glibc)
import Glibc
#endif
import Testing

/// A plain TCP client for tests that need what an HTTP client library hides: half-sent heads,
/// idle keep-alive connections, connections the server closes. Never blocks a thread: reads are
/// non-blocking and waits are `Task.sleep`s, so a test bounds them with its time limit.
final class RawSocket: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to 127.0.0.1:`port`.
    init(port: Int) throws {
        fd = try Self.connected(port: port)
    }

    /// A socket connected to 127.0.0.1:`port`, with a receive buffer of `receiveBuffer` bytes if given.
    static func connected(port: Int, receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(connected == 0)
        return fd
    }

    deinit { close(fd) }

    /// Ends the connection from this side (the descriptor stays this object's until it goes).
    func shutdown() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    /// Sends `text`; false when the connection is gone (no SIGPIPE).
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Reads what is there without waiting; false when the peer closed (or reset) the connection.
    private func pump() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                buffer += chunk[..<n]
                continue
            }
            if n == 0 { return false }
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
        }
    }

    /// Whether the peer closed the connection (reading and keeping whatever arrived before).
    var isClosedByPeer: Bool { !pump() }

    /// Waits until the peer closes the connection.
    func waitUntilClosed() async throws {
        while pump() { try await Task.sleep(for: .milliseconds(20)) }
    }

    /// Waits for one whole response (head and `Content-Length` body) and returns its status code;
    /// nil when the connection closed first.
    func response() async throws -> Int? {
        while true {
            if let (status, length) = Self.parse(buffer) {
                buffer.removeFirst(length)
                return status
            }
            guard pump() else { return Self.parse(buffer)?.status }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Sends a `GET path` and waits for its response's status.
    func get(_ path: String, headers: String = "") async throws -> Int? {
        guard send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(headers)\r\n") else { return nil }
        return try await response()
    }

    /// The status and total length of the response at the start of `bytes`, once it is whole.
    private static func parse(_ bytes: [UInt8]) -> (status: Int, length: Int)? {
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        guard bytes.count >= 4, let headEnd = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<($0 + 4)]) == end })
        else { return nil }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1.1 "),
            let status = Int(statusLine.dropFirst(9).prefix(3))
        else { return nil }
        let length =
            lines.dropFirst().compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingPrefix(" "))
            }.first ?? 0
        let total = headEnd + 4 + length
        return bytes.count >= total ? (status, total) : nil
    }
}
