import NIOCore
import Shared
import Testing

import MapGatewayCore
import MapGatewayServer

@Suite struct TileStoreTests {
    @Test func putGetAndStrongETag() {
        let store = TileStore()
        let png = TestPNG.checker()
        #expect(store.put(key: Fixture.key(), png: png, version: 3, now: 1000) == .stored)
        let tile = try! #require(store.get(Fixture.key()))
        #expect(tile.version == 3)
        #expect(tile.bytes.readableBytes == png.count)
        #expect(tile.eTag == ContentHash.strongETag(png))
        #expect(tile.eTag.hasPrefix("\"") && tile.eTag.hasSuffix("\"") && tile.eTag.count == 18)
        #expect(!tile.eTag.hasPrefix("W/"))
    }

    @Test func olderVersionIsIgnoredNewerReplaces() {
        let store = TileStore()
        let a = TestPNG.checker()
        let b = TestPNG.checker(a: (1, 2, 3))
        store.put(key: Fixture.key(), png: a, version: 5)
        #expect(store.put(key: Fixture.key(), png: b, version: 4) == .ignoredOlder)
        #expect(store.get(Fixture.key())?.eTag == ContentHash.strongETag(a))
        #expect(store.put(key: Fixture.key(), png: b, version: 6) == .stored)
        #expect(store.get(Fixture.key())?.eTag == ContentHash.strongETag(b))
        #expect(store.put(key: Fixture.key(), png: b, version: 7) == .unchanged)
        #expect(store.get(Fixture.key())?.version == 7)
    }

    @Test func removeAndBookkeeping() {
        let store = TileStore()
        store.put(key: Fixture.key(x: 0), png: [1], version: 1, now: 10)
        store.put(key: Fixture.key(x: 1), png: [2], version: 1, now: 20)
        store.put(key: Fixture.key(x: 1), png: [3], version: 2, now: 30)
        store.put(key: Fixture.key(surface: "vulcanus"), png: [4], version: 1, now: 25)
        store.put(key: Fixture.key("other"), png: [5], version: 1, now: 5)
        var summary = try! #require(store.summary(server: "srv"))
        #expect(summary.tilesPerSurface == ["nauvis": 2, "vulcanus": 1])
        #expect(summary.tileCount == 3)
        #expect(summary.lastTileUpdateAt == 30)
        #expect(store.remove(key: Fixture.key(surface: "vulcanus"), now: 40))
        #expect(!store.remove(key: Fixture.key(surface: "vulcanus"), now: 50))
        summary = try! #require(store.summary(server: "srv"))
        #expect(summary.tilesPerSurface == ["nauvis": 2])
        #expect(summary.lastTileUpdateAt == 40)
        #expect(store.serverSummaries().map(\.server) == ["other", "srv"])
        #expect(store.count == 3)
    }

    @Test func fnvKnownValues() {
        // Reference values of 64-bit FNV-1a.
        #expect(ContentHash.fnv1a64([UInt8]()) == 0xcbf2_9ce4_8422_2325)
        #expect(ContentHash.fnv1a64(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
        #expect(ContentHash.strongETag([UInt8]()) == "\"cbf29ce484222325\"")
    }
}

@Suite struct LiveStateTests {
    @Test func playersChatSurfacesSession() {
        var s = LiveState(server: "srv", chatCapacity: 3)
        #expect(s.apply(Fixture.player(1, "alice", x: 1, y: 2), receivedAt: 100) != nil)
        s.apply(Fixture.player(2, "bob", x: 5, y: 5, online: false), receivedAt: 110)
        s.apply(Fixture.player(1, "alice", x: 3, y: 4), receivedAt: 120)
        #expect(s.players.count == 2)
        #expect(s.onlinePlayers.map(\.name) == ["alice"])
        #expect(s.players[1]?.x == 3)
        for i in 0..<5 {
            s.apply(Packet(tick: UInt64(i), seq: 0, payload: .chat(ChatMessage(player: nil, message: "m\(i)"))), receivedAt: 130)
        }
        #expect(s.chat.map(\.message) == ["m2", "m3", "m4"])
        s.apply(Fixture.surface("nauvis", planet: "nauvis"), receivedAt: 140)
        s.apply(Fixture.surface("platform-1", index: 2), receivedAt: 140)
        s.apply(Fixture.surface("platform-1", index: 2, deleted: true), receivedAt: 150)
        #expect(s.sortedSurfaces.map(\.name) == ["nauvis"])
        let event = s.apply(
            Packet(tick: 9, seq: 0, payload: .sessionStart(SessionStart(modVersion: "0.1.0", gameVersion: "2.0.77"))),
            receivedAt: 160)
        #expect(s.session?.gameVersion == "2.0.77")
        guard case .sessionStart = event else {
            Issue.record("expected a session_start event")
            return
        }
        #expect(s.lastPacketAt == 160)
    }

    @Test func mapPacketsAreIgnored() {
        var s = LiveState(server: "srv")
        let p = Packet(tick: 1, seq: 1, payload: .chunkDeleted(ChunkDeleted(surface: "nauvis", chunks: [])))
        #expect(s.apply(p, receivedAt: 1) == nil)
        #expect(s.lastPacketAt == nil)
    }
}
