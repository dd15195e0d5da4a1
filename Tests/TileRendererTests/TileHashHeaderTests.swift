import Kafka
import Shared
import Testing

@testable import TileRendererCore
import KafkaModel

/// The `hash` header of tile records is the gateway's ETag (MapGateway reads it with
/// ``ContentHash/fromHeader(_:)`` instead of hashing the bytes again): it must be the value's own
/// FNV-1a in the format the gateway accepts.
@Suite struct TileHashHeaderTests {
    @Test(arguments: [[UInt8](), [1, 2, 3], Array(repeating: 0xAB, count: 5000)])
    func tileRecordsCarryTheHashOfTheirValue(value: [UInt8]) throws {
        var ledger = PublishLedger(topics: Topics(), clock: { 1 })
        let published = ledger.record(.tiles, "srv/nauvis/terrain/3/0/0", value, partition: nil, force: true, server: "srv")
        let record = try #require(published)
        let header = try #require(record.headers.first { $0.key == RecordHeader.contentHash }.map { String(decoding: $0.value ?? [], as: UTF8.self) })
        #expect(ContentHash.fromHeader(header) == ContentHash.fnv1a64(value), "\(header)")
    }

    /// Hashes with leading zero digits are written without them; the gateway still reads them.
    @Test func shortHexIsAccepted() {
        #expect(ContentHash.fromHeader(String(UInt64(0x00ff), radix: 16)) == 0xff)
        #expect(ContentHash.strongETag(hash: 0xff) == "\"00000000000000ff\"")
    }
}
