import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Synchronization
import Testing

import MapGatewayCore
@testable import MapGatewayServer

/// The tile store over its disk tier (the real local store, RocksDB, in a temporary directory):
/// what a reopened store serves, eviction under a tiny cache through the real server, rebuilds of
/// damaged or foreign stores, and a disk that refuses writes.
@Suite struct TileDiskStoreTests {
    static func directory() -> String {
        NSTemporaryDirectory() + "kafkatorio-tile-disk-\(UUID().uuidString)"
    }

    static func open(
        _ directory: String, topic: String = "kt.tiles", wrap: @escaping @Sendable (any TileKeyValueStore) -> any TileKeyValueStore = { $0 }
    ) async throws -> TileDiskTier {
        try await TileDiskTier.open(directory: directory, topic: topic, logger: Fixture.logger) { path throws(TileDiskError) in
            wrap(try LocalTileStore.open(directory: path, cacheBytes: 1 << 20))
        }
    }

    static func record(_ key: TileKey, _ png: [UInt8], version: UInt64) throws -> TileRecord {
        try TileRecord(key: Array(key.string.utf8), value: png, version: "\(version)", contentHash: nil)
    }

    /// A small PNG of its own per `n` (about 230 bytes).
    static func png(_ n: Int) -> [UInt8] {
        TestPNG.checker(a: (UInt8(n % 256), UInt8(n / 256), 7), size: 16)
    }

    @Test func aReopenedStoreServesTheSameTilesBookkeepingAndOffsets() async throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let keys = (0..<12).map { Fixture.key(x: $0 % 4, y: $0 / 4) } + [Fixture.key(surface: "vulcanus", z: 0)]
        let disk = try await Self.open(dir)
        #expect(disk.rebuildReason == nil && disk.offsets.isEmpty)
        let store = TileStore(disk: disk, cacheBytes: 1 << 20, logger: Fixture.logger)
        _ = await store.apply(try keys.enumerated().map { try Self.record($1, Self.png($0), version: 1) }, offsets: [0: 13])
        let updates = await store.apply(
            [try Self.record(keys[0], Self.png(100), version: 2), try Self.record(keys[1], [], version: 2),
             try Self.record(keys[2], Self.png(2), version: 2), try Self.record(keys[3], Self.png(99), version: 0)],
            offsets: [1: 4])
        #expect(updates == [.updated(keys[0], version: 2), .removed(keys[1])], "same bytes and older versions are no change")
        var expected: [TileKey: StoredTile] = [:]
        for key in keys { expected[key] = await store.tile(key) }
        #expect(expected.count == 12 && expected[keys[1]] == nil && expected[keys[3]]?.version == 1)
        let summaries = store.serverSummaries()
        await disk.close()

