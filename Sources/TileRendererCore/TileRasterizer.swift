package import PalettePNG
package import Shared

/// Collects the colours of one image into a palette: index 0 is transparent, other colours in
/// order of first use (so equal input gives an identical palette), at most 256.
struct PaletteBuilder {
    private(set) var colors: [RGBA] = [.transparent]
    private var indices: [RGBA: UInt8] = [.transparent: 0]

    /// The index of `color`; past 256 colours, the index of the nearest one already present.
    mutating func index(of color: RGBA) -> UInt8 {
        if let i = indices[color] { return i }
        guard colors.count < 256 else { return nearest(color) }
        let i = UInt8(colors.count)
        colors.append(color)
        indices[color] = i
        return i
    }

    private func nearest(_ c: RGBA) -> UInt8 {
        func d(_ a: UInt8, _ b: UInt8) -> Int { (Int(a) - Int(b)) * (Int(a) - Int(b)) }
        var best = 0, bestDistance = Int.max
        for (i, p) in colors.enumerated() {
            let distance = d(p.r, c.r) + d(p.g, c.g) + d(p.b, c.b) + d(p.a, c.a)
            if distance < bestDistance { (best, bestDistance) = (i, distance) }
        }
        return UInt8(best)
    }
}

/// Draws detail tiles (one chunk, 256×256 px, 8 px per game tile) of each layer.
package enum TileRasterizer {
    /// Tile side in pixels.
    package static let tileSize = 256
    /// Pixels per game tile at the detail zoom.
    package static let pixelsPerTile = 8
    /// Brightness of a building's 1 px outline relative to its fill.
    package static let outlineFactor = 0.6

    /// Terrain: each tile an opaque 8×8 block of its map colour; unknown tiles (``NameTable/none``)
    /// transparent, tiles with unknown prototypes in ``ColorTable/unknownColor``.
    package static func terrain(_ terrain: [UInt16], names: NameTable, colors: ColorTable) -> PaletteImage {
        var palette = PaletteBuilder()
        var lookup: [UInt16: UInt8] = [NameTable.none: 0]
        var pixels = blank()
        pixels.withUnsafeMutableBufferPointer { px in
            for (i, id) in terrain.prefix(MapGeometry.tilesPerChunk).enumerated() {
                let index: UInt8
                if let known = lookup[id] {
                    index = known
                } else {
                    index = palette.index(of: names.name(id).map(colors.tileColor) ?? ColorTable.unknownColor)
                    lookup[id] = index
                }
                if index != 0 { fill(px, x0: (i % 32) * 8, y0: (i / 32) * 8, x1: (i % 32) * 8 + 8, y1: (i / 32) * 8 + 8, index) }
            }
        }
        return PaletteImage(width: tileSize, height: tileSize, pixels: pixels, palette: palette.colors)
    }

    /// Resources: each resource tile an 8×8 block of the resource's map colour over
    /// transparency; nil if the chunk has none.
    package static func resources(_ cells: ResourceTiles, colors: ColorTable) -> PaletteImage? {
        guard !cells.isEmpty else { return nil }
        var palette = PaletteBuilder()
        var pixels = blank()
        pixels.withUnsafeMutableBufferPointer { px in
            for (i, cell) in cells.elements {
                let index = palette.index(of: colors.resourceColor(cell.name))
                fill(px, x0: (i % 32) * 8, y0: (i / 32) * 8, x1: (i % 32) * 8 + 8, y1: (i / 32) * 8 + 8, index)
            }
        }
        return PaletteImage(width: tileSize, height: tileSize, pixels: pixels, palette: palette.colors)
    }

    /// Buildings touching `chunk`: each footprint filled with its force's colour and a 1 px
    /// outline at ``outlineFactor`` brightness (only along the footprint's true edges, so a
    /// building cut by the tile border continues seamlessly in the neighbouring tile). Drawn in
    /// the given order (later on top); nil if there are none.
    package static func buildings(_ buildings: [PlacedBuilding], chunk: ChunkPosition, colors: ColorTable) -> PaletteImage? {
        guard !buildings.isEmpty else { return nil }
        var palette = PaletteBuilder()
        var pixels = blank()
        let ox = chunk.x * MapGeometry.chunkSize, oy = chunk.y * MapGeometry.chunkSize
        pixels.withUnsafeMutableBufferPointer { px in
            for placed in buildings {
                let f = placed.footprint
                let color = colors.buildingColor(placed.building.name, force: placed.building.force)
                let fill = palette.index(of: color), line = palette.index(of: color.scaled(outlineFactor))
                // Pixel rectangle of the whole footprint relative to this tile (may exceed it).
                let x0 = (f.x0 - ox) * 8, y0 = (f.y0 - oy) * 8, x1 = (f.x1 - ox) * 8, y1 = (f.y1 - oy) * 8
                guard x1 > 0, y1 > 0, x0 < tileSize, y0 < tileSize else { continue }
                let cx0 = max(0, x0), cy0 = max(0, y0), cx1 = min(tileSize, x1), cy1 = min(tileSize, y1)
                Self.fill(px, x0: cx0, y0: cy0, x1: cx1, y1: cy1, fill)
                if y0 >= 0 { Self.fill(px, x0: cx0, y0: y0, x1: cx1, y1: y0 + 1, line) }
                if y1 <= tileSize { Self.fill(px, x0: cx0, y0: y1 - 1, x1: cx1, y1: y1, line) }
                if x0 >= 0 { Self.fill(px, x0: x0, y0: cy0, x1: x0 + 1, y1: cy1, line) }
                if x1 <= tileSize { Self.fill(px, x0: x1 - 1, y0: cy0, x1: x1, y1: cy1, line) }
            }
        }
        return PaletteImage(width: tileSize, height: tileSize, pixels: pixels, palette: palette.colors)
    }

    /// A fully transparent tile's pixels.
    static func blank() -> [UInt8] { [UInt8](repeating: 0, count: tileSize * tileSize) }

    /// Fills pixel rectangle `[x0, x1) × [y0, y1)` (already inside the tile) with `index`.
    @inline(__always)
    static func fill(_ px: UnsafeMutableBufferPointer<UInt8>, x0: Int, y0: Int, x1: Int, y1: Int, _ index: UInt8) {
        guard x1 > x0, y1 > y0 else { return }
        for y in y0..<y1 { (px.baseAddress! + y * tileSize + x0).update(repeating: index, count: x1 - x0) }
    }
}

