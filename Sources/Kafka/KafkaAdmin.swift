import CRdKafka
public import Logging
public import KafkaModel
import Blocking

/// Topic administration. Every request waits for its result on the client's `BlockingExecutor`,
/// never on the cooperative pool; requests of one admin client run one after the other.
public final class KafkaAdmin: Sendable {
    private let client: RDKafkaClient
    private let logger: Logger

    /// Creates an admin client (a producer-type handle; it connects lazily).
    public init(configuration: KafkaClientConfiguration, logger: Logger) throws(KafkaError) {
        let context = ClientContext(configuration: configuration, logger: logger)
        client = try RDKafkaClient.make(
            type: RD_KAFKA_PRODUCER, role: "admin",
            properties: configuration.baseProperties + configuration.extraProperties, context: context)
        self.logger = logger
    }

    /// Creates topics that don't exist; existing ones are left alone (success), even if their partition
    /// count differs (CreatePartitions is not used: Tansu does not support it).
    public func createTopics(_ specs: [TopicSpec], timeout: Duration = .seconds(30)) async throws(KafkaError) {
        guard !specs.isEmpty else { return }
        let client = client
        let logger = logger
        try await client.executor.run { () -> Result<Void, KafkaError> in
            var topics: [OpaquePointer?] = []
            defer { for topic in topics { rd_kafka_NewTopic_destroy(topic) } }
            for spec in specs {
                var error = ErrorBuffer()
                guard
                    let topic = error.withPointer({
                        rd_kafka_NewTopic_new(spec.name, Int32(spec.partitions), Int32(spec.replicationFactor), $0, $1)
                    })
                else { return .failure(KafkaError(code: .admin, message: error.text, topic: spec.name)) }
                topics.append(topic)
                for (key, value) in spec.configs.sorted(by: { $0.key < $1.key }) {
                    let err = rd_kafka_NewTopic_set_config(topic, key, value)
                    if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                        return .failure(.rdKafka(.admin, err, context: "config \(key)=\(value)", topic: spec.name))
                    }
                }
            }
            return client.adminRequest(RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout: timeout) { options, resultQueue in
                topics.withUnsafeMutableBufferPointer {
                    rd_kafka_CreateTopics(client.rk, $0.baseAddress, $0.count, options, resultQueue)
                }
            } results: { event in
                var count = 0
                let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
                return (results, count)
            } accept: { name, err in
                if err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS {
                    logger.debug("topic already exists", metadata: ["topic": "\(name)"])
                    return true
                }
                return err == RD_KAFKA_RESP_ERR_NO_ERROR
            }
        }.get()
    }

    /// Deletes topics; missing ones are ignored.
    public func deleteTopics(_ names: [String], timeout: Duration = .seconds(30)) async throws(KafkaError) {
        guard !names.isEmpty else { return }
        let client = client
        try await client.executor.run { () -> Result<Void, KafkaError> in
            var topics: [OpaquePointer?] = names.map { rd_kafka_DeleteTopic_new($0) }
            defer { for topic in topics { rd_kafka_DeleteTopic_destroy(topic) } }
            return client.adminRequest(RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout: timeout) { options, resultQueue in
                topics.withUnsafeMutableBufferPointer {
                    rd_kafka_DeleteTopics(client.rk, $0.baseAddress, $0.count, options, resultQueue)
                }
            } results: { event in
                var count = 0
                let results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count)
                return (results, count)
            } accept: { _, err in
                err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART
            }
        }.get()
    }

    /// Partition count per topic from metadata (missing topics have no entry). Requests metadata for all
    /// topics, so asking never auto-creates a topic.
    public func partitionCounts(
        _ names: [String], timeout: Duration = .seconds(10)
    ) async throws(KafkaError) -> [String: Int] {
        let client = client
        return try await client.executor.run { () -> Result<[String: Int], KafkaError> in
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let err = rd_kafka_metadata(client.rk, 1, nil, &metadata, timeout.timeoutMs)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                return .failure(.rdKafka(.metadata, err, context: "metadata"))
            }
            defer { rd_kafka_metadata_destroy(metadata) }
            let wanted = Set(names)
            var counts: [String: Int] = [:]
            for index in 0..<Int(metadata.pointee.topic_cnt) {
                let topic = metadata.pointee.topics[index]
                let name = string(topic.topic)
                if wanted.contains(name) && topic.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    counts[name] = Int(topic.partition_cnt)
                }
            }
            return .success(counts)
        }.get()
    }
}

extension RDKafkaClient {
    /// Runs one admin request: `start` enqueues it with options and a temporary result queue, then this
    /// waits (blocking, so call off-pool) for the result event and checks every per-topic result with `accept`.
    func adminRequest(
        _ op: rd_kafka_admin_op_t, timeout: Duration,
        start: (OpaquePointer, OpaquePointer) -> Void,
        results: (OpaquePointer) -> (UnsafeMutablePointer<OpaquePointer?>?, Int),
        accept: (String, rd_kafka_resp_err_t) -> Bool
    ) -> Result<Void, KafkaError> {
        guard let options = rd_kafka_AdminOptions_new(rk, op), let resultQueue = rd_kafka_queue_new(rk) else {
            return .failure(KafkaError(code: .admin, message: "cannot allocate admin options"))
        }
        defer {
            rd_kafka_AdminOptions_destroy(options)
            rd_kafka_queue_destroy(resultQueue)
        }
        var error = ErrorBuffer()
        _ = error.withPointer { rd_kafka_AdminOptions_set_operation_timeout(options, timeout.timeoutMs, $0, $1) }
        _ = error.withPointer { rd_kafka_AdminOptions_set_request_timeout(options, timeout.timeoutMs, $0, $1) }
        start(options, resultQueue)
        // Allow a little beyond the request timeout so librdkafka reports its own timeout first.
        guard let event = rd_kafka_queue_poll(resultQueue, timeout.timeoutMs &+ 5_000) else {
            return .failure(KafkaError(code: .timeout, message: "admin request: no result within \(timeout)"))
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            return .failure(.rdKafka(.admin, err, context: string(rd_kafka_event_error_string(event))))
        }
        let (list, count) = results(event)
        for index in 0..<count {
            guard let result = list?[index] else { continue }
            let name = string(rd_kafka_topic_result_name(result))
            let topicErr = rd_kafka_topic_result_error(result)
            if !accept(name, topicErr) {
                let detail = string(rd_kafka_topic_result_error_string(result))
                return .failure(.rdKafka(.admin, topicErr, context: detail.isEmpty ? "admin" : detail, topic: name))
            }
        }
        return .success(())
    }
}
