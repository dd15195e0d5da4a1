package import PalettePNG

/// Builds a zoomed-out tile from its four children: each parent pixel stands for a 2×2 block
/// of one child's pixels.
///
/// The rule keeps palette images and makes small things survive zooming out: of the four
/// source pixels, the most frequent *visible* (alpha > 0) colour wins; ties go to the more
/// opaque colour, then to the first in reading order (top-left, top-right, bottom-left,
/// bottom-right). A block of four transparent pixels stays transparent. The parent's palette
/// is built in order of first use, so the output depends only on the children's colours, never
/// on their palette order (a child decoded from PNG gives the same parent as the original).
package enum Downsample {
    /// The parent of `children` = [top-left, top-right, bottom-left, bottom-right] (nil = no
    /// tile), or nil when nothing in them is visible. Children must be 256×256.
    package static func parent(_ children: [PaletteImage?]) -> PaletteImage? {
        let size = TileRasterizer.tileSize, half = size / 2
        var palette = PaletteBuilder()
        var pixels = [UInt8](repeating: 0, count: size * size)
        var visible = false
        for (quadrant, child) in children.prefix(4).enumerated() {
            guard let child, child.width == size, child.height == size, child.pixels.count == size * size else { continue }
            var alpha = [UInt8](repeating: 0, count: 256)
            for (i, c) in child.palette.prefix(256).enumerated() { alpha[i] = c.a }
            var mapped = [Int16](repeating: -1, count: 256)
            let ox = (quadrant % 2) * half, oy = (quadrant / 2) * half
            child.pixels.withUnsafeBufferPointer { src in
                pixels.withUnsafeMutableBufferPointer { dst in
                    for y in 0..<half {
                        let row = 2 * y * size
                        for x in 0..<half {
                            let s = row + 2 * x
                            let pick = choose(src[s], src[s + 1], src[s + size], src[s + size + 1], alpha)
                            guard alpha[Int(pick)] > 0 else { continue }
                            var m = mapped[Int(pick)]
                            if m < 0 {
                                m = Int16(palette.index(of: child.palette[Int(pick)]))
                                mapped[Int(pick)] = m
                            }
                            dst[(oy + y) * size + ox + x] = UInt8(m)
                            visible = true
                        }
                    }
                }
            }
        }
        return visible ? PaletteImage(width: size, height: size, pixels: pixels, palette: palette.colors) : nil
    }

    /// The winning index of one 2×2 block (see ``Downsample``).
    @inline(__always)
    static func choose(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, _ alpha: [UInt8]) -> UInt8 {
        if a == b && b == c && c == d { return a }
        let v = (a, b, c, d)
        var best = a, bestScore = -1
        for i in 0..<4 {
            let p: UInt8 = i == 0 ? v.0 : i == 1 ? v.1 : i == 2 ? v.2 : v.3
            let count = (p == a ? 1 : 0) + (p == b ? 1 : 0) + (p == c ? 1 : 0) + (p == d ? 1 : 0)
            let al = Int(alpha[Int(p)])
            // visible first, then frequency, then opacity; strict > keeps the first on ties.
            let score = (al > 0 ? 1 << 20 : 0) + count << 10 + al
            if score > bestScore { (best, bestScore) = (p, score) }
        }
        return best
    }

    /// A palette image of a decoded RGBA buffer (palette in order of first use; more than 256
    /// colours map to the nearest one), e.g. to downsample a tile read back from PNG.
    package static func paletteImage(width: Int, height: Int, rgba: [UInt8]) -> PaletteImage {
        var palette = PaletteBuilder()
        var pixels = [UInt8](repeating: 0, count: width * height)
        var last = RGBA.transparent, lastIndex: UInt8 = 0
        for i in 0..<(width * height) {
            let c = RGBA(r: rgba[i * 4], g: rgba[i * 4 + 1], b: rgba[i * 4 + 2], a: rgba[i * 4 + 3])
            if c.a == 0 { continue }
            if c != last { (last, lastIndex) = (c, palette.index(of: c)) }
            pixels[i] = lastIndex
        }
        return PaletteImage(width: width, height: height, pixels: pixels, palette: palette.colors)
    }
}
