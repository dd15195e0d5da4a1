import Hummingbird
import HummingbirdTesting
import HummingbirdWSTesting
import HummingbirdWebSocket
import NIOWebSocket
import Shared
import Testing

import MapGatewayCore
@testable import MapGatewayServer

/// Chart tags, train stops, trains and space platforms (issue 15): absolute state, caps, REST
/// and WebSocket output.
@Suite struct FactoryStateTests {
    static func packet(_ payload: Payload) -> Packet { Packet(tick: 10, seq: 1, payload: payload) }

    static func tag(_ n: Int, surface: String = "nauvis", force: String = "player", text: String = "t") -> Packet {
        packet(.chartTag(ChartTag(tag: n, surface: surface, force: force, x: 1.5, y: -2, text: text)))
    }

    static func stop(_ unit: UInt64, _ name: String, surface: String = "nauvis") -> Packet {
        packet(.trainStop(TrainStop(unit: unit, backerName: name, x: 10, y: 20, direction: 4, surface: surface, force: "player")))
    }

    static func train(_ id: Int, x: Double, surface: String = "nauvis") -> Packet {
        packet(.train(TrainState(
            id: id, surface: surface, force: "player", state: "on_the_path", manual: false, speed: 0.5,
            carriages: [Carriage(x: x, y: 3, orientation: 0.25)], nextStop: "Iron", nextStopUnit: 7)))
    }

    static func platform(_ index: Int, _ name: String) -> Packet {
        packet(.spacePlatform(SpacePlatformState(
            index: index, name: name, surface: "platform-\(index)", force: "player", state: "on_the_path",
            from: "nauvis", to: "vulcanus", progress: 0.25, speed: 0.1, hub: MapPoint(x: 0, y: 0))))
    }

    @Test func updatesReplaceAndRemovalsRemove() {
        var s = LiveState(server: "srv")
        #expect(s.apply(Self.tag(1, text: "old"), receivedAt: 1) != nil)
        s.apply(Self.tag(1, text: "new"), receivedAt: 2)
        #expect(s.factory.tags.count == 1 && s.factory.tags[1]?.text == "new")
        s.apply(Self.stop(7, "Iron"), receivedAt: 3)
        s.apply(Self.stop(7, "Copper"), receivedAt: 4)
        #expect(s.factory.stations[7]?.backerName == "Copper")
        s.apply(Self.train(3, x: 1), receivedAt: 5)
        s.apply(Self.train(3, x: 9), receivedAt: 6)
        #expect(s.factory.trains[3]?.carriages.first?.x == 9)
        s.apply(Self.platform(1, "Alpha"), receivedAt: 7)

        let removed = s.apply(Self.packet(.chartTagRemoved(ChartTagRemoved(tag: 1, surface: "nauvis", force: "player"))), receivedAt: 8)
        #expect(removed == .tagsRemoved(surface: "nauvis", [1]))
        #expect(s.factory.tags.isEmpty)
        #expect(s.apply(Self.packet(.trainStopRemoved(TrainStopRemoved(unit: 7, surface: "nauvis"))), receivedAt: 9) != nil)
        #expect(s.apply(Self.packet(.trainRemoved(TrainRemoved(id: 3, surface: "nauvis"))), receivedAt: 9) != nil)
        #expect(s.apply(Self.packet(.spacePlatformRemoved(SpacePlatformRemoved(index: 1))), receivedAt: 9) != nil)
        #expect(s.factory == FactoryState())
        // Removing what is not there changes nothing and tells nobody.
        #expect(s.apply(Self.packet(.trainRemoved(TrainRemoved(id: 3, surface: "nauvis"))), receivedAt: 10) == nil)
    }

    @Test func fullTagSetDropsUnlistedTagsOfItsSurfaceAndForceOnly() {
        var s = LiveState(server: "srv")
        for n in 1...3 { s.apply(Self.tag(n), receivedAt: 1) }
        s.apply(Self.tag(4, force: "enemy"), receivedAt: 1)
        s.apply(Self.tag(5, surface: "vulcanus"), receivedAt: 1)
        let event = s.apply(Self.packet(.chartTags(ChartTagSet(surface: "nauvis", force: "player", tags: [2]))), receivedAt: 2)
        #expect(event == .tagsRemoved(surface: "nauvis", [1, 3]))
        #expect(s.factory.sortedTags.map(\.tag) == [2, 4, 5])
        // The same set again drops nothing.
        #expect(s.apply(Self.packet(.chartTags(ChartTagSet(surface: "nauvis", force: "player", tags: [2]))), receivedAt: 3) == nil)
    }

