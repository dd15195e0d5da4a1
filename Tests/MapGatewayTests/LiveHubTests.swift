import Foundation
import NIOCore
import Shared
import Synchronization
import Testing

import MapGatewayCore
@testable import MapGatewayServer

@Suite struct LiveHubTests {
    @Test func snapshotThenUpdatesInOrder() async throws {
        let hub = LiveHub(queueDepth: 16)
        hub.apply(Fixture.player(1, "alice", x: 1, y: 2), server: "srv")
        let sub = hub.subscribe(server: "srv")
        let snapshot = String(buffer: sub.snapshot)
        #expect(snapshot.hasPrefix("{\"type\":\"snapshot\",\"server\":\"srv\",\"players\":[{\"index\":1,\"name\":\"alice\""))
        #expect(snapshot.contains("\"surfaces\":[],\"chat\":[],\"session\":null,\"status\":{\"status\":\"online\""))
        hub.apply(Fixture.player(1, "alice", x: 3, y: 4), server: "srv")
        hub.apply(Fixture.player(9, "zed", x: 0, y: 0), server: "elsewhere")  // other server: not delivered
        hub.tileUpdated(Fixture.key(x: 5, y: -1), version: 42)
        var it = sub.messages.makeAsyncIterator()
        let first = try #require(await it.next())
        #expect(
            String(buffer: first).hasPrefix(
                "{\"type\":\"players\",\"server\":\"srv\",\"players\":[{\"index\":1,\"name\":\"alice\",\"surface\":\"nauvis\",\"x\":3,\"y\":4"))
        let second = try #require(await it.next())
        #expect(
            String(buffer: second)
                == "{\"type\":\"tile\",\"server\":\"srv\",\"surface\":\"nauvis\",\"layer\":\"terrain\",\"z\":3,\"x\":5,\"y\":-1,\"version\":42,\"removed\":false}"
        )
        hub.unsubscribe(sub.id)
        #expect(await it.next() == nil)
        #expect(hub.clientCount == 0)
    }

    @Test func jsonEscaping() {
        let hub = LiveHub()
        hub.apply(
            Packet(tick: 1, seq: 1, payload: .chat(ChatMessage(player: "a\"b", message: "line\n\\ </script> \u{1}"))),
            server: "srv")
        let snapshot = String(buffer: hub.subscribe(server: "srv").snapshot)
        #expect(snapshot.contains(#""player":"a\"b","message":"line\n\\ \u003c/script> \u0001""#))
    }

    /// One client never reads while another reads everything: the reader misses nothing, the
    /// slow client's queue never holds more than the bound and loses only its own oldest messages.
    @Test func slowClientNeverSlowsOthersAndStaysBounded() async throws {
        let depth = 32
        let total = 5_000
        let hub = LiveHub(queueDepth: depth)
        let slow = hub.subscribe(server: "srv")
        let fast = hub.subscribe(server: "srv")
        let consumed = Counter()
        let reader = Task { () -> [Int] in
            var seen: [Int] = []
            for await message in fast.messages {
                // "x":<n> identifies the update.
                let s = String(buffer: message)
                if let r = s.range(of: "\"x\":") {
                    seen.append(Int(s[r.upperBound...].prefix { $0.isNumber }) ?? -1)
                }
                consumed.value.add(1, ordering: .relaxed)
                if seen.count == total { break }
            }
            return seen
        }
        for i in 0..<total {
            hub.apply(Fixture.player(1, "alice", x: Double(i), y: 0), server: "srv")
            // Let the reader keep up (the hub itself never waits on any client).
            while i + 1 - consumed.value.load(ordering: .relaxed) > depth / 2 {
                try await Task.sleep(for: .microseconds(50))
            }
        }
        let seen = await reader.value
        #expect(seen == Array(0..<total))

        let stats = try #require(hub.clientStatistics().first { $0.id == slow.id })
        #expect(stats.maxBuffered == depth)
        #expect(stats.buffered == depth)
        #expect(stats.dropped == UInt64(total - depth))
        #expect(stats.enqueued == UInt64(total))
        let fastStats = try #require(hub.clientStatistics().first { $0.id == fast.id })
        #expect(fastStats.dropped == 0)
        #expect(fastStats.maxBuffered <= depth)

        // The slow client kept exactly the newest `depth` updates.
        hub.unsubscribe(slow.id)
        var kept: [String] = []
        for await m in slow.messages { kept.append(String(buffer: m)) }
        #expect(kept.count == depth)
        #expect(kept.last?.contains("\"x\":\(total - 1),") == true)
        #expect(kept.first?.contains("\"x\":\(total - depth),") == true)
    }
}

@Suite struct PlayerFrameTests {
    /// Updates within one frame become one `players` message with each player's latest state, in
    /// first-update order; a non-player message first sends the open frame (order is kept); the
    /// frame ends by itself after `playerFrameMillis`.
    @Test func updatesWithinAFrameAreFoldedAndOrderIsKept() async throws {
        let hub = LiveHub(queueDepth: 64, playerFrameMillis: 200)
        let sub = hub.subscribe(server: "srv")
        var it = sub.messages.makeAsyncIterator()
        for i in 0..<10 {
            hub.apply(Fixture.player(2, "bob", x: Double(100 + i), y: 0), server: "srv")
            hub.apply(Fixture.player(1, "alice", x: Double(i), y: 0), server: "srv")
        }
        hub.apply(Packet(tick: 1, seq: 1, payload: .chat(ChatMessage(player: "bob", message: "hi"))), server: "srv")
        let frame = String(buffer: try #require(await it.next()))
        #expect(frame.hasPrefix("{\"type\":\"players\",\"server\":\"srv\",\"players\":[{\"index\":2,\"name\":\"bob\""))
        #expect(frame.components(separatedBy: "\"index\":").count == 3, "two players, once each: \(frame)")
        #expect(frame.contains("\"x\":109,") && frame.contains("\"x\":9,"))
        #expect(!frame.contains("\"x\":108,"))
        let chat = String(buffer: try #require(await it.next()))
        #expect(chat.hasPrefix("{\"type\":\"chat\""))

        // A frame with no other message after it is sent when it ends.
        let started = ContinuousClock.now
        hub.apply(Fixture.player(1, "alice", x: 42, y: 0), server: "srv")
        hub.apply(Fixture.player(1, "alice", x: 43, y: 0), server: "srv")
        let late = String(buffer: try #require(await it.next()))
        #expect(ContinuousClock.now - started >= .milliseconds(150))
        #expect(late.contains("\"x\":43,") && !late.contains("\"x\":42,"))
        #expect(hub.clientStatistics().first?.enqueued == 3)
        hub.unsubscribe(sub.id)
    }

    /// The frame's `at` is when its oldest update arrived, so measured latency includes the wait.
    @Test func frameAtIsTheOldestUpdate() async throws {
        let hub = LiveHub(playerFrameMillis: 10_000)
        let sub = hub.subscribe(server: "srv")
        let before = WallClock.nowMillis()
        hub.apply(Fixture.player(1, "alice", x: 1, y: 0), server: "srv")
        try await Task.sleep(for: .milliseconds(50))
        hub.apply(Fixture.player(1, "alice", x: 2, y: 0), server: "srv")
        hub.flushPlayerFrames()
        var it = sub.messages.makeAsyncIterator()
        let frame = String(buffer: try #require(await it.next()))
        let at = try #require(frame.range(of: "\"at\":").map { Int64(frame[$0.upperBound...].prefix { $0.isNumber }) } ?? nil)
        #expect(at >= before && at < before + 50, "\(frame)")
    }
}

/// A shared counter for tests.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
