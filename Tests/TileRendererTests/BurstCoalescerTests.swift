import Testing
import TileRendererCore

/// The rule of when a changed region renders: the first change of a quiet region at once, a
/// burst once per window.
@Suite("BurstCoalescer: quiet regions at once, bursts once per window")
struct BurstCoalescerTests {
    let t0 = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant { t0 + .milliseconds(Int(seconds * 1000)) }

    @Test func aQuietRegionIsDueAtOnce() {
        var c = BurstCoalescer<String>(window: .seconds(1))
        #expect(!c.hasPending && !c.isDue(now: at(0)))
        c.update(changed: ["a"], now: at(0))
        #expect(c.hasPending && c.isDue(now: at(0)), "never rendered")
        c.rendered(["a"], now: at(0))
        #expect(!c.hasPending)
        // Quiet again after the window: at once.
        c.update(changed: ["a"], now: at(1.5))
        #expect(c.isDue(now: at(1.5)))
    }

    @Test func furtherChangesInsideTheWindowWaitForIt() {
        var c = BurstCoalescer<String>(window: .seconds(1))
        c.update(changed: ["a"], now: at(0))
        c.rendered(["a"], now: at(0.1))
        for t in [0.2, 0.5, 1.0] {
            c.update(changed: ["a"], now: at(t))
            #expect(!c.isDue(now: at(t)), "at \(t): rendered at 0.1")
        }
        #expect(c.isDue(now: at(1.1)), "one window after the last render")
        c.rendered(["a"], now: at(1.1))
        c.update(changed: ["a"], now: at(1.2))
        #expect(!c.isDue(now: at(2.0)) && c.isDue(now: at(2.1)), "a burst renders once per window")
    }

    @Test func regionsAreIndependentAndDroppedChangesAreNotWaitedFor() {
        var c = BurstCoalescer<String>(window: .seconds(1))
        c.rendered(["a"], now: at(0))
        c.update(changed: ["a"], now: at(0.2))
        #expect(!c.isDue(now: at(0.3)))
        c.update(changed: ["a", "b"], now: at(0.3))
        #expect(c.isDue(now: at(0.3)), "b is quiet")
        c.rendered(["b"], now: at(0.3))
        #expect(c.hasPending && !c.isDue(now: at(0.4)), "a still waits")
        c.update(changed: [], now: at(0.5))
        #expect(!c.hasPending, "a's dirty tiles went (its partition was revoked)")
    }
}
