// The payload types of packet schema v1. Field names in comments are the JSON keys.
// Every payload is absolute state: applying it twice is the same as applying it once.

/// `session_start`: the mod was loaded (a new game, a save loaded, or a configuration change).
/// Consumers use it to notice a reload: sequence numbers restart and older state may be stale.
public struct SessionStart: Sendable, Hashable {
    /// `mod_version`, e.g. "0.1.0".
    public var modVersion: String
    /// `game_version`, e.g. "2.0.77".
    public var gameVersion: String
    public init(modVersion: String, gameVersion: String) {
        self.modVersion = modVersion
        self.gameVersion = gameVersion
    }
}

/// `prototypes`: map colours and footprints of tiles and entities. A server may split its
/// prototypes over several packets; each entry is an upsert by name.
public struct Prototypes: Sendable, Hashable {
    /// `tiles`: `[{"name","color"}]`.
    public var tiles: [TilePrototype]
    /// `entities`: `[{"name","type","color"?,"friendly_color"?,"enemy_color"?,"box","w","h"}]`.
    public var entities: [EntityPrototype]
    public init(tiles: [TilePrototype] = [], entities: [EntityPrototype] = []) {
        self.tiles = tiles
        self.entities = entities
    }
}

/// A tile prototype's map colour (`LuaTilePrototype.map_color`).
public struct TilePrototype: Sendable, Hashable {
    public var name: String
    public var color: GameColor
    public init(name: String, color: GameColor) {
        self.name = name
        self.color = color
    }
}

/// An entity prototype's map colours and collision box.
public struct EntityPrototype: Sendable, Hashable {
    public var name: String
    /// `type`: the prototype type, e.g. "assembling-machine" or "resource".
    public var type: String
    /// `color`: `map_color`, if the prototype defines one.
    public var mapColor: GameColor?
    /// `friendly_color`: `friendly_map_color`, if defined.
    public var friendlyColor: GameColor?
    /// `enemy_color`: `enemy_map_color`, if defined.
    public var enemyColor: GameColor?
    /// `box`: `[left, top, right, bottom]` of the collision box, relative to the entity position.
    public var collisionBox: [Double]
    /// `w`, `h`: `tile_width` and `tile_height`.
    public var tileWidth: Int
    public var tileHeight: Int
    public init(
        name: String, type: String, mapColor: GameColor? = nil, friendlyColor: GameColor? = nil,
        enemyColor: GameColor? = nil, collisionBox: [Double], tileWidth: Int, tileHeight: Int
    ) {
        self.name = name
        self.type = type
        self.mapColor = mapColor
        self.friendlyColor = friendlyColor
        self.enemyColor = enemyColor
        self.collisionBox = collisionBox
        self.tileWidth = tileWidth
        self.tileHeight = tileHeight
    }
}

/// `surface`: the state of one surface (a planet, a space platform, or a modded surface).
public struct SurfaceState: Sendable, Hashable {
    /// `index`: `LuaSurface.index` (may be reused after deletion, so names identify surfaces).
    public var index: Int
    /// `name`: the surface name, e.g. "nauvis".
    public var name: String
    /// `planet`: the planet name, if the surface is a planet.
    public var planet: String?
    /// `platform`: the space platform name, if the surface is a platform.
    public var platform: String?
    /// `daytime`: 0...1, if known.
    public var daytime: Double?
    /// `deleted`: true once the surface is gone.
    public var deleted: Bool
    public init(
        index: Int, name: String, planet: String? = nil, platform: String? = nil, daytime: Double? = nil,
        deleted: Bool = false
    ) {
        self.index = index
        self.name = name
        self.planet = planet
        self.platform = platform
        self.daytime = daytime
        self.deleted = deleted
    }
}

/// `chunk_terrain`: every tile of one chunk, run-length encoded over a palette of tile names.
public struct ChunkTerrain: Sendable, Hashable {
    public var surface: String
    /// `cx`, `cy`: chunk coordinates.
    public var cx: Int
    public var cy: Int
    /// `palette`: tile names referenced by `runs`.
    public var palette: [String]
    /// `runs`: `[count, paletteIndex, count, paletteIndex, …]` over the 1024 tiles of the chunk
    /// in row-major order (y outer, x inner, starting at the chunk's top-left tile). The counts
    /// add up to exactly 1024.
    public var runs: [Int]
    public init(surface: String, cx: Int, cy: Int, palette: [String], runs: [Int]) {
        self.surface = surface
        self.cx = cx
        self.cy = cy
        self.palette = palette
        self.runs = runs
    }

    /// The 1024 palette indices of the chunk, row-major; nil if the runs are not a valid
    /// encoding of exactly 1024 tiles (consumers stay total even on unvalidated input).
    public func expandedIndices() -> [UInt16]? {
        guard runs.count % 2 == 0 else { return nil }
        var out = [UInt16]()
        out.reserveCapacity(MapGeometry.tilesPerChunk)
        for i in stride(from: 0, to: runs.count, by: 2) {
            let count = runs[i], index = runs[i + 1]
            guard count >= 0, count <= MapGeometry.tilesPerChunk - out.count, (0...Int(UInt16.max)).contains(index) else {
                return nil
            }
            out.append(contentsOf: repeatElement(UInt16(index), count: count))
        }
        return out.count == MapGeometry.tilesPerChunk ? out : nil
    }
}

