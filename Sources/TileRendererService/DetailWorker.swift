import Foundation
package import Kafka
package import Logging
import Metrics
import Synchronization
import ServiceLifecycle
package import Shared
package import TileRendererCore
package import KafkaModel

/// The detail role: one member of the renderer group. Consumes `map` and the state topic
/// (co-partitioned, eager `range` assignment, so map partition p and state partition p always
/// go to the same member) and `prototypes` (all of it, every worker).
///
/// The IO driver of ``DetailLoop``: it polls, feeds the machine events and carries out its
/// actions on the consumer, the producer and the core. On assignment of partition p the
/// worker pauses `map` p, reads state p from the start to its end (like a Kafka Streams state
/// store restore; Tansu has no compaction, so this reads the whole changelog), renders every
/// tile of p (unchanged tiles are still published once: a new owner does not know what the
/// previous one published), then resumes `map` p from the group's committed offset. After
/// each flush it waits for tiles, pyramid inputs and spills to be delivered, then writes the
/// changed chunks' records to the state topic, waits again, and only then stores the `map`
/// offsets it applied: a crash at any point replays absolute packets.
package final class DetailWorker: Service, Sendable {
    let consumer: KafkaConsumer
    private let prototypes: KafkaConsumer
    private let control: KafkaConsumer
    private let producer: KafkaProducer
    private let inbox: RebalanceInbox
    let topics: Topics
    private let configuration: TileRendererConfiguration
    let logger: Logger
    let core: CoreExecutor<DetailCore>
    /// The persistent state store (nil: state in memory only, restored from the changelog).
    let store: RendererStore?
    /// Where each partition's topics were resumed and how far they are stored (see ``StoreCursors``).
    let cursors = Mutex(StoreCursors())
    /// Why the worker stopped (a state store write failed), for the health check.
    let stopReason = Mutex<String?>(nil)
    private let metrics: RendererMetrics
    let storeFailures = Counter(label: "renderer_state_store_failures_total")
    private let bad: BadRecords
    /// Partitions of the prototypes topic (all must reach their end before the first flush).
    private let prototypePartitions: Int
    /// How long the first flush waits for the prototypes topic to be read to its end.
    static let prototypesWait = Duration.seconds(10)

    /// A decoded `map` record: its server, packet and partition.
    typealias MapRecord = (server: String, packet: Packet, partition: Int32)

    /// - Parameters:
    ///   - consumer: group consumer of `map` + state topic, created with `inbox.post` as its
    ///     rebalance handler, `.eager` strategy and `partitionEOF: true`.
    ///   - prototypes: consumer of the whole `prototypes` topic (own group, `partitionEOF: true`).
    ///   - prototypePartitions: the prototypes topic's partition count.
    ///   - control: consumer of the control topic from its end (own group).
    ///   - store: the process's state store, shared by its detail workers (each saves and
    ///     resumes only the partitions it owns).
    ///   - index: this worker's index among the process's detail workers (metrics label `worker`).
    package init(
        consumer: KafkaConsumer, inbox: RebalanceInbox, prototypes: KafkaConsumer, control: KafkaConsumer,
        producer: KafkaProducer, topics: Topics, mapPartitions: Int, configuration: TileRendererConfiguration, logger: Logger,
        store: RendererStore? = nil, index: Int = 0, prototypePartitions: Int = 1
    ) throws {
        self.prototypePartitions = max(1, prototypePartitions)
        self.store = store
        metrics = RendererMetrics(role: "detail", worker: index)
        self.consumer = consumer
        self.inbox = inbox
        self.prototypes = prototypes
        self.control = control
        self.producer = producer
        self.topics = topics
        self.configuration = configuration
        self.logger = logger
        bad = BadRecords(metrics: metrics, logger: logger)
        core = CoreExecutor(
            try DetailCore(mapPartitions: mapPartitions, pyramidPartitions: mapPartitions, level: configuration.compressionLevel, topics: topics),
            label: "tile-renderer.detail.\(index)")
    }

    package func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.loop() }
        } catch is CancellationError {}
    }

    private func loop() async throws {
        var machine = DetailLoop<MapRecord?, RerenderCommand>(coalesceWindow: configuration.coalesceWindow, prototypesWait: Self.prototypesWait)
        defer { _ = machine.shutdown() }
        var prototypesEnded = Set<Int32>()
        while !Task.isCancelled {
            if stopReason.withLock({ $0 }) != nil { return try await idleUntilCancelled() }
            let protos = try await prototypes.pollBatch(maxMessages: 1000, timeout: .zero)
            for m in protos.messages {
                guard let (server, packet) = decode(m) else { continue }
                await core.run { $0.apply(packet, server: server) }
            }
            if !machine.prototypesRead {
                prototypesEnded.formUnion(protos.eofPartitions.filter { $0.topic == topics.prototypes }.map(\.partition))
                if prototypesEnded.count >= prototypePartitions {
                    machine.prototypesEnded()
                    logger.info("prototypes read", metadata: ["partitions": "\(prototypesEnded.sorted())"])
                }
            }
            for m in try await control.poll(maxMessages: 100, timeout: .zero) {
                let command: RerenderCommand
                switch ControlRecord(json: m.value) {
                case .command(let c): command = c
                case .progress: continue
                case .bad(let reason):
                    bad.report("bad control record", ["offset": "\(m.offset)", "error": "\(reason)"])
                    continue
                }
                let chunks = await core.run { $0.rerender(server: command.server, surface: command.surface) }
                logger.info("re-render", metadata: ["id": "\(command.id)", "server": "\(command.server)", "chunks": "\(chunks)"])
                // Flushes (and reports) at once, even if this worker owns nothing of the server.
                try await execute(machine.rerender(command, now: .now), &machine)
            }
            let batch = try await consumer.pollBatch(maxMessages: configuration.batchSize, timeout: .milliseconds(50))
            for event in inbox.take() {
                switch event {
                case .assigned(let tps):
                    logger.info("assigned", metadata: ["partitions": "\(Set(tps.map(\.partition)).sorted())"])
                    try await execute(machine.assigned(mapPartitions(tps)), &machine)
                case .revoked(let tps): try await execute(machine.revoked(mapPartitions(tps), now: .now), &machine)
                case .lost(let tps): try await execute(machine.lost(mapPartitions(tps)), &machine)
                }
            }
            try await execute(machine.tick(now: .now), &machine)
            var records: [(partition: Int32, offset: Int64, record: MapRecord?)] = []
            for m in batch.messages where !belowResumePoint(m) {
                if m.topic == topics.rendererState {
                    await applyState(m)
                    cursors.withLock { $0.stateNext[m.partition] = m.offset + 1 }
                } else {
                    records.append((m.partition, m.offset, decode(m).map { ($0.0, $0.1, m.partition) }))
                }
            }
            try await execute(machine.received(records), &machine)
            for tp in batch.eofPartitions where tp.topic == topics.rendererState {
                try await execute(machine.stateEnded(tp.partition), &machine)
            }
            let (dirty, regions, size) = await core.run { ($0.dirtyCount, $0.dirtyRegions, $0.state.size) }
            metrics.dirty.record(dirty)
            metrics.stateChunks.record(size.chunks)
            metrics.stateBuildings.record(size.buildings)
            metrics.restoring.record(machine.restoringCount)
            let waitingForPrototypes = !machine.prototypesRead
            try await execute(machine.polled(dirty: dirty, regions: regions, now: .now), &machine)
            if waitingForPrototypes, machine.prototypesRead {
                logger.warning(
                    "prototypes topic not read to its end in time; rendering with what arrived",
                    metadata: ["topic": "\(topics.prototypes)", "waited": "\(Self.prototypesWait)", "ended": "\(prototypesEnded.sorted())"])
            }
        }
    }

    /// The `map` partitions among `tps` (the consumer also reads the state topic).
    private func mapPartitions(_ tps: [TopicPartition]) -> Set<Int32> {
        Set(tps.filter { $0.topic == topics.map }.map(\.partition))
    }

    /// Carries out `actions` in order (a flush feeds the machine its outcome and carries out
    /// what that returns).
    private func execute(_ actions: [DetailLoop<MapRecord?, RerenderCommand>.Action], _ machine: inout DetailLoop<MapRecord?, RerenderCommand>) async throws {
        var pendingState: [ProducerMessage] = []
        var remaining = 0
        var queue = actions[...]
        while let action = queue.popFirst() {
            switch action {
            case .pauseAndRestore(let parts):
                try consumer.pause(parts.map { TopicPartition(topic: topics.map, partition: $0) })
                await core.run { $0.assign(parts) }
                logger.info("restoring", metadata: ["partitions": "\(parts.sorted())"])
                try await resumeFromStore(parts)
            case .drop(let parts):
                await core.run { $0.revoke(parts) }
                for p in parts { store?.release(p) }
            case .restored(let p):
                await core.run { $0.restored(p) }
                logger.info("partition restored", metadata: ["partition": "\(p)"])
            case .apply(let records):
                let packets = records.compactMap { $0 }
                for r in packets {
                    if case .surface(let s) = r.packet.payload, s.deleted {
                        logger.info("surface deleted", metadata: ["server": "\(r.server)", "surface": "\(s.name)", "partition": "\(r.partition)"])
                    }
                }
                await core.run { core in for r in packets { core.apply(r.packet, server: r.server, partition: r.partition) } }
            case .resume(let p):
                try consumer.resume([TopicPartition(topic: topics.map, partition: p)])
            case .store(let offsets):
                // Offsets are committed only past state the store holds.
                guard await saveState(offsets) else { return }
                storeOffsets(offsets)
            case .flush:
                let step = configuration.regionsPerStep
                let out = await core.run { $0.flush(maxRegions: step) }
                metrics.record(out)
                metrics.rerenderRemaining.record(out.remaining)
                for failed in await publish(out.first, producer: producer, logger: logger, history: configuration.history(topics)) {
                    await core.run { $0.failed(failed) }
                }
                pendingState = out.then
                remaining = out.remaining
                queue.append(contentsOf: machine.flushed(complete: out.complete, regions: out.regions, now: .now))
            case .report(let commands):
                await report(commands, remaining: remaining)
            case .publishState:
                let failedState = await publish(pendingState, producer: producer, logger: logger)
                for failed in failedState { await core.run { $0.failed(failed) } }
                let next = machine.statePublished(failed: !failedState.isEmpty)
                // A partition restored from the changelog is stored completely now, even if no
                // `map` record of it came (no offsets to store below).
                if failedState.isEmpty, next.isEmpty { guard await saveState([:]) else { return } }
                queue.append(contentsOf: next)
            }
        }
    }

    /// Applies a state-topic record (counted and logged when unreadable).
    private func applyState(_ m: ConsumerMessage) async {
        let (key, value, p) = (String(decoding: m.key ?? [], as: UTF8.self), m.value, m.partition)
        let error = await core.run { core -> String? in
            do { try core.applyState(key: key, value: value, partition: p) } catch { return "\(error)" }
            return nil
        }
        guard let error else { return }
        bad.report("unreadable state record", ["key": "\(key.clipped())", "offset": "\(m.offset)", "error": "\(error.clipped(400))"])
    }

    /// Stores applied `map` offsets for commit; a partition revoked meanwhile is only logged
    /// (its new owner replays from the last commit, which is harmless).
    private func storeOffsets(_ offsets: [Int32: Int64]) {
        guard !offsets.isEmpty else { return }
        do {
            try consumer.store(Dictionary(uniqueKeysWithValues: offsets.map { (TopicPartition(topic: topics.map, partition: $0.key), $0.value) }))
        } catch {
            logger.warning("could not store offsets", metadata: ["error": "\(error)"])
        }
    }

    /// Publishes progress of the running re-render commands on the control topic.
    private func report(_ commands: [RerenderCommand], remaining: Int) async {
        let owned = await core.run { $0.owned.sorted() }
        for c in commands {
            let progress = RerenderProgress(id: c.id, worker: configuration.workerID, partitions: owned, remaining: remaining)
            _ = await producer.send([ProducerMessage(topic: topics.rendererControl, key: Array(c.id.utf8), value: progress.json)])
        }
    }

    private func decode(_ message: ConsumerMessage) -> (String, Packet)? {
        guard let server = message.headerString(RecordHeader.server), Identifier.isValidServerID(server) else {
            bad.report("record without a valid server header", ["topic": "\(message.topic)", "offset": "\(message.offset)"])
            return nil
        }
        do {
            return (server, try PacketLine.decode(message.value))
        } catch {
            bad.report("undecodable record", ["topic": "\(message.topic)", "offset": "\(message.offset)", "error": "\(error)"])
            return nil
        }
    }
}