    @Test func deletedSurfaceDropsItsObjects() {
        var s = LiveState(server: "srv")
        s.apply(Fixture.surface("vulcanus", index: 2), receivedAt: 1)
        s.apply(Self.tag(1, surface: "vulcanus"), receivedAt: 1)
        s.apply(Self.tag(2), receivedAt: 1)
        s.apply(Self.stop(7, "Lava", surface: "vulcanus"), receivedAt: 1)
        s.apply(Self.train(3, x: 0, surface: "vulcanus"), receivedAt: 1)
        s.apply(Self.train(4, x: 0), receivedAt: 1)
        s.apply(Fixture.surface("vulcanus", index: 2, deleted: true), receivedAt: 2)
        #expect(s.factory.sortedTags.map(\.tag) == [2])
        #expect(s.factory.stations.isEmpty)
        #expect(s.factory.sortedTrains.map(\.id) == [4])
    }

    @Test func capsIgnoreNewObjectsButNotUpdates() {
        let hub = LiveHub(limits: LiveLimits(
            maxTagsPerServer: 2, maxStationsPerServer: 1, maxTrainsPerServer: 1, maxPlatformsPerServer: 1))
        #expect((try? hub.applyChecked(Self.tag(1), server: "srv").get()) != nil)
        #expect((try? hub.applyChecked(Self.tag(2), server: "srv").get()) != nil)
        #expect(hub.applyChecked(Self.tag(3), server: "srv").failure == .tags)
        #expect((try? hub.applyChecked(Self.tag(2, text: "edited"), server: "srv").get()) != nil)
        #expect(hub.applyChecked(Self.stop(1, "A"), server: "srv").failure == nil)
        #expect(hub.applyChecked(Self.stop(2, "B"), server: "srv").failure == .stations)
        #expect(hub.applyChecked(Self.train(1, x: 0), server: "srv").failure == nil)
        #expect(hub.applyChecked(Self.train(2, x: 0), server: "srv").failure == .trains)
        #expect(hub.applyChecked(Self.train(1, x: 5), server: "srv").failure == nil)
        #expect(hub.applyChecked(Self.platform(1, "A"), server: "srv").failure == nil)
        #expect(hub.applyChecked(Self.platform(2, "B"), server: "srv").failure == .platforms)
        let f = hub.state(server: "srv")!.factory
        #expect(f.tags.count == 2 && f.tags[2]?.text == "edited")
        #expect(f.stations.count == 1 && f.trains.count == 1 && f.trains[1]?.carriages.first?.x == 5)
        #expect(f.platforms.count == 1)
        // Another server has caps of its own.
        #expect(hub.applyChecked(Self.tag(3), server: "other").failure == nil)
    }

