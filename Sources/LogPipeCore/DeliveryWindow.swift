import DequeModule
package import KafkaModel
import Synchronization

/// The destination of a line.
package enum LineKind: Int, Sendable, CaseIterable {
    case raw = 0
    case console = 1
    case deadLetter = 2
    /// Not shipped (an empty line, or a console line when console shipping is off).
    case filtered = 3
}

/// The lines read but not yet acknowledged, in read order, with the producer batches holding their
/// records (so a failed or stuck delivery can be re-sent from memory, which also works for stdin).
/// A batch is released once all its lines are acknowledged. Delivery reports may
/// arrive in any order (several topics and partitions); the window advances its
/// ``ackedPosition`` only over the contiguous prefix of acknowledged lines, so the checkpoint
/// never passes a line that was not delivered.
///
/// Thread-safe: delivery reports arrive on the producer's poll thread.
package final class DeliveryWindow: Sendable {
    enum EntryState: Equatable {
        case acked
        case inFlight(generation: UInt64)
        case failed
    }

    /// Plain data (no references), so reading and updating one is cheap.
    struct Entry {
        var kind: LineKind
        var position: Checkpoint
        var bytes: Int
        var state: EntryState
        /// The line's record in its batch (−1: not shipped).
        var record: Int32
    }

    /// The batch of the lines with sequence numbers `first ..< end`; dropped once all are popped.
    struct StoredBatch {
        var first: UInt64
        var end: UInt64
        var batch: ProducerBatch
    }

    struct State {
        var entries = Deque<Entry>()
        var batches = Deque<StoredBatch>()
        /// Sequence number of `entries.first`.
        var base: UInt64 = 0
        var unacked = 0
        var unackedBytes = 0
        var failed = 0
        var ackedPosition: Checkpoint?
        var lastProgress = ContinuousClock.now
        var delivered = [Int](repeating: 0, count: 3)
        var deliveredBytes = 0
        var errors = 0
        var lastError: String?
    }

    /// What the loop needs to decide its next step.
    package struct Snapshot: Sendable {
        /// Lines read but not acknowledged yet.
        package var unacked: Int
        /// Their value bytes.
        package var unackedBytes: Int
        /// How many of them failed and wait to be re-sent.
        package var failed: Int
        /// Just past the last line of the acknowledged prefix.
        package var ackedPosition: Checkpoint?
        /// The last acknowledgement (or when the window last became non-empty).
        package var lastProgress: ContinuousClock.Instant
        /// Acknowledged lines per kind (raw, console, dead letter), since the start.
        package var delivered: [Int]
        /// Acknowledged value bytes since the start.
        package var deliveredBytes: Int
        /// Failed delivery reports since the start.
        package var errors: Int
        package var lastError: String?
    }

    private let state: Mutex<State>

    package init(start: Checkpoint? = nil) {
        var s = State()
        s.ackedPosition = start
        state = Mutex(s)
    }

    /// Adds the lines of one read in order, with the batch holding their records; a line without
    /// a record (filtered) counts as acknowledged. Returns the sequence number of the first one.
    package func append(_ routed: RoutedLines, generation: UInt64) -> UInt64 {
        state.withLock { s in
            let first = s.base + UInt64(s.entries.count)
            if s.unacked == 0 { s.lastProgress = .now }
            let records = routed.batch.records
            for line in routed.lines {
                let sent = line.record >= 0
                let bytes = sent ? records[Int(line.record)].valueCount : 0
                s.entries.append(
                    Entry(
                        kind: line.kind, position: line.position, bytes: bytes,
                        state: sent ? .inFlight(generation: generation) : .acked, record: line.record))
                if sent {
                    s.unacked += 1
                    s.unackedBytes += bytes
                }
            }
            if !routed.batch.isEmpty {
                s.batches.append(StoredBatch(first: first, end: first + UInt64(routed.lines.count), batch: routed.batch))
            }
            Self.advance(&s)
            return first
        }
    }

    /// Records the delivery report of line `seq`, sent by producer `generation`. A failure
    /// reported by an older producer is ignored (everything it held was re-sent already); a
    /// success counts whichever producer delivered it.
    package func complete(_ seq: UInt64, generation: UInt64, error: String?) {
        state.withLock { s in
            if Self.complete(&s, seq, generation: generation, error: error) { s.lastProgress = .now }
            Self.advance(&s)
        }
    }

    /// Records the outcome of a batch sent by producer `generation`: line `seqs[i]` is message `i`
    /// of the batch, and `failures[i]` the error of message `i` if it failed (every other message
    /// was delivered). One lock for the whole batch; same rules as ``complete(_:generation:error:)``.
    package func complete(_ seqs: [UInt64], generation: UInt64, failures: [Int: String]) {
        state.withLock { s in
            var progress = false
            if failures.isEmpty {
                for seq in seqs where Self.complete(&s, seq, generation: generation, error: nil) { progress = true }
            } else {
                for (i, seq) in seqs.enumerated()
                where Self.complete(&s, seq, generation: generation, error: failures[i]) {
                    progress = true
                }
            }
            if progress { s.lastProgress = .now }
            Self.advance(&s)
        }
    }

    /// Applies one report; returns `true` if it acknowledged a line.
    private static func complete(_ s: inout State, _ seq: UInt64, generation: UInt64, error: String?) -> Bool {
        guard seq >= s.base else { return false }
        let index = Int(seq - s.base)
        guard index < s.entries.count else { return false }
        let entryState = s.entries[index].state
        if entryState == .acked { return false }
        if let error {
            s.errors += 1
            s.lastError = error
            guard entryState == .inFlight(generation: generation) else { return false }
            s.entries[index].state = .failed
            s.failed += 1
            return false
        }
        if entryState == .failed { s.failed -= 1 }
        s.entries[index].state = .acked
        s.unacked -= 1
        s.unackedBytes -= s.entries[index].bytes
        s.delivered[s.entries[index].kind.rawValue] += 1
        s.deliveredBytes += s.entries[index].bytes
        return true
    }

    /// Records to send again: a sub-batch (sharing the original's buffers) and the line of each record.
    package struct Resend: Sendable {
        package var batch: ProducerBatch
        package var seqs: [UInt64]

        package init(batch: ProducerBatch, seqs: [UInt64]) {
            self.batch = batch
            self.seqs = seqs
        }
    }

    /// Takes the failed lines for re-sending by producer `generation` (marking them in flight).
    package func takeFailed(generation: UInt64) -> [Resend] {
        take(generation: generation) { $0 == .failed }
    }

    /// Takes every unacknowledged line for re-sending by a new producer `generation`, in order.
    package func takeUnacked(generation: UInt64) -> [Resend] {
        take(generation: generation) { $0 != .acked }
    }

    package func snapshot() -> Snapshot {
        state.withLock { s in
            Snapshot(
                unacked: s.unacked, unackedBytes: s.unackedBytes, failed: s.failed, ackedPosition: s.ackedPosition,
                lastProgress: s.lastProgress, delivered: s.delivered, deliveredBytes: s.deliveredBytes, errors: s.errors,
                lastError: s.lastError)
        }
    }

    /// Restarts the stall clock (after a new producer took over).
    package func touch() { state.withLock { $0.lastProgress = .now } }

    private func take(generation: UInt64, where select: (EntryState) -> Bool) -> [Resend] {
        state.withLock { s in
            var out: [Resend] = []
            for stored in s.batches {
                var records: [Int] = []
                var seqs: [UInt64] = []
                let lower = max(stored.first, s.base)
                let upper = min(stored.end, s.base + UInt64(s.entries.count))
                guard lower < upper else { continue }
                for seq in lower..<upper {
                    let i = Int(seq - s.base)
                    guard s.entries[i].record >= 0, select(s.entries[i].state) else { continue }
                    if s.entries[i].state == .failed { s.failed -= 1 }
                    s.entries[i].state = .inFlight(generation: generation)
                    records.append(Int(s.entries[i].record))
                    seqs.append(seq)
                }
                if !records.isEmpty { out.append(Resend(batch: stored.batch.subset(records), seqs: seqs)) }
            }
            return out
        }
    }

    /// Pops the acknowledged prefix, moving ``Snapshot/ackedPosition`` past it.
    private static func advance(_ s: inout State) {
        while let first = s.entries.first, first.state == .acked {
            s.ackedPosition = first.position
            s.entries.removeFirst()
            s.base += 1
        }
        while let batch = s.batches.first, batch.end <= s.base { s.batches.removeFirst() }
    }
}
