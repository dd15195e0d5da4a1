import CRdKafka
import Logging
import KafkaModel

extension RDKafkaClient {
    /// Polls up to `maxMessages`: waits up to `timeoutMs` for the first event, then drains without waiting.
    /// Blocking: call only on the client's executor. Non-fatal consumer errors are logged and skipped;
    /// end-of-partition events are collected; a fatal error is returned as a failure.
    func pollBatch(maxMessages: Int, timeoutMs: Int32) -> Result<ConsumerBatch, KafkaError> {
        var messages: [ConsumerMessage] = []
        messages.reserveCapacity(min(maxMessages, 1024))
        var eof: [TopicPartition] = []
        var topicNames: [OpaquePointer: String] = [:]
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutMs))
        var wait = timeoutMs
        _ = context.rebalance?.takeRevoked()
        /// Drops collected messages and end-of-partition events of partitions revoked during the last
        /// poll call (a rebalance runs inside `rd_kafka_consumer_poll`); what that call returns was
        /// fetched after the revoke. An end seen before the revoke is not the end of the reading that
        /// the next assignment starts (a restore would otherwise end before it began).
        func dropRevoked() {
            guard let revoked = context.rebalance?.takeRevoked(), !revoked.isEmpty else { return }
            messages.removeAll { revoked.contains($0.topicPartition) }
            eof.removeAll { revoked.contains($0) }
        }
        while messages.count < maxMessages {
            let polled = rd_kafka_consumer_poll(rk, wait)
            dropRevoked()
            guard let message = polled else { break }
            defer { rd_kafka_message_destroy(message) }
            let topic: String =
                message.pointee.rkt.map { rkt in
                    if let name = topicNames[rkt] { return name }
                    let name = String(cString: rd_kafka_topic_name(rkt))
                    topicNames[rkt] = name
                    return name
                } ?? ""
            switch message.pointee.err {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                messages.append(copyMessage(message, topic: topic))
                wait = 0
            case RD_KAFKA_RESP_ERR__PARTITION_EOF:
                eof.append(TopicPartition(topic: topic, partition: message.pointee.partition))
                wait = 0
            default:
                let error = KafkaError.rdKafka(
                    .consume, message.pointee.err, context: payloadText(message), topic: topic.isEmpty ? nil : topic,
                    partition: message.pointee.partition >= 0 ? message.pointee.partition : nil)
                if error.isFatal || message.pointee.err == RD_KAFKA_RESP_ERR__FATAL {
                    return .failure(fatalError() ?? error)
                }
                context.logger.warning("consumer error", metadata: ["error": "\(error)"])
                if messages.isEmpty && eof.isEmpty {
                    wait = Int32(max(0, (deadline - .now).milliseconds))
                } else {
                    wait = 0
                }
            }
        }
        return .success(ConsumerBatch(messages: messages, eofPartitions: eof))
    }

    /// Copies key, value and headers out of a librdkafka message.
    private func copyMessage(_ message: UnsafeMutablePointer<rd_kafka_message_t>, topic: String) -> ConsumerMessage {
        let m = message.pointee
        let value = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? []
        let key = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        var headers: [KafkaHeader] = []
        var handle: OpaquePointer?
        if rd_kafka_message_headers(message, &handle) == RD_KAFKA_RESP_ERR_NO_ERROR, let handle {
            var index = 0
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(handle, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let headerValue = bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
                headers.append(KafkaHeader(key: string(name), value: headerValue))
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        return ConsumerMessage(
            topic: topic, partition: m.partition, offset: m.offset, key: key, value: value, headers: headers,
            timestamp: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp)
    }

    /// The error text librdkafka puts in an error message's payload.
    private func payloadText(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> String {
        guard let payload = message.pointee.payload, message.pointee.len > 0 else { return "consume" }
        let bytes = UnsafeRawBufferPointer(start: payload, count: message.pointee.len)
        return String(decoding: bytes, as: UTF8.self)
    }
}
