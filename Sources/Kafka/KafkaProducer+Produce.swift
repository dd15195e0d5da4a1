import CRdKafka
import KafkaModel

/// The outcome of one `rd_kafka_produceva` attempt.
enum ProduceAttempt {
    /// librdkafka took the message.
    case enqueued
    /// The local queue is full: wait for deliveries and retry.
    case queueFull
    /// librdkafka refused the message.
    case failed(KafkaError)
}

extension RDKafkaClient {
    /// Hands one message to librdkafka (`RD_KAFKA_MSG_F_COPY`, so our buffers only need to live for the call).
    /// Never blocks. `id` travels as the message opaque and comes back in the delivery report.
    func produce(_ message: ProducerMessage, id: UInt) -> ProduceAttempt {
        // Value and key are passed in place (librdkafka copies them during the call).
        message.value.withUnsafeBytes { value in
            guard let key = message.key else { return produce(message, value: value, key: nil, id: id) }
            return key.withUnsafeBytes { produce(message, value: value, key: $0, id: id) }
        }
    }

    private func produce(
        _ message: ProducerMessage, value: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer?, id: UInt
    ) -> ProduceAttempt {
        // Topic, header names (NUL-terminated) and header values go into one scratch buffer
        // (stack-allocated when small) whose address is stable for the duration of the call.
        var size = message.topic.utf8.count + 1
        for header in message.headers { size += header.key.utf8.count + 1 + (header.value?.count ?? 0) }
        let vuCount = 5 + message.headers.count + (message.key == nil ? 0 : 1) + (message.partition == nil ? 0 : 1)
        let error = withUnsafeTemporaryAllocation(byteCount: max(size, 1), alignment: 8) { scratch in
            withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: vuCount) { vus in
                var writer = ProduceArguments(scratch: scratch, vus: vus)
                let topic = writer.cString(message.topic)
                writer.add(RD_KAFKA_VTYPE_TOPIC) { $0.cstr = topic }
                // An empty value or key is still non-null: point it at the scratch buffer.
                let empty = UnsafeMutableRawPointer(mutating: scratch.baseAddress!)
                writer.add(RD_KAFKA_VTYPE_VALUE) {
                    $0.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress) ?? empty
                    $0.mem.size = value.count
                }
                if let key {
                    writer.add(RD_KAFKA_VTYPE_KEY) {
                        $0.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress) ?? empty
                        $0.mem.size = key.count
                    }
                }
                for header in message.headers {
                    let name = writer.cString(header.key)
                    let bytes = header.value.map { UnsafeRawPointer(writer.bytes($0)) }
                    writer.add(RD_KAFKA_VTYPE_HEADER) {
                        $0.header.name = name
                        $0.header.val = bytes
                        $0.header.size = header.value?.count ?? 0
                    }
                }
                if let partition = message.partition { writer.add(RD_KAFKA_VTYPE_PARTITION) { $0.i32 = partition } }
                writer.add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.i = RD_KAFKA_MSG_F_COPY }
                writer.add(RD_KAFKA_VTYPE_OPAQUE) { $0.ptr = UnsafeMutableRawPointer(bitPattern: id) }
                return rd_kafka_produceva(rk, vus.baseAddress, writer.vuCount)
            }
        }
        guard let error else { return .enqueued }
        if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
            rd_kafka_error_destroy(error)
            return .queueFull
        }
        return .failed(
            .consuming(error, .produce, context: "produce", topic: message.topic, partition: message.partition))
    }
}

/// Fills the scratch buffer and the `rd_kafka_vu_t` array for one `rd_kafka_produceva` call.
private struct ProduceArguments {
    let scratch: UnsafeMutableRawBufferPointer
    let vus: UnsafeMutableBufferPointer<rd_kafka_vu_t>
    private var cursor = 0
    private(set) var vuCount = 0

    init(scratch: UnsafeMutableRawBufferPointer, vus: UnsafeMutableBufferPointer<rd_kafka_vu_t>) {
        self.scratch = scratch
        self.vus = vus
    }

