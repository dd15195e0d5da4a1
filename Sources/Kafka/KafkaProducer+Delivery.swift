import CRdKafka
import Synchronization
import KafkaModel

/// Pending delivery handlers, keyed by the id passed to librdkafka as the per-message opaque.
///
/// Two kinds of entries share the opaque space: a single message's id (high bit clear) and a batch
/// message's `batchTag | batchID << indexBits | index` (high bit set), so a whole batch needs one entry
/// and one handler, with no per-message Swift allocation on the delivery path.
final class DeliveryRegistry: Sendable {
    /// Called exactly once with the delivery outcome.
    typealias Handler = @Sendable (Result<DeliveryReport, KafkaError>) -> Void
    /// Called exactly once per batch, when every message of it has an outcome.
    typealias BatchHandler = @Sendable (BatchDeliveryReport) -> Void

    /// Bits of the opaque holding a message's index in its batch.
    static let indexBits = 24
    /// The largest batch `registerBatch` accepts.
    static let maxBatchCount = 1 << indexBits
    private static let batchTag: UInt = 1 << (UInt.bitWidth - 1)
    private static let batchIDMask: UInt = (1 << (UInt.bitWidth - 1 - indexBits)) - 1

    private struct Batch {
        var handler: BatchHandler
        var remaining: Int
        var count: Int
        var failures: [Int: KafkaError] = [:]
        /// One bit per message that has its outcome.
        var done: [UInt64]
    }

    private struct State {
        var nextID: UInt = 1
        var handlers: [UInt: Handler] = [:]
        var nextBatchID: UInt = 1
        var batches: [UInt: Batch] = [:]
        var batchPending = 0
    }

    private let state = Mutex(State())

    /// Registers `handler`, returning its id (never 0, so it never looks like a null opaque).
    func register(_ handler: @escaping Handler) -> UInt {
        state.withLock { state in
            let id = state.nextID
            state.nextID &+= 1
            if state.nextID & Self.batchTag != 0 { state.nextID = 1 }
            state.handlers[id] = handler
            return id
        }
    }

    /// Removes and returns the handler for `id`.
    func remove(_ id: UInt) -> Handler? {
        state.withLock { $0.handlers.removeValue(forKey: id) }
    }

    /// Registers a batch of `count` messages (1...maxBatchCount); returns its id.
    func registerBatch(count: Int, _ handler: @escaping BatchHandler) -> UInt {
        precondition(count > 0 && count <= Self.maxBatchCount, "batch size out of range")
        return state.withLock { state in
            let id = state.nextBatchID
            state.nextBatchID = (state.nextBatchID &+ 1) & Self.batchIDMask
            if state.nextBatchID == 0 { state.nextBatchID = 1 }
            state.batches[id] = Batch(
                handler: handler, remaining: count, count: count,
                done: [UInt64](repeating: 0, count: (count + 63) >> 6))
            state.batchPending += count
            return id
        }
    }

    /// The opaque of message `index` of batch `batch`.
    static func opaque(batch: UInt, index: Int) -> UInt {
        batchTag | batch << indexBits | UInt(index)
    }

    /// Splits an opaque into (batch id, index), or nil for a single message's id.
    static func batchParts(_ opaque: UInt) -> (batch: UInt, index: Int)? {
        guard opaque & batchTag != 0 else { return nil }
        return ((opaque & ~batchTag) >> indexBits, Int(opaque & UInt(maxBatchCount - 1)))
    }

    /// Records the outcome of one batch message (`error` nil: delivered). Calls the batch's handler
    /// (outside the lock) when it was the last outstanding message. Unknown batches and repeated
    /// outcomes are ignored.
    func completeBatchMessage(batch: UInt, index: Int, error: KafkaError?) {
        let finished: (BatchHandler, BatchDeliveryReport)? = state.withLock { state in
            guard let slot = state.batches.index(forKey: batch), index < state.batches.values[slot].count else {
                return nil
            }
            let word = index >> 6
            let bit = UInt64(1) << UInt64(index & 63)
            guard state.batches.values[slot].done[word] & bit == 0 else { return nil }
            state.batches.values[slot].done[word] |= bit
            state.batchPending -= 1
            if let error { state.batches.values[slot].failures[index] = error }
            state.batches.values[slot].remaining -= 1
            guard state.batches.values[slot].remaining == 0 else { return nil }
            let entry = state.batches.remove(at: slot).value
            return (entry.handler, BatchDeliveryReport(count: entry.count, failures: entry.failures))
        }
        if let (handler, report) = finished { handler(report) }
    }