extension MapState {
    /// The image of detail tile `key` (z = ``TileKey/detailZoom``), or nil when the tile has
    /// no content on its layer. Lower zooms are built by ``Downsample`` (see ``TileImages``).
    package func image(for key: TileKey) -> PaletteImage? {
        guard key.z == TileKey.detailZoom,
            let map = surfaces[SurfaceID(server: key.server, surface: key.surface)]
        else { return nil }
        let chunk = ChunkPosition(x: key.x, y: key.y)
        let colors = colorTable(server: key.server)
        switch key.layer {
        case .terrain:
            guard let terrain = map.chunks[chunk]?.terrain else { return nil }
            return TileRasterizer.terrain(terrain, names: tileNames, colors: colors)
        case .resources:
            return TileRasterizer.resources(map.chunks[chunk]?.resources ?? ResourceTiles(), colors: colors)
        case .buildings:
            var byUnit: [UInt64: PlacedBuilding] = [:]
            for spilled in (map.spills[chunk] ?? [:]).values.joined() { byUnit[spilled.building.unit] = spilled }
            for unit in map.drawn[chunk] ?? [] { byUnit[unit] = map.buildings[unit] }
            return TileRasterizer.buildings(byUnit.keys.sorted().compactMap { byUnit[$0] }, chunk: chunk, colors: colors)
        }
    }
}