        let reopened = try await Self.open(dir)
        #expect(reopened.rebuildReason == nil)
        #expect(reopened.offsets == [0: 13, 1: 4])
        let again = TileStore(disk: reopened, cacheBytes: 1 << 20, logger: Fixture.logger)
        #expect(again.serverSummaries() == summaries)
        #expect(again.count == 12)
        for key in keys {
            let tile = await again.tile(key)
            #expect(tile?.bytes == expected[key]?.bytes && tile?.eTag == expected[key]?.eTag, "\(key.string)")
            #expect(tile?.version == expected[key]?.version)
        }
        await reopened.close()
    }

    /// A cache of 4 KiB holds about three of these tiles: every answer of the real server (fast
    /// path, pipelined on one connection, so cold answers must keep their order) is still right,
    /// those of tiles the last batch changed while they were cached included.
    @Test(.timeLimit(.minutes(1))) func evictionUnderATinyCacheKeepsEveryAnswerRight() async throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let disk = try await Self.open(dir)
        let store = TileStore(disk: disk, cacheBytes: 4096, logger: Fixture.logger)
        var model: [TileKey: [UInt8]] = [:]
        let keys = (0..<40).map { Fixture.key(x: $0 % 8, y: $0 / 8) }
        for round in 0..<3 {
            var batch: [TileRecord] = []
            for (i, key) in keys.enumerated() {
                switch (i + round) % 5 {
                case 0 where round > 0:
                    batch.append(try Self.record(key, [], version: UInt64(round + 1)))
                    model[key] = nil
                case 1:
                    // Older than the stored tile from the second round on: ignored (a removed
                    // tile has no version to be older than: stored again).
                    batch.append(try Self.record(key, Self.png(1000 + i), version: round == 0 ? 1 : 0))
                    if round == 0 || model[key] == nil { model[key] = Self.png(1000 + i) }
                default:
                    batch.append(try Self.record(key, Self.png(round * 100 + i), version: UInt64(round + 1)))
                    model[key] = Self.png(round * 100 + i)
                }
            }
            _ = await store.apply(batch, offsets: [0: Int64(round * 40 + 40)])
            // Read everything between rounds, so the cache holds entries the next round changes
            // (the last keys read, which the server is asked for first below).
            if round < 2 { for key in keys { _ = await store.tile(key) } }
        }
        #expect(model.count > 20 && model.count < 40)
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: store, liveHub: LiveHub(), logger: Fixture.logger)
        let fast = TileFastPathTests()
        let final = model
        try await app.test(.live) { client in
            let port = try #require(client.port)
            var requests = ""
            var expected: [String] = []
            for key in (keys + [Fixture.key(x: 50)]).reversed() {
                let path = "/tiles/\(key.string).png"
                requests += fast.get(path)
                if let png = final[key] {
                    requests += fast.get(path, "If-None-Match: \(ContentHash.strongETag(png))\r\n")
                    expected += ["200 \(png.count) \(ContentHash.strongETag(png))", "304"]
                } else {
                    expected.append("404")
                }
            }
            requests += fast.get("/healthz", "Connection: close\r\n")
            let reply = try await fast.exchange(port: port, requests)
            let answers = reply.components(separatedBy: "HTTP/1.1 ").dropFirst().dropLast().map { Self.summary($0) }
            #expect(answers == expected)
            // And the bytes themselves, first tile to last, in order.
            for (key, png) in final.sorted(by: { $0.key.string < $1.key.string }).prefix(3) {
                let one = try await fast.exchange(port: port, fast.get("/tiles/\(key.string).png", "Connection: close\r\n"))
                #expect(one.hasSuffix(String(decoding: png.map { UInt16($0) }, as: UTF16.self)))
            }
        }
        let stats = store.cacheStatistics
        #expect(stats.evictions > 0 && stats.bytes <= 4096, "\(stats)")
        await disk.close()
    }

    /// `200 <Content-Length> <ETag>` or the bare status of one answer.
    static func summary(_ answer: String) -> String {
        let status = String(answer.prefix(3))
        guard status == "200" else { return status }
        func header(_ name: String) -> String {
            answer.components(separatedBy: "\r\n").first { $0.hasPrefix("\(name): ") }.map { String($0.dropFirst(name.count + 2)) } ?? "-"
        }
        return "200 \(header("Content-Length")) \(header("ETag"))"
    }

    @Test func damagedForeignAndUnversionedStoresAreRebuilt() async throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = Fixture.key()
        func fill() async throws {
            let disk = try await Self.open(dir)
            _ = await TileStore(disk: disk, cacheBytes: 1 << 20, logger: Fixture.logger)
                .apply([try Self.record(key, Self.png(1), version: 1)], offsets: [0: 1])
            await disk.close()
        }
        func reopen(topic: String = "kt.tiles") async throws -> (String?, [Int32: Int64], StoredTile?) {
            let disk = try await Self.open(dir, topic: topic)
            let tile = await TileStore(disk: disk, cacheBytes: 1 << 20, logger: Fixture.logger).tile(key)
            await disk.close()
            return (disk.rebuildReason, disk.offsets, tile)
        }
        try await fill()
        #expect(try await reopen().0 == nil)
        // Every file of the store overwritten with garbage.
        let storeDir = dir + "/store"
        for name in try FileManager.default.contentsOfDirectory(atPath: storeDir) where name != "LOCK" {
            try Data(repeating: 0x5A, count: 64).write(to: URL(fileURLWithPath: storeDir + "/" + name))
        }
        var (reason, offsets, tile) = try await reopen()
        #expect(reason == "corrupt" && offsets.isEmpty && tile == nil)
        try await fill()
        (reason, offsets, tile) = try await reopen(topic: "other.tiles")
        #expect(reason == "topic" && offsets.isEmpty && tile == nil)
        // Another layout version, and data without any format record.
        for format: [UInt8]? in [Array("kafkatorio-gateway-tiles/0 topic=kt.tiles".utf8), nil] {
            try await fill()
            let raw = try LocalTileStore.open(directory: storeDir, cacheBytes: 1 << 20)
            if let format {
                try raw.write(puts: [(TileDiskLayout.formatKey, format)], deletes: [])
            } else {
                try raw.write(puts: [], deletes: [TileDiskLayout.formatKey])
            }
            raw.close()
            (reason, offsets, tile) = try await reopen()
            #expect(reason == (format == nil ? "unknown" : "version") && offsets.isEmpty && tile == nil)
        }
    }

    /// A disk that refuses writes (the real store, its writes failing as ENOSPC would): `/healthz`
    /// fails, the tiles are served from memory, the offsets wait; once writes succeed again
    /// everything reaches the disk.
    @Test func aFullDiskFailsLoudlyAndServesFromMemory() async throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let full = FullSwitch()
        let disk = try await Self.open(dir) { FullDisk(inner: $0, full: full) }
        let store = TileStore(disk: disk, cacheBytes: 1024, logger: Fixture.logger)
        let a = Fixture.key(x: 1), b = Fixture.key(x: 2)
        _ = await store.apply([try Self.record(a, Self.png(1), version: 1)], offsets: [0: 1])
        #expect(store.diskProblem == nil)
        full.on.store(true, ordering: .relaxed)
        _ = await store.apply([try Self.record(a, Self.png(2), version: 2), try Self.record(b, Self.png(3), version: 1)], offsets: [0: 3])
        #expect(store.diskProblem != nil)
        #expect(store.diskProblem?.contains("full_disk") == true, "\(store.diskProblem ?? "")")
        #expect(await store.tile(a)?.bytes.readableBytes == Self.png(2).count)
        #expect(await store.tile(b)?.eTag == ContentHash.strongETag(Self.png(3)))
        full.on.store(false, ordering: .relaxed)
        _ = await store.apply([], offsets: [:])
        _ = await store.apply([try Self.record(Fixture.key(x: 3), Self.png(4), version: 1)], offsets: [0: 4])
        #expect(store.diskProblem == nil)
        await disk.close()
        let reopened = try await Self.open(dir)
        #expect(reopened.offsets == [0: 4])
        let again = TileStore(disk: reopened, cacheBytes: 1024, logger: Fixture.logger)
        #expect(await again.tile(a)?.eTag == ContentHash.strongETag(Self.png(2)))
        #expect(await again.tile(b)?.eTag == ContentHash.strongETag(Self.png(3)))
        #expect(again.count == 3)
        await reopened.close()
    }
}

/// Whether ``FullDisk`` fails its writes.
final class FullSwitch: Sendable {
    let on = Atomic<Bool>(false)
}

/// The real store whose writes fail as on a full disk while `full` is on.
struct FullDisk: TileKeyValueStore {
    let inner: any TileKeyValueStore
    let full: FullSwitch

    func value(_ key: [UInt8]) throws(TileDiskError) -> [UInt8]? { try inner.value(key) }
    func write(puts: [([UInt8], [UInt8])], deletes: [[UInt8]]) throws(TileDiskError) {
        if full.on.load(ordering: .relaxed) {
            throw TileDiskError(.fullDisk, operation: "write", directory: "test", message: "IO error: No space left on device")
        }
        try inner.write(puts: puts, deletes: deletes)
    }
    func scan(prefix: [UInt8], _ body: (_ key: [UInt8], _ value: [UInt8]) -> Bool) throws(TileDiskError) {
        try inner.scan(prefix: prefix, body)
    }
    var diskBytes: Int { inner.diskBytes }
    func close() { inner.close() }
}