    @Test func restListsPerSurfaceAndPlatforms() async throws {
        let hub = LiveHub()
        hub.apply(Fixture.surface("nauvis"), server: "srv")
        hub.apply(Self.tag(1, text: "<b>\"base\"</b>"), server: "srv")
        hub.apply(Self.tag(2, surface: "vulcanus"), server: "srv")
        hub.apply(Self.stop(7, "[item=iron-plate] Iron"), server: "srv")
        hub.apply(Self.train(3, x: 4), server: "srv")
        hub.apply(Self.platform(1, "Alpha\n1"), server: "srv")
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: TileStore(), liveHub: hub, logger: Fixture.logger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/servers/srv/surfaces/nauvis/tags", method: .get) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body) == """
                    [{"tag":1,"surface":"nauvis","force":"player","x":1.5,"y":-2,"text":"\\u003cb>\\"base\\"\\u003c/b>",\
                    "icon":null,"lastUser":null}]
                    """)
            }
            try await client.execute(uri: "/api/servers/srv/surfaces/nauvis/stations", method: .get) { r in
                #expect(String(buffer: r.body) == """
                    [{"unit":7,"name":"[item=iron-plate] Iron","x":10,"y":20,"direction":4,"surface":"nauvis",\
                    "force":"player"}]
                    """)
            }
            try await client.execute(uri: "/api/servers/srv/surfaces/nauvis/trains", method: .get) { r in
                #expect(String(buffer: r.body) == """
                    [{"id":3,"surface":"nauvis","force":"player","state":"on_the_path","manual":false,"speed":0.5,\
                    "carriages":[{"x":4,"y":3,"orientation":0.25}],"stop":null,"stopUnit":null,"nextStop":"Iron",\
                    "nextStopUnit":7}]
                    """)
            }
            try await client.execute(uri: "/api/servers/srv/surfaces/vulcanus/trains", method: .get) { r in
                #expect(r.status == .ok && String(buffer: r.body) == "[]")
            }
            try await client.execute(uri: "/api/servers/srv/platforms", method: .get) { r in
                #expect(String(buffer: r.body) == """
                    [{"index":1,"name":"Alpha\\n1","surface":"platform-1","force":"player","state":"on_the_path",\
                    "location":null,"from":"nauvis","to":"vulcanus","progress":0.25,"speed":0.1,"hub":{"x":0,"y":0}}]
                    """)
            }
            try await client.execute(uri: "/api/servers/nope/platforms", method: .get) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/api/servers/srv/surfaces/..%2Fx/tags", method: .get) { r in
                #expect(r.status == .badRequest)
            }
        }
    }

    /// Train updates within a frame become one `trains` message with each train's latest state,
    /// after the frame's `players` message; other factory messages first send the frame.
    @Test func trainUpdatesAreFramedLikePlayers() async throws {
        let hub = LiveHub(queueDepth: 64, playerFrameMillis: 10_000)
        let sub = hub.subscribe(server: "srv")
        var it = sub.messages.makeAsyncIterator()
        for i in 0..<5 {
            hub.apply(Self.train(1, x: Double(i)), server: "srv")
            hub.apply(Self.train(2, x: Double(100 + i)), server: "srv")
        }
        hub.apply(Fixture.player(1, "alice", x: 0, y: 0), server: "srv")
        hub.apply(Self.packet(.trainRemoved(TrainRemoved(id: 2, surface: "nauvis"))), server: "srv")
        let players = String(buffer: try #require(await it.next()))
        #expect(players.hasPrefix("{\"type\":\"players\""))
        let trains = String(buffer: try #require(await it.next()))
        #expect(trains.hasPrefix("{\"type\":\"trains\",\"server\":\"srv\",\"trains\":[{\"id\":1,"))
        #expect(trains.split(separator: "\"id\":").count == 3, "two trains, once each: \(trains)")
        #expect(trains.contains("\"x\":4,") && trains.contains("\"x\":104,") && !trains.contains("\"x\":103,"))
        let removed = String(buffer: try #require(await it.next()))
        #expect(removed.hasPrefix("{\"type\":\"train_removed\",\"server\":\"srv\",\"id\":2,\"surface\":\"nauvis\",\"at\":"))
        hub.unsubscribe(sub.id)
    }

    /// Over a real socket: the snapshot carries the factory objects, updates follow.
    @Test(.timeLimit(.minutes(1))) func webSocketSnapshotAndUpdates() async throws {
        let hub = LiveHub()
        hub.apply(Self.tag(1, text: "</script>"), server: "srv")
        hub.apply(Self.stop(7, "Iron"), server: "srv")
        hub.apply(Self.train(3, x: 1), server: "srv")
        hub.apply(Self.platform(1, "Alpha"), server: "srv")
        let app = try buildApplication(
            configuration: Fixture.configuration(ping: 5), tileStore: TileStore(), liveHub: hub, logger: Fixture.logger)
        try await app.test(.live) { client in
            _ = try await client.ws("/ws?server=srv") { inbound, outbound, _ in
                var messages: [String] = []
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    messages.append(text)
                    if messages.count == 1 {
                        hub.apply(Self.packet(.chartTags(ChartTagSet(surface: "nauvis", force: "player", tags: []))), server: "srv")
                        hub.apply(Self.stop(7, "Copper"), server: "srv")
                        hub.apply(Self.platform(1, "Beta"), server: "srv")
                    }
                    if messages.count == 4 { break }
                }
                try await outbound.close(.normalClosure, reason: nil)
                #expect(messages.count == 4)
                let snapshot = messages[0]
                #expect(snapshot.contains("\"tags\":[{\"tag\":1,\"surface\":\"nauvis\",\"force\":\"player\",\"x\":1.5,\"y\":-2,\"text\":\"\\u003c/script>\""))
                #expect(snapshot.contains("\"stations\":[{\"unit\":7,\"name\":\"Iron\""))
                #expect(snapshot.contains("\"trains\":[{\"id\":3,"))
                #expect(snapshot.contains("\"platforms\":[{\"index\":1,\"name\":\"Alpha\""))
                #expect(messages[1].hasPrefix("{\"type\":\"tags_removed\",\"server\":\"srv\",\"surface\":\"nauvis\",\"tags\":[1],\"at\":"))
                #expect(messages[2].hasPrefix("{\"type\":\"station\",\"server\":\"srv\",\"unit\":7,\"name\":\"Copper\""))
                #expect(messages[3].hasPrefix("{\"type\":\"platform\",\"server\":\"srv\",\"index\":1,\"name\":\"Beta\""))
            }
        }
        #expect(hub.clientCount == 0)
    }
}

extension Result {
    /// The error, or nil on success.
    fileprivate var failure: Failure? {
        if case .failure(let e) = self { e } else { nil }
    }
}
