import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Shared

/// The detail role: one member of the renderer group. Consumes `map` and the state topic
/// (co-partitioned, eager `range` assignment, so map partition p and state partition p always
/// go to the same member) and `prototypes` (all of it, every worker).
///
/// On assignment of partition p the worker pauses `map` p, reads state p from the start to its
/// end (like a Kafka Streams state store restore; Tansu has no compaction, so this reads the
/// whole changelog), renders every tile of p (unchanged tiles are still published once: a new
/// owner does not know what the previous one published), then resumes `map` p from the group's
/// committed offset. After each flush it waits for tiles, pyramid inputs and spills to be
/// delivered, then writes the changed chunks' records to the state topic, waits again, and only
/// then stores the `map` offsets it applied: a crash at any point replays absolute packets.
public final class DetailWorker: Service, Sendable {
    private let consumer: KafkaConsumer
    private let prototypes: KafkaConsumer
    private let control: KafkaConsumer
    private let producer: KafkaProducer
    private let inbox: RebalanceInbox
    private let topics: Topics
    private let configuration: TileRendererConfiguration
    private let logger: Logger
    private let core: Confined<DetailCore>
    private let metrics = RendererMetrics(role: "detail")

    /// - Parameters:
    ///   - consumer: group consumer of `map` + state topic, created with `inbox.post` as its
    ///     rebalance handler, `.eager` strategy and `partitionEOF: true`.
    ///   - prototypes: consumer of the whole `prototypes` topic (own group).
    ///   - control: consumer of the control topic from its end (own group).
    public init(
        consumer: KafkaConsumer, inbox: RebalanceInbox, prototypes: KafkaConsumer, control: KafkaConsumer,
        producer: KafkaProducer, topics: Topics, mapPartitions: Int, configuration: TileRendererConfiguration, logger: Logger
    ) throws {
        self.consumer = consumer
        self.inbox = inbox
        self.prototypes = prototypes
        self.control = control
        self.producer = producer
        self.topics = topics
        self.configuration = configuration
        self.logger = logger
        core = Confined(
            try DetailCore(mapPartitions: mapPartitions, pyramidPartitions: mapPartitions, level: configuration.compressionLevel),
            label: "tile-renderer.detail")
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.loop() }
        } catch is CancellationError {}
    }

    private func loop() async throws {
        var buffered: [Int32: [ConsumerMessage]] = [:]
        var applied: [TopicPartition: Int64] = [:]
        var dirtySince: ContinuousClock.Instant?
        var pendingRevoke: (Set<Int32>, ContinuousClock.Instant)?
        var commands: [RerenderCommand] = []
        while !Task.isCancelled {
            for m in try await prototypes.poll(maxMessages: 1000, timeout: .zero) {
                guard let (server, packet) = decode(m) else { continue }
                await core.run { $0.apply(packet, server: server) }
            }
            for m in try await control.poll(maxMessages: 100, timeout: .zero) {
                guard let command = RerenderCommand(json: m.value) else { continue }
                let chunks = await core.run { $0.rerender(server: command.server, surface: command.surface) }
                logger.info("re-render", metadata: ["id": "\(command.id)", "server": "\(command.server)", "chunks": "\(chunks)"])
                commands.append(command)
                // Flush (and report) at once, even if this worker owns nothing of the server.
                dirtySince = .now - configuration.coalesceWindow
            }
            let batch = try await consumer.pollBatch(maxMessages: configuration.batchSize, timeout: .milliseconds(50))
            for event in inbox.take() {
                switch event {
                case .assigned(let tps):
                    let parts = Set(tps.map(\.partition))
                    if let (pending, _) = pendingRevoke {
                        let gone = pending.subtracting(parts)
                        await core.run { $0.revoke(gone) }
                        pendingRevoke = nil
                    }
                    let maps = tps.filter { $0.topic == topics.map }
                    let fresh = await core.run { core in maps.map(\.partition).filter { !core.owned.contains($0) } }
                    try consumer.pause(maps.filter { fresh.contains($0.partition) })
                    await core.run { $0.assign(fresh) }
                    logger.info("assigned", metadata: ["partitions": "\(parts.sorted())", "restoring": "\(fresh.sorted())"])
                case .revoked(let tps):
                    // Eager: everything is revoked, most of it comes back; keep state until the assignment.
                    let parts = Set(tps.map(\.partition))
                    pendingRevoke = (parts.union(pendingRevoke?.0 ?? []), .now)
                    for p in parts { buffered[p] = nil }
                    applied = applied.filter { !parts.contains($0.key.partition) }
                case .lost(let tps):
                    let parts = Set(tps.map(\.partition))
                    await core.run { $0.revoke(parts) }
                    for p in parts { buffered[p] = nil }
                    applied = applied.filter { !parts.contains($0.key.partition) }
                }
            }
            if let (pending, since) = pendingRevoke, ContinuousClock.now - since > .seconds(30) {
                await core.run { $0.revoke(pending) }
                pendingRevoke = nil
            }
            var mapPackets: [(String, Packet, Int32)] = []
            for m in batch.messages {
                if m.topic == topics.rendererState {
                    let (key, value, p) = (String(decoding: m.key ?? [], as: UTF8.self), m.value, m.partition)
                    let error = await core.run { core -> String? in
                        do { try core.applyState(key: key, value: value, partition: p) } catch { return "\(error)" }
                        return nil
                    }
                    if let error {
                        metrics.badRecords.increment()
                        logger.error("unreadable state record", metadata: ["key": "\(key)", "offset": "\(m.offset)", "error": "\(error)"])
                    }
                } else if await core.run({ $0.restoring.contains(m.partition) }) {
                    buffered[m.partition, default: []].append(m)
                } else {
                    if let (server, packet) = decode(m) { mapPackets.append((server, packet, m.partition)) }
                    applied[m.topicPartition] = m.offset + 1
                }
            }
            for tp in batch.eofPartitions where tp.topic == topics.rendererState {
                let done = await core.run { core -> Bool in
                    guard core.restoring.contains(tp.partition) else { return false }
                    core.restored(tp.partition)
                    return true
                }
                guard done else { continue }
                logger.info("partition restored", metadata: ["partition": "\(tp.partition)"])
                for m in buffered.removeValue(forKey: tp.partition) ?? [] {
                    if let (server, packet) = decode(m) { mapPackets.append((server, packet, m.partition)) }
                    applied[m.topicPartition] = m.offset + 1
                }
                try consumer.resume([TopicPartition(topic: topics.map, partition: tp.partition)])
            }
            let packets = mapPackets
            let (dirty, size, restoring) = await core.run { core in
                for (server, packet, p) in packets { core.apply(packet, server: server, partition: p) }
                return (core.dirtyCount, core.state.size, core.restoring.count)
            }
            metrics.dirty.record(dirty)
            metrics.stateChunks.record(size.chunks)
            metrics.stateBuildings.record(size.buildings)
            metrics.restoring.record(restoring)
            if dirty > 0, dirtySince == nil { dirtySince = .now }
            if dirty == 0, dirtySince == nil, pendingRevoke == nil, !applied.isEmpty {
                // Nothing waits for a flush: what was applied changed nothing or is all written.
                storeOffsets(applied)
                applied = [:]
            }
            guard pendingRevoke == nil, let since = dirtySince, ContinuousClock.now - since >= configuration.coalesceWindow else { continue }
            let step = configuration.regionsPerStep
            let out = await core.run { $0.flush(maxRegions: step) }
            metrics.record(out)
            metrics.rerenderRemaining.record(out.remaining)
            for failed in await publish(out.first, producer: producer, topics: topics, logger: logger) {
                await core.run { $0.failed(failed) }
            }
            if !commands.isEmpty { await report(commands, remaining: out.remaining) }
            guard out.complete else { continue }
            dirtySince = nil
            let failedState = await publish(out.then, producer: producer, topics: topics, logger: logger)
            for failed in failedState { await core.run { $0.failed(failed) } }
            guard failedState.isEmpty else { continue }
            storeOffsets(applied)
            applied = [:]
            commands = []
        }
    }

    /// Stores applied `map` offsets for commit; a partition revoked meanwhile is only logged
    /// (its new owner replays from the last commit, which is harmless).
    private func storeOffsets(_ offsets: [TopicPartition: Int64]) {
        guard !offsets.isEmpty else { return }
        do {
            try consumer.store(offsets)
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
        guard let server = message.headerString(RecordHeader.server) else {
            metrics.badRecords.increment()
            logger.warning("record without server header", metadata: ["topic": "\(message.topic)", "offset": "\(message.offset)"])
            return nil
        }
        do {
            return (server, try PacketLine.decode(message.value))
        } catch {
            metrics.badRecords.increment()
            logger.error("undecodable record", metadata: ["topic": "\(message.topic)", "offset": "\(message.offset)", "error": "\(error)"])
            return nil
        }
    }
}
