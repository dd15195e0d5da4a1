import Kafka
import Shared
import Testing
import TileRendererCore
import KafkaModel

/// The detail worker's flush rule: the first change of a quiet region is rendered at once, a
/// region rendered in the open window waits for its end, then everything dirty goes together.
/// Time is a fixed instant moved by hand.
@Suite("BurstCoalescer: quiet regions at once, bursts coalesced")
struct BurstCoalescerTests {
    let t0 = ContinuousClock.now
    func at(_ seconds: Double) -> ContinuousClock.Instant { t0 + .milliseconds(Int(seconds * 1000)) }

    @Test func quietRegionsAreDueAtOnceAndARenderedOneWaitsForTheWindowsEnd() {
        var c = BurstCoalescer<String>(window: .seconds(1))
        #expect(!c.isOpen(at: at(0)) && c.isDue("a", at: at(0)))
        c.rendered(["a"], at: at(0))
        #expect(c.isOpen(at: at(0.1)))
        #expect(!c.isDue("a", at: at(0.1)), "changed again within the window: held")
        #expect(c.heldUntil(at(0.1)) == at(1))
        #expect(c.isDue("b", at: at(0.3)), "another region's first change: at once")
        c.rendered(["b"], at: at(0.3))
        #expect(!c.isDue("b", at: at(0.5)) && !c.isDue("a", at: at(0.99)))
        #expect(c.isDue("a", at: at(1)) && c.isDue("b", at: at(1)), "the window's end: everything")
        #expect(c.heldUntil(at(1)) == nil)
        // Rendered together at the end: the next window opens with them.
        c.rendered(["a", "b"], at: at(1))
        #expect(!c.isDue("a", at: at(1.5)) && !c.isDue("b", at: at(1.99)) && c.isDue("c", at: at(1.5)))
        #expect(c.isDue("a", at: at(2)))
    }

    @Test func aFlushThatRenderedNothingStillOpensAWindowButHoldsNoRegion() {
        var c = BurstCoalescer<String>(window: .seconds(1))
        c.rendered([String](), at: at(0))
        #expect(c.isOpen(at: at(0.5)) && c.isDue("a", at: at(0.5)))
    }

    @Test func resetAndAZeroWindowMakeEverythingDue() {
        var c = BurstCoalescer<String>(window: .seconds(1))
        c.rendered(["a"], at: at(0))
        c.reset()
        #expect(c.isDue("a", at: at(0.1)) && !c.isOpen(at: at(0.1)))
        var zero = BurstCoalescer<String>(window: .zero)
        zero.rendered(["a"], at: at(0))
        #expect(zero.isDue("a", at: at(0)))
    }

    // MARK: Applied in DetailCore

    static let topics = Topics()

    /// A core owning every partition with a 1 s window.
    static func core() throws -> DetailCore {
        let core = try DetailCore(mapPartitions: 4, pyramidPartitions: 4, coalesceWindow: .seconds(1), clock: { 1 })
        core.assign(0..<4)
        for p: Int32 in 0..<4 { core.restored(p) }
        return core
    }

    /// The detail tiles (z 3) of `layer` a flush published.
    static func detail(_ out: FlushOutput, _ layer: MapLayer = .buildings) -> Set<String> {
        Set(out.first.filter { $0.topic == topics.tiles }.compactMap { TileKey(string: $0.keyString ?? "") }
            .filter { $0.z == TileKey.detailZoom && $0.layer == layer }.map { "\($0.x),\($0.y)" })
    }

    static func place(_ core: DetailCore, unit: UInt64, chunk cx: Int, _ cy: Int) {
        core.apply(World.upsert(World.building(unit, "stone-furnace", Double(cx * 32) + 3, Double(cy * 32) + 3)), server: World.server)
    }

    @Test func theCoreRendersAQuietRegionAtOnceAndHoldsABurstUntilTheWindowsEnd() throws {
        let core = try Self.core()
        Self.place(core, unit: 1, chunk: 0, 0)
        #expect(core.flushDue(at: at(0)))
        let first = core.flush(now: at(0))
        #expect(Self.detail(first) == ["0,0"] && first.complete, "the first change: at once, complete")
        #expect(!first.then.isEmpty, "a complete flush writes the chunk records")

        // The same region (chunks 0…7) changes twice more; another region (chunk 16) once.
        Self.place(core, unit: 2, chunk: 1, 0)
        #expect(!core.flushDue(at: at(0.1)), "region 0 was rendered in the open window: held")
        Self.place(core, unit: 3, chunk: 16, 0)
        #expect(core.flushDue(at: at(0.2)), "region 2 is quiet: due at once")
        let quiet = core.flush(now: at(0.2))
        #expect(Self.detail(quiet) == ["16,0"], "only the quiet region")
        #expect(!quiet.complete && quiet.then.isEmpty && quiet.remaining == core.dirtyCount && core.dirtyCount > 0,
                "region 0 is still dirty: no chunk records yet")
        Self.place(core, unit: 4, chunk: 2, 0)
        #expect(!core.flushDue(at: at(0.9)))
        #expect(core.flush(now: at(0.9)).first.isEmpty, "a flush before the end renders nothing held")

        #expect(core.flushDue(at: at(1)))
        let end = core.flush(now: at(1))
        #expect(Self.detail(end) == ["1,0", "2,0"], "the burst, together at the window's end")
        #expect(end.complete && !end.then.isEmpty && core.dirtyCount == 0)
        #expect(!core.flushDue(at: at(1.1)))
    }

    @Test func aRerenderCommandIsNotHeld() throws {
        let core = try Self.core()
        Self.place(core, unit: 1, chunk: 0, 0)
        _ = core.flush(now: at(0))
        #expect(core.rerender(server: World.server, surface: nil) == 1)
        #expect(core.flushDue(at: at(0.1)))
        #expect(Self.detail(core.flush(now: at(0.1))) == ["0,0"])
    }
}
