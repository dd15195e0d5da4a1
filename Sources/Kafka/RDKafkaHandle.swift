import CRdKafka
import Dispatch
import Logging

/// An `rd_kafka_t *`. librdkafka documents the handle as thread-safe, hence `@unchecked Sendable`.
struct RDKafkaHandle: @unchecked Sendable {
    /// The raw handle.
    let pointer: OpaquePointer
}

/// Owns one `rd_kafka_t` and the `ClientContext` its C callbacks reach through the conf opaque.
///
/// Lifetime: the handle is destroyed when the last reference to this object goes away (the owning
/// producer/consumer/admin and any in-flight blocking job hold one), so no call can race with
/// `rd_kafka_destroy`. The destroy runs on a global dispatch queue (it joins librdkafka threads and must
/// not block the cooperative pool); the context is kept alive until it returns.
final class RDKafkaClient: Sendable {
    /// The handle.
    let handle: RDKafkaHandle
    /// The callback context (logger, metrics, delivery registry, rebalance handler).
    let context: ClientContext

    /// The raw `rd_kafka_t *`.
    var rk: OpaquePointer { handle.pointer }

    private init(handle: RDKafkaHandle, context: ClientContext) {
        self.handle = handle
        self.context = context
    }

    deinit {
        let handle = handle
        let context = context
        DispatchQueue.global().async {
            rd_kafka_destroy(handle.pointer)
            withExtendedLifetime(context) {}
        }
    }

    /// Builds a configuration from `properties` (applied in order), installs the shared callbacks plus
    /// whatever `configure` adds, and creates the client.
    static func make(
        type: rd_kafka_type_t, properties: [(String, String)], context: ClientContext,
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
        return RDKafkaClient(handle: RDKafkaHandle(pointer: rk), context: context)
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

/// Runs blocking librdkafka work on `queue` and suspends (without blocking the cooperative pool) until done.
func runBlocking<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
        queue.async { continuation.resume(returning: body()) }
    }
}

/// `String(cString:)` for an optional C string.
func string(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}
