#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import HummingbirdWebSocket
import NIOWebSocket
import Shared
import Testing

import MapGatewayCore
import MapGatewayServer

/// Over real sockets: a WebSocket client that never reads loses its own oldest messages and
/// does not slow a client that reads.
@Suite struct SlowClientTests {
    /// Opens a WebSocket upgrade on a socket with a tiny receive buffer and never reads from it.
    static func stalledClient(port: Int, path: String) throws -> Int32 {
        let fd = try RawSocket.connected(port: port, receiveBuffer: 4096)
        let request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        let sent = request.withCString { send(fd, $0, strlen($0), 0) }
        try #require(sent == request.utf8.count)
        return fd
    }

    /// Chat messages the reading client saw (only its handler touches it).
    final class Received: @unchecked Sendable {
        var value = 0
    }

    // A hang guard, not a measure: alone it takes ~15 s, in the whole parallel suite on 2 loaded cores
    // it took 94 s.
    @Test(.timeLimit(.minutes(3))) func slowClientDropsOnlyItsOwnOldestMessages() async throws {
        let depth = 32
        let burst = 16
        let count = 544
        let text = String(repeating: "x", count: 8 * 1024)  // one frame for the test client (≤ 16 KiB)
        let hub = LiveHub(queueDepth: depth)
        var configuration = Fixture.configuration(queueDepth: depth)
        configuration.statusIntervalSeconds = 3600
        let app = try buildApplication(
            configuration: configuration, tileStore: TileStore(), liveHub: hub,
            logger: Fixture.logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let stalled = try Self.stalledClient(port: port, path: "/ws?server=srv")
            defer { close(stalled) }
            while hub.clientCount < 1 { try await Task.sleep(for: .milliseconds(10)) }
            let counter = Received()
            _ = try await client.ws("/ws?server=srv") { inbound, outbound, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let body) = message else { continue }
                    if body.hasPrefix("{\"type\":\"chat\"") {
                        guard body.contains("\"message\":\"\(counter.value) x") else {
                            Issue.record("chat \(counter.value) missing or out of order: \(body.prefix(80))")
                            break
                        }
                        counter.value += 1
                    } else if !body.hasPrefix("{\"type\":\"snapshot\"") {
                        continue  // e.g. the periodic status
                    }
                    let next = counter.value
                    if next == count { break }
                    // The reader paces the producer: a burst (half its queue) whenever it read one.
                    guard next % burst == 0 else { continue }
                    for i in next..<(next + burst) {
                        let chat = ChatMessage(player: "p", message: "\(i) \(text)")
                        hub.apply(
                            Packet(tick: UInt64(i), seq: UInt64(i), payload: .chat(chat)), server: "srv",
                            receivedAt: Int64(i))
                    }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            #expect(counter.value == count)
            let stats = hub.clientStatistics()
            let slow = try #require(stats.first { $0.dropped > 0 }, "\(stats)")
            #expect(slow.maxBuffered <= depth)
            #expect(slow.enqueued == UInt64(count))
            #expect(slow.dropped >= 50, "\(slow)")
        }
    }
}
