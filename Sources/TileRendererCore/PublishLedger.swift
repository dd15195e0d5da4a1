import Shared

/// What a render core has published, by `topic|key`: the content hash of the last value (so
/// unchanged bytes are not sent again), and the monotonic version stamped on tile records.
/// Shared by ``DetailCore`` and ``PyramidCore``.
struct PublishLedger {
    private(set) var hashes: [String: UInt64] = [:]
    private var version: UInt64 = 0
    private let clock: () -> UInt64

    init(clock: @escaping () -> UInt64) { self.clock = clock }

    static func slot(_ topic: OutputRecord.Topic, _ key: String) -> String { "\(topic)|\(key)" }

    /// A record for `key`, or nil when the same bytes were published last (or a tombstone for
    /// something never published, unless `mayExist`: another worker may have published it).
    /// Tile records carry the `server`, `version` and `hash` headers.
    mutating func record(
        _ topic: OutputRecord.Topic, _ key: String, _ value: [UInt8], partition: Int32?, force: Bool,
        mayExist: Bool = false, server: String
    ) -> OutputRecord? {
        let hash = ContentHash.fnv1a64(value)
        let slot = Self.slot(topic, key)
        let previous = hashes[slot]
        if !force && (previous == hash || (value.isEmpty && previous == nil && !mayExist)) { return nil }
        hashes[slot] = value.isEmpty ? nil : hash
        guard topic == .tiles else { return OutputRecord(topic: topic, key: key, value: value, partition: partition, headers: [:]) }
        version = max(version + 1, clock())
        return OutputRecord(
            topic: topic, key: key, value: value, partition: partition,
            headers: [RecordHeader.server: server, RecordHeader.version: String(version), RecordHeader.contentHash: String(hash, radix: 16)])
    }

    /// Notes `value` as already published under `key` (it was read back from the topic).
    mutating func remember(_ topic: OutputRecord.Topic, _ key: String, _ value: [UInt8]) {
        hashes[Self.slot(topic, key)] = value.isEmpty ? nil : ContentHash.fnv1a64(value)
    }

    /// Forgets `record`, so the next flush sends it again (its publish failed).
    mutating func forget(_ record: OutputRecord) { hashes[Self.slot(record.topic, record.key)] = nil }

    /// Keeps only the slots for which `keep` holds.
    mutating func retain(where keep: (String) -> Bool) { hashes = hashes.filter { slot, _ in keep(slot) } }
}