/// A building as packets carry it: unit number, prototype name, position, direction and force.
public struct Building: Sendable, Hashable {
    /// `unit_number` (uint64 in Factorio 2.0).
    public var unit: UInt64
    public var name: String
    /// Map position of the entity's centre, in tiles.
    public var x: Double
    public var y: Double
    /// Direction, 0...15 (Factorio 2.0 uses 16 directions; north = 0, east = 4).
    public var direction: Int
    /// The owning force's name, e.g. "player" or "enemy".
    public var force: String
    public init(unit: UInt64, name: String, x: Double, y: Double, direction: Int, force: String) {
        self.unit = unit
        self.name = name
        self.x = x
        self.y = y
        self.direction = direction
        self.force = force
    }
}

/// `chunk_buildings`: the complete set of buildings whose position lies in `area` (the whole
/// chunk when absent). Wire form: `names`, `forces` palettes and a flat `entities` array of
/// `[unit, nameIndex, x, y, direction, forceIndex]` sextuples.
public struct ChunkBuildings: Sendable, Hashable {
    public var surface: String
    public var cx: Int
    public var cy: Int
    /// `area`: `[x0, y0, x1, y1]`, a half-open tile rectangle inside the chunk; nil = whole chunk.
    public var area: TileArea?
    public var buildings: [Building]
    public init(surface: String, cx: Int, cy: Int, area: TileArea? = nil, buildings: [Building]) {
        self.surface = surface
        self.cx = cx
        self.cy = cy
        self.area = area
        self.buildings = buildings
    }
    /// The area this packet replaces.
    public var effectiveArea: TileArea { area ?? .chunk(cx, cy) }
}

/// One resource tile: local tile coordinates inside its chunk, resource name and amount.
public struct ResourceCell: Sendable, Hashable {
    /// 0...31, relative to the chunk's top-left tile.
    public var dx: Int
    public var dy: Int
    public var name: String
    public var amount: UInt64
    public init(dx: Int, dy: Int, name: String, amount: UInt64) {
        self.dx = dx
        self.dy = dy
        self.name = name
        self.amount = amount
    }
}

/// `chunk_resources`: every resource entity of the chunk (or of `area`). Wire form: a `names`
/// palette and a flat `cells` array of `[dx, dy, nameIndex, amount]` quadruples.
public struct ChunkResources: Sendable, Hashable {
    public var surface: String
    public var cx: Int
    public var cy: Int
    public var area: TileArea?
    public var cells: [ResourceCell]
    public init(surface: String, cx: Int, cy: Int, area: TileArea? = nil, cells: [ResourceCell]) {
        self.surface = surface
        self.cx = cx
        self.cy = cy
        self.area = area
        self.cells = cells
    }
    public var effectiveArea: TileArea { area ?? .chunk(cx, cy) }
}

/// `chunk_deleted`: the chunks no longer exist. Wire form: flat `chunks` of `[cx, cy]` pairs.
public struct ChunkDeleted: Sendable, Hashable {
    public var surface: String
    public var chunks: [ChunkPosition]
    public init(surface: String, chunks: [ChunkPosition]) {
        self.surface = surface
        self.chunks = chunks
    }
}

/// One tile: absolute tile coordinates and its new name.
public struct TileCell: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var name: String
    public init(x: Int, y: Int, name: String) {
        self.x = x
        self.y = y
        self.name = name
    }
}

/// `tiles`: individual tiles now have these names. Wire form: `names` palette and flat `cells`
/// of `[x, y, nameIndex]` triples.
public struct TileChanges: Sendable, Hashable {
    public var surface: String
    public var cells: [TileCell]
    public init(surface: String, cells: [TileCell]) {
        self.surface = surface
        self.cells = cells
    }
}

/// `buildings`: these buildings exist now, as described (an upsert by unit number). Wire form as
/// in ``ChunkBuildings``, without chunk or area.
public struct BuildingsUpsert: Sendable, Hashable {
    public var surface: String
    public var buildings: [Building]
    public init(surface: String, buildings: [Building]) {
        self.surface = surface
        self.buildings = buildings
    }
}

/// A removed building: unit number and the position it had (from the mod's own index).
public struct RemovedBuilding: Sendable, Hashable {
    public var unit: UInt64
    public var x: Double
    public var y: Double
    public init(unit: UInt64, x: Double, y: Double) {
        self.unit = unit
        self.x = x
        self.y = y
    }
}

/// `building_removed`: these buildings no longer exist. Wire form: flat `removed` of
/// `[unit, x, y]` triples.
public struct BuildingsRemoved: Sendable, Hashable {
    public var surface: String
    public var removed: [RemovedBuilding]
    public init(surface: String, removed: [RemovedBuilding]) {
        self.surface = surface
        self.removed = removed
    }
}

/// `player`: the full state of one player.
public struct PlayerState: Sendable, Hashable {
    /// `index`: `LuaPlayer.index`.
    public var index: Int
    public var name: String
    /// The surface the player's body is on.
    public var surface: String
    /// Map position in tiles.
    public var x: Double
    public var y: Double
    /// `color`: `[r, g, b, a]`.
    public var color: GameColor
    public var online: Bool
    public var afk: Bool
    public init(
        index: Int, name: String, surface: String, x: Double, y: Double, color: GameColor, online: Bool,
        afk: Bool
    ) {
        self.index = index
        self.name = name
        self.surface = surface
        self.x = x
        self.y = y
        self.color = color
        self.online = online
        self.afk = afk
    }
}

/// `chat`: a chat message (`on_console_chat`); `player` is absent for the server console.
public struct ChatMessage: Sendable, Hashable {
    public var player: String?
    public var message: String
    public init(player: String?, message: String) {
        self.player = player
        self.message = message
    }
}
