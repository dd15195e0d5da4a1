import KafkaModel
import MapGatewayCore
import MapGatewayServer
import Shared

/// Fills a gateway history store with `versions` versions of each tile, one a minute from `start`
/// (each version the tile's PNG with a distinct trailing byte pattern, so every version differs),
/// the way the tile-history consumer writes them; shared by `history` and `gateway-serve`.
enum HistoryFill {
    /// The stored PNG bytes of version `v` of `png`.
    static func version(_ png: [UInt8], _ v: Int) -> [UInt8] {
        png + withUnsafeBytes(of: UInt32(v).bigEndian, Array.init)
    }

    /// Writes the versions in one batch per version; the PNG bytes written in all.
    @discardableResult
    static func fill(
        _ history: TileHistoryStore, core: HistoryCore, tiles: [(TileKey, [UInt8])], versions: Int, start: Int64
    ) async throws -> Int {
        var offset: Int64 = 0
        var pngBytes = 0
        for v in 0..<versions {
            var batch: [ConsumerMessage] = []
            let time = start + Int64(v) * 60_000
            for (key, png) in tiles {
                let bytes = version(png, v)
                batch.append(
                    ConsumerMessage(
                        topic: "tile-history", partition: 0, offset: offset, key: Array("\(key.string)/\(core.bucket(time))".utf8), value: bytes,
                        headers: [KafkaHeader(key: RecordHeader.time, string: String(time))]))
                offset += 1
                pngBytes += bytes.count
            }
            try await history.apply(batch)
        }
        return pngBytes
    }
}
