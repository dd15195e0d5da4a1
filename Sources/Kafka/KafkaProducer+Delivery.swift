import CRdKafka
import Synchronization

/// Pending delivery handlers, keyed by the id passed to librdkafka as the per-message opaque.
final class DeliveryRegistry: Sendable {
    /// Called exactly once with the delivery outcome.
    typealias Handler = @Sendable (Result<DeliveryReport, KafkaError>) -> Void

    private struct State {
        var nextID: UInt = 1
        var handlers: [UInt: Handler] = [:]
    }

    private let state = Mutex(State())

    /// Registers `handler`, returning its id (never 0, so it never looks like a null opaque).
    func register(_ handler: @escaping Handler) -> UInt {
        state.withLock { state in
            let id = state.nextID
            state.nextID &+= 1
            if state.nextID == 0 { state.nextID = 1 }
            state.handlers[id] = handler
            return id
        }
    }

    /// Removes and returns the handler for `id`.
    func remove(_ id: UInt) -> Handler? {
        state.withLock { $0.handlers.removeValue(forKey: id) }
    }

    /// The number of messages waiting for a delivery report.
    var pendingCount: Int { state.withLock { $0.handlers.count } }

    /// Fails every pending handler with `error` (used at shutdown, after the final flush).
    func failAll(_ error: KafkaError) {
        let handlers = state.withLock { state in
            defer { state.handlers.removeAll() }
            return Array(state.handlers.values)
        }
        for handler in handlers { handler(.failure(error)) }
    }
}

/// `dr_msg_cb`: served on the thread that calls `rd_kafka_poll`/`rd_kafka_flush` (the producer's poll
/// thread or a flush job). Looks the message's handler up by its opaque id and calls it.
func kafkaDeliveryCallback(
    _ rk: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let message, let context = ClientContext.from(opaque), let registry = context.deliveries else { return }
    let id = UInt(bitPattern: message.pointee._private)
    guard let handler = registry.remove(id) else { return }
    let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
    let partition = message.pointee.partition
    if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
        handler(.success(DeliveryReport(topic: topic, partition: partition, offset: message.pointee.offset)))
    } else {
        handler(
            .failure(
                .rdKafka(
                    .delivery, message.pointee.err, context: "delivery failed", topic: topic,
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
