import KafkaModel
import Shared

/// The topics a render core publishes to.
enum RenderTopic: Sendable, Hashable {
    case tiles, pyramid, state

    /// The topic's name.
    func name(_ topics: Topics) -> String {
        switch self {
        case .tiles: topics.tiles
        case .pyramid: topics.pyramid
        case .state: topics.rendererState
        }
    }
}

/// What a render core has published, by `topic|key`: the content hash of the last value (so
/// unchanged bytes are not sent again), and the monotonic version stamped on tile records.
/// Shared by ``DetailCore`` and ``PyramidCore``.
struct PublishLedger {
    private(set) var hashes: [String: UInt64] = [:]
    private var version: UInt64 = 0
    private let clock: () -> UInt64
    let topics: Topics

    init(topics: Topics, clock: @escaping () -> UInt64) {
        self.topics = topics
        self.clock = clock
    }

    static func slot(_ topic: String, _ key: String) -> String { "\(topic)|\(key)" }

    /// A record for `key`, or nil when the same bytes were published last (or a tombstone for
    /// something never published, unless `mayExist`: another worker may have published it).
    /// Tile records carry the headers `hash` (``ContentHash/fnv1a64(_:)`` of the value, lowercase
    /// hex without leading zeros; that of the empty value for a removal), `server` and
    /// `version`, in that order.
    mutating func record(
        _ topic: RenderTopic, _ key: String, _ value: [UInt8], partition: Int32?, force: Bool,
        mayExist: Bool = false, server: String
    ) -> ProducerMessage? {
        let hash = ContentHash.fnv1a64(value)
        let name = topic.name(topics)
        let slot = Self.slot(name, key)
        let previous = hashes[slot]
        if !force && (previous == hash || (value.isEmpty && previous == nil && !mayExist)) { return nil }
        hashes[slot] = value.isEmpty ? nil : hash
        guard topic == .tiles else { return ProducerMessage(topic: name, key: Array(key.utf8), value: value, partition: partition) }
        version = max(version + 1, clock())
        return ProducerMessage(
            topic: name, key: Array(key.utf8), value: value,
            headers: [
                KafkaHeader(key: RecordHeader.contentHash, string: String(hash, radix: 16)),
                KafkaHeader(key: RecordHeader.server, string: server),
                KafkaHeader(key: RecordHeader.version, string: String(version)),
            ], partition: partition)
    }

    /// Notes `value` as already published under `key` (it was read back from the topic).
    mutating func remember(_ topic: RenderTopic, _ key: String, _ value: [UInt8]) {
        hashes[Self.slot(topic.name(topics), key)] = value.isEmpty ? nil : ContentHash.fnv1a64(value)
    }

    /// Forgets `record`, so the next flush sends it again (its publish failed).
    mutating func forget(_ record: ProducerMessage) { hashes[Self.slot(record.topic, record.keyString ?? "")] = nil }

    /// Keeps only the slots for which `keep` holds.
    mutating func retain(where keep: (String) -> Bool) { hashes = hashes.filter { slot, _ in keep(slot) } }
}
