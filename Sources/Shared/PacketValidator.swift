/// The semantic rules of schema v1 that can be checked on a decoded ``Packet`` (ranges, names,
/// areas, run-length sums). ``PacketLine/decode(_:limits:)-(UnsafeRawBufferPointer,_)`` applies
/// them to every packet; rules that exist only on the wire (palette indices, tuple lengths,
/// colour channel counts, duplicate keys) are checked while decoding. See `docs/packets.md`.
public enum PacketValidator {
    /// Longest name (entity, tile, force, player, surface, version strings) in UTF-8 bytes.
    public static let maxNameBytes = 200
    /// Longest chat message in UTF-8 bytes.
    public static let maxChatBytes = 4096
    /// Most entries in a `chunk_terrain` palette.
    public static let maxTerrainPalette = 1024
    /// Largest `w`/`h` of an entity prototype, in tiles.
    public static let maxEntityTiles = 256

    /// Throws the first rule the packet breaks.
    public static func validate(_ packet: Packet) throws(PacketError) {
        try validate(packet.payload)
    }

    /// Throws the first rule the payload breaks.
    public static func validate(_ payload: Payload) throws(PacketError) {
        switch payload {
        case .sessionStart(let p):
            try name(p.modVersion, "mod_version")
            try name(p.gameVersion, "game_version")
        case .prototypes(let p):
            try prototypes(p)
        case .surface(let p):
            try check(p.index >= 0 && p.index <= Int(UInt32.max), "index")
            try surface(p.name, "name")
            if let v = p.planet { try name(v, "planet") }
            if let v = p.platform { try name(v, "platform") }
            if let v = p.daytime { try check(v >= 0 && v <= 1, "daytime") }
        case .chunkTerrain(let p):
            try chunk(p.surface, p.cx, p.cy)
            try terrain(p)
        case .chunkBuildings(let p):
            try chunk(p.surface, p.cx, p.cy)
            let area = try chunkArea(p.area, p.cx, p.cy)
            var names = NameCache()
            for (i, b) in p.buildings.enumerated() {
                try building(b, i, &names)
                try check(area.contains(x: b.x, y: b.y), "entities[\(i * 6 + 2)]", "building lies outside the area")
            }
        case .chunkResources(let p):
            try chunk(p.surface, p.cx, p.cy)
            let area = try chunkArea(p.area, p.cx, p.cy)
            var names = NameCache()
            for (i, c) in p.cells.enumerated() {
                try check(c.dx >= 0 && c.dx < 32, "cells[\(i * 4)]")
                try check(c.dy >= 0 && c.dy < 32, "cells[\(i * 4 + 1)]")
                let x = p.cx * 32 + c.dx, y = p.cy * 32 + c.dy
                try check(x >= area.x0 && x < area.x1 && y >= area.y0 && y < area.y1, "cells[\(i * 4)]",
                    "cell lies outside the area")
                try names.check(c.name, "cells[\(i * 4 + 2)]")
                try check(c.amount <= maxSafeInteger, "cells[\(i * 4 + 3)]")
            }
        case .chunkDeleted(let p):
            try surface(p.surface, "surface")
            for (i, c) in p.chunks.enumerated() {
                try check(c.x.magnitude <= MapGeometry.maxChunkCoordinate, "chunks[\(i * 2)]")
                try check(c.y.magnitude <= MapGeometry.maxChunkCoordinate, "chunks[\(i * 2 + 1)]")
            }
        case .tiles(let p):
            try surface(p.surface, "surface")
            var names = NameCache()
            for (i, c) in p.cells.enumerated() {
                try check(c.x.magnitude <= MapGeometry.maxTileCoordinate, "cells[\(i * 3)]")
                try check(c.y.magnitude <= MapGeometry.maxTileCoordinate, "cells[\(i * 3 + 1)]")
                try names.check(c.name, "cells[\(i * 3 + 2)]")
            }
        case .buildings(let p):
            try surface(p.surface, "surface")
            var names = NameCache()
            for (i, b) in p.buildings.enumerated() { try building(b, i, &names) }
        case .buildingRemoved(let p):
            try surface(p.surface, "surface")
            for (i, r) in p.removed.enumerated() {
                try check(r.unit >= 1 && r.unit <= maxSafeInteger, "removed[\(i * 3)]")
                try position(r.x, "removed[\(i * 3 + 1)]")
                try position(r.y, "removed[\(i * 3 + 2)]")
            }
        case .player(let p):
            try check(p.index >= 0 && p.index <= Int(UInt32.max), "index")
            try name(p.name, "name")
            try surface(p.surface, "surface")
            try position(p.x, "x")
            try position(p.y, "y")
            try color(p.color, "color")
        case .chat(let p):
            if let v = p.player { try name(v, "player") }
            try check(p.message.utf8.count <= maxChatBytes, "message", "longer than \(maxChatBytes) bytes")
        case .chartTag, .chartTagRemoved, .chartTags, .trainStop, .trainStopRemoved, .train, .trainRemoved,
            .spacePlatform, .spacePlatformRemoved:
            try factory(payload)
        }
    }

    // MARK: Rules

    /// Whether `s` is a valid name: 1–200 UTF-8 bytes, no control characters.
    public static func isValidName(_ s: String) -> Bool {
        @inline(__always) func ok(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
            guard b.count >= 1 && b.count <= maxNameBytes else { return false }
            for c in b where c < 0x20 || c == 0x7F { return false }
            return true
        }
        if let r = s.utf8.withContiguousStorageIfAvailable(ok) { return r }
        return Array(s.utf8).withUnsafeBufferPointer(ok)
    }

