import CRdKafka
import Logging

/// `log_cb`: librdkafka logs (syslog levels) into swift-log. Runs on librdkafka's internal threads.
func kafkaLogCallback(
    _ rk: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ buffer: UnsafePointer<CChar>?
) {
    guard let rk, let context = ClientContext.from(rd_kafka_opaque(rk)) else { return }
    context.logger.log(
        level: logLevel(syslog: level), "\(string(buffer))",
        metadata: ["librdkafka.facility": "\(string(facility))", "librdkafka.client": "\(string(rd_kafka_name(rk)))"])
}

/// `error_cb`: client-level errors. Most are transient (brokers down, connection refused) and librdkafka
/// retries by itself; fatal ones are recorded so the owner can see them and recreate the client.
func kafkaErrorCallback(_ rk: OpaquePointer?, _ err: Int32, _ reason: UnsafePointer<CChar>?, _ opaque: UnsafeMutableRawPointer?) {
    guard let rk, let context = ClientContext.from(opaque) else { return }
    let code = rd_kafka_resp_err_t(rawValue: err)
    if code == RD_KAFKA_RESP_ERR__FATAL {
        let error = RDKafkaHandleFatal.read(rk) ?? KafkaError(code: .fatal, message: string(reason), isFatal: true)
        context.recordFatal(error)
        context.logger.critical("librdkafka fatal error; the client must be recreated", metadata: ["error": "\(error)"])
        return
    }
    let transient =
        code == RD_KAFKA_RESP_ERR__TRANSPORT || code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN
        || code == RD_KAFKA_RESP_ERR__RESOLVE
    context.logger.log(
        level: transient ? .warning : .error, "librdkafka error: \(string(reason))",
        metadata: ["librdkafka.error": "\(String(cString: rd_kafka_err2name(code)))"])
}

/// Reads `rd_kafka_fatal_error` from a raw handle (inside a callback, where no `RDKafkaClient` is at hand).
enum RDKafkaHandleFatal {
    /// The fatal error of `rk`, if one was raised.
    static func read(_ rk: OpaquePointer) -> KafkaError? {
        var error = ErrorBuffer()
        let code = error.withPointer { rd_kafka_fatal_error(rk, $0, $1) }
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(code: .fatal, message: error.text, rdKafkaCode: code.rawValue, isFatal: true)
    }
}

/// Maps syslog severities (0 emerg … 7 debug) to swift-log levels.
func logLevel(syslog level: Int32) -> Logger.Level {
    switch level {
    case ...2: .critical
    case 3: .error
    case 4: .warning
    case 5: .notice
    case 6: .info
    default: .debug
    }
}
