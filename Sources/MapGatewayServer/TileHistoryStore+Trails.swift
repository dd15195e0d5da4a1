import Blocking
package import KafkaModel
package import LocalStore
package import MapGatewayCore
import Metrics
import Shared
import Synchronization

/// One player's trail on a surface in a time window, for the trails API.
package struct PlayerTrail: Sendable, Hashable {
    /// `LuaPlayer.index`.
    package var index: Int
    /// Name and colour as last seen on the surface (`[r, g, b, a]`, 0–1).
    package var name: String
    package var color: [Double]
    /// The segments (``TrailCore/segments(_:maxGap:)``), downsampled, ascending in time.
    package var segments: [[TrailCore.Sample]]
}

/// Player trails in the history store (issue 16, ``TrailCore`` has the layout): the player
/// packets of `player-history`, thinned to one sample a second per player, the next offset of
/// each partition in the same batch; swept with the tile versions.
extension TileHistoryStore {
    /// Stores the player samples of `messages` (records of `player-history`; unreadable ones and
    /// other packet types are counted and skipped) and the next offset of their partitions, in
    /// one batch. A sample's time is the record's `time` header, else its Kafka timestamp.
    package func applyTrails(_ messages: [ConsumerMessage]) async throws(LocalStoreError) {
        guard !messages.isEmpty else { return }
        let kept = try await executor.run { () throws(LocalStoreError) -> Int in
            var batch = LocalStoreBatch()
            var next: [Int32: Int64] = [:]
            var kept = 0
            var last = lastSamples.withLock { $0 }
            for m in messages {
                next[m.partition] = max(next[m.partition] ?? 0, m.offset + 1)
                guard let server = m.headerString(RecordHeader.server), Identifier.isValidServerID(server),
                    let time = m.headerString(RecordHeader.time).flatMap({ Int64($0) }) ?? m.timestamp,
                    let packet = try? PacketLine.decode(m.value), case .player(let p) = packet.payload,
                    Identifier.isValidSurfaceName(p.surface)
                else {
                    metrics.unreadablePlayers.increment()
                    continue
                }
                let prefix = TrailCore.playerPrefix(server: server, surface: p.surface, player: p.index)
                if last[prefix] == nil,
                    let found = try store.last(prefix: prefix, atOrBefore: prefix + [UInt8](repeating: 0xFF, count: 8))
                {
                    last[prefix] = TrailCore.sample(key: found.key, value: found.value)
                }
                let sample = TrailCore.Sample(time: time, x: p.x, y: p.y, online: p.online)
                guard TrailCore.keep(sample, after: last[prefix]) else { continue }
                batch.put(HistoryCore.timed(prefix, time), TrailCore.value(sample))
                batch.put(TrailCore.playerKey(server: server, surface: p.surface, player: p.index), TrailCore.player(p))
                last[prefix] = sample
                kept += 1
            }
            for (p, o) in next { batch.put(TrailCore.offsetKey(p), Array(String(o).utf8)) }
            try store.write(batch, sync: false)
            lastSamples.withLock { $0 = last }
            return kept
        }
        metrics.samples.increment(by: kept)
    }

    /// The trails of every player on a surface between `from` and `to` (unix ms, inclusive),
    /// cut into segments and downsampled (``TrailCore/downsample(_:tolerance:maxPoints:)``);
    /// players without a sample in the window are left out. Returns the tolerance used.
    package func trails(
        server: String, surface: String, from: Int64, to: Int64, tolerance: Double
    ) async throws -> (players: [PlayerTrail], tolerance: Double) {
        let raw = try await executor.run { () throws -> [(Int, String, [Double], [TrailCore.Sample])] in
            var players: [(Int, String, [Double])] = []
            try store.scan(prefix: TrailCore.playersPrefix(server: server, surface: surface)) { key, value in
                if let index = TrailCore.playerIndex(key[...]), let p = TrailCore.player(value) { players.append((index, p.name, p.color)) }
                return true
            }
            return try players.map { index, name, color in
                let prefix = TrailCore.playerPrefix(server: server, surface: surface, player: index)
                var samples: [TrailCore.Sample] = []
                try store.scan(prefix: prefix, from: HistoryCore.timed(prefix, from)) { key, value in
                    guard let s = TrailCore.sample(key: key, value: value), s.time <= to else { return false }
                    samples.append(s)
                    return true
                }
                return (index, name, color, samples)
            }
        }
        let cut = raw.map { ($0.0, $0.1, $0.2, TrailCore.segments($0.3)) }.filter { !$0.3.isEmpty }
        let (segments, used) = TrailCore.downsample(cut.flatMap(\.3), tolerance: tolerance)
        var rest = segments[...]
        let players = cut.map { index, name, color, own in
            let mine = Array(rest.prefix(own.count))
            rest = rest.dropFirst(own.count)
            return PlayerTrail(index: index, name: name, color: color, segments: mine)
        }
        return (players, used)
    }

    /// Adds the deletion of every sample older than `cut` to `batch` (a trail starts inside the
    /// window); returns how many.
    static func sweepSamples(_ store: LocalStore, cut: Int64, into batch: inout LocalStoreBatch) throws -> Int {
        var deleted = 0
        try store.scan(prefix: TrailCore.samplesPrefix) { key, _ in
            if let t = HistoryCore.time(key), t < cut {
                batch.delete(key)
                deleted += 1
            }
            return true
        }
        return deleted
    }
}
