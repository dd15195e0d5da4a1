package import Shared

/// Where a building is drawn: the tiles its collision box covers, as the game's chart snaps
/// entities outward to whole tiles.
package enum Footprint {
    /// Half the largest footprint side drawn, in tiles; larger boxes are clamped (the largest
    /// 2.0 prototypes are about 10 tiles wide).
    package static let maxHalfExtent = 32.0
    /// Tolerance for boxes that end (within float noise) exactly on a tile border.
    static let epsilon = 1.0 / 1024

    /// The tiles covered by `box` (`[left, top, right, bottom]`, north-facing, relative to the
    /// position) placed at (`x`, `y`) facing `direction` (0...15; east = 4, south = 8, west =
    /// 12; in-between directions use the nearest cardinal one). A missing or malformed box, or
    /// one covering no tile, gives the single tile containing the position. Positions beyond the
    /// map are clamped to its edge (ingest rejects them; this only keeps the renderer total).
    package static func tiles(x: Double, y: Double, direction: Int, box: [Double]?) -> TileArea {
        let limit = Double(MapGeometry.maxTileCoordinate + 1024)
        let x = x.isFinite ? max(-limit, min(limit, x)) : 0, y = y.isFinite ? max(-limit, min(limit, y)) : 0
        let tx = Int(x.rounded(.down)), ty = Int(y.rounded(.down))
        guard let box, box.count == 4, box.allSatisfy(\.isFinite), box[0] <= box[2], box[1] <= box[3] else {
            return TileArea(x0: tx, y0: ty, x1: tx + 1, y1: ty + 1)
        }
        let b = box.map { max(-maxHalfExtent, min(maxHalfExtent, $0)) }
        let (l, t, r, btm): (Double, Double, Double, Double)
        switch ((direction % 16 + 16) % 16 + 2) / 4 % 4 {
        case 1: (l, t, r, btm) = (-b[3], b[0], -b[1], b[2])  // east: (px, py) → (−py, px)
        case 2: (l, t, r, btm) = (-b[2], -b[3], -b[0], -b[1])  // south: (px, py) → (−px, −py)
        case 3: (l, t, r, btm) = (b[1], -b[2], b[3], -b[0])  // west: (px, py) → (py, −px)
        default: (l, t, r, btm) = (b[0], b[1], b[2], b[3])
        }
        var rect = TileArea(
            x0: Int((x + l + epsilon).rounded(.down)), y0: Int((y + t + epsilon).rounded(.down)),
            x1: Int((x + r - epsilon).rounded(.up)), y1: Int((y + btm - epsilon).rounded(.up)))
        if rect.x1 <= rect.x0 { (rect.x0, rect.x1) = (tx, tx + 1) }
        if rect.y1 <= rect.y0 { (rect.y0, rect.y1) = (ty, ty + 1) }
        return rect
    }
}