    /// Copies `bytes` into the scratch buffer and returns their address.
    mutating func bytes(_ bytes: [UInt8]) -> UnsafeMutableRawPointer {
        let start = scratch.baseAddress! + cursor
        bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: scratch[cursor...]).copyMemory(from: $0) }
        cursor += bytes.count
        return start
    }

    /// Copies `text` NUL-terminated into the scratch buffer and returns its address.
    mutating func cString(_ text: String) -> UnsafePointer<CChar> {
        let start = scratch.baseAddress! + cursor
        UnsafeMutableRawBufferPointer(rebasing: scratch[cursor...]).copyBytes(from: text.utf8)
        let count = text.utf8.count
        scratch[cursor + count] = 0
        cursor += count + 1
        return UnsafePointer(start.assumingMemoryBound(to: CChar.self))
    }

    /// Appends one argument of type `type`, its union filled by `fill`.
    mutating func add(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t.__Unnamed_union_u) -> Void) {
        var vu = rd_kafka_vu_t()
        vu.vtype = type
        fill(&vu.u)
        vus[vuCount] = vu
        vuCount += 1
    }
}

extension RDKafkaClient {
    /// Handles for `names` (librdkafka keeps one object per topic; each call takes a reference, so
    /// producing by handle skips the per-message lookup by name). nil for a name librdkafka refuses.
    /// Give them back with ``releaseTopics(_:)``.
    func topicHandles(_ names: [String]) -> [OpaquePointer?] {
        names.map { rd_kafka_topic_new(rk, $0, nil) }
    }

    /// Drops the references taken by ``topicHandles(_:)``.
    func releaseTopics(_ handles: [OpaquePointer?]) {
        for handle in handles { if let handle { rd_kafka_topic_destroy(handle) } }
    }

    /// Hands record `index` of `batch` to librdkafka (`RD_KAFKA_MSG_F_COPY`), pointing straight into
    /// the batch's buffers: no Swift allocation and no copy besides librdkafka's own.
    func produce(_ batch: ProducerBatch, record index: Int, topics: [OpaquePointer?], id: UInt) -> ProduceAttempt {
        let record = batch.records[index]
        guard let rkt = topics[Int(record.topic)] else {
            let code = rd_kafka_last_error()
            return .failed(
                .rdKafka(.produce, code, context: "produce: no handle for topic", topic: batch.topics[Int(record.topic)]))
        }
        let vuCount = 4 + Int(record.headerCount) + (batch.key == nil ? 0 : 1)
        let error: OpaquePointer? = batch.values.withUnsafeBytes { values in
            batch.headerBytes.withUnsafeBytes { headerBytes in
                batch.cNames.withUnsafeBufferPointer { names in
                    (batch.key ?? []).withUnsafeBytes { key in
                        withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: vuCount) { vus in
                            // Empty values and keys must still be non-null pointers.
                            let nonNull = UnsafeMutableRawPointer(mutating: names.baseAddress!)
                            var n = 0
                            func add(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t.__Unnamed_union_u) -> Void) {
                                var vu = rd_kafka_vu_t()
                                vu.vtype = type
                                fill(&vu.u)
                                vus[n] = vu
                                n += 1
                            }
                            add(RD_KAFKA_VTYPE_RKT) { $0.rkt = rkt }
                            add(RD_KAFKA_VTYPE_VALUE) {
                                $0.mem.ptr =
                                    values.baseAddress.map { UnsafeMutableRawPointer(mutating: $0 + record.valueStart) }
                                    ?? nonNull
                                $0.mem.size = record.valueCount
                            }
                            if batch.key != nil {
                                add(RD_KAFKA_VTYPE_KEY) {
                                    $0.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress) ?? nonNull
                                    $0.mem.size = key.count
                                }
                            }
                            for h in batch.headers[Int(record.headerStart)..<Int(record.headerStart + record.headerCount)] {
                                add(RD_KAFKA_VTYPE_HEADER) {
                                    $0.header.name = names.baseAddress! + batch.cNameOffsets[Int(h.name)]
                                    $0.header.val =
                                        headerBytes.baseAddress.map { UnsafeRawPointer($0 + Int(h.start)) }
                                        ?? UnsafeRawPointer(nonNull)
                                    $0.header.size = Int(h.count)
                                }
                            }
                            add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.i = RD_KAFKA_MSG_F_COPY }
                            add(RD_KAFKA_VTYPE_OPAQUE) { $0.ptr = UnsafeMutableRawPointer(bitPattern: id) }
                            return rd_kafka_produceva(rk, vus.baseAddress, n)
                        }
                    }
                }
            }
        }
        guard let error else { return .enqueued }
        if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
            rd_kafka_error_destroy(error)
            return .queueFull
        }
        return .failed(.consuming(error, .produce, context: "produce", topic: batch.topics[Int(record.topic)]))
    }
}
