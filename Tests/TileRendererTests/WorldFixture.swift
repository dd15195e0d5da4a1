import PalettePNG
import Shared
import TileRendererCore

/// Builders for packets and helpers to look at rendered tiles.
enum World {
    static let server = "test-server"
    static let surface = "nauvis"

    static func packet(_ payload: Payload) -> Packet { Packet(tick: 1, seq: 1, payload: payload) }

    /// A `chunk_terrain` packet whose tile (dx, dy) is `name(dx, dy)`, run-length encoded.
    static func terrain(_ cx: Int, _ cy: Int, _ name: (Int, Int) -> String) -> Packet {
        var palette: [String] = [], runs: [Int] = []
        for i in 0..<1024 {
            let n = name(i % 32, i / 32)
            let index = palette.firstIndex(of: n) ?? { palette.append(n); return palette.count - 1 }()
            if runs.count >= 2 && runs[runs.count - 1] == index { runs[runs.count - 2] += 1 } else { runs += [1, index] }
        }
        return packet(.chunkTerrain(ChunkTerrain(surface: surface, cx: cx, cy: cy, palette: palette, runs: runs)))
    }

    static func building(_ unit: UInt64, _ name: String, _ x: Double, _ y: Double, dir: Int = 0, force: String = "player") -> Building {
        Building(unit: unit, name: name, x: x, y: y, direction: dir, force: force)
    }

    static func upsert(_ b: Building...) -> Packet { packet(.buildings(BuildingsUpsert(surface: surface, buildings: b))) }

    static func removed(_ units: UInt64...) -> Packet {
        packet(.buildingRemoved(BuildingsRemoved(surface: surface, removed: units.map { RemovedBuilding(unit: $0, x: 0, y: 0) })))
    }

    static let prototypes = packet(.prototypes(PrototypeFixture.packet))

    static func key(_ layer: MapLayer, _ x: Int, _ y: Int) -> TileKey {
        TileKey(server: server, surface: surface, layer: layer, z: TileKey.detailZoom, x: x, y: y)
    }
}

/// A decoded tile for pixel assertions.
struct DecodedTile {
    let rgba: [UInt8]

    init?(_ png: [UInt8]?) throws {
        guard let png else { return nil }
        let d = try PNGDecoder.decode(png)
        guard d.width == 256, d.height == 256 else { return nil }
        rgba = d.rgba
    }

    func pixel(_ x: Int, _ y: Int) -> RGBA {
        let o = (y * 256 + x) * 4
        return RGBA(r: rgba[o], g: rgba[o + 1], b: rgba[o + 2], a: rgba[o + 3])
    }

    /// Whether every pixel of game tile (tx, ty)'s 8×8 block is `c`.
    func block(_ tx: Int, _ ty: Int, is c: RGBA) -> Bool {
        (0..<64).allSatisfy { pixel(tx * 8 + $0 % 8, ty * 8 + $0 / 8) == c }
    }
}
