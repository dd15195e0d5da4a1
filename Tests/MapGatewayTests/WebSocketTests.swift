import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import HummingbirdWebSocket
import NIOWebSocket
import Shared
import Testing

import MapGatewayCore
import MapGatewayServer

@Suite struct WebSocketTests {
    @Test(.timeLimit(.minutes(1))) func snapshotThenLiveUpdates() async throws {
        let tiles = TileStore()
        let hub = LiveHub()
        hub.apply(Fixture.surface("nauvis", planet: "nauvis"), server: "srv")
        hub.apply(Fixture.player(1, "alice", x: 1, y: 2), server: "srv")
        let app = try buildApplication(
            configuration: Fixture.configuration(ping: 5), tileStore: tiles, liveHub: hub, logger: Fixture.logger)
        try await app.test(.live) { client in
            let received = try await client.ws("/ws?server=srv") { inbound, outbound, _ in
                var messages: [String] = []
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    messages.append(text)
                    if messages.count == 1 {
                        // Connected and subscribed: now push updates from the "Kafka side".
                        hub.apply(Fixture.player(1, "alice", x: 5, y: 6), server: "srv")
                        hub.apply(Fixture.player(2, "other-server", x: 0, y: 0), server: "elsewhere")
                        hub.tileUpdated(Fixture.key(x: 0, y: 0), version: 7)
                    }
                    if messages.count == 3 { break }
                }
                try await outbound.close(.normalClosure, reason: nil)
                #expect(messages.count == 3)
                #expect(messages[0].hasPrefix("{\"type\":\"snapshot\",\"server\":\"srv\",\"players\":[{\"index\":1,\"name\":\"alice\""))
                #expect(messages[0].contains("\"surfaces\":[{\"name\":\"nauvis\""))
                #expect(messages[1].hasPrefix("{\"type\":\"players\",\"server\":\"srv\",\"players\":[{\"index\":1,\"name\":\"alice\",\"surface\":\"nauvis\",\"x\":5,\"y\":6"))
                #expect(messages[2].hasPrefix("{\"type\":\"tile\",\"server\":\"srv\""))
            }
            #expect(received?.closeCode == .normalClosure)
        }
        #expect(hub.clientCount == 0)
    }

    /// Over a real socket: the WebSocket lives under the base path and obeys viewer auth.
    @Test(.timeLimit(.minutes(1))) func webSocketUnderBasePathWithAuth() async throws {
        let hub = LiveHub()
        hub.apply(Fixture.player(1, "alice", x: 1, y: 2), server: "srv")
        var configuration = Fixture.configuration()
        configuration.basePath = "/map/"
        configuration.auth = ViewerAuth(token: "t0k", users: [:])
        let app = try buildApplication(
            configuration: configuration, tileStore: TileStore(), liveHub: hub, logger: Fixture.logger)
        try await app.test(.live) { client in
            await #expect(throws: (any Error).self) {
                try await client.ws("/map/ws?server=srv") { _, _, _ in Issue.record("needs the token") }
            }
            await #expect(throws: (any Error).self) {
                try await client.ws("/ws?server=srv&token=t0k") { _, _, _ in Issue.record("not under /map/") }
            }
            _ = try await client.ws("/map/ws?server=srv&token=t0k") { inbound, outbound, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    if case .text(let text) = message {
                        #expect(text.hasPrefix("{\"type\":\"snapshot\",\"server\":\"srv\""))
                        break
                    }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
        }
    }

    @Test(.timeLimit(.minutes(1))) func invalidServerIsRefused() async throws {
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: TileStore(), liveHub: LiveHub(), logger: Fixture.logger)
        try await app.test(.live) { client in
            await #expect(throws: (any Error).self) {
                try await client.ws("/ws?server=..%2Fetc") { _, _, _ in
                    Issue.record("upgrade must be refused")
                }
            }
            await #expect(throws: (any Error).self) {
                try await client.ws("/ws") { _, _, _ in Issue.record("upgrade must be refused") }
            }
        }
    }
}
