package import Shared

/// A chunk's interactivity grid (issue 15, click-to-inspect), UTFGrid-style: for each of the
/// chunk's 32×32 game tiles, the building drawn there (the topmost one, as in the buildings
/// tile) and the resource with its amount. Published beside the chunk's PNGs on `tiles` under
/// ``InspectGridKey`` whenever its buildings or resources change; an empty grid is a removal.
///
/// Wire form (JSON, `docs/gateway.md`): `{"v":1,"x":cx,"y":cy,"names":[…],"types":[…],"forces":[…],
/// "buildings":[unit, nameIndex, x, y, direction, forceIndex, …],"grid":[32 strings],
/// "resources":[names],"ore":[32 strings],"amounts":[…]}` (`types[i]`: the prototype type of
/// `names[i]`, null when unknown). A grid row holds one character per tile, west to east:
/// UTFGrid's code (``scalar(_:)``: id + 32, skipping `"` and `\`), id 0 = nothing, id i =
/// building i − 1 (the i-th sextuple, `grid`) or resource i − 1 (`ore`). `amounts` lists the amount of every ore tile in
/// reading order (rows north to south, each west to east). `grid` or `ore` is `[]` when the chunk
/// has no building or no resource.
package struct InspectGrid: Sendable, Hashable {
    /// Side of the grid in cells (one per game tile of the chunk).
    package static let side = MapGeometry.chunkSize

    /// A building as the grid names it.
    package struct Entry: Sendable, Hashable {
        package var unit: UInt64
        package var name: String
        /// The prototype's type; nil before its prototype is known.
        package var type: String?
        package var force: String
        package var x: Double
        package var y: Double
        package var direction: Int
    }

    /// The chunk.
    package var cx: Int
    package var cy: Int
    /// The buildings visible in at least one cell, by unit number.
    package var buildings: [Entry] = []
    /// Per cell (row-major, y outer): 0 or 1 + the index of its building in ``buildings``.
    package var cells: [Int]
    /// The resource names, in order of first use in reading order.
    package var resources: [String] = []
    /// Per cell: 0 or 1 + the index of its resource in ``resources``.
    package var ore: [Int]
    /// The amount of every ore cell, in reading order.
    package var amounts: [UInt64] = []

    /// Whether nothing is at any cell (published as a removal).
    package var isEmpty: Bool { buildings.isEmpty && resources.isEmpty }

    /// The building at cell (`dx`, `dy`), if any.
    package func building(dx: Int, dy: Int) -> Entry? {
        let id = cells[dy * Self.side + dx]
        return id == 0 ? nil : buildings[id - 1]
    }

    /// The resource and its amount at cell (`dx`, `dy`), if any.
    package func resource(dx: Int, dy: Int) -> (name: String, amount: UInt64)? {
        let i = dy * Self.side + dx
        guard ore[i] != 0 else { return nil }
        let rank = ore[..<i].lazy.filter { $0 != 0 }.count
        return (resources[ore[i] - 1], amounts[rank])
    }

    /// UTFGrid's character for `id` (0…1,024 here): id + 32, then + 1 from `"` and + 1 from `\` on,
    /// so a row is a JSON string without escapes.
    package static func scalar(_ id: Int) -> Unicode.Scalar {
        var code = id + 32
        if code >= 34 { code += 1 }
        if code >= 92 { code += 1 }
        return Unicode.Scalar(UInt32(code))!
    }

    /// The id of a grid character (the inverse of ``scalar(_:)``).
    package static func id(of scalar: Unicode.Scalar) -> Int {
        var code = Int(scalar.value)
        if code >= 93 { code -= 1 }
        if code >= 35 { code -= 1 }
        return code - 32
    }

    /// The JSON bytes of the grid; empty (a removal) when ``isEmpty``.
    package func encoded() -> [UInt8] {
        guard !isEmpty else { return [] }
        var w = PacketEncoder()
        w.byte(UInt8(ascii: "{"))
        w.key("v", first: true); w.int(1)
        w.key("x"); w.int(cx)
        w.key("y"); w.int(cy)
        // Palettes of names, their types and forces; buildings as flat sextuples
        // `[unit, nameIndex, x, y, direction, forceIndex]`, as in `chunk_buildings`.
        var names: [String] = [], nameIndex: [String: Int] = [:], types: [String?] = []
        var forces: [String] = [], forceIndex: [String: Int] = [:]
        var flat: [(UInt64, Int, Double, Double, Int, Int)] = []
        for b in buildings {
            let n = nameIndex[b.name] ?? { names.append(b.name); types.append(b.type); nameIndex[b.name] = names.count - 1; return names.count - 1 }()
            let f = forceIndex[b.force] ?? { forces.append(b.force); forceIndex[b.force] = forces.count - 1; return forces.count - 1 }()
            flat.append((b.unit, n, b.x, b.y, b.direction, f))
        }
        w.key("names"); w.list(names) { w, s in w.string(s) }
        w.key("types"); w.list(types) { w, t in if let t { w.string(t) } else { w.raw("null") } }
        w.key("forces"); w.list(forces) { w, s in w.string(s) }
        w.key("buildings")
        w.list(flat) { w, b in
            w.uint(b.0); w.comma(); w.int(b.1); w.comma(); w.number(b.2); w.comma(); w.number(b.3); w.comma()
            w.int(b.4); w.comma(); w.int(b.5)
        }
        w.key("grid"); w.list(buildings.isEmpty ? [] : Self.rows(cells)) { w, row in w.string(row) }
        w.key("resources"); w.list(resources) { w, name in w.string(name) }
        w.key("ore"); w.list(resources.isEmpty ? [] : Self.rows(ore)) { w, row in w.string(row) }
        w.key("amounts"); w.list(amounts) { w, a in w.uint(a) }
        w.byte(UInt8(ascii: "}"))
        return w.out
    }

    private static func rows(_ ids: [Int]) -> [String] {
        (0..<side).map { y in
            var row = String.UnicodeScalarView()
            for x in 0..<side { row.append(scalar(ids[y * side + x])) }
            return String(row)
        }
    }
}

