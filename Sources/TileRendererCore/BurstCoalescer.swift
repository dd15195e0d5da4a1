/// When changed regions are due for rendering (a pure rule; no clock of its own): each region
/// renders at most once per `window`. A change to a region that was not rendered in the last
/// `window` (quiet) is due at once; a change to a region rendered less than `window` ago (a
/// burst) is due `window` after that render, so a burst's further changes are coalesced into
/// one render per window.
///
/// ``DetailLoop`` flushes when some changed region is due; a flush renders every dirty region,
/// so a region waiting in its window may be rendered earlier, with a due one (never later).
package struct BurstCoalescer<Region: Hashable & Sendable>: Sendable {
    /// The least time between two renders of one region.
    package let window: Duration
    /// When each region with unrendered changes is due.
    private(set) var due: [Region: ContinuousClock.Instant] = [:]
    /// When each region was last rendered (only those rendered less than `window` ago matter).
    private var rendered: [Region: ContinuousClock.Instant] = [:]

    /// A coalescer rendering each region at most once per `window`.
    package init(window: Duration) { self.window = window }

    /// Whether some region has unrendered changes.
    package var hasPending: Bool { !due.isEmpty }

    /// `changed` are the regions with unrendered changes at `now`: a new one gets its due time
    /// (at once when quiet, else `window` after its last render); one no longer among them (its
    /// changes were dropped) is no longer pending.
    package mutating func update(changed: Set<Region>, now: ContinuousClock.Instant) {
        due = due.filter { changed.contains($0.key) }
        rendered = rendered.filter { now - $0.value < window }
        for region in changed where due[region] == nil {
            due[region] = rendered[region].map { max(now, $0 + window) } ?? now
        }
    }

    /// Whether some region is due at `now`.
    package func isDue(now: ContinuousClock.Instant) -> Bool { due.values.contains { $0 <= now } }

    /// `regions` were rendered at `now`: their changes are done, their next change waits for the window.
    package mutating func rendered(_ regions: [Region], now: ContinuousClock.Instant) {
        for region in regions {
            due[region] = nil
            rendered[region] = now
        }
    }

}
