/// An 8-bit-per-channel colour with straight (not premultiplied) alpha.
package struct RGBA: Sendable, Hashable {
    /// Red, 0...255.
    package var r: UInt8
    /// Green, 0...255.
    package var g: UInt8
    /// Blue, 0...255.
    package var b: UInt8
    /// Alpha, 0 (transparent) ... 255 (opaque).
    package var a: UInt8

    /// A colour from its four channels; alpha defaults to opaque.
    package init(r: UInt8, g: UInt8, b: UInt8, a: UInt8 = 255) {
        self.r = r
        self.g = g
        self.b = b
        self.a = a
    }

    /// Fully transparent black, the conventional palette entry 0 of overlay tiles.
    package static let transparent = RGBA(r: 0, g: 0, b: 0, a: 0)
}

/// An indexed-colour image: every pixel is an index into ``palette``.
package struct PaletteImage: Sendable, Hashable {
    /// Width in pixels (≥ 1).
    package var width: Int
    /// Height in pixels (≥ 1).
    package var height: Int
    /// `width × height` palette indices, row-major (top row first).
    package var pixels: [UInt8]
    /// 1...256 colours; every index in ``pixels`` must be smaller than `palette.count`.
    package var palette: [RGBA]

    /// An image from its parts; ``PNGEncoder`` validates them.
    package init(width: Int, height: Int, pixels: [UInt8], palette: [RGBA]) {
        self.width = width
        self.height = height
        self.pixels = pixels
        self.palette = palette
    }

    /// The image as `width × height × 4` bytes of RGBA, row-major (for tests and comparisons).
    /// Indices outside the palette come out as transparent black.
    package func rgba() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: pixels.count * 4)
        for (i, p) in pixels.enumerated() where Int(p) < palette.count {
            let c = palette[Int(p)]
            out[i * 4] = c.r
            out[i * 4 + 1] = c.g
            out[i * 4 + 2] = c.b
            out[i * 4 + 3] = c.a
        }
        return out
    }
}

/// Why a PNG could not be encoded or decoded.
package enum PNGError: Error, Sendable, Hashable {
    /// The image to encode is inconsistent (size, pixel count, palette size, or an index
    /// outside the palette); the string says which.
    case invalidImage(String)
    /// The compression level is outside 1...12 (level 0 would store the data uncompressed).
    case invalidLevel(Int32)
    /// libdeflate could not allocate a compressor or decompressor.
    case allocationFailed
    /// libdeflate reported a failure to compress.
    case compressionFailed
    /// The input does not start with the PNG signature.
    case badSignature
    /// The input ends in the middle of a chunk, or before `IEND`.
    case truncated
    /// A chunk's CRC does not match its type and data.
    case badCRC(chunk: String)
    /// The input is a PNG this decoder does not support (e.g. interlaced, 16-bit).
    case unsupported(String)
    /// The input violates the PNG specification; the string says how.
    case malformed(String)
    /// The zlib stream in `IDAT` is corrupt or does not inflate to exactly the expected size.
    case decompressionFailed
}
