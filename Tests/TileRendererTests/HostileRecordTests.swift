import Shared
import Testing
@testable import TileRendererCore

/// Hand-made hostile records of the renderer's internal topics, fed to the real decoding
/// functions: each is rejected with a reason (the worker counts, logs and skips it), nothing else
/// changes, and the records after it still apply and render.
@Suite("Range checks on records read from internal topics")
struct HostileRecordTests {
    static let partitions = 4

    /// A detail core restoring every partition, as after an assignment.
    static func restoringCore() throws -> DetailCore {
        let core = try DetailCore(mapPartitions: partitions, pyramidPartitions: partitions, clock: { 1 })
        core.assign(0..<Int32(partitions))
        return core
    }

    static func partition(_ core: DetailCore, _ cx: Int, _ cy: Int) -> Int32 {
        core.partition(of: ChunkID(server: "srv", surface: "nauvis", chunk: ChunkPosition(x: cx, y: cy)))
    }

    static func furnace(unit: UInt64 = 1, x: Double = 2.5, y: Double = 3.5, direction: Int = 0, name: String = "stone-furnace")
        -> Building
    {
        Building(unit: unit, name: name, x: x, y: y, direction: direction, force: "player")
    }

    static func record(_ buildings: [Building]) -> [UInt8] {
        ChunkRecord(terrain: nil, resources: [:], buildings: buildings).encoded()
    }

    /// A key out of the map's range would trap the next flush (`region * 8` overflows) or make the
    /// worker hold a chunk nobody can address; a spill from a region that is not a neighbour is a lie.
    @Test(arguments: [
        "c/srv/nauvis/9223372036854775807/0", "c/srv/nauvis/0/-9223372036854775808", "c/srv/nauvis/31251/0",
        "c/bad server/nauvis/0/0", "c/srv/../0/0", "s/srv/nauvis/0/0/5/5", "s/srv/nauvis/0/0/0/0",
        "s/srv/nauvis/9223372036854775807/0/1152921504606846975/0",
    ])
    func outOfRangeStateKeysAreRejected(key: String) throws {
        let core = try Self.restoringCore()
        let value = key.hasPrefix("c/") ? Self.record([Self.furnace()]) : SpillRecord(buildings: []).encoded()
        let error = #expect(throws: StateRecordError.self) { try core.applyState(key: key, value: value, partition: 0) }
        #expect(error?.reason.contains("out of range") == true || error?.reason.contains("bad key") == true)
        #expect(core.state.size.chunks == 0)
        // The worker goes on: a valid record after it applies, and everything renders.
        let p = Self.partition(core, 0, 0)
        try core.applyState(key: "c/srv/nauvis/0/0", value: Self.record([Self.furnace()]), partition: p)
        for q in 0..<Int32(Self.partitions) { core.restored(q) }
        #expect(core.state.size.chunks == 1 && core.state.size.buildings == 1)
        #expect(core.flush().rendered > 0)
    }

