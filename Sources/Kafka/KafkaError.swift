import CRdKafka

/// An error from the Kafka wrapper, with the librdkafka code and context (topic, partition, call site).
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// What kind of operation failed. Extensible: switch with a `default:` branch.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// A textual name for the code, e.g. `"delivery"`.
        public var description: String { name }

        /// Invalid configuration property or a client that could not be created.
        public static let configuration = Code("configuration")
        /// librdkafka refused to enqueue a message (other than a full queue).
        public static let produce = Code("produce")
        /// The broker did not acknowledge a message (failed delivery report).
        public static let delivery = Code("delivery")
        /// The local producer queue is full (only surfaced where waiting is impossible).
        public static let queueFull = Code("queueFull")
        /// Consuming (polling) failed.
        public static let consume = Code("consume")
        /// Committing offsets failed.
        public static let commit = Code("commit")
        /// Storing offsets for a later commit failed.
        public static let offsetStore = Code("offsetStore")
        /// Subscribing, seeking, pausing, resuming or reading the assignment failed.
        public static let partition = Code("partition")
        /// A rebalance could not be applied.
        public static let rebalance = Code("rebalance")
        /// An admin operation (create or delete topics) failed.
        public static let admin = Code("admin")
        /// A metadata request failed.
        public static let metadata = Code("metadata")
        /// The client was shut down before or while the operation ran.
        public static let shutdown = Code("shutdown")
        /// The operation did not finish in time.
        public static let timeout = Code("timeout")
        /// librdkafka raised a fatal error: the client must be recreated.
        public static let fatal = Code("fatal")
    }

    /// What kind of operation failed.
    public var code: Code
    /// The librdkafka `rd_kafka_resp_err_t` value, if the error came from librdkafka.
    public var rdKafkaCode: Int32?
    /// A human-readable explanation.
    public var message: String
    /// The topic concerned, if any.
    public var topic: String?
    /// The partition concerned, if any.
    public var partition: Int32?
    /// `true` when the client is unusable and must be recreated.
    public var isFatal: Bool
    /// `true` when retrying the same operation may succeed.
    public var isRetriable: Bool
    /// The source file (`#fileID`) where the error was created.
    public var file: String
    /// The source line where the error was created.
    public var line: UInt

    /// Creates an error. Prefer the librdkafka-aware factories inside the module.
    public init(
        code: Code, message: String, rdKafkaCode: Int32? = nil, topic: String? = nil, partition: Int32? = nil,
        isFatal: Bool = false, isRetriable: Bool = false, file: String = #fileID, line: UInt = #line
    ) {
        self.code = code
        self.message = message
        self.rdKafkaCode = rdKafkaCode
        self.topic = topic
        self.partition = partition
        self.isFatal = isFatal
        self.isRetriable = isRetriable
        self.file = file
        self.line = line
    }

    /// `KafkaError.delivery(-192 Local: Message timed out) topic=t partition=0 [Kafka/KafkaProducer.swift:42]`.
    public var description: String {
        var text = "KafkaError.\(code)("
        if let rdKafkaCode { text += "\(rdKafkaCode) " }
        text += message + ")"
        if let topic { text += " topic=\(topic)" }
        if let partition { text += " partition=\(partition)" }
        if isFatal { text += " fatal" }
        if isRetriable { text += " retriable" }
        return text + " [\(file):\(line)]"
    }
}

extension KafkaError {
    /// An error from a plain `rd_kafka_resp_err_t`.
    static func rdKafka(
        _ code: Code, _ err: rd_kafka_resp_err_t, context: String? = nil, topic: String? = nil,
        partition: Int32? = nil, file: String = #fileID, line: UInt = #line
    ) -> KafkaError {
        let text = String(cString: rd_kafka_err2str(err))
        return KafkaError(
            code: err == RD_KAFKA_RESP_ERR__FATAL ? .fatal : code,
            message: context.map { "\($0): \(text)" } ?? text,
            rdKafkaCode: err.rawValue, topic: topic, partition: partition,
            isFatal: err == RD_KAFKA_RESP_ERR__FATAL, isRetriable: retriableCodes.contains(err.rawValue),
            file: file, line: line)
    }

    /// An error from an `rd_kafka_error_t`, which this call destroys.
    static func consuming(
        _ error: OpaquePointer, _ code: Code, context: String? = nil, topic: String? = nil,
        partition: Int32? = nil, file: String = #fileID, line: UInt = #line
    ) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        let text = String(cString: rd_kafka_error_string(error))
        let fatal = rd_kafka_error_is_fatal(error) != 0
        return KafkaError(
            code: fatal ? .fatal : code, message: context.map { "\($0): \(text)" } ?? text,
            rdKafkaCode: rd_kafka_error_code(error).rawValue, topic: topic, partition: partition,
            isFatal: fatal, isRetriable: rd_kafka_error_is_retriable(error) != 0, file: file, line: line)
    }

    /// The client has been shut down.
    static func shutdown(_ what: String, file: String = #fileID, line: UInt = #line) -> KafkaError {
        KafkaError(code: .shutdown, message: "\(what): client is shut down", file: file, line: line)
    }

    /// Transient librdkafka errors for which a retry can help.
    private static let retriableCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue,
        RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue, RD_KAFKA_RESP_ERR__TRANSPORT.rawValue,
        RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN.rawValue, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION.rawValue, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE.rawValue,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS.rawValue, RD_KAFKA_RESP_ERR_NOT_COORDINATOR.rawValue,
        RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS.rawValue, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue,
    ]
}
