package import Shared

/// The pure rules of the gateway's tile history (issue 16): how versions are keyed in the
/// local store so that "the last version at or before T" is one seek, thinning, the
/// retention cut, the slider's marks and the changes between two moments. No IO here.
///
/// Store layout (keys bytewise ordered):
/// - `v/<server>/<surface>/<z>/<layer>/<x>/<y>\0<time>` → `<hash><png>`: one version (time:
///   8 bytes, big-endian, sign bit flipped; hash: 8 bytes big-endian; an empty PNG is a removal)
/// - `m/<server>/<surface>\0<time>` → empty: a mark (the start of an interval in which a tile
///   of the surface changed)
/// - `o/<partition>` → the next `tile-history` offset to read (decimal)
package struct HistoryCore: Sendable, Hashable {
    /// Milliseconds of one interval (``Settings/HistorySettings/interval``).
    package var intervalMs: Int64
    /// Milliseconds of history kept (``Settings/HistorySettings/retention``).
    package var retentionMs: Int64
    /// Most marks in a `/history` answer.
    package static let maxMarks = 512
    /// Most tiles in a `/history/changes` answer.
    package static let maxChanges = 10_000

    package init(intervalMs: Int64, retentionMs: Int64) {
        self.intervalMs = max(1, intervalMs)
        self.retentionMs = max(1, retentionMs)
    }

    // MARK: - Keys

    /// The bucket (interval number) of `ms`.
    package func bucket(_ ms: Int64) -> Int64 { ms >= 0 ? ms / intervalMs : (ms - intervalMs + 1) / intervalMs }
    /// The start of the interval holding `ms`.
    package func bucketStart(_ ms: Int64) -> Int64 { bucket(ms) * intervalMs }
    /// The retention cut at `now`: versions older than it are swept (see ``sweep(_:cut:)``).
    package func cut(now: Int64) -> Int64 { now - retentionMs }

    /// The prefix of every version key of `tile` (ends in `\0`).
    package static func versionPrefix(_ tile: TileKey) -> [UInt8] {
        Array("v/\(tile.server)/\(tile.surface)/\(tile.z)/\(tile.layer.rawValue)/\(tile.x)/\(tile.y)".utf8) + [0]
    }
    /// The prefix of the version keys of every tile at zoom `z` of a surface.
    package static func zoomPrefix(server: String, surface: String, z: Int) -> [UInt8] { Array("v/\(server)/\(surface)/\(z)/".utf8) }
    /// The prefix of a surface's marks (ends in `\0`).
    package static func markPrefix(server: String, surface: String) -> [UInt8] { Array("m/\(server)/\(surface)".utf8) + [0] }
    /// The prefix of the stored offsets.
    package static let offsetPrefix: [UInt8] = Array("o/".utf8)
    /// The key of partition `p`'s stored offset.
    package static func offsetKey(_ p: Int32) -> [UInt8] { offsetPrefix + Array(String(p).utf8) }

    /// `prefix` followed by `ms` (8 bytes, big-endian, sign flipped so that keys sort by time).
    package static func timed(_ prefix: [UInt8], _ ms: Int64) -> [UInt8] {
        let u = UInt64(bitPattern: ms) ^ (1 << 63)
        return prefix + (0..<8).map { UInt8(truncatingIfNeeded: u >> (56 - 8 * $0)) }
    }
    /// The time at the end of a timed key; nil when it is too short.
    package static func time(_ key: [UInt8]) -> Int64? {
        guard key.count >= 8 else { return nil }
        let u = key.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int64(bitPattern: u ^ (1 << 63))
    }
    /// The key of `tile`'s version of `ms`.
    package static func versionKey(_ tile: TileKey, _ ms: Int64) -> [UInt8] { timed(versionPrefix(tile), ms) }
    /// The tile prefix of a version key (without its time).
    package static func tilePrefix(ofVersionKey key: [UInt8]) -> ArraySlice<UInt8> { key.dropLast(8) }
    /// The (x, y) of a version key `v/<server>/<surface>/<z>/<layer>/<x>/<y>\0<time>`.
    package static func xy(ofVersionKey key: [UInt8]) -> (x: Int, y: Int)? {
        let head = key.dropLast(9).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard head.count >= 7, let x = Int(String(decoding: head[head.count - 2], as: UTF8.self)),
            let y = Int(String(decoding: head[head.count - 1], as: UTF8.self))
        else { return nil }
        return (x, y)
    }

    /// A version's stored value: the content hash, then the PNG.
    package static func value(hash: UInt64, png: [UInt8]) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: hash >> (56 - 8 * $0)) } + png
    }
    /// The hash and PNG of a stored value; nil when it is too short.
    package static func decode(_ value: [UInt8]) -> (hash: UInt64, png: ArraySlice<UInt8>)? {
        guard value.count >= 8 else { return nil }
        return (value.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }, value.dropFirst(8))
    }

    /// The tile of a `tile-history` key `<tile key>/<bucket>`.
    package static func tile(ofRecordKey key: String) -> TileKey? {
        guard let slash = key.lastIndex(of: "/"), Int64(key[key.index(after: slash)...]) != nil else { return nil }
        return TileKey(string: String(key[..<slash]))
    }

    // MARK: - Rules

    /// What to do with a version of `time` and `hash` when the tile's latest stored version is
    /// `latest`: store it in place of `latest` (same interval: thinning keeps the last version per
    /// interval, as compaction by key does), nothing (same content in a later interval: the
    /// latest already answers the same), or store it.
    package enum Decision: Sendable, Hashable {
        case skip
        case store
        case replace(Int64)
    }

    /// Thinning: see ``Decision``. A version older than the latest (a replay) is stored as is.
    package func decide(time: Int64, hash: UInt64, removed: Bool, latest: (time: Int64, hash: UInt64, removed: Bool)?) -> Decision {
        guard let latest else { return removed ? .skip : .store }
        if time >= latest.time && bucket(time) == bucket(latest.time) { return .replace(latest.time) }
        if latest.removed == removed && (removed || latest.hash == hash) { return .skip }
        return .store
    }

    /// The times of one tile's versions (`ascending`, with whether each is a removal) that the
    /// sweep at `cut` deletes: every version older than the cut except the newest of them, which is
    /// still current at the cut (so `?at=` just after the cut answers); that one goes too when it is
    /// a removal.
    package static func sweep(_ ascending: [(time: Int64, removed: Bool)], cut: Int64) -> [Int64] {
        let old = ascending.filter { $0.time < cut }
        guard let newest = old.last else { return [] }
        return old.dropLast().map { $0.time } + (newest.removed ? [newest.time] : [])
    }

    /// Whether the answer for `at` can no longer change at `now` (an immutable cache answer):
    /// `at` lies before the current interval, by a whole interval (versions of the interval
    /// before may still be in flight).
    package func isFinal(at: Int64, now: Int64) -> Bool { at < bucketStart(now) - intervalMs }

    /// Coarsens ascending `marks` to at most `limit`: when there are more, the window
    /// [first, last] is cut into `limit` equal parts and each part with marks keeps its first.
    package static func coarsen(_ marks: [Int64], limit: Int = maxMarks) -> [Int64] {
        guard marks.count > limit, let first = marks.first, let last = marks.last, limit > 0 else { return marks }
        let span = Double(last - first) + 1
        var out: [Int64] = []
        var lastPart = -1
        for m in marks {
            let part = min(limit - 1, Int(Double(m - first) / span * Double(limit)))
            if part != lastPart {
                out.append(m)
                lastPart = part
            }
        }
        return out
    }

    /// The content hash current at `at` among one tile's versions (`ascending`; nil hash: a
    /// removal), nil when the tile did not exist then.
    package static func current(_ ascending: [(time: Int64, hash: UInt64?)], at: Int64) -> UInt64? {
        ascending.last { $0.time <= at }?.hash
    }
}
