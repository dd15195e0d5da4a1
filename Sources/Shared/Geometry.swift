/// Map geometry shared by every service: chunk and tile coordinates as Factorio defines them
/// (x grows east, y grows south; a chunk is 32×32 tiles; the map is at most 2,000,000 tiles wide).
public enum MapGeometry {
    /// Tiles per chunk side.
    public static let chunkSize = 32
    /// Tiles per chunk.
    public static let tilesPerChunk = 1024
    /// Largest absolute tile coordinate on a Factorio map (the map is 2,000,000 tiles per side).
    public static let maxTileCoordinate = 1_000_000
    /// Largest absolute chunk coordinate.
    public static let maxChunkCoordinate = 31_250

    /// The chunk containing tile coordinate `t` (floor division, so negative values work).
    @inlinable public static func chunk(ofTile t: Int) -> Int { t >> 5 }

    /// The chunk containing map position `p`.
    @inlinable public static func chunk(ofPosition p: Double) -> Int { Int((p / 32).rounded(.down)) }
}

/// A chunk address: a surface and chunk coordinates.
public struct ChunkPosition: Sendable, Hashable, Comparable {
    public var x: Int
    public var y: Int
    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }
    public static func < (a: ChunkPosition, b: ChunkPosition) -> Bool { (a.y, a.x) < (b.y, b.x) }
}

/// A half-open rectangle of tiles, `[x0, x1) × [y0, y1)`, in absolute tile coordinates.
public struct TileArea: Sendable, Hashable {
    public var x0: Int
    public var y0: Int
    public var x1: Int
    public var y1: Int
    public init(x0: Int, y0: Int, x1: Int, y1: Int) {
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1
    }
    /// The whole area of a chunk.
    public static func chunk(_ cx: Int, _ cy: Int) -> TileArea {
        TileArea(x0: cx * 32, y0: cy * 32, x1: cx * 32 + 32, y1: cy * 32 + 32)
    }
    /// Every chunk this area overlaps, row by row (the area must not be empty).
    public var chunks: [ChunkPosition] {
        var out: [ChunkPosition] = []
        for cy in MapGeometry.chunk(ofTile: y0)...MapGeometry.chunk(ofTile: y1 - 1) {
            for cx in MapGeometry.chunk(ofTile: x0)...MapGeometry.chunk(ofTile: x1 - 1) {
                out.append(ChunkPosition(x: cx, y: cy))
            }
        }
        return out
    }

    /// Whether the map position (x, y) lies in this area.
    @inlinable public func contains(x: Double, y: Double) -> Bool {
        x >= Double(x0) && x < Double(x1) && y >= Double(y0) && y < Double(y1)
    }
}

/// A colour as the game reports it: channels are either all in 0...1 or all in 0...255
/// ("if any value is > 1"), see `docs/packets.md`.
public struct GameColor: Sendable, Hashable {
    public var r: Double
    public var g: Double
    public var b: Double
    public var a: Double
    public init(r: Double, g: Double, b: Double, a: Double = 1) {
        self.r = r
        self.g = g
        self.b = b
        self.a = a
    }

    /// The colour as 8-bit RGBA: if any of r, g, b is above 1 the channels are taken as 0...255,
    /// otherwise as 0...1 and scaled. Alpha above 1 is taken as 0...255, otherwise as 0...1, so a
    /// missing (defaulted) alpha of 1 is opaque on either scale.
    public var rgba8: (r: UInt8, g: UInt8, b: UInt8, a: UInt8) {
        let scale255 = r > 1 || g > 1 || b > 1
        func clamp(_ x: Double) -> UInt8 { UInt8(max(0, min(255, x.rounded()))) }
        func c(_ v: Double) -> UInt8 { clamp(scale255 ? v : v * 255) }
        return (c(r), c(g), c(b), clamp(a > 1 ? a : a * 255))
    }
}
