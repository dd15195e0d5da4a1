import Shared
import TestSupport

/// A realistic packet mix: 70% player updates, 15% small building/tile changes, 10% chunk
/// resources/buildings, 5% chunk terrain.
enum PacketMix {
    static let players = ["Sparkle", "fox_87", "Ωmega", "BeltBaron", "TrainTom", "Kovarex_fan"]
    static let belts = ["transport-belt", "inserter", "assembling-machine-2", "small-electric-pole", "stone-furnace"]
    static let tileNames = ["grass-1", "dirt-3", "sand-1", "water", "deepwater", "concrete", "stone-path"]
    static let ores = ["iron-ore", "copper-ore", "coal", "stone"]

    /// 1/256-tile positions like the game's fixed point.
    static func pos(_ rng: inout SplitMix64, _ range: ClosedRange<Int>) -> Double {
        Double(Int.random(in: range.lowerBound * 256...range.upperBound * 256, using: &rng)) / 256
    }

    /// Building `k` of a chunk snapshot, inside chunk (cx, cy).
    static func building(_ i: Int, _ k: Int, _ cx: Int, _ cy: Int) -> Building {
        let x = Double(cx * 32 + k % 32) + 0.5
        let y = Double(cy * 32 + (k * 7) % 32) + 0.5
        let unit = UInt64(50_000 + i * 64 + k)
        return Building(unit: unit, name: belts[k % belts.count], x: x, y: y, direction: (k % 4) * 4, force: "player")
    }

    static func packet(_ i: Int, _ rng: inout SplitMix64) -> Packet {
        let tick = UInt64(100_000 + i * 3), seq = UInt64(i)
        let roll = Int.random(in: 0..<100, using: &rng)
        let payload: Payload
        switch roll {
        case 0..<70:
            let who = Int.random(in: 0..<players.count, using: &rng)
            payload = .player(
                PlayerState(
                    index: who + 1, name: players[who], surface: "nauvis", x: pos(&rng, -500...500),
                    y: pos(&rng, -500...500), color: GameColor(r: 0.869, g: 0.5, b: 0.13, a: 0.5), online: true,
                    afk: false))
        case 70..<78:
            let n = Int.random(in: 1...3, using: &rng)
            payload = .buildings(
                BuildingsUpsert(
                    surface: "nauvis",
                    buildings: (0..<n).map { k in
                        Building(
                            unit: UInt64(10_000 + i * 4 + k), name: belts.randomElement(using: &rng)!,
                            x: Double(Int.random(in: -500...500, using: &rng)) + 0.5,
                            y: Double(Int.random(in: -500...500, using: &rng)) + 0.5,
                            direction: [0, 4, 8, 12].randomElement(using: &rng)!, force: "player")
                    }))
        case 78..<82:
            payload = .buildingRemoved(
                BuildingsRemoved(
                    surface: "nauvis", removed: [RemovedBuilding(unit: UInt64(10_000 + i), x: 12.5, y: -40.5)]))
        case 82..<85:
            let x = Int.random(in: -500...500, using: &rng), y = Int.random(in: -500...500, using: &rng)
            payload = .tiles(
                TileChanges(
                    surface: "nauvis",
                    cells: (0..<Int.random(in: 1...8, using: &rng)).map {
                        TileCell(x: x + $0, y: y, name: $0 % 3 == 0 ? "stone-path" : "concrete")
                    }))
        case 85..<90:
            let cx = Int.random(in: -20...20, using: &rng), cy = Int.random(in: -20...20, using: &rng)
            payload = .chunkResources(
                ChunkResources(
                    surface: "nauvis", cx: cx, cy: cy,
                    cells: (0..<Int.random(in: 20...120, using: &rng)).map { k in
                        ResourceCell(
                            dx: k % 32, dy: k / 32, name: ores[k % 7 == 0 ? 1 : 0],
                            amount: UInt64.random(in: 200...3000, using: &rng))
                    }))
        case 90..<95:
            let cx = Int.random(in: -20...20, using: &rng), cy = Int.random(in: -20...20, using: &rng)
            let count = Int.random(in: 5...40, using: &rng)
            let list = (0..<count).map { k in building(i, k, cx, cy) }
            payload = .chunkBuildings(ChunkBuildings(surface: "nauvis", cx: cx, cy: cy, buildings: list))
        default:
            var runs = [Int]()
            var left = 1024
            while left > 0 {
                let c = min(left, Int.random(in: 1...40, using: &rng))
                let idx = Int.random(in: 0..<4, using: &rng)
                runs += [c, idx]
                left -= c
            }
            payload = .chunkTerrain(
                ChunkTerrain(
                    surface: "nauvis", cx: Int.random(in: -20...20, using: &rng), cy: Int.random(in: -20...20, using: &rng),
                    palette: Array(tileNames.prefix(4)), runs: runs))
        }
        return Packet(tick: tick, seq: seq, payload: payload)
    }
}
