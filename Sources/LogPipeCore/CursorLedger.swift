import DequeModule
import Synchronization

/// The journal cursors of the entries read but not yet covered by the acknowledged prefix, so
/// the checkpoint can name the last entry whose lines were all acknowledged.
///
/// The journald input records, for each entry, the position (``Checkpoint``: fingerprint and
/// end offset) of its last line together with the entry's cursor; the loop hands it the
/// window's acknowledged position and gets back the cursor to store. An entry split into
/// several lines is covered only once its last line is acknowledged, so a restart never skips
/// the rest of a half-shipped entry. Within one fingerprint (a journal sequence) offsets grow in
/// read order. Thread-safe (the reader records, the loop takes).
package final class CursorLedger: Sendable {
    private let entries = Mutex(Deque<(position: Checkpoint, cursor: String)>())

    package init() {}

    /// Records that the entry whose last line ends at `position` has `cursor` (in read order).
    package func record(_ position: Checkpoint, cursor: String) {
        entries.withLock { $0.append((position, cursor)) }
    }

    /// The cursor of the last entry that `position` (the end of the acknowledged prefix) covers
    /// completely, forgetting it and every entry before it; nil if no recorded entry is newly
    /// covered (the position is inside the first recorded entry, or before it).
    package func take(upTo position: Checkpoint) -> String? {
        entries.withLock { entries in
            // The first entry at or past the position in its sequence; everything before it is covered.
            guard
                let stop = entries.firstIndex(where: {
                    $0.position.fingerprint == position.fingerprint && $0.position.offset >= position.offset
                })
            else { return nil }
            let covered = entries[stop].position == position ? stop + 1 : stop
            guard covered > 0 else { return nil }
            let cursor = entries[covered - 1].cursor
            entries.removeFirst(covered)
            return cursor
        }
    }

    /// Entries recorded and not yet covered.
    package var count: Int { entries.withLock { $0.count } }
}
