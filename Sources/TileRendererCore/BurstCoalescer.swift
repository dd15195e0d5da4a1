/// When a detail worker renders a dirty region (a z 0 tile and the tiles under it): the first
/// change of a quiet region at once, and only bursts coalesced.
///
/// A window of `window` opens with the first render after a quiet spell. A region rendered in
/// the open window that changes again is held until the window's end; a region not rendered in
/// it is due at once. At the window's end every dirty region is due: they are rendered together
/// and the next window opens with them. So a change waits at most one window (plus the render),
/// an isolated change not at all, and a region is rendered at most twice per window (its first
/// change at once, the rest at the end), as under the fixed window before, which rendered every
/// change a whole window late. A window of zero makes everything due at once.
///
/// A value type with no clock of its own: the driver passes `now`.
package struct BurstCoalescer<Key: Hashable & Sendable>: Sendable {
    /// How long a region rendered once waits before it is rendered again.
    package let window: Duration
    /// The open window's end (nil, or past: none open).
    private var windowEnd: ContinuousClock.Instant?
    /// Regions rendered in the open window.
    private var recent: Set<Key> = []

    package init(window: Duration) { self.window = window }

    /// Whether a window is open at `now` (regions rendered in it are held).
    package func isOpen(at now: ContinuousClock.Instant) -> Bool {
        guard let windowEnd else { return false }
        return now < windowEnd
    }

    /// Whether dirty region `key` may be rendered at `now`: not rendered in the open window.
    package func isDue(_ key: Key, at now: ContinuousClock.Instant) -> Bool {
        !isOpen(at: now) || !recent.contains(key)
    }

    /// When the regions held now become due: the open window's end (nil: none is held).
    package func heldUntil(_ now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        isOpen(at: now) ? windowEnd : nil
    }

    /// `keys` were rendered at `now` (none: a flush that rendered nothing still opens a window,
    /// so work that is not renderable yet is looked at once per window, not at every poll).
    package mutating func rendered(_ keys: some Sequence<Key>, at now: ContinuousClock.Instant) {
        if isOpen(at: now) {
            recent.formUnion(keys)
        } else {
            windowEnd = now + window
            recent = Set(keys)
        }
    }

    /// Everything is due at once (a re-render command): the open window is closed.
    package mutating func reset() {
        windowEnd = nil
        recent = []
    }
}
