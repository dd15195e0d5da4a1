/// How a detail worker's persistent state store (one local key-value store per worker, see
/// `RendererStore`) lays out the state of the `map` partitions it owns, keyed by partition:
///
/// - `m/<pppp>`: the partition's header, written in the same atomic batch as the state it
///   describes: ``Header`` (format version, partition layout, the next `map` and
///   `renderer-state` offsets that state includes);
/// - `c/<pppp>/<state key>`: the last state record of every chunk and spill of the partition
///   (the `renderer-state` key and value, ``StateKey``);
/// - `h/<pppp>/<topic>|<key>`: the content hash of the last value published under a tile,
///   pyramid-input or state key of the partition (``PublishLedger``), 8 bytes little-endian.
///
/// `<pppp>` is the partition number in four decimal digits, so one partition's keys share a
/// prefix and sort together. A store written in more than one batch first deletes the header,
/// so data without a header is a half-written store.
package enum StateStoreLayout {
    /// The version of this layout; a store of another version is rebuilt.
    package static let formatVersion = 1
    private static let magic = "kafkatorio-renderer-state"

    /// What a partition's header says.
    package struct Header: Sendable, Hashable {
        package var formatVersion: Int
        /// Partition count of `map` (= `renderer-state`) when it was written.
        package var partitions: Int
        /// The next `map` offset: every record before it is applied in the stored state.
        package var mapOffset: Int64
        /// The next `renderer-state` offset: every record before it is applied.
        package var stateOffset: Int64

        package init(formatVersion: Int = StateStoreLayout.formatVersion, partitions: Int, mapOffset: Int64, stateOffset: Int64) {
            self.formatVersion = formatVersion
            self.partitions = partitions
            self.mapOffset = mapOffset
            self.stateOffset = stateOffset
        }

        /// `kafkatorio-renderer-state <version> <partitions> <map offset> <state offset>`.
        package var encoded: [UInt8] { Array("\(StateStoreLayout.magic) \(formatVersion) \(partitions) \(mapOffset) \(stateOffset)".utf8) }

        /// Parses ``encoded``; nil if it is not a header.
        package init?(decoding bytes: [UInt8]) {
            let parts = String(decoding: bytes, as: UTF8.self).split(separator: " ")
            guard parts.count == 5, parts[0] == StateStoreLayout.magic, let v = Int(parts[1]), let n = Int(parts[2]),
                let m = Int64(parts[3]), let s = Int64(parts[4]), m >= 0, s >= 0
            else { return nil }
            self.init(formatVersion: v, partitions: n, mapOffset: m, stateOffset: s)
        }
    }

    /// What a worker may do with a partition's stored state.
    package enum Verdict: Sendable, Hashable {
        /// Nothing stored: restore from the changelog.
        case empty
        /// Resume from it, then read `renderer-state` from `stateOffset` and `map` from `mapOffset`.
        case valid(Header)
        /// Unusable (the reason, for the log and the metric): delete it and restore from the changelog.
        case invalid(reason: String)
    }

    /// Judges a partition's store from its header bytes (nil: none) and whether it holds data.
    package static func verdict(header: [UInt8]?, hasData: Bool, partitions: Int) -> Verdict {
        guard let header else { return hasData ? .invalid(reason: "half-written (data without a header)") : .empty }
        guard let h = Header(decoding: header) else { return .invalid(reason: "unreadable header \(String(decoding: header.prefix(80), as: UTF8.self).debugDescription)") }
        guard h.formatVersion == formatVersion else { return .invalid(reason: "format version \(h.formatVersion), this build reads \(formatVersion)") }
        guard h.partitions == partitions else { return .invalid(reason: "partition layout of \(h.partitions) partitions, map has \(partitions)") }
        return .valid(h)
    }

    static func tag(_ p: Int32) -> String {
        let digits = String(p)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The header key of partition `p`.
    package static func headerKey(_ p: Int32) -> [UInt8] { Array("m/\(tag(p))".utf8) }
    /// The prefix of partition `p`'s state records.
    package static func recordPrefix(_ p: Int32) -> [UInt8] { Array("c/\(tag(p))/".utf8) }
    /// The key of state record `key` (a ``StateKey`` string) of partition `p`.
    package static func recordKey(_ p: Int32, _ key: String) -> [UInt8] { recordPrefix(p) + Array(key.utf8) }
    /// The prefix of partition `p`'s published hashes.
    package static func hashPrefix(_ p: Int32) -> [UInt8] { Array("h/\(tag(p))/".utf8) }
    /// The key of the published hash of ledger slot `slot` (`topic|key`) of partition `p`.
    package static func hashKey(_ p: Int32, _ slot: String) -> [UInt8] { hashPrefix(p) + Array(slot.utf8) }

    /// A hash as stored (8 bytes little-endian).
    package static func encodeHash(_ h: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: h >> (8 * $0)) } }
    /// A stored hash; nil unless 8 bytes.
    package static func decodeHash(_ b: [UInt8]) -> UInt64? {
        guard b.count == 8 else { return nil }
        return b.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * $1.offset) }
    }
}
