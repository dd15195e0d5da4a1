package import Shared

/// The detail worker's loop as a state machine (no Kafka, no clock of its own): events in —
/// partitions assigned, revoked or lost, `map` records polled, a state partition read to its
/// end, a poll applied, a flush step done, shutdown — and the ``Action``s the driver
/// (``DetailWorker``) must carry out, in order, out.
///
/// Each `map` partition goes assign → restore (its `map` partition paused, records that were
/// already fetched held back) → render (its state is complete: everything in it is rendered
/// once, its held records applied, `map` resumed) → keeps up; a revoke can come at any point.
/// Revokes are eager (everything, then the new assignment): the state of a revoked partition
/// is kept until the next assignment (most of it comes back) or ``revokeTimeout``; a partition
/// that comes back restored goes straight on, one revoked during its restore restores again.
/// A flush runs when a changed region is due by the ``BurstCoalescer`` rule (the first change
/// of a quiet region at once, a burst once per coalescing window) and continues step by step
/// until the dirty work is done. No flush runs while a revoke is pending, nor before the
/// prototypes topic was read to its end once (at most ``prototypesWait``). `map` offsets are stored only when what they
/// applied is published: after a complete flush whose state records were delivered, or when
/// nothing is dirty and no flush is waiting.
///
/// After the model of swift-kafka-client's `KafkaConsumer.StateMachine` and swift-nio's
/// `ProtocolNegotiationHandlerStateMachine` (a value type; every event returns what to do).
package struct DetailLoop<Record, Command> {
    /// What the driver does, in the order returned.
    package enum Action {
        /// Pause these `map` partitions (they are restoring) and start their restore in the core.
        case pauseAndRestore(Set<Int32>)
        /// The core forgets these partitions (revoke confirmed by the next assignment, timed
        /// out, or lost).
        case drop(Set<Int32>)
        /// State partition p was read to its end: the core renders everything in p.
        case restored(Int32)
        /// Apply these `map` records to the core, in order.
        case apply([Record])
        /// Resume `map` partition p.
        case resume(Int32)
        /// Store these `map` offsets (next offset per partition) for commit.
        case store([Int32: Int64])
        /// Render a flush step and publish its tiles; then report ``flushed(complete:)``.
        case flush
        /// Publish the progress of these re-render commands.
        case report([Command])
        /// Publish the finished flush's state records; then report ``statePublished(failed:)``.
        case publishState
    }

    /// Where one `map` partition is.
    package enum Phase: Equatable {
        /// Assigned, its state topic partition being read; `held` map records wait for the end.
        case restoring(held: Int)
        /// Restored: its records are applied as they come.
        case active
        /// Revoked, state kept until the next assignment (`restored`: whether it had finished
        /// its restore).
        case revoked(restored: Bool)

        var isRevoked: Bool { if case .revoked = self { true } else { false } }
    }

    private enum State {
        /// In the group (possibly with no partition).
        case running(Running)
        /// Shut down: every event is ignored.
        case stopped
    }

    private struct Running {
        var phases: [Int32: Phase] = [:]
        /// Records of restoring partitions, held until their restore ends.
        var held: [Int32: [Record]] = [:]
        /// Next offset per partition of what was applied but not yet stored.
        var applied: [Int32: Int64] = [:]
        /// When the dirty regions (z 0 tiles) are due.
        var coalescer: BurstCoalescer<TileKey>
        /// A flush is running (or a re-render asked for one): its next step runs at the next poll.
        var flushing = false
        /// When the last revoke arrived, while revoked partitions wait for the next assignment.
        var revokedAt: ContinuousClock.Instant?
        /// Re-render commands running (reported after every flush step until one completes).
        var commands: [Command] = []
        /// The prototypes topic was read to its end once (or ``prototypesWait`` passed): tiles
        /// may render. Before, a tile would be drawn without its entities' colours and sizes
        /// and published again, right, a moment later.
        var prototypesRead: Bool
        /// The first poll, from which ``prototypesWait`` counts.
        var firstPoll: ContinuousClock.Instant?
    }

    private var state: State
    /// How long dirty tiles are collected before a flush.
    package let coalesceWindow: Duration
    /// How long the state of revoked partitions is kept waiting for an assignment.
    package let revokeTimeout: Duration
    /// How long, from the first poll, the first flush waits for ``prototypesEnded()`` (zero: it
    /// does not wait). Bounded, so that an unreadable prototypes topic delays tiles, never stops them.
    package let prototypesWait: Duration

    package init(coalesceWindow: Duration, revokeTimeout: Duration = .seconds(30), prototypesWait: Duration = .zero) {
        self.coalesceWindow = coalesceWindow
        self.revokeTimeout = revokeTimeout
        self.prototypesWait = prototypesWait
        state = .running(Running(coalescer: BurstCoalescer(window: coalesceWindow), prototypesRead: prototypesWait <= .zero))
    }

    /// The prototypes topic was read to its end (every partition of it): flushes may run.
    package mutating func prototypesEnded() {
        guard case .running(var r) = state else { return }
        r.prototypesRead = true
        state = .running(r)
    }

    /// Whether flushes may run (the prototypes were read, or waiting for them timed out).
    package var prototypesRead: Bool {
        guard case .running(let r) = state else { return false }
        return r.prototypesRead
    }

    /// The phase of partition `p` (nil: not this worker's).
    package func phase(_ p: Int32) -> Phase? {
        guard case .running(let r) = state else { return nil }
        return r.phases[p]
    }

    /// Partitions restoring (for metrics).
    package var restoringCount: Int {
        guard case .running(let r) = state else { return 0 }
        return r.phases.values.filter { if case .restoring = $0 { true } else { false } }.count
    }

    /// Whether the machine was shut down.
    package var isStopped: Bool { if case .stopped = state { true } else { false } }

    /// `map` partitions were assigned.
    package mutating func assigned(_ partitions: Set<Int32>) -> [Action] {
        guard case .running(var r) = state else { return [] }
        var actions: [Action] = []
        // Revoked and not given back: another member owns them now.
        let gone = Set(r.phases.filter { !partitions.contains($0.key) && $0.value.isRevoked }.keys)
        if !gone.isEmpty {
            for p in gone { r.phases[p] = nil }
            actions.append(.drop(gone))
        }
        var fresh = Set<Int32>()
        for p in partitions {
            switch r.phases[p] {
            case .active, .revoked(restored: true): r.phases[p] = .active
            case .restoring: break
            case nil, .revoked(restored: false):
                r.phases[p] = .restoring(held: 0)
                fresh.insert(p)
            }
        }
        if !fresh.isEmpty { actions.append(.pauseAndRestore(fresh)) }
        r.revokedAt = nil
        state = .running(r)
        return actions
    }

    /// `map` partitions are being revoked (eager: usually all, before the next assignment).
    package mutating func revoked(_ partitions: Set<Int32>, now: ContinuousClock.Instant) -> [Action] {
        guard case .running(var r) = state else { return [] }
        for p in partitions {
            guard let phase = r.phases[p] else { continue }
            if case .revoked = phase { continue }
            r.phases[p] = .revoked(restored: phase == .active)
            r.held[p] = nil
            r.applied[p] = nil
        }
        r.revokedAt = now
        state = .running(r)
        return []
    }

    /// `map` partitions were lost (their session expired): forget them at once.
    package mutating func lost(_ partitions: Set<Int32>) -> [Action] {
        guard case .running(var r) = state else { return [] }
        for p in partitions {
            r.phases[p] = nil
            r.held[p] = nil
            r.applied[p] = nil
        }
        if !r.phases.values.contains(where: \.isRevoked) { r.revokedAt = nil }
        state = .running(r)
        return partitions.isEmpty ? [] : [.drop(partitions)]
    }

    /// Time passed: revoked partitions whose assignment did not come within ``revokeTimeout``
    /// are dropped.
    package mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        guard case .running(var r) = state, let at = r.revokedAt, now - at > revokeTimeout else { return [] }
        let gone = Set(r.phases.filter { $0.value.isRevoked }.keys)
        for p in gone { r.phases[p] = nil }
        r.revokedAt = nil
        state = .running(r)
        return gone.isEmpty ? [] : [.drop(gone)]
    }

    /// `map` records were polled (`partition`, `offset`, the record): those of active partitions
    /// are applied, those of restoring ones held, others (revoked meanwhile) ignored.
    package mutating func received(_ records: [(partition: Int32, offset: Int64, record: Record)]) -> [Action] {
        guard case .running(var r) = state else { return [] }
        var apply: [Record] = []
        for (p, offset, record) in records {
            switch r.phases[p] {
            case .active:
                apply.append(record)
                r.applied[p] = offset + 1
            case .restoring(let n):
                r.held[p, default: []].append(record)
                r.phases[p] = .restoring(held: n + 1)
                r.applied[p] = offset + 1
            case .revoked, nil: continue
            }
        }
        state = .running(r)
        return apply.isEmpty ? [] : [.apply(apply)]
    }

    /// State partition p was read to its end: a restoring `p` renders, applies what it held
    /// and resumes.
    package mutating func stateEnded(_ p: Int32) -> [Action] {
        guard case .running(var r) = state, case .restoring = r.phases[p] else { return [] }
        r.phases[p] = .active
        let held = r.held.removeValue(forKey: p) ?? []
        state = .running(r)
        return [.restored(p)] + (held.isEmpty ? [] : [.apply(held)]) + [.resume(p)]
    }

    /// A re-render command arrived: flush (and report) at once.
    package mutating func rerender(_ command: Command, now: ContinuousClock.Instant) -> [Action] {
        guard case .running(var r) = state else { return [] }
        r.commands.append(command)
        r.flushing = true
        state = .running(r)
        return []
    }

    /// A poll's records were applied and `dirty` tiles wait, in the owned region tiles `regions`:
    /// stores offsets when nothing waits for a flush, or flushes when a region is due (or a flush
    /// is running) and no revoke is pending.
    package mutating func polled(dirty: Int, regions: Set<TileKey>, now: ContinuousClock.Instant) -> [Action] {
        guard case .running(var r) = state else { return [] }
        defer { state = .running(r) }
        r.coalescer.update(changed: regions, now: now)
        if !r.prototypesRead {
            let first = r.firstPoll ?? now
            r.firstPoll = first
            r.prototypesRead = now - first >= prototypesWait
        }
        if dirty == 0, !r.flushing, !r.coalescer.hasPending, r.revokedAt == nil, !r.applied.isEmpty {
            // Nothing waits for a flush: what was applied changed nothing or is all written.
            let offsets = storable(&r)
            return offsets.isEmpty ? [] : [.store(offsets)]
        }
        guard r.prototypesRead, r.revokedAt == nil, r.flushing || r.coalescer.isDue(now: now) else { return [] }
        r.flushing = true
        return [.flush]
    }

    /// A flush step rendering the region tiles `regions` at `now` was published; `complete`: it
    /// finished the dirty work.
    package mutating func flushed(complete: Bool, regions: [TileKey] = [], now: ContinuousClock.Instant) -> [Action] {
        guard case .running(var r) = state else { return [] }
        r.coalescer.rendered(regions, now: now)
        defer { state = .running(r) }
        let actions: [Action] = r.commands.isEmpty ? [] : [.report(r.commands)]
        guard complete else { return actions }
        r.flushing = false
        return actions + [.publishState]
    }

    /// The complete flush's state records were published (`failed`: some were not): on success
    /// the offsets of what it applied are stored and the re-render commands are done.
    package mutating func statePublished(failed: Bool) -> [Action] {
        guard case .running(var r) = state, !failed else { return [] }
        let offsets = storable(&r)
        r.commands = []
        state = .running(r)
        return offsets.isEmpty ? [] : [.store(offsets)]
    }

    /// The service shuts down: nothing more is done (unstored offsets are replayed by the next
    /// owner; every packet is absolute state).
    package mutating func shutdown() -> [Action] {
        state = .stopped
        return []
    }

    /// Takes the applied offsets of active partitions (a restoring partition's held records
    /// are not applied yet, so its offsets wait).
    private func storable(_ r: inout Running) -> [Int32: Int64] {
        let offsets = r.applied.filter { r.phases[$0.key] == .active }
        for p in offsets.keys { r.applied[p] = nil }
        return offsets
    }
}

extension DetailLoop.Action: Equatable where Record: Equatable, Command: Equatable {}
