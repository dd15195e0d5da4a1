package import Shared

/// The pure rules of player trails (issue 16): how player positions are kept in the gateway's
/// history store, thinned as they arrive, cut into segments and downsampled for an answer.
/// No IO here.
///
/// Store layout (beside ``HistoryCore``'s, keys bytewise ordered):
/// - `p/<server>/<surface>\0<player index, 4 bytes BE><time>` → one sample: x and y in tenths of
///   a tile (4 bytes BE each, two's complement) and a flag byte (1: online)
/// - `q/<server>/<surface>\0<player index, 4 bytes BE>` → the player's name and colour as last
///   seen there (``player(_:)``)
/// - `r/<partition>` → the next `player-history` offset to read (decimal)
package enum TrailCore {
    /// One position of a player.
    package struct Sample: Sendable, Hashable {
        /// Unix milliseconds.
        package var time: Int64
        /// Map position in tiles.
        package var x: Double
        package var y: Double
        package var online: Bool

        package init(time: Int64, x: Double, y: Double, online: Bool = true) {
            self.time = time
            self.x = x
            self.y = y
            self.online = online
        }
    }

    /// Samples of one player closer in time than this to the last one kept are dropped (unless
    /// the player went on- or offline): a walking player is kept at most once a second.
    package static let minSampleMs: Int64 = 1000
    /// A silence longer than this (no packet: the player stood still, or the gateway was away)
    /// does not end a segment; going offline does. Longer silences than this start a new one.
    package static let maxGapMs: Int64 = 600_000
    /// The downsampling tolerance in tiles when the request names none.
    package static let defaultTolerance = 1.0
    /// Most points in one answer: the tolerance is doubled until the trails fit.
    package static let maxPoints = 20_000
    /// The window of an answer when the request names none: the hour before `to`.
    package static let defaultWindowMs: Int64 = 3_600_000

    // MARK: - Keys

    /// The prefix of every sample key of the surface (ends in `\0`).
    package static func surfacePrefix(server: String, surface: String) -> [UInt8] { Array("p/\(server)/\(surface)".utf8) + [0] }
    /// The prefix of one player's sample keys on a surface.
    package static func playerPrefix(server: String, surface: String, player: Int) -> [UInt8] {
        surfacePrefix(server: server, surface: surface) + be32(UInt32(truncatingIfNeeded: player))
    }
    /// The key of a player's name and colour on a surface.
    package static func playerKey(server: String, surface: String, player: Int) -> [UInt8] {
        Array("q/\(server)/\(surface)".utf8) + [0] + be32(UInt32(truncatingIfNeeded: player))
    }
    /// The prefix of the player keys of a surface.
    package static func playersPrefix(server: String, surface: String) -> [UInt8] { Array("q/\(server)/\(surface)".utf8) + [0] }
    /// The prefix of every sample key.
    package static let samplesPrefix: [UInt8] = Array("p/".utf8)
    /// The prefix of the stored `player-history` offsets.
    package static let offsetPrefix: [UInt8] = Array("r/".utf8)
    /// The key of partition `p`'s stored offset.
    package static func offsetKey(_ p: Int32) -> [UInt8] { offsetPrefix + Array(String(p).utf8) }
    /// The player index at the end of a player key (or of a sample key without its time).
    package static func playerIndex(_ prefix: ArraySlice<UInt8>) -> Int? {
        guard prefix.count >= 4 else { return nil }
        return Int(Int32(bitPattern: prefix.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
    }

    /// A sample's stored value.
    package static func value(_ s: Sample) -> [UInt8] {
        be32(UInt32(bitPattern: decitiles(s.x))) + be32(UInt32(bitPattern: decitiles(s.y))) + [s.online ? 1 : 0]
    }
    /// The sample stored under `key` (a sample key) with `value`; nil when either is malformed.
    package static func sample(key: [UInt8], value: [UInt8]) -> Sample? {
        guard value.count == 9, let time = HistoryCore.time(key) else { return nil }
        func int(_ at: Int) -> Int32 { Int32(bitPattern: value[at..<at + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }) }
        return Sample(time: time, x: Double(int(0)) / 10, y: Double(int(4)) / 10, online: value[8] == 1)
    }
    /// A player's stored name and colour: `r g b a` (one byte each, 0–255) and the UTF-8 name.
    package static func player(_ p: PlayerState) -> [UInt8] {
        let c = p.color.rgba8
        return [c.r, c.g, c.b, c.a] + Array(p.name.utf8)
    }
    /// The name and colour (`[r, g, b, a]`, 0–1) of a stored player value.
    package static func player(_ value: [UInt8]) -> (name: String, color: [Double])? {
        guard value.count >= 4 else { return nil }
        return (String(decoding: value.dropFirst(4), as: UTF8.self), value.prefix(4).map { (Double($0) / 255 * 1000).rounded() / 1000 })
    }

    // MARK: - Rules

    /// Whether a sample of `time` is kept after `last` (the player's last kept sample on that
    /// surface): a second or more later, or the player went on- or offline. Replays of older
    /// samples are dropped (their slot is taken).
    package static func keep(_ s: Sample, after last: Sample?) -> Bool {
        guard let last else { return true }
        if s.online != last.online { return s.time >= last.time }
        return s.time >= last.time + minSampleMs
    }

    /// Cuts one player's samples (ascending) into segments: going offline ends one (offline
    /// samples are not drawn), so does a silence longer than ``maxGapMs``.
    package static func segments(_ ascending: [Sample], maxGap: Int64 = maxGapMs) -> [[Sample]] {
        var out: [[Sample]] = []
        var current: [Sample] = []
        for s in ascending {
            if !s.online || (current.last.map { s.time - $0.time > maxGap } ?? false) {
                if !current.isEmpty { out.append(current) }
                current = []
            }
            if s.online { current.append(s) }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Ramer–Douglas–Peucker: the points of `line` to keep so that no dropped point is farther
    /// than `tolerance` tiles from the kept polyline. First and last are always kept; the order
    /// is kept. Iterative (a long trail cannot overflow the stack).
    package static func simplify(_ line: [Sample], tolerance: Double) -> [Sample] {
        guard line.count > 2, tolerance > 0 else { return line }
        var keep = [Bool](repeating: false, count: line.count)
        keep[0] = true
        keep[line.count - 1] = true
        var stack = [(0, line.count - 1)]
        while let (first, last) = stack.popLast() {
            guard last > first + 1 else { continue }
            var worst = 0.0
            var index = first
            for i in (first + 1)..<last {
                let d = distance(line[i], from: line[first], to: line[last])
                if d > worst {
                    worst = d
                    index = i
                }
            }
            if worst > tolerance {
                keep[index] = true
                stack.append((first, index))
                stack.append((index, last))
            }
        }
        return line.indices.filter { keep[$0] }.map { line[$0] }
    }

    /// Downsamples every segment with `tolerance`, doubled until all fit in `maxPoints`; returns
    /// the segments and the tolerance used.
    package static func downsample(_ segments: [[Sample]], tolerance: Double, maxPoints: Int = maxPoints) -> ([[Sample]], Double) {
        var t = max(0, tolerance)
        while true {
            let out = segments.map { simplify($0, tolerance: t) }
            let points = out.reduce(0) { $0 + $1.count }
            // Every segment keeps at least its two ends: past that, no tolerance helps.
            if points <= maxPoints || points <= 2 * out.count || t > 1e7 { return (out, t) }
            t = t == 0 ? 0.5 : t * 2
        }
    }

    /// The distance of `p` from the segment `a`–`b`, in tiles.
    package static func distance(_ p: Sample, from a: Sample, to b: Sample) -> Double {
        let (dx, dy) = (b.x - a.x, b.y - a.y)
        let length2 = dx * dx + dy * dy
        guard length2 > 0 else { return ((p.x - a.x) * (p.x - a.x) + (p.y - a.y) * (p.y - a.y)).squareRoot() }
        let u = max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2))
        let (cx, cy) = (a.x + u * dx - p.x, a.y + u * dy - p.y)
        return (cx * cx + cy * cy).squareRoot()
    }

    private static func be32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) } }
    private static func decitiles(_ v: Double) -> Int32 {
        guard v.isFinite else { return 0 }
        return Int32(max(Double(Int32.min), min(Double(Int32.max), (v * 10).rounded())))
    }
}
