import HTTPTypes
import NIOCore
import Shared
import Testing

import MapGatewayCore
@testable import MapGatewayServer

/// Item 5 of issue 13: the tile content hash is computed once, by the renderer; the gateway's ETag
/// is its `hash` header.
@Suite struct TileRecordTests {
    let key = Array("srv/nauvis/terrain/3/2/-3".utf8)
    let png = TestPNG.checker()

    @Test func theETagIsTheRenderersHashHeader() throws {
        // A hash that is not the bytes' own: the ETag can only have come from the header.
        let record = try #require(try? TileRecord(key: key, value: png, version: "7", contentHash: "1f"))
        #expect(record.contentHash == 0x1f && record.version == 7 && !record.isRemoval)
        let store = TileStore()
        store.put(key: record.key, png: record.png, contentHash: record.contentHash, version: record.version)
        let tile = try #require(store.get(Fixture.key(x: 2, y: -3)))
        #expect(tile.eTag == "\"000000000000001f\"")
        #expect(tile.okHeaders[.eTag] == tile.eTag && tile.notModifiedHeaders[.eTag] == tile.eTag)
        #expect(String(buffer: tile.rawOKHead).contains("\r\nETag: \"000000000000001f\"\r\n"))
    }

    /// As TileRenderer writes it: the bytes' FNV-1a in lower-case hex without leading zeros.
    @Test func theRenderersHeaderGivesTheBytesOwnETag() throws {
        let hash = ContentHash.fnv1a64(png)
        let record = try #require(
            try? TileRecord(key: key, value: png, version: "1", contentHash: String(hash, radix: 16)))
        #expect(StoredTile(png: record.png, contentHash: record.contentHash, version: 1, storedAt: 0).eTag
            == ContentHash.strongETag(png))
        #expect(ContentHash.fromHeader(String(0x0abc as UInt64, radix: 16)) == 0xabc)
    }

    /// A record without a well-formed header (an older renderer's) is hashed by the gateway.
    @Test(arguments: [nil, "", "ABC", "+1f", "-1", "0x1f", "1f ", "g", "11112222333344445"])
    func aMissingOrMalformedHeaderIsHashedHere(header: String?) throws {
        let record = try #require(try? TileRecord(key: key, value: png, version: nil, contentHash: header))
        #expect(record.contentHash == nil && record.version == 0)
        #expect(StoredTile(png: record.png, contentHash: record.contentHash, version: 0, storedAt: 0).eTag
            == ContentHash.strongETag(png))
    }

    @Test func removalsAndBadKeys() {
        #expect((try? TileRecord(key: key, value: [], version: "2", contentHash: "cbf29ce484222325"))?.isRemoval == true)
        #expect((try? TileRecord(key: nil, value: png, version: "2", contentHash: nil)) == nil)
        #expect((try? TileRecord(key: Array("srv/nauvis".utf8), value: png, version: "2", contentHash: nil)) == nil)
    }
}
