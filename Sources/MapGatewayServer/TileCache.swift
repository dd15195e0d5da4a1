import NIOCore
import Shared

/// What the cache knows of one tile key: the tile, or that the disk tier has none.
enum CachedTile: Sendable {
    case tile(StoredTile)
    /// The disk tier holds no such tile (a 404 answered from memory, like a hit).
    case absent
}

/// The bounded in-memory tier of ``TileStore``: CLOCK (second chance) over entries weighed in
/// bytes (PNG, prebuilt headers and a fixed overhead per entry). A hit sets the entry's reference
/// bit; inserting beyond `capacityBytes` sweeps the hand, clearing bits and evicting the first
/// unreferenced entry, until the total fits again. Not thread-safe: ``TileStore`` holds it
/// inside its lock, so a hit costs what a dictionary hit did before (one lookup, one bit).
struct TileCache: Sendable {
    private struct Slot: Sendable {
        var key: TileKey
        var value: CachedTile
        var weight: Int
        var referenced: Bool
    }

    /// Largest total weight kept; `Int.max` for the unbounded cache of a store without disk.
    let capacityBytes: Int
    private var slots: [Slot?] = []
    private var index: [TileKey: Int] = [:]
    private var free: [Int] = []
    private var hand = 0
    /// Sum of the entries' weights.
    private(set) var totalBytes = 0
    /// Entries evicted since the cache was made.
    private(set) var evictions = 0

    init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
    }

    /// Entries held.
    var count: Int { index.count }

    /// The entry of `key`, marking it recently used.
    mutating func get(_ key: TileKey) -> CachedTile? {
        guard let i = index[key] else { return nil }
        slots[i]!.referenced = true
        return slots[i]!.value
    }

    /// The entry of `key` without marking it used.
    func peek(_ key: TileKey) -> CachedTile? {
        index[key].map { slots[$0]!.value }
    }

    /// Whether `key` has an entry.
    func contains(_ key: TileKey) -> Bool { index[key] != nil }

    /// Sets the entry of `key` (new entries start unreferenced: a tile read once does not push out
    /// tiles read often), then evicts until the total fits `capacityBytes`, never the entry just
    /// set. An entry heavier than the whole capacity is not kept.
    mutating func set(_ key: TileKey, _ value: CachedTile) {
        let weight = Self.weight(key, value)
        guard weight <= capacityBytes else { return remove(key) }
        defer { evictToFit(sparing: index[key]) }
        if let i = index[key] {
            totalBytes += weight - slots[i]!.weight
            slots[i]!.value = value
            slots[i]!.weight = weight
        } else {
            let slot = Slot(key: key, value: value, weight: weight, referenced: false)
            if let i = free.popLast() {
                slots[i] = slot
                index[key] = i
            } else {
                slots.append(slot)
                index[key] = slots.count - 1
            }
            totalBytes += weight
        }
    }

    /// Drops the entry of `key`.
    mutating func remove(_ key: TileKey) {
        guard let i = index.removeValue(forKey: key) else { return }
        totalBytes -= slots[i]!.weight
        slots[i] = nil
        free.append(i)
    }

    /// Every tile held (an unbounded cache holds them all).
    var tiles: [(TileKey, StoredTile)] {
        slots.compactMap { slot in
            if let slot, case .tile(let tile) = slot.value { (slot.key, tile) } else { nil }
        }
    }

    private mutating func evictToFit(sparing spared: Int?) {
        while totalBytes > capacityBytes, !index.isEmpty {
            if hand >= slots.count { hand = 0 }
            if hand != spared, let slot = slots[hand] {
                if slot.referenced {
                    slots[hand]!.referenced = false
                } else {
                    remove(slot.key)
                    evictions += 1
                }
            }
            hand += 1
        }
    }

    /// Bytes an entry holds: the PNG, the two prebuilt raw heads, the key and the dictionary and
    /// slot overhead (measured roughly; what matters is that the bound scales with it).
    static func weight(_ key: TileKey, _ value: CachedTile) -> Int {
        let keyBytes = key.server.utf8.count + key.surface.utf8.count + 64
        switch value {
        case .absent: return keyBytes + 32
        case .tile(let tile):
            return keyBytes + tile.bytes.readableBytes + tile.rawOKHead.readableBytes + tile.rawNotModifiedHead.readableBytes
                + 3 * tile.eTag.utf8.count + 640
        }
    }
}
