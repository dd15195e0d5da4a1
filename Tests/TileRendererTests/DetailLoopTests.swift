import Shared
import Testing
import TileRendererCore

/// Every transition of the detail loop's state machine, without a broker: records are strings,
/// commands are strings, time is a fixed instant moved by hand.
@Suite("DetailLoop: assign → restore → render → resume, revoke at any point")
struct DetailLoopTests {
    typealias Loop = DetailLoop<String, String>
    let t0 = ContinuousClock.now
    let window = Duration.seconds(1)

    func at(_ seconds: Double) -> ContinuousClock.Instant { t0 + .milliseconds(Int(seconds * 1000)) }

    /// Region tile (z 0) number `x`.
    static func region(_ x: Int) -> TileKey {
        TileKey(server: "s", surface: "nauvis", layer: .buildings, z: 0, x: x, y: 0)
    }
    let a = Self.region(0)
    let b = Self.region(1)

    /// A machine with partitions `parts` assigned and restored.
    func active(_ parts: Set<Int32>) -> Loop {
        var m = Loop(coalesceWindow: window)
        _ = m.assigned(parts)
        for p in parts { _ = m.stateEnded(p) }
        return m
    }

    @Test func assignRestoresThenRendersHeldRecordsAndResumes() {
        var m = Loop(coalesceWindow: window)
        #expect(m.assigned([0, 1]) == [.pauseAndRestore([0, 1])])
        #expect(m.phase(0) == .restoring(held: 0) && m.restoringCount == 2)
        // Records fetched before the pause took effect wait for the restore.
        #expect(m.received([(0, 10, "a"), (0, 11, "b")]).isEmpty)
        #expect(m.phase(0) == .restoring(held: 2))
        // Their offsets are not stored while they are not applied.
        #expect(m.polled(dirty: 0, regions: [], now: at(0)).isEmpty)
        #expect(m.stateEnded(0) == [.restored(0), .apply(["a", "b"]), .resume(0)])
        #expect(m.phase(0) == .active && m.restoringCount == 1)
        #expect(m.stateEnded(1) == [.restored(1), .resume(1)])
        #expect(m.stateEnded(1).isEmpty, "a second end of the state partition changes nothing")
        #expect(m.received([(1, 5, "c"), (0, 12, "d")]) == [.apply(["c", "d"])])
        #expect(m.polled(dirty: 0, regions: [], now: at(0)) == [.store([0: 13, 1: 6])])
        #expect(m.polled(dirty: 0, regions: [], now: at(0)).isEmpty, "stored once")
    }

    @Test func aQuietRegionFlushesAtOnceABurstOncePerWindowAndOffsetsWaitForPublishedState() {
        var m = active([0])
        #expect(m.received([(0, 0, "a")]) == [.apply(["a"])])
        #expect(m.polled(dirty: 3, regions: [a], now: at(0)) == [.flush], "the first change of a quiet region renders at once")
        #expect(m.flushed(complete: false, regions: [a], now: at(0)).isEmpty, "a partial step: the next poll flushes again")
        #expect(m.polled(dirty: 1, regions: [b], now: at(0.1)) == [.flush])
        #expect(m.flushed(complete: true, regions: [b], now: at(0.1)) == [.publishState])
        #expect(m.statePublished(failed: true).isEmpty, "state records failed: offsets wait")
        #expect(m.received([(0, 1, "b")]) == [.apply(["b"])])
        #expect(m.polled(dirty: 0, regions: [], now: at(0.2)) == [.store([0: 2])])
        // A burst: a, rendered at 0, changes again: it waits for the window after that render.
        #expect(m.received([(0, 2, "c")]) == [.apply(["c"])])
        #expect(m.polled(dirty: 2, regions: [a], now: at(0.5)).isEmpty, "coalescing a burst")
        #expect(m.polled(dirty: 2, regions: [a], now: at(0.9)).isEmpty)
        #expect(m.polled(dirty: 2, regions: [a], now: at(1)) == [.flush])
        #expect(m.flushed(complete: true, regions: [a], now: at(1)) == [.publishState])
        #expect(m.statePublished(failed: false) == [.store([0: 3])])
        // b's change renders at once (quiet since 0.1) while a's next one waits for 2.
        #expect(m.polled(dirty: 1, regions: [a], now: at(1.2)).isEmpty)
        #expect(m.polled(dirty: 2, regions: [a, b], now: at(1.3)) == [.flush])
        #expect(m.flushed(complete: true, regions: [a, b], now: at(1.3)) == [.publishState])
        // A dirty region dropped before its render (its partition went) is not waited for.
        #expect(m.polled(dirty: 1, regions: [a], now: at(1.4)).isEmpty)
        #expect(m.polled(dirty: 0, regions: [], now: at(2.5)).isEmpty, "nothing due, nothing applied to store")
        #expect(m.polled(dirty: 1, regions: [b], now: at(2.6)) == [.flush])
    }

    @Test func revokeDuringRestoreRestoresAgainOnReassignment() {
        var m = Loop(coalesceWindow: window)
        _ = m.assigned([0])
        _ = m.received([(0, 4, "a")])
        #expect(m.revoked([0], now: at(0)).isEmpty, "eager: state kept until the assignment")
        #expect(m.phase(0) == .revoked(restored: false))
        #expect(m.stateEnded(0).isEmpty, "a late end of the state partition is ignored")
        #expect(m.received([(0, 5, "b")]).isEmpty, "records of a revoked partition are ignored")
        #expect(m.assigned([0]) == [.pauseAndRestore([0])])
        #expect(m.stateEnded(0) == [.restored(0), .resume(0)], "held records were dropped with the revoke")
        #expect(m.polled(dirty: 0, regions: [], now: at(1)).isEmpty, "no offset of the revoked records")
    }

