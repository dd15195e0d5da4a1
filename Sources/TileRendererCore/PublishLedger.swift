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
    /// Slots whose hash changed since ``takeChanged(where:)`` (only when ``tracksChanges``:
    /// the detail core persists them in its state store).
    private(set) var changed: Set<String> = []
    /// Whether ``changed`` is kept.
    var tracksChanges = false
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
        set(slot, value.isEmpty ? nil : hash)
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
        set(Self.slot(topic.name(topics), key), value.isEmpty ? nil : ContentHash.fnv1a64(value))
    }

    /// Forgets `record`, so the next flush sends it again (its publish failed).
    mutating func forget(_ record: ProducerMessage) { set(Self.slot(record.topic, record.keyString ?? ""), nil) }

    /// Forgets the hash of `key`, so its next record is sent even if the bytes are the same.
    mutating func forget(_ topic: RenderTopic, _ key: String) { set(Self.slot(topic.name(topics), key), nil) }

    /// Sets the hash of `slot` (nil: nothing published), noting the change when tracked.
    mutating func set(_ slot: String, _ hash: UInt64?) {
        guard hashes[slot] != hash else { return }
        hashes[slot] = hash
        if tracksChanges { changed.insert(slot) }
    }

    /// Takes the changed slots for which `pick` holds, with their hashes (nil: none).
    mutating func takeChanged(where pick: (String) -> Bool) -> [(slot: String, hash: UInt64?)] {
        let taken = changed.filter(pick)
        changed.subtract(taken)
        return taken.sorted().map { ($0, hashes[$0]) }
    }

    /// Keeps only the slots for which `keep` holds.
    mutating func retain(where keep: (String) -> Bool) {
        hashes = hashes.filter { slot, _ in keep(slot) }
        changed = changed.filter(keep)
    }
}
