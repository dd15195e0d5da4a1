import CRdKafka
import KafkaModel

/// Builds and reads `rd_kafka_topic_partition_list_t`. Lists are not thread-safe: keep each one local
/// to a single function and destroy it there.
enum TopicPartitionList {
    /// One entry of a list.
    struct Entry {
        /// The partition.
        var topicPartition: TopicPartition
        /// The entry's offset field.
        var offset: Int64
        /// The entry's per-partition error.
        var error: rd_kafka_resp_err_t
    }

    /// Creates a list; the caller must `rd_kafka_topic_partition_list_destroy` it.
    static func make(
        _ partitions: [TopicPartition], offsets: [Int64]? = nil
    ) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(max(1, partitions.count)))!
        for (index, tp) in partitions.enumerated() {
            let element = rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition)!
            if let offsets { element.pointee.offset = offsets[index] }
        }
        return list
    }

    /// Calls `body` with a temporary list.
    static func with<R>(
        _ partitions: [TopicPartition], offsets: [Int64]? = nil,
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws(KafkaError) -> R
    ) throws(KafkaError) -> R {
        let list = make(partitions, offsets: offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return try body(list)
    }

    /// The entries of `list`.
    static func entries(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [Entry] {
        guard let list, let elements = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = elements[index]
            return Entry(
                topicPartition: TopicPartition(topic: string(element.topic), partition: element.partition),
                offset: element.offset, error: element.err)
        }
    }

    /// The partitions of `list`.
    static func partitions(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartition] {
        entries(list).map(\.topicPartition)
    }

    /// The first per-partition error in `list` other than those in `ignoring`, as a `KafkaError`.
    static func firstError(
        _ list: UnsafePointer<rd_kafka_topic_partition_list_t>, code: KafkaError.Code, context: String,
        ignoring: Set<Int32> = [], file: String = #fileID, line: UInt = #line
    ) -> KafkaError? {
        for entry in entries(list)
        where entry.error != RD_KAFKA_RESP_ERR_NO_ERROR && !ignoring.contains(entry.error.rawValue) {
            return .rdKafka(
                code, entry.error, context: context, topic: entry.topicPartition.topic,
                partition: entry.topicPartition.partition, file: file, line: line)
        }
        return nil
    }
}
