import Blocking
import Logging
import MapGatewayCore
package import Shared

/// One interactivity grid record of the `tiles` topic: its JSON (empty: removed), hash and version.
package struct GridChange: Sendable, Hashable {
    package var key: InspectGridKey
    package var json: [UInt8]
    package var contentHash: UInt64?
    package var version: UInt64
}

extension TileDiskLayout {
    static let gridPrefix = Array("g/".utf8)
    static func gridKey(_ key: InspectGridKey) -> [UInt8] { gridPrefix + Array(key.string.utf8) }

    /// `version` (8 bytes LE), a hash flag and the hash (1 + 8), then the JSON.
    static func encodeGrid(_ change: GridChange) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(17 + change.json.count)
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: change.version >> (8 * UInt64(i)))) }
        out.append(change.contentHash == nil ? 0 : 1)
        let hash = change.contentHash ?? 0
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: hash >> (8 * UInt64(i)))) }
        return out + change.json
    }

    /// The grid stored under `key` as `value`; nil when the value is not one.
    static func decodeGrid(key: [UInt8], value: [UInt8]) -> GridChange? {
        guard value.count > 17, value[8] <= 1,
            let grid = try? InspectGridKey.fromRecordKey(String(decoding: key.dropFirst(gridPrefix.count), as: UTF8.self))
        else { return nil }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(value[at + $1]) << (8 * UInt64($1)) } }
        return GridChange(key: grid, json: Array(value[17...]), contentHash: value[8] == 1 ? u64(9) : nil, version: u64(0))
    }
}

extension TileStore {
    /// Writes grid changes to the disk tier (nothing without one), before the tiles batch that
    /// stores the offsets past them: a restart that resumes at those offsets finds the grids on
    /// disk (``loadGrids()``). A failed write is logged; the grids stay served from memory.
    package func persistGrids(_ changes: [GridChange]) async {
        guard let disk, !changes.isEmpty else { return }
        var puts: [([UInt8], [UInt8])] = []
        var deletes: [[UInt8]] = []
        for change in changes {
            if change.json.isEmpty {
                deletes.append(TileDiskLayout.gridKey(change.key))
            } else {
                puts.append((TileDiskLayout.gridKey(change.key), TileDiskLayout.encodeGrid(change)))
            }
        }
        let logger = logger
        await disk.executor.run {
            do throws(TileDiskError) {
                try disk.store.write(puts: puts, deletes: deletes)
            } catch {
                logger?.error("tile store: writing interactivity grids failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Loads every grid the disk tier holds into ``grids`` (at start, before the feed resumes).
    package func loadGrids() async {
        guard let disk else { return }
        let grids = grids, logger = logger
        await disk.executor.run {
            var bad = 0
            do throws(TileDiskError) {
                try disk.store.scan(prefix: TileDiskLayout.gridPrefix) { key, value in
                    if let change = TileDiskLayout.decodeGrid(key: key, value: value) {
                        grids.put(key: change.key, json: change.json, contentHash: change.contentHash, version: change.version)
                    } else {
                        bad += 1
                    }
                    return true
                }
            } catch {
                logger?.error("tile store: reading interactivity grids failed", metadata: ["error": "\(error)"])
            }
            if bad > 0 { logger?.error("tile store: undecodable interactivity grids skipped", metadata: ["count": "\(bad)"]) }
        }
    }
}
