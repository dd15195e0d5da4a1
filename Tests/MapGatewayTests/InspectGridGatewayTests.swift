import Hummingbird
import HummingbirdTesting
import KafkaModel
import Shared
import Testing

import MapGatewayCore
import MapGatewayServer

/// The gateway's side of click-to-inspect: a grid record of `tiles` (key
/// `server/surface/inspect/3/x/y`) is stored as it came and served at
/// `/tiles/{server}/{surface}/inspect/3/{x}/{y}.json` with a strong ETag (304 on a match); an
/// empty record removes it (404); keys out of range are ignored like tile keys; a bad URL is 400.
/// Records go through the feed's real parsing into the real store; answers come from the router.
@Suite struct InspectGridGatewayTests {
    let tiles = TileStore()
    let feed: FeedRecords

    init() { feed = FeedRecords(tileStore: tiles, hub: LiveHub(), logger: Fixture.logger) }

    static let json = Array(#"{"v":1,"x":-2,"y":5,"names":["<b>furnace</b>"],"types":[null],"forces":["player"],"buildings":[7,0,1.5,2.5,0,0],"grid":[],"resources":[],"ore":[],"amounts":[]}"#.utf8)

    func record(_ key: String, _ value: [UInt8], version: Int = 1) -> ConsumerMessage {
        ConsumerMessage(
            topic: "tiles", partition: 0, offset: 0, key: Array(key.utf8), value: value,
            headers: [KafkaHeader(key: RecordHeader.version, string: "\(version)")])
    }

    @Test func aGridRecordIsServedAsJSONAndItsRemovalAnswers404() async throws {
        feed.apply(tile: record("srv/nauvis/inspect/3/-2/5", Self.json))
        // Out of range or malformed: ignored, nothing stored (and never a tile).
        for bad in ["srv/nauvis/inspect/3/99999/0", "s v/nauvis/inspect/3/0/0", "srv/../inspect/3/0/0", "srv/nauvis/inspect/2/0/0"] {
            feed.apply(tile: record(bad, Self.json))
        }
        #expect(tiles.grids.count == 1 && tiles.count == 0)
        #expect(tiles.grids.byteCount == Self.json.count)
        // An older version does not replace a newer one.
        feed.apply(tile: record("srv/nauvis/inspect/3/-2/5", Array("{}".utf8), version: 0))
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: tiles, liveHub: LiveHub(), logger: Fixture.logger)
        try await app.test(.router) { client in
            let url = "/tiles/srv/nauvis/inspect/3/-2/5.json"
            let eTag = try await client.execute(uri: url, method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/json; charset=utf-8")
                #expect(r.headers[.cacheControl] == "no-cache" && r.headers[.xContentTypeOptions] == "nosniff")
                #expect(Array(buffer: r.body) == Self.json)
                return try #require(r.headers[.eTag])
            }
            try await client.execute(uri: url, method: .get, headers: [.ifNoneMatch: eTag]) { #expect($0.status == .notModified) }
            try await client.execute(uri: "/tiles/srv/nauvis/inspect/3/0/0.json", method: .get) { #expect($0.status == .notFound) }
            for bad in ["/tiles/srv/nauvis/terrain/3/-2/5.json", "/tiles/srv/nauvis/inspect/2/-2/5.json", "/tiles/srv/nauvis/inspect/3/x/5.json"] {
                try await client.execute(uri: bad, method: .get) { #expect($0.status == .badRequest, "\(bad)") }
            }
            // The PNG route next to it still answers as before.
            try await client.execute(uri: "/tiles/srv/nauvis/terrain/3/-2/5.png", method: .get) { #expect($0.status == .notFound) }
            feed.apply(tile: record("srv/nauvis/inspect/3/-2/5", [], version: 2))
            try await client.execute(uri: url, method: .get) { #expect($0.status == .notFound) }
        }
        #expect(tiles.grids.count == 0 && tiles.grids.byteCount == 0)
    }
}