    /// Buildings ingest would never admit (a position off the map or not a number, a direction
    /// beyond 15, an empty or control-character name) and buildings outside the record's chunk.
    @Test(arguments: [
        (furnace(x: .nan), "out of range"), (furnace(x: 1e300), "out of range"), (furnace(y: -2_000_000), "out of range"),
        (furnace(direction: 200), "out of range"), (furnace(name: ""), "out of range"), (furnace(name: "a\u{1}b"), "out of range"),
        (furnace(unit: 0), "out of range"), (furnace(x: 40.5), "not in chunk"),
    ])
    func hostileBuildingsInChunkRecordsAreRejected(building: Building, reason: String) throws {
        let core = try Self.restoringCore()
        let p = Self.partition(core, 0, 0)
        let error = #expect(throws: StateRecordError.self) {
            try core.applyState(key: "c/srv/nauvis/0/0", value: Self.record([Self.furnace(unit: 2), building]), partition: p)
        }
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
        #expect(core.state.size.chunks == 0)
    }

    /// Terrain runs that add up to more than a chunk are refused before they are expanded (1,024
    /// runs of 65,535 tiles would otherwise allocate 67 million names first).
    @Test func oversizedTerrainRunsAreRejectedEarly() {
        var bytes: [UInt8] = [1, 1]
        bytes += le32(1) + le32(5) + Array("grass".utf8)
        bytes += le32(1024)
        for _ in 0..<1024 { bytes += [0xFF, 0xFF, 0, 0] }
        bytes += le32(0) + le32(0)
        let error = #expect(throws: StateRecordError.self) { try ChunkRecord(decoding: bytes) }
        #expect(error?.reason == "terrain of more than 1024 tiles")
    }

    /// A spill whose footprint lies far off the map (or is inverted, or huge) is refused.
    @Test(arguments: [
        TileArea(x0: Int(Int32.max) - 10, y0: 0, x1: Int(Int32.max) - 5, y1: 2), TileArea(x0: 5, y0: 0, x1: 2, y1: 2),
        TileArea(x0: 0, y0: 0, x1: 200, y1: 2), TileArea(x0: -1_000_100, y0: 0, x1: -1_000_098, y1: 2),
    ])
    func spillFootprintsOffTheMapAreRejected(footprint: TileArea) throws {
        let bytes = SpillRecord(buildings: [PlacedBuilding(building: Self.furnace(x: 30.5), footprint: footprint)]).encoded()
        #expect(throws: StateRecordError.self) { try SpillRecord(decoding: bytes) }
        let fine = SpillRecord(buildings: [PlacedBuilding(building: Self.furnace(x: 30.5), footprint: TileArea(x0: 30, y0: 3, x1: 33, y1: 5))])
        #expect(try SpillRecord(decoding: fine.encoded()) == fine)
    }

    /// Pyramid keys off the map (or with a name no key may have) are refused before their PNG is read.
    @Test(arguments: [
        "srv/nauvis/terrain/0/5000000/0", "srv/nauvis/terrain/-2/0/-9223372036854775808", "srv/nauvis/terrain/-12/2/0",
        "bad server/nauvis/terrain/0/0/0", "srv/../terrain/0/0/0",
    ])
    func outOfRangePyramidKeysAreRejected(key: String) throws {
        let core = try PyramidCore(pyramidPartitions: 4)
        #expect(throws: (any Error).self) { try core.apply(key: key, value: [1, 2, 3]) }
        #expect(core.inputCount == 0 && core.dirtyCount == 0)
    }

    @Test func controlRecordsAreClassifiedAndRangeChecked() {
        func json(_ s: String) -> [UInt8] { Array(s.utf8) }
        #expect(ControlRecord(json: json(#"{"type":"rerender","id":"r1","server":"srv","surface":"nauvis"}"#))
            == .command(RerenderCommand(id: "r1", server: "srv", surface: "nauvis")))
        #expect(ControlRecord(json: RerenderProgress(id: "r1", worker: "w", partitions: [0], remaining: 3).json) == .progress)
        let bad = [
            #"{"type":"rerender","id":"r1","server":"../etc","surface":null}"#,
            #"{"type":"rerender","id":"","server":"srv"}"#,
            #"{"type":"rerender","id":"\#(String(repeating: "x", count: 129))","server":"srv"}"#,
            #"{"type":"rerender","id":"r1","server":"srv","surface":"a/b"}"#,
            #"{"type":"launch","id":"r1","server":"srv"}"#, "not json",
        ]
        for b in bad {
            guard case .bad = ControlRecord(json: json(b)) else {
                Issue.record("accepted \(b)")
                continue
            }
        }
        guard case .bad(let reason) = ControlRecord(json: [UInt8](repeating: 0x20, count: 70_000)) else {
            Issue.record("accepted 70,000 bytes")
            return
        }
        #expect(reason.contains("more than"))
    }

    @Test func theLogThrottleLetsAFewLinesThroughPerWindowAndCountsTheRest() {
        var t = LogThrottle(limit: 3, windowMillis: 1000)
        let first = (0..<5).map { _ in t.admit(nowMillis: 100).log }
        #expect(first == [true, true, true, false, false])
        #expect(t.admit(nowMillis: 900).log == false)
        let next = t.admit(nowMillis: 1100)
        #expect(next.log && next.suppressed == 3)
        let last = t.admit(nowMillis: 1101)
        #expect(last.log && last.suppressed == 0)
        #expect(String(repeating: "k", count: 300).clipped() == String(repeating: "k", count: 200) + "…")
    }
}

private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * UInt32($0))) & 0xFF) } }
