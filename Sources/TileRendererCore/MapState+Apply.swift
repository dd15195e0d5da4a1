import Shared

extension MapState {
    mutating func applyPrototypes(_ p: Prototypes, server: String) -> Set<TileKey> {
        var table = colorTables[server] ?? ColorTable()
        let changes = table.upsert(p)
        colorTables[server] = table
        guard !changes.isEmpty else { return [] }
        var dirty = Set<TileKey>()
        for id in Array(surfaces.keys) where id.server == server {
            // Taken out of the dictionary while it changes, so it is not copied (copy-on-write).
            guard var map = surfaces.removeValue(forKey: id) else { continue }
            defer { surfaces[id] = map }
            if changes.contains(.tiles) { dirty.formUnion(Self.keys(id, map.chunks(on: .terrain), .terrain)) }
            if changes.contains(.resources) { dirty.formUnion(Self.keys(id, map.chunks(on: .resources), .resources)) }
            if changes.contains(.entities) {
                dirty.formUnion(Self.keys(id, map.drawn.keys, .buildings))
                for unit in map.buildings.keys.sorted() {
                    guard let placed = map.buildings[unit] else { continue }
                    let footprint = Self.footprint(placed.building, table)
                    if footprint != placed.footprint { _ = map.place(placed.building, footprint: footprint) }
                }
                dirty.formUnion(Self.keys(id, map.drawn.keys, .buildings))
            }
        }
        return dirty
    }

    mutating func applyTerrain(_ p: ChunkTerrain, server: String) -> Set<TileKey> {
        guard Self.isValid(p.cx, p.cy), let indices = p.expandedIndices() else { return [] }
        let ids = p.palette.map { tileNames.id($0) }
        let terrain = indices.map { Int($0) < ids.count ? ids[Int($0)] : NameTable.overflow }
        let id = SurfaceID(server: server, surface: p.surface)
        let chunk = ChunkPosition(x: p.cx, y: p.cy)
        guard surfaces[id]?.chunks[chunk]?.terrain != terrain else { return [] }
        surfaces[id, default: SurfaceMap()].update(chunk) { $0.terrain = terrain }
        return Self.keys(id, [chunk], .terrain)
    }

    mutating func applyTiles(_ p: TileChanges, server: String) -> Set<TileKey> {
        let id = SurfaceID(server: server, surface: p.surface)
        var map = surfaces.removeValue(forKey: id) ?? SurfaceMap()
        defer { if !map.isBlank { surfaces[id] = map } }
        var dirty = Set<ChunkPosition>()
        for cell in p.cells {
            let chunk = ChunkPosition(x: MapGeometry.chunk(ofTile: cell.x), y: MapGeometry.chunk(ofTile: cell.y))
            guard Self.isValid(chunk.x, chunk.y) else { continue }
            let name = tileNames.id(cell.name)
            let i = (cell.y & 31) * 32 + (cell.x & 31)
            if map.chunks[chunk]?.terrain?[i] == name { continue }
            map.update(chunk) { state in
                if state.terrain == nil {
                    state.terrain = [UInt16](repeating: NameTable.none, count: MapGeometry.tilesPerChunk)
                }
                state.terrain![i] = name
            }
            dirty.insert(chunk)
        }
        return Self.keys(id, dirty, .terrain)
    }

    mutating func applyResources(_ p: ChunkResources, server: String) -> Set<TileKey> {
        guard Self.isValid(p.cx, p.cy) else { return [] }
        let id = SurfaceID(server: server, surface: p.surface)
        let chunk = ChunkPosition(x: p.cx, y: p.cy)
        let area = p.effectiveArea
        let before = surfaces[id]?.chunks[chunk]?.resources ?? ResourceTiles()
        var new = before.dictionary.filter { i, _ in
            let x = p.cx * 32 + i % 32, y = p.cy * 32 + i / 32
            return !(x >= area.x0 && x < area.x1 && y >= area.y0 && y < area.y1)
        }
        for cell in p.cells where (0..<32).contains(cell.dx) && (0..<32).contains(cell.dy) {
            new[cell.dy * 32 + cell.dx] = ResourceState(name: cell.name, amount: cell.amount)
        }
        let after = ResourceTiles(new)
        guard after != before else { return [] }
        surfaces[id, default: SurfaceMap()].update(chunk) { $0.resources = after }
        return before.sameNames(as: after) ? [] : Self.keys(id, [chunk], .resources)
    }

