import Shared

// MARK: - The persistent state store

extension DetailCore {
    /// What the core tracks for its state store: partitions resumed from it, and what changed
    /// since the last ``takeUnsaved(_:)``.
    struct StoreTracking {
        /// Restoring partitions whose state was loaded from the store (their changelog tail follows).
        var resumed: Set<Int32> = []
        /// Records are being loaded from the store (not changes to save, not a tail).
        var loading = false
        /// Chunks whose record may differ from the stored one.
        var unsavedChunks: Set<ChunkID> = []
        /// Spill records read from the state topic since the last save, with their partition.
        var unsavedSpills: [String: (partition: Int32, value: [UInt8])] = [:]

        mutating func forget(_ gone: Set<Int32>, partition: (ChunkID) -> Int32) {
            resumed.subtract(gone)
            unsavedChunks = unsavedChunks.filter { !gone.contains(partition($0)) }
            unsavedSpills = unsavedSpills.filter { !gone.contains($0.value.partition) }
        }
    }

    /// What changed in one partition since its last save: state records (nil value: delete)
    /// and published hashes (nil: delete), both by key.
    package struct Unsaved: Sendable {
        package var records: [(key: String, value: [UInt8]?)] = []
        package var hashes: [(slot: String, hash: UInt64?)] = []
        package var isEmpty: Bool { records.isEmpty && hashes.isEmpty }
    }

    /// Starts loading restoring partition `p` from the store: feed its records with
    /// ``applyState(key:value:partition:)`` and its hashes with ``loadHash(_:_:)``, then call
    /// ``endLoad(_:)``. Records read from the state topic after that are its tail.
    package func beginLoad(_ p: Int32) {
        guard restoring.contains(p) else { return }
        store.resumed.insert(p)
        store.loading = true
    }

    /// The stored hash of what was last published under ledger slot `slot`.
    package func loadHash(_ slot: String, _ hash: UInt64) { published.set(slot, hash) }

    /// The load of `p` ended (`ok` false: it failed, forget what was loaded; restore from the
    /// changelog instead). What was loaded is saved already.
    package func endLoad(_ p: Int32, ok: Bool) {
        store.loading = false
        let mine: (ChunkID) -> Bool = { self.partition(of: $0) == p }
        store.unsavedChunks = store.unsavedChunks.filter { !mine($0) }
        store.unsavedSpills = store.unsavedSpills.filter { $0.value.partition != p }
        _ = published.takeChanged { slotPartition($0) == p }
        guard !ok else { return }
        revoke([p])
        assign([p])
    }

    /// Whether nothing of partition `p` waits to be rendered (its stored state may be saved).
    package func isClean(_ p: Int32) -> Bool { !dirty.contains { partition(of: $0) == p } }

    /// Takes what changed in owned partition `p` since its last save (chunk records as
    /// ``MapState/chunkRecord(_:)`` encodes them, spills as read, published hashes).
    package func takeUnsaved(_ p: Int32) -> Unsaved {
        var out = Unsaved()
        let chunks = store.unsavedChunks.filter { partition(of: $0) == p }
        store.unsavedChunks.subtract(chunks)
        for id in chunks.sorted(by: { $0.chunk < $1.chunk }) {
            let key = StateKey.chunk(server: id.server, surface: id.surface, chunk: id.chunk).string
            out.records.append((key, state.chunkRecord(id)?.encoded()))
        }
        for (key, spill) in store.unsavedSpills.sorted(by: { $0.key < $1.key }) where spill.partition == p {
            store.unsavedSpills[key] = nil
            out.records.append((key, spill.value.isEmpty ? nil : spill.value))
        }
        out.hashes = published.takeChanged { slotPartition($0) == p }
        // Slots of partitions this worker does not own (spills sent to them) are not stored.
        _ = published.takeChanged { slot in slotPartition(slot).map { !owned.contains($0) && !restoring.contains($0) } ?? true }
        return out
    }
}
