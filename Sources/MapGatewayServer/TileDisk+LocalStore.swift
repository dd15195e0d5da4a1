import LocalStore

/// ``TileKeyValueStore`` over the local store (RocksDB, `Sources/LocalStore`): what the gateway
/// runs with. Writes are not synced: a process crash loses nothing the store acknowledged, a
/// machine crash at most the last batches, whose offsets are lost with them (they are read again).
package struct LocalTileStore: TileKeyValueStore {
    let store: LocalStore

    /// Opens (creating if missing) the local store in `directory`; `cacheBytes`: RocksDB's block cache.
    package static func open(directory: String, cacheBytes: Int) throws(TileDiskError) -> LocalTileStore {
        do {
            return LocalTileStore(store: try LocalStore(directory: directory, options: LocalStoreOptions(cacheBytes: cacheBytes)))
        } catch {
            throw Self.map(error)
        }
    }

    package func value(_ key: [UInt8]) throws(TileDiskError) -> [UInt8]? {
        do { return try store.get(key) } catch { throw Self.map(error) }
    }

    package func write(puts: [([UInt8], [UInt8])], deletes: [[UInt8]]) throws(TileDiskError) {
        var batch = LocalStoreBatch()
        for key in deletes { batch.delete(key) }
        for (key, value) in puts { batch.put(key, value) }
        do { try store.write(batch, sync: false) } catch { throw Self.map(error) }
    }

    package func scan(prefix: [UInt8], _ body: (_ key: [UInt8], _ value: [UInt8]) -> Bool) throws(TileDiskError) {
        do {
            try store.scan(prefix: prefix, body)
        } catch let error as LocalStoreError {
            throw Self.map(error)
        } catch {
            throw TileDiskError(.other, operation: "scan", directory: store.directory, message: "\(error)")
        }
    }

    package var diskBytes: Int { store.diskBytes }

    package func close() { store.close() }

    static func map(_ error: LocalStoreError) -> TileDiskError {
        let kind: TileDiskError.Kind =
            switch error.kind {
            case .corrupt: .corrupt
            case .full: .fullDisk
            case .locked: .locked
            default: .other
            }
        return TileDiskError(kind, operation: error.operation, directory: error.directory, message: error.message)
    }
}