    mutating func applyChunkBuildings(_ p: ChunkBuildings, server: String) -> Set<TileKey> {
        guard Self.isValid(p.cx, p.cy) else { return [] }
        let id = SurfaceID(server: server, surface: p.surface)
        let table = colorTable(server: server)
        var map = surfaces.removeValue(forKey: id) ?? SurfaceMap()
        defer { if !map.isBlank { surfaces[id] = map } }
        let area = p.effectiveArea
        let incoming = Set(p.buildings.map(\.unit))
        let replaced = (map.chunks[ChunkPosition(x: p.cx, y: p.cy)]?.owned ?? []).filter { unit in
            guard let b = map.buildings[unit]?.building else { return false }
            return !incoming.contains(unit) && area.contains(x: b.x, y: b.y)
        }
        var dirty = Set<ChunkPosition>()
        for unit in replaced.sorted() { dirty.formUnion(map.remove(unit: unit)) }
        for b in p.buildings { dirty.formUnion(map.place(b, footprint: Self.footprint(b, table))) }
        return Self.keys(id, dirty, .buildings)
    }

    mutating func applyBuildings(_ p: BuildingsUpsert, server: String) -> Set<TileKey> {
        let id = SurfaceID(server: server, surface: p.surface)
        let table = colorTable(server: server)
        var map = surfaces.removeValue(forKey: id) ?? SurfaceMap()
        defer { if !map.isBlank { surfaces[id] = map } }
        var dirty = Set<ChunkPosition>()
        for b in p.buildings { dirty.formUnion(map.place(b, footprint: Self.footprint(b, table))) }
        return Self.keys(id, dirty, .buildings)
    }

    mutating func applyRemoved(_ p: BuildingsRemoved, server: String) -> Set<TileKey> {
        let id = SurfaceID(server: server, surface: p.surface)
        guard var map = surfaces.removeValue(forKey: id) else { return [] }
        defer { if !map.isBlank { surfaces[id] = map } }
        var dirty = Set<ChunkPosition>()
        for r in p.removed { dirty.formUnion(map.remove(unit: r.unit)) }
        return Self.keys(id, dirty, .buildings)
    }

    mutating func applyDeleted(_ p: ChunkDeleted, server: String) -> Set<TileKey> {
        let id = SurfaceID(server: server, surface: p.surface)
        guard var map = surfaces.removeValue(forKey: id) else { return [] }
        defer { if !map.isBlank { surfaces[id] = map } }
        var dirty = Set<TileKey>()
        for chunk in p.chunks {
            guard let state = map.chunks[chunk] else { continue }
            if state.terrain != nil { dirty.formUnion(Self.keys(id, [chunk], .terrain)) }
            if !state.resources.isEmpty { dirty.formUnion(Self.keys(id, [chunk], .resources)) }
            for unit in state.owned.sorted() { dirty.formUnion(Self.keys(id, map.remove(unit: unit), .buildings)) }
            map.chunks[chunk] = nil
        }
        return dirty
    }

    /// Forgets the chunks of surface `surface` of `server` for which `drop` holds (their terrain,
    /// resources, the buildings positioned there and the spills drawn there): the part of a
    /// deleted surface one `map` partition holds. Returns the detail tiles that had content there
    /// and the chunks elsewhere that those buildings were drawn over (their spills change).
    mutating func dropSurface(server: String, surface: String, where drop: (ChunkPosition) -> Bool) -> Set<TileKey> {
        let id = SurfaceID(server: server, surface: surface)
        guard var map = surfaces.removeValue(forKey: id) else { return [] }
        defer { if !map.isBlank { surfaces[id] = map } }
        var dirty = Set<TileKey>()
        for layer in MapLayer.allCases { dirty.formUnion(Self.keys(id, map.chunks(on: layer).filter(drop), layer)) }
        for chunk in Array(map.chunks.keys) where drop(chunk) {
            for unit in map.chunks[chunk]?.owned.sorted() ?? [] { dirty.formUnion(Self.keys(id, map.remove(unit: unit), .buildings)) }
            map.chunks[chunk] = nil
        }
        for chunk in Array(map.spills.keys) where drop(chunk) { map.spills[chunk] = nil }
        return dirty
    }

    /// The tiles a building covers with its prototype's box (1×1 if the prototype is unknown).
    static func footprint(_ b: Building, _ table: ColorTable) -> TileArea {
        Footprint.tiles(x: b.x, y: b.y, direction: b.direction, box: table.collisionBox(b.name))
    }
}
