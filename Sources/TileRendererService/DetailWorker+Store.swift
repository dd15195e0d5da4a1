import Kafka
import KafkaModel
import LocalStore
import Logging
import Metrics
import Shared
import Synchronization
import TileRendererCore

/// Where the detail worker resumed each partition's topics from its state store and how far
/// its stored state reaches.
struct StoreCursors: Sendable {
    /// `renderer-state` p was resumed at this offset: records before it (fetched before the
    /// seek) are already in the stored state and skipped.
    var stateFloor: [Int32: Int64] = [:]
    /// `map` p was resumed at this offset (records before it are skipped).
    var mapFloor: [Int32: Int64] = [:]
    /// The next `renderer-state` offset of p after the records applied.
    var stateNext: [Int32: Int64] = [:]
    /// The `map` offset of p that the state includes (stored for commit, resumed, or committed).
    var mapSaved: [Int32: Int64] = [:]
    /// The header last written for p.
    var lastHeader: [Int32: StateStoreLayout.Header] = [:]
}

extension DetailWorker {
    /// Resumes restoring partitions from the state store where it holds a valid state: loads it
    /// into the core, then reads `renderer-state` from the stored offset (only the tail) and
    /// `map` from the stored offset or the committed one, whichever is later.
    func resumeFromStore(_ parts: Set<Int32>) async throws {
        guard let store else { return }
        let mapTPs = parts.sorted().map { TopicPartition(topic: topics.map, partition: $0) }
        let committed = try await consumer.committedOffsets(mapTPs)
        for p in parts.sorted() {
            let header = await core.run { store.resume(p, into: $0) }
            let committedMap = max(0, committed[TopicPartition(topic: topics.map, partition: p)] ?? 0)
            cursors.withLock { c in
                c.stateNext[p] = nil
                c.lastHeader[p] = nil
                c.stateFloor[p] = header?.stateOffset
                c.mapFloor[p] = header.map { max($0.mapOffset, committedMap) }
                c.mapSaved[p] = max(header?.mapOffset ?? 0, committedMap)
            }
            guard let header else { continue }
            try await consumer.seek(TopicPartition(topic: topics.rendererState, partition: p), to: header.stateOffset)
            if header.mapOffset > committedMap {
                try await consumer.seek(TopicPartition(topic: topics.map, partition: p), to: header.mapOffset)
            }
        }
    }

    /// Whether `m` was fetched before a resume moved its partition past it.
    func belowResumePoint(_ m: ConsumerMessage) -> Bool {
        cursors.withLock { c in
            let floor = m.topic == topics.rendererState ? c.stateFloor[m.partition] : c.mapFloor[m.partition]
            return floor.map { m.offset < $0 } ?? false
        }
    }

    /// Saves every owned partition with nothing dirty whose state changed (or that restored
    /// from the changelog and is not stored yet), its header naming `offsets` (the `map`
    /// offsets about to be stored for commit) or the last stored ones. Returns false, logs and
    /// stops the worker when a write fails: nothing is committed past unsaved state.
    func saveState(_ offsets: [Int32: Int64]) async -> Bool {
        guard let store else { return true }
        let failure: LocalStoreError? = await core.run { core in
            let snapshot = self.cursors.withLock { $0 }
            for p in core.owned.sorted() where core.isClean(p) {
                guard let mapOffset = offsets[p] ?? snapshot.mapSaved[p] else { continue }
                let header = StateStoreLayout.Header(
                    partitions: core.mapPartitions, mapOffset: mapOffset,
                    stateOffset: snapshot.stateNext[p] ?? snapshot.stateFloor[p] ?? 0)
                let unsaved = core.takeUnsaved(p)
                if unsaved.isEmpty, snapshot.lastHeader[p] == header, !store.isPendingComplete(p) { continue }
                do throws(LocalStoreError) { try store.save(p, header: header, unsaved) } catch { return error }
                self.cursors.withLock { c in
                    c.lastHeader[p] = header
                    c.mapSaved[p] = mapOffset
                }
            }
            return nil
        }
        guard let failure else { return true }
        let reason = "state store write failed (\(failure.kind.rawValue)): \(failure)"
        logger.critical("stopping: \(reason); map offsets past the stored state are not committed")
        storeFailures.increment()
        stopReason.withLock { $0 = reason }
        return false
    }

    /// After a store failure: consume nothing more, stay up (unhealthy) until shut down.
    func idleUntilCancelled() async throws {
        while !Task.isCancelled { try await Task.sleep(for: .seconds(1)) }
    }

    /// Why the worker stopped, if it did (the health check reports it).
    package var failure: String? { stopReason.withLock { $0 } }
}
