import FoundationEssentials
import Shared

/// Codable mirrors of the wire payloads for ``ReferencePacketCodec``: every number is decoded
/// as a Double and converted with explicit checks; arrays accept `{}` as empty.
enum ReferenceWire {
    typealias Failure = ReferencePacketCodec.Failure

    static func decode(_ type: PacketType, _ json: Data) throws -> Payload {
        let d = JSONDecoder()
        switch type {
        case .sessionStart:
            let w = try d.decode(SessionStartW.self, from: json)
            return .sessionStart(SessionStart(modVersion: w.mod_version, gameVersion: w.game_version))
        case .prototypes:
            let w = try d.decode(PrototypesW.self, from: json)
            return .prototypes(
                Prototypes(
                    tiles: try (w.tiles?.v ?? []).map { TilePrototype(name: $0.name, color: try color($0.color.v)) },
                    entities: try (w.entities?.v ?? []).map {
                        guard $0.box.v.count == 4 else { throw Failure(description: "box") }
                        return EntityPrototype(
                            name: $0.name, type: $0.type, mapColor: try $0.color.map { try color($0.v) },
                            friendlyColor: try $0.friendly_color.map { try color($0.v) },
                            enemyColor: try $0.enemy_color.map { try color($0.v) }, collisionBox: $0.box.v,
                            tileWidth: try int($0.w), tileHeight: try int($0.h))
                    }))
        case .surface:
            let w = try d.decode(SurfaceW.self, from: json)
            return .surface(
                SurfaceState(
                    index: try int(w.index), name: w.name, planet: w.planet, platform: w.platform, daytime: w.daytime,
                    deleted: w.deleted ?? false))
        case .chunkTerrain:
            let w = try d.decode(ChunkTerrainW.self, from: json)
            return .chunkTerrain(
                ChunkTerrain(surface: w.surface, cx: try int(w.cx), cy: try int(w.cy), palette: w.palette.v,
                    runs: try w.runs.v.map(int)))
        case .chunkBuildings:
            let w = try d.decode(ChunkBuildingsW.self, from: json)
            return .chunkBuildings(
                ChunkBuildings(surface: w.surface, cx: try int(w.cx), cy: try int(w.cy), area: try w.area.map(area),
                    buildings: try buildings(w.entities.v, w.names.v, w.forces.v)))
        case .chunkResources:
            let w = try d.decode(ChunkResourcesW.self, from: json)
            let f = try w.cells.v.map(int)
            guard f.count % 4 == 0 else { throw Failure(description: "cells") }
            let cells = try stride(from: 0, to: f.count, by: 4).map { i in
                guard f[i + 3] >= 0 else { throw Failure(description: "amount") }
                return ResourceCell(dx: f[i], dy: f[i + 1], name: try pick(w.names.v, f[i + 2]), amount: UInt64(f[i + 3]))
            }
            return .chunkResources(
                ChunkResources(surface: w.surface, cx: try int(w.cx), cy: try int(w.cy), area: try w.area.map(area),
                    cells: cells))
        case .chunkDeleted:
            let w = try d.decode(ChunkDeletedW.self, from: json)
            let f = try w.chunks.v.map(int)
            guard f.count % 2 == 0 else { throw Failure(description: "chunks") }
            return .chunkDeleted(
                ChunkDeleted(surface: w.surface, chunks: stride(from: 0, to: f.count, by: 2).map {
                    ChunkPosition(x: f[$0], y: f[$0 + 1])
                }))
        case .tiles:
            let w = try d.decode(TilesW.self, from: json)
            let f = try w.cells.v.map(int)
            guard f.count % 3 == 0 else { throw Failure(description: "cells") }
            return .tiles(
                TileChanges(surface: w.surface, cells: try stride(from: 0, to: f.count, by: 3).map {
                    TileCell(x: f[$0], y: f[$0 + 1], name: try pick(w.names.v, f[$0 + 2]))
                }))
        case .buildings:
            let w = try d.decode(BuildingsW.self, from: json)
            return .buildings(
                BuildingsUpsert(surface: w.surface, buildings: try buildings(w.entities.v, w.names.v, w.forces.v)))
        case .buildingRemoved:
            let w = try d.decode(RemovedW.self, from: json)
            let f = w.removed.v
            guard f.count % 3 == 0 else { throw Failure(description: "removed") }
            return .buildingRemoved(
                BuildingsRemoved(surface: w.surface, removed: try stride(from: 0, to: f.count, by: 3).map {
                    RemovedBuilding(unit: try unit(f[$0]), x: f[$0 + 1], y: f[$0 + 2])
                }))
        case .player:
            let w = try d.decode(PlayerW.self, from: json)
            return .player(
                PlayerState(index: try int(w.index), name: w.name, surface: w.surface, x: w.x, y: w.y,
                    color: try color(w.color.v), online: w.online, afk: w.afk))
        case .chat:
            let w = try d.decode(ChatW.self, from: json)
            return .chat(ChatMessage(player: w.player, message: w.message))
        default:
            return try factory(type, json, d)
        }
    }

