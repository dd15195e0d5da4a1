import PalettePNG
package import Shared

/// Zoom arithmetic of the tile pyramid.
package enum TileLevels {
    /// The lowest zoom a detail worker renders itself: one tile per region (8×8 chunks).
    package static let regionZoom = 0
    /// Levels a pyramid worker builds from one input level (its bucket is this many levels up).
    package static let bucketDepth = 3

    /// The ancestor of `key` at zoom `z` (≤ key.z).
    package static func ancestor(_ key: TileKey, atZoom z: Int) -> TileKey {
        let shift = key.z - z
        return TileKey(server: key.server, surface: key.surface, layer: key.layer, z: z, x: key.x >> shift, y: key.y >> shift)
    }

    /// The four children of `key` (top-left, top-right, bottom-left, bottom-right).
    package static func children(_ key: TileKey) -> [TileKey] {
        [(0, 0), (1, 0), (0, 1), (1, 1)].map {
            TileKey(server: key.server, surface: key.surface, layer: key.layer, z: key.z + 1, x: 2 * key.x + $0.0, y: 2 * key.y + $0.1)
        }
    }

    /// The zoom of the bucket a pyramid input at zoom `z` belongs to.
    package static func bucketZoom(ofInputAt z: Int) -> Int { max(z - bucketDepth, TileKey.minZoom) }

    /// The bucket key of a pyramid input (its partition is ``Partitioner`` of this string).
    package static func bucket(of input: TileKey) -> TileKey { ancestor(input, atZoom: bucketZoom(ofInputAt: input.z)) }

    /// The bucket whose owner builds `tile` (z < 0): the nearest bucket level at or below it
    /// (z −1…−3 belong to the z −3 bucket, …, z −13 to the z −13 one).
    package static func bucket(ofBuilt tile: TileKey) -> TileKey {
        var z = regionZoom
        while z > tile.z { z -= bucketDepth }
        return ancestor(tile, atZoom: max(z, TileKey.minZoom))
    }
}

/// Images of tiles at any zoom ≥ some level, drawn on demand: detail tiles from a
/// ``MapState``, lower ones by ``Downsample`` of their children, each computed once.
struct TileImages {
    let state: MapState
    private var memo: [TileKey: PaletteImage?] = [:]

    init(state: MapState) { self.state = state }

    mutating func image(_ key: TileKey) -> PaletteImage? {
        if let known = memo[key] { return known }
        let image: PaletteImage?
        if key.z >= TileKey.detailZoom {
            image = state.image(for: key)
        } else {
            image = Downsample.parent(TileLevels.children(key).map { self.image($0) })
        }
        memo[key] = image
        return image
    }
}