    /// Records the same error for messages `range` of a batch (refused or never produced).
    func failBatchMessages(batch: UInt, _ range: Range<Int>, error: KafkaError) {
        for index in range { completeBatchMessage(batch: batch, index: index, error: error) }
    }

    /// The number of messages waiting for a delivery report.
    var pendingCount: Int { state.withLock { $0.handlers.count + $0.batchPending } }

    /// Fails every pending handler with `error` (used at shutdown, after the final flush).
    func failAll(_ error: KafkaError) {
        let (handlers, batches) = state.withLock { state in
            defer {
                state.handlers.removeAll()
                state.batches.removeAll()
                state.batchPending = 0
            }
            return (Array(state.handlers.values), Array(state.batches.values))
        }
        for handler in handlers { handler(.failure(error)) }
        for batch in batches {
            var failures = batch.failures
            for index in 0..<batch.count where batch.done[index >> 6] & (UInt64(1) << UInt64(index & 63)) == 0 {
                failures[index] = error
            }
            batch.handler(BatchDeliveryReport(count: batch.count, failures: failures))
        }
    }
}

/// The outcome of a batch enqueued with ``KafkaProducer/enqueue(batch:onDelivery:)``: which messages
/// failed (by index in the batch) and why; every other message was delivered.
public struct BatchDeliveryReport: Sendable {
    /// The number of messages in the batch.
    public let count: Int
    /// The failed messages, by index.
    public let failures: [Int: KafkaError]

    /// Creates a report.
    public init(count: Int, failures: [Int: KafkaError]) {
        self.count = count
        self.failures = failures
    }

    /// The error of message `index`, or nil if it was delivered.
    public func error(at index: Int) -> KafkaError? { failures[index] }
}

/// `dr_msg_cb`: served on the thread that calls `rd_kafka_poll`/`rd_kafka_flush` (the producer's poll
/// loop or a flush job on its executor, or a sender's non-blocking poll). Looks the message's handler up by its opaque id and calls it.
func kafkaDeliveryCallback(
    _ rk: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let message, let context = ClientContext.from(opaque), let registry = context.deliveries else { return }
    let id = UInt(bitPattern: message.pointee._private)
    let partition = message.pointee.partition
    let err = message.pointee.err
    if let (batch, index) = DeliveryRegistry.batchParts(id) {
        // The topic name is only materialised for a failure.
        let error: KafkaError? =
            err == RD_KAFKA_RESP_ERR_NO_ERROR
            ? nil
            : .rdKafka(
                .delivery, err, context: "delivery failed",
                topic: message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "",
                partition: partition >= 0 ? partition : nil)
        registry.completeBatchMessage(batch: batch, index: index, error: error)
        return
    }
    guard let handler = registry.remove(id) else { return }
    let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
    if err == RD_KAFKA_RESP_ERR_NO_ERROR {
        handler(.success(DeliveryReport(topic: topic, partition: partition, offset: message.pointee.offset)))
    } else {
        handler(
            .failure(
                .rdKafka(
                    .delivery, err, context: "delivery failed", topic: topic,
                    partition: partition >= 0 ? partition : nil)))
    }
}

/// A one-shot slot for a delivery outcome that may arrive before or after someone awaits it.
final class DeliveryPromise: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<Result<DeliveryReport, KafkaError>, Never>)
        case done(Result<DeliveryReport, KafkaError>)
    }

    private let state = Mutex(State.pending)

    /// Stores the outcome and wakes the waiter, if any. Only the first call counts.
    func fulfill(_ result: Result<DeliveryReport, KafkaError>) {
        let waiter: CheckedContinuation<Result<DeliveryReport, KafkaError>, Never>? = state.withLock { state in
            switch state {
            case .pending:
                state = .done(result)
                return nil
            case .waiting(let continuation):
                state = .done(result)
                return continuation
            case .done:
                return nil
            }
        }
        waiter?.resume(returning: result)
    }

    /// Waits for the outcome. At most one task may wait.
    func value() async -> Result<DeliveryReport, KafkaError> {
        await withCheckedContinuation { continuation in
            let ready: Result<DeliveryReport, KafkaError>? = state.withLock { state in
                switch state {
                case .pending:
                    state = .waiting(continuation)
                    return nil
                case .done(let result):
                    return result
                case .waiting:
                    preconditionFailure("DeliveryPromise awaited twice")
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