    // MARK: Conversions

    static func int(_ v: Double) throws -> Int {
        guard v.isFinite, v == v.rounded(), abs(v) <= 9_007_199_254_740_992 else { throw Failure(description: "int") }
        return Int(v)
    }

    static func unit(_ v: Double) throws -> UInt64 {
        let i = try int(v)
        guard i >= 1 else { throw Failure(description: "unit") }
        return UInt64(i)
    }

    static func pick(_ names: [String], _ i: Int) throws -> String {
        guard names.indices.contains(i) else { throw Failure(description: "palette index") }
        return names[i]
    }

    static func color(_ c: [Double]) throws -> GameColor {
        guard c.count == 3 || c.count == 4 else { throw Failure(description: "colour") }
        return GameColor(r: c[0], g: c[1], b: c[2], a: c.count == 4 ? c[3] : 1)
    }

    static func area(_ a: Flex<Double>) throws -> TileArea {
        let v = try a.v.map(int)
        guard v.count == 4 else { throw Failure(description: "area") }
        return TileArea(x0: v[0], y0: v[1], x1: v[2], y1: v[3])
    }

    static func buildings(_ f: [Double], _ names: [String], _ forces: [String]) throws -> [Building] {
        guard f.count % 6 == 0 else { throw Failure(description: "entities") }
        return try stride(from: 0, to: f.count, by: 6).map { i in
            Building(
                unit: try unit(f[i]), name: try pick(names, try int(f[i + 1])), x: f[i + 2], y: f[i + 3],
                direction: try int(f[i + 4]), force: try pick(forces, try int(f[i + 5])))
        }
    }
}

/// An array that may arrive as `{}` (an empty Lua table).
struct Flex<T: Decodable>: Decodable {
    var v: [T]
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
    init(from decoder: any Decoder) throws {
        if let a = try? decoder.singleValueContainer().decode([T].self) {
            v = a
            return
        }
        let c = try decoder.container(keyedBy: AnyKey.self)
        guard c.allKeys.isEmpty else { throw ReferencePacketCodec.Failure(description: "object for array") }
        v = []
    }
}

// swift-format-ignore: AlwaysUseLowerCamelCase
struct SessionStartW: Decodable { var mod_version: String; var game_version: String }
struct PrototypesW: Decodable { var tiles: Flex<TileW>?; var entities: Flex<EntityW>? }
struct TileW: Decodable { var name: String; var color: Flex<Double> }
struct EntityW: Decodable {
    var name: String; var type: String; var color: Flex<Double>?; var friendly_color: Flex<Double>?
    var enemy_color: Flex<Double>?; var box: Flex<Double>; var w: Double; var h: Double
}
struct SurfaceW: Decodable {
    var index: Double; var name: String; var planet: String?; var platform: String?; var daytime: Double?
    var deleted: Bool?
}
struct ChunkTerrainW: Decodable {
    var surface: String; var cx: Double; var cy: Double; var palette: Flex<String>; var runs: Flex<Double>
}
struct ChunkBuildingsW: Decodable {
    var surface: String; var cx: Double; var cy: Double; var area: Flex<Double>?; var names: Flex<String>
    var forces: Flex<String>; var entities: Flex<Double>
}
struct ChunkResourcesW: Decodable {
    var surface: String; var cx: Double; var cy: Double; var area: Flex<Double>?; var names: Flex<String>
    var cells: Flex<Double>
}
struct ChunkDeletedW: Decodable { var surface: String; var chunks: Flex<Double> }
struct TilesW: Decodable { var surface: String; var names: Flex<String>; var cells: Flex<Double> }
struct BuildingsW: Decodable {
    var surface: String; var names: Flex<String>; var forces: Flex<String>; var entities: Flex<Double>
}
struct RemovedW: Decodable { var surface: String; var removed: Flex<Double> }
struct PlayerW: Decodable {
    var index: Double; var name: String; var surface: String; var x: Double; var y: Double; var color: Flex<Double>
    var online: Bool; var afk: Bool
}
struct ChatW: Decodable { var player: String?; var message: String }
