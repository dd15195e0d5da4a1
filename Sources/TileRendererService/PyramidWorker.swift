package import Kafka
package import Logging
import Metrics
import ServiceLifecycle
package import Shared
package import TileRendererCore
package import KafkaModel

/// The pyramid role: one member of the pyramid group, building the zoom levels below 0 from
/// the `pyramid` topic (see ``PyramidCore``). The topic is its own state: offsets are never
/// committed, so an assigned partition is always read from its start (Tansu has no
/// compaction, so that is the whole partition); the worker renders a partition's buckets once
/// it reached the partition's end, then keeps up with new inputs.
package final class PyramidWorker: Service, Sendable {
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let inbox: RebalanceInbox
    private let topics: Topics
    private let configuration: TileRendererConfiguration
    private let logger: Logger
    private let core: CoreExecutor<PyramidCore>
    private let metrics = RendererMetrics(role: "pyramid")
    private let bad: BadRecords

    /// - Parameter consumer: group consumer of `pyramid`, created with `inbox.post` as its
    ///   rebalance handler, `.eager` strategy and `partitionEOF: true`.
    package init(
        consumer: KafkaConsumer, inbox: RebalanceInbox, producer: KafkaProducer, topics: Topics, pyramidPartitions: Int,
        configuration: TileRendererConfiguration, logger: Logger
    ) throws {
        self.consumer = consumer
        self.inbox = inbox
        self.producer = producer
        self.topics = topics
        self.configuration = configuration
        self.logger = logger
        bad = BadRecords(metrics: metrics, logger: logger)
        core = CoreExecutor(
            try PyramidCore(pyramidPartitions: pyramidPartitions, level: configuration.compressionLevel, topics: topics), label: "tile-renderer.pyramid")
    }

    package func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.loop() }
        } catch is CancellationError {}
    }

    private func loop() async throws {
        var dirtySince: ContinuousClock.Instant?
        var pendingRevoke: (Set<Int32>, ContinuousClock.Instant)?
        while !Task.isCancelled {
            let batch = try await consumer.pollBatch(maxMessages: configuration.batchSize, timeout: .milliseconds(50))
            for event in inbox.take() {
                switch event {
                case .assigned(let tps):
                    let parts = Set(tps.map(\.partition))
                    let gone = pendingRevoke?.0.subtracting(parts) ?? []
                    pendingRevoke = nil
                    await core.run {
                        $0.revoke(gone)
                        $0.assign(parts)
                    }
                    logger.info("pyramid partitions assigned", metadata: ["partitions": "\(parts.sorted())"])
                case .revoked(let tps):
                    pendingRevoke = (Set(tps.map(\.partition)).union(pendingRevoke?.0 ?? []), .now)
                case .lost(let tps):
                    let parts = Set(tps.map(\.partition))
                    await core.run { $0.revoke(parts) }
                }
            }
            if let (pending, since) = pendingRevoke, ContinuousClock.now - since > .seconds(30) {
                await core.run { $0.revoke(pending) }
                pendingRevoke = nil
            }
            let messages = batch.messages.map { (String(decoding: $0.key ?? [], as: UTF8.self), $0.value, $0.headerString(PyramidCore.forceHeader) == "1", $0.offset) }
            let errors = await core.run { core -> [String] in
                var errors: [String] = []
                for (key, value, force, offset) in messages {
                    do { try core.apply(key: key, value: value, force: force) } catch { errors.append("\(key.clipped())@\(offset): \(error)") }
                }
                return errors
            }
            for e in errors { bad.report("unreadable pyramid record", ["record": "\(e)"]) }
            let eof = batch.eofPartitions.filter { $0.topic == topics.pyramid }.map(\.partition)
            let (dirty, inputs, restoring) = await core.run { core in
                for p in eof { core.restored(p) }
                return (core.dirtyCount, core.inputCount, core.restoring.count)
            }
            metrics.dirty.record(dirty)
            metrics.stateChunks.record(inputs)
            metrics.restoring.record(restoring)
            if dirty > 0, dirtySince == nil { dirtySince = .now }
            guard pendingRevoke == nil, let since = dirtySince, ContinuousClock.now - since >= configuration.coalesceWindow else { continue }
            dirtySince = nil
            let out = await core.run { $0.flush() }
            metrics.record(out)
            for failed in await publish(out.first, producer: producer, logger: logger, history: configuration.history(topics)) {
                await core.run { $0.failed(failed) }
            }
        }
    }
}