    @inline(__always) static func check(
        _ ok: Bool, _ path: @autoclosure () -> String, _ what: @autoclosure () -> String = "out of range"
    ) throws(PacketError) {
        if !ok { throw PacketError(.outOfRange, "\(path()): \(what())") }
    }

    static func name(_ s: String, _ path: @autoclosure () -> String) throws(PacketError) {
        try check(isValidName(s), path(), "not a valid name")
    }

    /// Remembers the last two names that passed, so palette names repeated across a packet's
    /// entries are checked once.
    struct NameCache {
        var a: String? = nil, b: String? = nil
        mutating func check(_ s: String, _ path: @autoclosure () -> String) throws(PacketError) {
            if s == a || s == b { return }
            try name(s, path())
            b = a
            a = s
        }
    }

    static func surface(_ s: String, _ path: @autoclosure () -> String) throws(PacketError) {
        try check(Identifier.isValidSurfaceName(s), path(), "not a valid surface name")
    }

    static func position(_ v: Double, _ path: @autoclosure () -> String) throws(PacketError) {
        try check(v.isFinite && v.magnitude <= Double(MapGeometry.maxTileCoordinate), path())
    }

    static func color(_ c: GameColor, _ path: @autoclosure () -> String) throws(PacketError) {
        @inline(__always) func ok(_ v: Double) -> Bool { v >= 0 && v <= 255 }  // false for NaN
        try check(ok(c.r) && ok(c.g) && ok(c.b) && ok(c.a), path(), "colour channel not in 0...255")
    }

    static func chunk(_ surfaceName: String, _ cx: Int, _ cy: Int) throws(PacketError) {
        try surface(surfaceName, "surface")
        try check(cx.magnitude <= MapGeometry.maxChunkCoordinate, "cx")
        try check(cy.magnitude <= MapGeometry.maxChunkCoordinate, "cy")
    }

    /// The effective area: `area` must be non-empty and inside the chunk.
    static func chunkArea(_ area: TileArea?, _ cx: Int, _ cy: Int) throws(PacketError) -> TileArea {
        let whole = TileArea.chunk(cx, cy)
        guard let a = area else { return whole }
        try check(
            a.x0 < a.x1 && a.y0 < a.y1 && a.x0 >= whole.x0 && a.y0 >= whole.y0 && a.x1 <= whole.x1
                && a.y1 <= whole.y1, "area", "not a non-empty rectangle inside the chunk")
        return a
    }

    static func building(_ b: Building, _ i: Int, _ names: inout NameCache) throws(PacketError) {
        try check(b.unit >= 1 && b.unit <= maxSafeInteger, "entities[\(i * 6)]")
        try names.check(b.name, "entities[\(i * 6 + 1)]")
        try position(b.x, "entities[\(i * 6 + 2)]")
        try position(b.y, "entities[\(i * 6 + 3)]")
        try check(b.direction >= 0 && b.direction <= 15, "entities[\(i * 6 + 4)]", "direction not in 0...15")
        try names.check(b.force, "entities[\(i * 6 + 5)]")
    }

    static func terrain(_ p: ChunkTerrain) throws(PacketError) {
        try check(!p.palette.isEmpty && p.palette.count <= maxTerrainPalette, "palette", "needs 1...1024 entries")
        for (i, n) in p.palette.enumerated() { try name(n, "palette[\(i)]") }
        try check(p.runs.count % 2 == 0, "runs", "odd length")
        var total = 0
        var i = 0
        while i < p.runs.count {
            try check(p.runs[i] >= 1, "runs[\(i)]", "run count must be ≥ 1")
            try check(p.runs[i + 1] >= 0 && p.runs[i + 1] < p.palette.count, "runs[\(i + 1)]", "index not in palette")
            total += p.runs[i]
            try check(total <= MapGeometry.tilesPerChunk, "runs[\(i)]", "runs exceed 1024 tiles")
            i += 2
        }
        try check(total == MapGeometry.tilesPerChunk, "runs", "runs cover \(total) tiles, not 1024")
    }

    static func prototypes(_ p: Prototypes) throws(PacketError) {
        for (i, t) in p.tiles.enumerated() {
            try name(t.name, "tiles[\(i)].name")
            try color(t.color, "tiles[\(i)].color")
        }
        for (i, e) in p.entities.enumerated() {
            try name(e.name, "entities[\(i)].name")
            try name(e.type, "entities[\(i)].type")
            if let c = e.mapColor { try color(c, "entities[\(i)].color") }
            if let c = e.friendlyColor { try color(c, "entities[\(i)].friendly_color") }
            if let c = e.enemyColor { try color(c, "entities[\(i)].enemy_color") }
            let b = e.collisionBox
            try check(b.count == 4, "entities[\(i)].box", "expected 4 numbers")
            try check(b.allSatisfy { $0.isFinite && $0.magnitude <= 1000 }, "entities[\(i)].box")
            try check(b[0] <= b[2] && b[1] <= b[3], "entities[\(i)].box", "left > right or top > bottom")
            try check(e.tileWidth >= 0 && e.tileWidth <= maxEntityTiles, "entities[\(i)].w")
            try check(e.tileHeight >= 0 && e.tileHeight <= maxEntityTiles, "entities[\(i)].h")
        }
    }
}
