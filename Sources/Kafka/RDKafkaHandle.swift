import Blocking
import CRdKafka
import Logging

/// An `rd_kafka_t *`. librdkafka documents the handle as thread-safe, hence `@unchecked Sendable`.
struct RDKafkaHandle: @unchecked Sendable {
    /// The raw handle.
    let pointer: OpaquePointer
}

/// Owns one `rd_kafka_t` and the `ClientContext` its C callbacks reach through the conf opaque.
///
/// Every blocking librdkafka call of the client (poll with a timeout, flush, commit, seek, admin
/// requests, close, destroy) runs on its one ``executor``, after swift-kafka-client's one
/// `DispatchQueueTaskExecutor` per client: never on the cooperative pool, and in submission order.
///
/// Lifetime: the handle is destroyed when the last reference to this object goes away (the owning
/// producer/consumer/admin and any in-flight blocking job hold one), so no call can race with
/// `rd_kafka_destroy`. The destroy runs on the executor too (it joins librdkafka threads and must
/// not block the cooperative pool), after every job queued before it; the context is kept alive
/// until it returns.
final class RDKafkaClient: Sendable {
    /// The handle.
    let handle: RDKafkaHandle
    /// The callback context (logger, metrics, delivery registry, rebalance handler).
    let context: ClientContext
    /// Where the client's blocking calls run (one serial queue per client).
    let executor: BlockingExecutor

    /// The raw `rd_kafka_t *`.
    var rk: OpaquePointer { handle.pointer }

    private init(handle: RDKafkaHandle, context: ClientContext, executor: BlockingExecutor) {
        self.handle = handle
        self.context = context
        self.executor = executor
    }

    deinit {
        let handle = handle
        let context = context
        Task(executorPreference: executor) {
            rd_kafka_destroy(handle.pointer)
            withExtendedLifetime(context) {}
        }
    }

    /// Builds a configuration from `properties` (applied in order), installs the shared callbacks plus
    /// whatever `configure` adds, and creates the client. `role` (`consumer`, `producer`, `admin`,
    /// `reader`) and the client id name its executor's queue (`kafka-<role>-<client id>`).
    static func make(
        type: rd_kafka_type_t, role: String, properties: [(String, String)], context: ClientContext,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) -> RDKafkaClient {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: .configuration, message: "rd_kafka_conf_new failed")
        }
        for (key, value) in properties {
            var error = ErrorBuffer()
            let result = error.withPointer { rd_kafka_conf_set(conf, key, value, $0, $1) }
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                throw KafkaError(code: .configuration, message: "\(key)=\(value): \(error.text)")
            }
        }
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        installCommonCallbacks(conf)
        configure(conf)
        var error = ErrorBuffer()
        guard let rk = error.withPointer({ rd_kafka_new(type, conf, $0, $1) }) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(code: .configuration, message: "rd_kafka_new: \(error.text)")
        }
        context.logger.debug(
            "librdkafka client created",
            metadata: [
                "librdkafka": "\(String(cString: rd_kafka_version_str()))",
                "name": "\(String(cString: rd_kafka_name(rk)))",
            ])
        return RDKafkaClient(
            handle: RDKafkaHandle(pointer: rk), context: context,
            executor: BlockingExecutor(label: "kafka-\(role)-\(context.clientID)"))
    }

    /// The fatal error librdkafka raised for this client, if any.
    func fatalError() -> KafkaError? {
        context.fatalError ?? RDKafkaHandleFatal.read(rk)
    }
}

/// A 512-byte `char errstr[]` for librdkafka calls.
struct ErrorBuffer {
    private var bytes = [CChar](repeating: 0, count: 512)

    /// Calls `body` with the buffer and its size.
    mutating func withPointer<R>(_ body: (UnsafeMutablePointer<CChar>, Int) -> R) -> R {
        bytes.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
    }

    /// The NUL-terminated text in the buffer.
    var text: String {
        bytes.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// `String(cString:)` for an optional C string.
func string(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}