extension MapState {
    /// The interactivity grid of chunk `id`: its buildings as drawn in its buildings tile (spilled
    /// ones included; higher unit numbers on top) and its resources.
    package func inspectGrid(_ id: ChunkID) -> InspectGrid {
        let n = InspectGrid.side * InspectGrid.side
        var grid = InspectGrid(cx: id.chunk.x, cy: id.chunk.y, cells: Array(repeating: 0, count: n), ore: Array(repeating: 0, count: n))
        guard let map = surfaces[SurfaceID(server: id.server, surface: id.surface)] else { return grid }
        let chunk = id.chunk
        var byUnit: [UInt64: PlacedBuilding] = [:]
        for spilled in (map.spills[chunk] ?? [:]).values.joined() { byUnit[spilled.building.unit] = spilled }
        for unit in map.drawn[chunk] ?? [] { byUnit[unit] = map.buildings[unit] }
        let units = byUnit.keys.sorted()
        var cellUnits = Array(repeating: -1, count: n)  // index into `units`
        let ox = chunk.x * InspectGrid.side, oy = chunk.y * InspectGrid.side
        for (u, unit) in units.enumerated() {
            let f = byUnit[unit]!.footprint
            let x0 = max(f.x0 - ox, 0), x1 = min(f.x1 - ox, InspectGrid.side)
            let y0 = max(f.y0 - oy, 0), y1 = min(f.y1 - oy, InspectGrid.side)
            guard x0 < x1, y0 < y1 else { continue }
            for y in y0..<y1 { for x in x0..<x1 { cellUnits[y * InspectGrid.side + x] = u } }
        }
        let colors = colorTable(server: id.server)
        var entryOf: [Int: Int] = [:]  // index into `units` → 1 + index into `grid.buildings`
        // Entries in unit order, only those still visible somewhere.
        for u in Set(cellUnits).filter({ $0 >= 0 }).sorted() {
            let b = byUnit[units[u]]!.building
            grid.buildings.append(InspectGrid.Entry(
                unit: b.unit, name: b.name, type: colors.entityType(b.name), force: b.force, x: b.x, y: b.y,
                direction: b.direction))
            entryOf[u] = grid.buildings.count
        }
        for i in 0..<n where cellUnits[i] >= 0 { grid.cells[i] = entryOf[cellUnits[i]]! }
        var names: [String: Int] = [:]
        for (i, r) in (map.chunks[chunk]?.resources ?? ResourceTiles()).elements where (0..<n).contains(i) {
            if names[r.name] == nil {
                grid.resources.append(r.name)
                names[r.name] = grid.resources.count
            }
            grid.ore[i] = names[r.name]!
            grid.amounts.append(r.amount)
        }
        return grid
    }
}

extension MapState {
    /// A chunk's resources before a packet changes them.
    package struct ResourcesBefore: Sendable {
        var id: ChunkID
        var resources: ResourceTiles
    }

    /// The resources of the chunk `packet` replaces resources of (`chunk_resources`); nil for
    /// any other packet.
    package func resourcesTouched(by packet: Packet, server: String) -> ResourcesBefore? {
        guard case .chunkResources(let p) = packet.payload else { return nil }
        let id = ChunkID(server: server, surface: p.surface, chunk: ChunkPosition(x: p.cx, y: p.cy))
        return ResourcesBefore(id: id, resources: chunk(server: server, surface: p.surface, cx: p.cx, cy: p.cy)?.resources ?? ResourceTiles())
    }

    /// The chunk's resources tile when the packet changed its resources at all: amounts alone
    /// leave the PNG as it is (its bytes are not published again) but change the chunk's inspect
    /// grid and its state record, which the flush of a dirty tile writes.
    package func amountChanges(since before: ResourcesBefore?, server: String) -> Set<TileKey> {
        guard let before else { return [] }
        let now = chunk(server: server, surface: before.id.surface, cx: before.id.chunk.x, cy: before.id.chunk.y)?.resources ?? ResourceTiles()
        guard now != before.resources else { return [] }
        return [TileKey(server: server, surface: before.id.surface, layer: .resources, z: TileKey.detailZoom, x: before.id.chunk.x, y: before.id.chunk.y)]
    }
}