    @Test func revokeDuringRenderHoldsTheFlushAndKeepsRestoredState() {
        var m = active([0, 1])
        _ = m.received([(0, 7, "a")])
        #expect(m.revoked([0, 1], now: at(0)).isEmpty)
        #expect(m.phase(1) == .revoked(restored: true))
        #expect(m.polled(dirty: 5, regions: [a], now: at(5)).isEmpty, "no flush while a revoke is pending")
        // Partition 1 comes back: no restore (its state was kept); 0 went to another member.
        #expect(m.assigned([1]) == [.drop([0])])
        #expect(m.phase(1) == .active && m.phase(0) == nil)
        #expect(m.polled(dirty: 5, regions: [a], now: at(6)) == [.flush])
        #expect(m.flushed(complete: true, regions: [a], now: at(6)) == [.publishState])
        #expect(m.statePublished(failed: false).isEmpty, "the revoked partition's offsets are not stored")
    }

    @Test func revokedPartitionsAreDroppedWhenNoAssignmentComes() {
        var m = active([2])
        _ = m.revoked([2], now: at(0))
        #expect(m.tick(now: at(30)).isEmpty)
        #expect(m.tick(now: at(31)) == [.drop([2])])
        #expect(m.phase(2) == nil)
        #expect(m.tick(now: at(62)).isEmpty)
        #expect(m.assigned([2]) == [.pauseAndRestore([2])], "it comes back fresh")
    }

    @Test func lostPartitionsAreDroppedAtOnce() {
        var m = active([0, 1])
        _ = m.received([(0, 3, "a"), (1, 3, "b")])
        #expect(m.lost([0]) == [.drop([0])])
        #expect(m.received([(0, 4, "c")]).isEmpty)
        #expect(m.polled(dirty: 0, regions: [], now: at(0)) == [.store([1: 4])])
        #expect(m.lost([]).isEmpty)
    }

    @Test func rerenderFlushesAtOnceAndReportsUntilComplete() {
        var m = active([0])
        #expect(m.rerender("r1", now: at(10)).isEmpty)
        #expect(m.polled(dirty: 0, regions: [], now: at(10)) == [.flush], "even with nothing dirty here: progress is reported")
        #expect(m.flushed(complete: false, regions: [a], now: at(10)) == [.report(["r1"])])
        #expect(m.polled(dirty: 4, regions: [b], now: at(10)) == [.flush])
        #expect(m.flushed(complete: true, regions: [b], now: at(10)) == [.report(["r1"]), .publishState])
        #expect(m.statePublished(failed: false).isEmpty)
        #expect(m.polled(dirty: 1, regions: [a], now: at(10.5)).isEmpty, "a was rendered at 10")
        #expect(m.polled(dirty: 1, regions: [a], now: at(11)) == [.flush])
        #expect(m.flushed(complete: true, regions: [a], now: at(11)) == [.publishState], "the command was done")
    }

    @Test func noFlushBeforeThePrototypesWereReadOrTheWaitRanOut() {
        var m = Loop(coalesceWindow: window, prototypesWait: .seconds(10))
        _ = m.assigned([0])
        _ = m.stateEnded(0)
        #expect(!m.prototypesRead)
        #expect(m.received([(0, 0, "a")]) == [.apply(["a"])])
        #expect(m.polled(dirty: 3, regions: [a], now: at(1)).isEmpty, "tiles without their entities' colours would be published twice")
        #expect(m.polled(dirty: 3, regions: [a], now: at(2)).isEmpty, "no offsets are stored for what is not rendered either")
        m.prototypesEnded()
        #expect(m.prototypesRead)
        #expect(m.polled(dirty: 3, regions: [a], now: at(2.1)) == [.flush], "the region is still a quiet one: at once")

        var late = Loop(coalesceWindow: window, prototypesWait: .seconds(10))
        _ = late.assigned([0])
        _ = late.stateEnded(0)
        _ = late.received([(0, 0, "a")])
        #expect(late.polled(dirty: 3, regions: [a], now: at(5)).isEmpty, "the wait counts from the first poll")
        #expect(late.polled(dirty: 3, regions: [a], now: at(14.9)).isEmpty)
        #expect(late.polled(dirty: 3, regions: [a], now: at(15)) == [.flush], "an unreadable prototypes topic delays tiles, never stops them")
        #expect(late.prototypesRead)
    }

    @Test func shutdownStopsEverything() {
        var m = active([0])
        _ = m.received([(0, 1, "a")])
        #expect(m.shutdown().isEmpty)
        #expect(m.isStopped)
        #expect(m.received([(0, 2, "b")]).isEmpty)
        #expect(m.polled(dirty: 9, regions: [a], now: at(9)).isEmpty)
        #expect(m.assigned([1]).isEmpty)
        #expect(m.revoked([0], now: at(9)).isEmpty && m.lost([0]).isEmpty && m.tick(now: at(99)).isEmpty)
        #expect(m.stateEnded(0).isEmpty && m.rerender("r", now: at(9)).isEmpty)
        #expect(m.flushed(complete: true, now: at(9)).isEmpty && m.statePublished(failed: false).isEmpty)
        #expect(m.phase(0) == nil && m.restoringCount == 0)
    }
}
