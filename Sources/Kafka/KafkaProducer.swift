import CRdKafka
public import Logging
public import ServiceLifecycle
public import KafkaModel
import Blocking

/// An asynchronous Kafka producer.
///
/// A poll loop on the client's `BlockingExecutor` serves delivery reports; `send` suspends until the broker acknowledges. When
/// librdkafka's local queue is full, sending waits for room (it never drops). As a `Service`, `run()` waits
/// for graceful shutdown and then flushes (bounded by `shutdownFlushTimeout`). Messages still undelivered
/// after that fail with `.shutdown` (or a purge error). The `rd_kafka_t` is destroyed when the producer is
/// released.
public final class KafkaProducer: Service, Sendable {
    private let client: RDKafkaClient
    private let pollLoop: ProducerPollLoop
    private let configuration: ProducerConfiguration
    private let logger: Logger

    /// Creates the producer and starts its poll loop.
    public init(configuration: ProducerConfiguration, logger: Logger) throws(KafkaError) {
        let context = ClientContext(
            configuration: configuration.client, logger: logger, deliveries: DeliveryRegistry())
        client = try RDKafkaClient.make(
            type: RD_KAFKA_PRODUCER, role: "producer", properties: configuration.rdKafkaProperties, context: context
        ) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf, kafkaDeliveryCallback)
        }
        self.configuration = configuration
        self.logger = logger
        pollLoop = ProducerPollLoop(client: client)
        logger.info(
            "Kafka producer started",
            metadata: [
                "librdkafka": "\(String(cString: rd_kafka_version_str()))",
                "bootstrap": "\(configuration.client.bootstrapServers)",
                "idempotence": "\(configuration.idempotence)",
            ])
    }

    deinit {
        // No-op after shutdown(); otherwise stop the poll loop without flushing.
        pollLoop.requestStop(flushTimeout: nil)
    }

    /// The fatal error librdkafka raised, if any. A producer with a fatal error (for example an idempotent
    /// producer whose broker lost its state) cannot recover: shut it down and create a new one.
    public var fatalError: KafkaError? { client.fatalError() }

    /// The number of messages waiting for a delivery report.
    public var pendingDeliveries: Int { client.context.deliveries?.pendingCount ?? 0 }

    /// Sends and waits for the delivery report. Waits (never drops) while librdkafka's local queue is full.
    /// Waiting for the report ignores task cancellation; it ends by `messageTimeout` at the latest.
    public func send(_ message: ProducerMessage) async throws(KafkaError) -> DeliveryReport {
        let promise = DeliveryPromise()
        try await enqueue(message) { promise.fulfill($0) }
        return try await promise.value().get()
    }

    /// Sends many, waits for all reports; results in input order.
    public func send(_ messages: [ProducerMessage]) async -> [Result<DeliveryReport, KafkaError>] {
        var slots: [Result<DeliveryPromise, KafkaError>] = []
        slots.reserveCapacity(messages.count)
        for message in messages {
            let promise = DeliveryPromise()
            do {
                try await enqueue(message) { promise.fulfill($0) }
                slots.append(.success(promise))
            } catch {
                slots.append(.failure(error))
            }
        }
        var results: [Result<DeliveryReport, KafkaError>] = []
        results.reserveCapacity(slots.count)
        for slot in slots {
            switch slot {
            case .success(let promise): results.append(await promise.value())
            case .failure(let error): results.append(.failure(error))
            }
        }
        return results
    }

    /// Enqueues without waiting for delivery (still waits while the queue is full); `onDelivery` is called
    /// exactly once (on the producer's poll loop, or a flush) with the report, in produce order per
    /// partition. Throws (and does not call `onDelivery`) if librdkafka refuses the message or the producer
    /// is shut down; throws `CancellationError`-free: a cancelled task keeps waiting for queue space.
    public func enqueue(
        _ message: ProducerMessage,
        onDelivery: @escaping @Sendable (Result<DeliveryReport, KafkaError>) -> Void
    ) async throws(KafkaError) {
        guard let registry = client.context.deliveries else { preconditionFailure("producer without registry") }
        guard !pollLoop.isStopping else { throw .shutdown("enqueue") }
        let id = registry.register(onDelivery)
        while true {
            let generation = pollLoop.spaceGeneration
            switch client.produce(message, id: id) {
            case .enqueued:
                return
            case .failed(let error):
                _ = registry.remove(id)
                if error.isFatal { client.context.recordFatal(error) }
                throw error
            case .queueFull:
                if await !pollLoop.waitForSpace(after: generation) || pollLoop.isStopping {
                    _ = registry.remove(id)
                    throw .shutdown("enqueue")
                }
            }
        }
    }

    /// Enqueues `messages` without waiting for delivery, with one registry entry and one handler for the
    /// whole batch (each message's opaque is the batch id and its index): `onDelivery` is called exactly
    /// once, when every message has an outcome, with the failed ones by index (on the poll loop, a
    /// flush, or this task when the last outcome is a refusal). Waits (never drops) while librdkafka's
    /// local queue is full. A message librdkafka refuses, and every message not yet enqueued when the
    /// producer stops, is reported failed in the same report. At most 16 777 216 messages per batch.
    public func enqueue(
        batch messages: [ProducerMessage], onDelivery: @escaping @Sendable (BatchDeliveryReport) -> Void
    ) async {
        await enqueueBatch(count: messages.count, onDelivery: onDelivery) { index, id in
            client.produce(messages[index], id: id)
        }
    }

    /// Enqueues the records of `batch` like ``enqueue(batch:onDelivery:)-([ProducerMessage],_)``
    /// (one handler for all, reports by record index), producing each straight from the batch's
    /// buffers by topic handle: no Swift allocation per record.
    public func enqueue(batch: ProducerBatch, onDelivery: @escaping @Sendable (BatchDeliveryReport) -> Void) async {
        let client = client
        let topics = client.topicHandles(batch.topics)
        defer { client.releaseTopics(topics) }
        await enqueueBatch(count: batch.count, onDelivery: onDelivery) { index, id in
            client.produce(batch, record: index, topics: topics, id: id)
        }
    }

    /// The shared loop of the batch enqueues: `produce(index, opaque)` hands message `index` over.
    private func enqueueBatch(
        count: Int, onDelivery: @escaping @Sendable (BatchDeliveryReport) -> Void,
        produce: (Int, UInt) -> ProduceAttempt
    ) async {
        guard let registry = client.context.deliveries else { preconditionFailure("producer without registry") }
        guard count > 0 else { return onDelivery(BatchDeliveryReport(count: 0, failures: [:])) }
        let batch = registry.registerBatch(count: count, onDelivery)
        if pollLoop.isStopping {
            return registry.failBatchMessages(batch: batch, 0..<count, error: .shutdown("enqueue"))
        }
        var index = 0
        // The queue-space generation read before the latest attempt that found the queue full.
        var fullAt: UInt64?
        while index < count {
            switch produce(index, DeliveryRegistry.opaque(batch: batch, index: index)) {
            case .enqueued:
                index += 1
                fullAt = nil
                // Serve ready delivery reports here too (non-blocking), as kcat does: librdkafka then
                // frees delivered messages on the thread that allocated them, which glibc's
                // allocator handles without taking another thread's arena lock.
                if index & 255 == 0 { rd_kafka_poll(client.rk, 0) }
            case .failed(let error):
                if error.isFatal { client.context.recordFatal(error) }
                registry.completeBatchMessage(batch: batch, index: index, error: error)
                index += 1
                fullAt = nil
            case .queueFull:
                guard let generation = fullAt else {
                    // Read the generation, then try once more so no wake-up in between is lost.
                    fullAt = pollLoop.spaceGeneration
                    continue
                }
                if await !pollLoop.waitForSpace(after: generation) || pollLoop.isStopping {
                    registry.failBatchMessages(batch: batch, index..<count, error: .shutdown("enqueue"))
                    return
                }
                fullAt = nil
            }
        }
    }

    /// Waits until every enqueued message has a delivery report, or throws `.timeout`. Runs
    /// `rd_kafka_flush` on the client's executor, between two polls of the poll loop.
    public func flush(timeout: Duration) async throws(KafkaError) {
        guard !pollLoop.isStopping else { throw .shutdown("flush") }
        let client = client
        let err = await client.executor.run { rd_kafka_flush(client.rk, timeout.timeoutMs) }
        if err == RD_KAFKA_RESP_ERR__TIMED_OUT {
            throw KafkaError(
                code: .timeout, message: "flush: \(rd_kafka_outq_len(client.rk)) messages still queued after \(timeout)",
                rdKafkaCode: err.rawValue, isRetriable: true)
        }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .rdKafka(.produce, err, context: "flush") }
    }

    /// Service entry point: waits for graceful shutdown (or cancellation), then flushes and stops.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Stops accepting messages, flushes (bounded by `shutdownFlushTimeout`), fails what is left with
    /// `.shutdown` and stops the poll loop. Idempotent; every caller waits for completion.
    public func shutdown() async {
        pollLoop.requestStop(flushTimeout: configuration.shutdownFlushTimeout)
        await pollLoop.waitUntilStopped()
        logger.info("Kafka producer stopped", metadata: ["client": "\(configuration.client.clientID)"])
    }
}
