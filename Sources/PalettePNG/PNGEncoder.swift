import CLibDeflate

/// Encodes ``PaletteImage``s as indexed-colour PNGs (colour type 3, `PLTE` + `tRNS`, filter
/// NONE, bit depth 1/2/4/8 chosen from the palette size) with libdeflate.
///
/// Each call allocates a libdeflate compressor; code that encodes many images should keep one
/// ``PNGEncoderContext`` per worker instead.
package enum PNGEncoder {
    /// The PNG bytes of `image`, compressed at `level` (1...12; 6 is the project default).
    package static func encode(_ image: PaletteImage, level: Int32 = 6) throws(PNGError) -> [UInt8] {
        try PNGEncoderContext(level: level).encode(image)
    }

    /// The smallest PNG bit depth that can hold `paletteCount` colours.
    package static func bitDepth(forPaletteCount paletteCount: Int) -> Int {
        switch paletteCount {
        case ...2: 1
        case ...4: 2
        case ...16: 4
        default: 8
        }
    }
}

/// A reusable PNG encoder: one libdeflate compressor and a scratch buffer.
///
/// libdeflate compressors are not thread-safe, so a context is deliberately not `Sendable`:
/// give each worker (actor, thread) its own.
package final class PNGEncoderContext {
    /// The deflate level this context compresses at (1...12).
    package let level: Int32
    private let compressor: OpaquePointer
    private var scanlines: [UInt8] = []

    /// A context compressing at `level` (1...12; 0, "stored", is refused: tiles are never
    /// written uncompressed).
    package init(level: Int32 = 6) throws(PNGError) {
        guard (1...12).contains(level) else { throw .invalidLevel(level) }
        guard let c = libdeflate_alloc_compressor(level) else { throw .allocationFailed }
        self.level = level
        self.compressor = c
    }

    deinit { libdeflate_free_compressor(compressor) }

    /// The PNG bytes of `image`.
    package func encode(_ image: PaletteImage) throws(PNGError) -> [UInt8] {
        try Self.validate(image)
        let depth = PNGEncoder.bitDepth(forPaletteCount: image.palette.count)
        let rowBytes = (image.width * depth + 7) / 8
        fillScanlines(image, depth: depth, rowBytes: rowBytes)

        var head = PNGFormat.signature
        head.reserveCapacity(64 + image.palette.count * 4)
        var ihdr = [UInt8]()
        ihdr.appendBE32(UInt32(image.width))
        ihdr.appendBE32(UInt32(image.height))
        ihdr += [UInt8(depth), 3, 0, 0, 0]  // depth, colour type 3, deflate, filter 0, no interlace
        head.appendChunk(PNGFormat.ihdr, ihdr)
        head.appendChunk(PNGFormat.plte, image.palette.flatMap { [$0.r, $0.g, $0.b] })
        if let last = image.palette.lastIndex(where: { $0.a != 255 }) {
            head.appendChunk(PNGFormat.trns, image.palette[...last].map(\.a))
        }
        return try assemble(head: head)
    }

    /// Checks sizes, palette size and that every index is inside the palette.
    private static func validate(_ image: PaletteImage) throws(PNGError) {
        guard image.width >= 1, image.height >= 1, image.width <= 1 << 24, image.height <= 1 << 24 else {
            throw .invalidImage("size \(image.width)×\(image.height)")
        }
        guard image.pixels.count == image.width * image.height else {
            throw .invalidImage("\(image.pixels.count) pixels for \(image.width)×\(image.height)")
        }
        guard (1...256).contains(image.palette.count) else {
            throw .invalidImage("palette of \(image.palette.count) colours")
        }
        if image.palette.count < 256 {
            let maxIndex = image.pixels.withUnsafeBufferPointer { p in p.reduce(UInt8(0)) { max($0, $1) } }
            guard Int(maxIndex) < image.palette.count else {
                throw .invalidImage("index \(maxIndex) outside a palette of \(image.palette.count)")
            }
        }
    }

    /// Writes the filtered (filter type 0) scanlines of `image` into `scanlines`.
    private func fillScanlines(_ image: PaletteImage, depth: Int, rowBytes: Int) {
        let total = image.height * (rowBytes + 1)
        if scanlines.count != total { scanlines = [UInt8](repeating: 0, count: total) }
        let width = image.width
        image.pixels.withUnsafeBufferPointer { src in
            scanlines.withUnsafeMutableBufferPointer { dst in
                for y in 0..<image.height {
                    let row = y * (rowBytes + 1)
                    dst[row] = 0
                    let s = src.baseAddress! + y * width
                    let d = dst.baseAddress! + row + 1
                    if depth == 8 {
                        d.update(from: s, count: width)
                        continue
                    }
                    Self.pack(s, width: width, depth: depth, into: d, rowBytes: rowBytes)
                }
            }
        }
    }

    /// Packs one row of `width` indices into `rowBytes` bytes at `depth` (1, 2 or 4) bits,
    /// most significant bits first.
    @inline(__always)
    private static func pack(
        _ s: UnsafePointer<UInt8>, width: Int, depth: Int, into d: UnsafeMutablePointer<UInt8>, rowBytes: Int
    ) {
        let perByte = 8 / depth
        for j in 0..<rowBytes {
            var byte: UInt8 = 0
            let x0 = j * perByte
            for k in 0..<perByte {
                let v = x0 + k < width ? s[x0 + k] : 0
                byte = byte << UInt8(depth) | v
            }
            d[j] = byte
        }
    }

    /// `head`, then one `IDAT` holding the compressed scanlines, then `IEND`.
    private func assemble(head: [UInt8]) throws(PNGError) -> [UInt8] {
        let bound = libdeflate_zlib_compress_bound(compressor, scanlines.count)
        let capacity = head.count + 12 + bound + 12
        let compressor = self.compressor
        var failed = false
        let out = scanlines.withUnsafeBytes { raw in
            [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
                let base = UnsafeMutableRawPointer(buf.baseAddress!)
                head.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                var at = head.count
                let typeAt = at + 4
                let dataAt = at + 8
                let n = libdeflate_zlib_compress(compressor, raw.baseAddress, raw.count, base + dataAt, bound)
                guard n > 0, n <= Int(UInt32.max >> 1) else {
                    failed = true
                    count = 0
                    return
                }
                Self.storeBE32(UInt32(n), base + at)
                Self.storeBE32(PNGFormat.idat, base + typeAt)
                let crc = PNGFormat.crc32(UnsafeRawBufferPointer(start: base + typeAt, count: n + 4))
                at = dataAt + n
                Self.storeBE32(crc, base + at)
                at += 4
                Self.storeBE32(0, base + at)
                Self.storeBE32(PNGFormat.iend, base + at + 4)
                Self.storeBE32(PNGFormat.crc32(UnsafeRawBufferPointer(start: base + at + 4, count: 4)), base + at + 8)
                count = at + 12
            }
        }
        if failed { throw .compressionFailed }
        return out
    }

    @inline(__always) private static func storeBE32(_ v: UInt32, _ p: UnsafeMutableRawPointer) {
        p.storeBytes(of: v.bigEndian, as: UInt32.self)
    }
}

@available(*, unavailable, message: "libdeflate compressors are not thread-safe; use one context per worker")
extension PNGEncoderContext: Sendable {}
