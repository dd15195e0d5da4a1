/// A Kafka record header. A `nil` value is a null header value.
public struct KafkaHeader: Sendable, Hashable {
    /// The header name.
    public var key: String
    /// The header value bytes, or `nil` for a null value.
    public var value: [UInt8]?

    /// Creates a header from raw bytes.
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    /// Creates a header whose value is the UTF-8 encoding of `string`.
    public init(key: String, string: String) {
        self.key = key
        self.value = Array(string.utf8)
    }
}

/// A partition of a topic.
public struct TopicPartition: Sendable, Hashable, CustomStringConvertible {
    /// The topic name.
    public var topic: String
    /// The partition number.
    public var partition: Int32

    /// Creates a topic-partition pair.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    /// `topic[partition]`.
    public var description: String { "\(topic)[\(partition)]" }
}

/// What produced and consumed records have in common: a key and headers, with lookups by name.
public protocol KafkaRecord {
    /// The key, or `nil` for a null key.
    var key: [UInt8]? { get }
    /// Record headers, in order.
    var headers: [KafkaHeader] { get }
}

extension KafkaRecord {
    /// The value of the first header named `key`, or `nil` if there is none (or its value is null).
    public func header(_ key: String) -> [UInt8]? {
        headers.first { $0.key == key }?.value
    }

    /// The value of the first header named `key` decoded as UTF-8 (invalid bytes repaired), or `nil`.
    public func headerString(_ key: String) -> String? {
        header(key).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The key decoded as UTF-8 (invalid bytes repaired), or `nil` for a null key.
    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
}

/// A record to produce: the one record type every service publishes (PacketIngest's routed,
/// event, dead-letter and state records, TileRenderer's outputs). Pure data, so routing rules that
/// build it are unit-testable. LogPipe, which ships hundreds of thousands of lines a second,
/// describes many at once with ``ProducerBatch`` instead.
public struct ProducerMessage: KafkaRecord, Sendable, Hashable {
    /// The destination topic.
    public var topic: String
    /// The key (`nil` for a null key). Keyed records go to `hash(key) % partitions` unless `partition` is set.
    public var key: [UInt8]?
    /// The value bytes.
    public var value: [UInt8]
    /// Record headers, in order.
    public var headers: [KafkaHeader]
    /// An explicit partition, or `nil` to let the partitioner choose.
    public var partition: Int32?

    /// Creates a record to produce.
    public init(
        topic: String, key: [UInt8]? = nil, value: [UInt8], headers: [KafkaHeader] = [], partition: Int32? = nil
    ) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.partition = partition
    }
}

extension ProducerMessage {
    /// A record whose key is the UTF-8 of `key`.
    public init(topic: String, key: String, value: [UInt8], headers: [KafkaHeader] = [], partition: Int32? = nil) {
        self.init(topic: topic, key: Array(key.utf8), value: value, headers: headers, partition: partition)
    }
}

/// Where a produced record was stored, as acknowledged by the broker.
public struct DeliveryReport: Sendable, Hashable {
    /// The topic the record was written to.
    public var topic: String
    /// The partition the record was written to.
    public var partition: Int32
    /// The record's offset (`-1` if the broker did not return one, e.g. with `acks=0`).
    public var offset: Int64

    /// Creates a delivery report.
    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}

/// A consumed record. Key, value and headers are copied out of librdkafka's buffers.
public struct ConsumerMessage: KafkaRecord, Sendable {
    /// The topic the record came from.
    public var topic: String
    /// The partition the record came from.
    public var partition: Int32
    /// The record's offset.
    public var offset: Int64
    /// The key, or `nil` for a null key.
    public var key: [UInt8]?
    /// The value (empty for a null value).
    public var value: [UInt8]
    /// Record headers, in order.
    public var headers: [KafkaHeader]
    /// The record timestamp in milliseconds since the epoch, if any.
    public var timestamp: Int64?

    /// Creates a consumed record (for tests and fakes).
    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]? = nil, value: [UInt8],
        headers: [KafkaHeader] = [], timestamp: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// The partition this record came from.
    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }
}

/// The result of one consumer poll: records plus partitions that reached their end.
public struct ConsumerBatch: Sendable {
    /// The records, in the order librdkafka returned them (ordered per partition).
    public var messages: [ConsumerMessage]
    /// Partitions that reported end-of-partition during this poll (only with `partitionEOF: true`).
    public var eofPartitions: [TopicPartition]

    /// Creates a batch.
    public init(messages: [ConsumerMessage], eofPartitions: [TopicPartition]) {
        self.messages = messages
        self.eofPartitions = eofPartitions
    }
}

/// A change of the consumer's partition assignment.
public enum RebalanceEvent: Sendable, Hashable {
    /// These partitions were added to the assignment (already applied when the handler runs).
    case assigned([TopicPartition])
    /// These partitions are being taken away (not yet unassigned when the handler runs).
    case revoked([TopicPartition])
    /// These partitions were lost (session timed out); their offsets are not committed.
    case lost([TopicPartition])
}

/// The consumer-group partition assignment strategy.
public enum AssignmentStrategy: Sendable, Hashable {
    /// Eager `range` assignment: every rebalance revokes everything, then reassigns.
    case eager
    /// Incremental `cooperative-sticky`: only moved partitions are revoked.
    case cooperativeSticky
}

/// Where to start when a group has no committed offset for a partition.
public enum OffsetReset: String, Sendable, Hashable {
    /// From the oldest retained record.
    case earliest
    /// Only records produced after the assignment.
    case latest
}

/// A topic to create.
public struct TopicSpec: Sendable, Hashable {
    /// The topic name.
    public var name: String
    /// The partition count.
    public var partitions: Int
    /// The replication factor, or `-1` for the broker default.
    public var replicationFactor: Int
    /// Topic configs such as `cleanup.policy` or `retention.ms`.
    public var configs: [String: String]

    /// Creates a topic specification.
    public init(name: String, partitions: Int, replicationFactor: Int = 1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}
