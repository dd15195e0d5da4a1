import CLibDeflate

/// A strict PNG decoder for tests and sanity checks (not for untrusted high-volume input).
///
/// Supports colour type 3 (palette, bit depths 1/2/4/8, with `tRNS`) and 8-bit colour types 2
/// (RGB, with an optional `tRNS` key colour) and 6 (RGBA), non-interlaced, with all five
/// filter types. Every chunk CRC is verified, the chunks must come in the specified order, and
/// the zlib stream must inflate to exactly the expected number of bytes.
package enum PNGDecoder {
    /// The size and `width × height × 4` RGBA bytes (row-major) of the PNG in `bytes`.
    package static func decode(_ bytes: [UInt8]) throws(PNGError) -> (width: Int, height: Int, rgba: [UInt8]) {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(PNGError) in try parse(raw) } }
        let parsed = try result.get()
        let h = parsed.header
        let raw = try inflate(parsed.idat, count: h.height * (h.rowBytes + 1))
        let rows = try unfilter(raw, header: h)
        return (h.width, h.height, try expand(rows, parsed))
    }

    /// IHDR fields this decoder uses.
    struct Header {
        var width: Int
        var height: Int
        var depth: Int
        var colourType: UInt8
        var channels: Int { colourType == 3 ? 1 : colourType == 2 ? 3 : 4 }
        var bitsPerPixel: Int { depth * channels }
        var rowBytes: Int { (width * bitsPerPixel + 7) / 8 }
        /// Bytes per complete pixel for filtering (at least 1).
        var filterStride: Int { max(1, bitsPerPixel / 8) }
    }

    struct Parsed {
        var header: Header
        var palette: [RGBA] = []
        var transparency: [UInt8] = []
        var idat: [UInt8] = []
    }

    static func parse(_ data: UnsafeRawBufferPointer) throws(PNGError) -> Parsed {
        guard data.count >= 8, data.prefix(8).elementsEqual(PNGFormat.signature) else { throw .badSignature }
        var at = 8
        var parsed: Parsed?
        var sawPLTE = false, sawIDAT = false, idatEnded = false
        while true {
            guard at + 12 <= data.count else { throw .truncated }
            let length = Int(data.readBE32(at: at))
            let type = data.readBE32(at: at + 4)
            guard length <= Int(Int32.max), at + 12 + length <= data.count else { throw .truncated }
            let crc = data.readBE32(at: at + 8 + length)
            guard PNGFormat.crc32(UnsafeRawBufferPointer(rebasing: data[(at + 4)..<(at + 8 + length)])) == crc else {
                throw .badCRC(chunk: PNGFormat.name(type))
            }
            let body = UnsafeRawBufferPointer(rebasing: data[(at + 8)..<(at + 8 + length)])
            at += 12 + length
            if type != PNGFormat.ihdr && parsed == nil { throw .malformed("first chunk is not IHDR") }
            if sawIDAT && type != PNGFormat.idat { idatEnded = true }
            switch type {
            case PNGFormat.ihdr:
                guard parsed == nil else { throw .malformed("second IHDR") }
                parsed = Parsed(header: try header(body))
            case PNGFormat.plte:
                guard !sawPLTE, !sawIDAT, length % 3 == 0, (3...768).contains(length) else {
                    throw .malformed("bad PLTE")
                }
                sawPLTE = true
                parsed!.palette = stride(from: 0, to: length, by: 3).map { RGBA(r: body[$0], g: body[$0 + 1], b: body[$0 + 2]) }
            case PNGFormat.trns:
                guard !sawIDAT else { throw .malformed("tRNS after IDAT") }
                let ct = parsed!.header.colourType
                if ct == 3 {
                    guard sawPLTE, length <= parsed!.palette.count else { throw .malformed("bad tRNS") }
                } else if ct == 2 {
                    guard length == 6 else { throw .malformed("bad tRNS") }
                } else {
                    throw .malformed("tRNS for colour type \(ct)")
                }
                parsed!.transparency = Array(body)
            case PNGFormat.idat:
                guard !idatEnded else { throw .malformed("IDAT chunks not consecutive") }
                if parsed!.header.colourType == 3 && !sawPLTE { throw .malformed("IDAT before PLTE") }
                sawIDAT = true
                parsed!.idat.append(contentsOf: body)
            case PNGFormat.iend:
                guard sawIDAT, length == 0 else { throw .malformed("IEND without IDAT") }
                guard at == data.count else { throw .malformed("data after IEND") }
                return parsed!
            default:
                // Ancillary chunks (lower-case first letter) are skipped; unknown critical ones are not.
                guard type & 0x2000_0000 != 0 else { throw .unsupported("critical chunk \(PNGFormat.name(type))") }
            }
        }
    }

    static func header(_ b: UnsafeRawBufferPointer) throws(PNGError) -> Header {
        guard b.count == 13 else { throw .malformed("IHDR length \(b.count)") }
        let w = Int(b.readBE32(at: 0)), h = Int(b.readBE32(at: 4))
        guard (1...Int(Int32.max)).contains(w), (1...Int(Int32.max)).contains(h) else {
            throw .malformed("size \(w)×\(h)")
        }
        guard w * h <= 1 << 28 else { throw .unsupported("image of \(w)×\(h) pixels") }
        let depth = Int(b[8]), ct = b[9]
        guard b[10] == 0, b[11] == 0 else { throw .malformed("compression/filter method") }
        guard b[12] == 0 else { throw .unsupported("interlaced PNG") }
        switch ct {
        case 3 where [1, 2, 4, 8].contains(depth): break
        case 2 where depth == 8, 6 where depth == 8: break
        default: throw .unsupported("colour type \(ct) at bit depth \(depth)")
        }
        return Header(width: w, height: h, depth: depth, colourType: ct)
    }

    static func inflate(_ z: [UInt8], count: Int) throws(PNGError) -> [UInt8] {
        guard let d = libdeflate_alloc_decompressor() else { throw .allocationFailed }
        defer { libdeflate_free_decompressor(d) }
        var consumed = 0
        var result = LIBDEFLATE_BAD_DATA
        let out = z.withUnsafeBytes { zin in
            [UInt8](unsafeUninitializedCapacity: count) { buf, n in
                // A nil actual_out pointer makes libdeflate demand exactly `count` bytes.
                result = libdeflate_zlib_decompress_ex(d, zin.baseAddress, zin.count, buf.baseAddress, count, &consumed, nil)
                n = result == LIBDEFLATE_SUCCESS ? count : 0
            }
        }
        guard result == LIBDEFLATE_SUCCESS, consumed == z.count else { throw .decompressionFailed }
        return out
    }

    /// Reverses the per-row filters; returns the rows without their filter bytes.
    static func unfilter(_ raw: [UInt8], header h: Header) throws(PNGError) -> [UInt8] {
        let rb = h.rowBytes, bpp = h.filterStride
        var out = [UInt8](repeating: 0, count: rb * h.height)
        var bad: UInt8?
        raw.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h.height {
                    let filter = src[y * (rb + 1)]
                    let s = y * (rb + 1) + 1, d = y * rb, up = d - rb
                    for x in 0..<rb {
                        let a = x >= bpp ? Int(dst[d + x - bpp]) : 0
                        let b = y > 0 ? Int(dst[up + x]) : 0
                        let c = (x >= bpp && y > 0) ? Int(dst[up + x - bpp]) : 0
                        let predictor: Int
                        switch filter {
                        case 0: predictor = 0
                        case 1: predictor = a
                        case 2: predictor = b
                        case 3: predictor = (a + b) / 2
                        case 4: predictor = paeth(a, b, c)
                        default:
                            bad = filter
                            return
                        }
                        dst[d + x] = src[s + x] &+ UInt8(truncatingIfNeeded: predictor)
                    }
                }
            }
        }
        if let bad { throw .malformed("filter type \(bad)") }
        return out
    }

    @inline(__always) static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    /// Converts unfiltered rows to RGBA.
    static func expand(_ rows: [UInt8], _ p: Parsed) throws(PNGError) -> [UInt8] {
        let h = p.header
        var out = [UInt8](repeating: 0, count: h.width * h.height * 4)
        let rb = h.rowBytes
        switch h.colourType {
        case 3:
            let lut: [RGBA] = p.palette.enumerated().map { i, c in
                RGBA(r: c.r, g: c.g, b: c.b, a: i < p.transparency.count ? p.transparency[i] : 255)
            }
            let perByte = 8 / h.depth, mask = UInt8((1 << h.depth) - 1)
            for y in 0..<h.height {
                for x in 0..<h.width {
                    let byte = rows[y * rb + x / perByte]
                    let index = Int((byte >> UInt8(8 - h.depth * (x % perByte + 1))) & mask)
                    guard index < lut.count else { throw .malformed("index \(index) outside the palette") }
                    let c = lut[index], o = (y * h.width + x) * 4
                    out[o] = c.r
                    out[o + 1] = c.g
                    out[o + 2] = c.b
                    out[o + 3] = c.a
                }
            }
        case 2:
            let key: [UInt8]? = p.transparency.count == 6 ? [p.transparency[1], p.transparency[3], p.transparency[5]] : nil
            let keyIs8Bit = p.transparency.count == 6 && p.transparency[0] == 0 && p.transparency[2] == 0 && p.transparency[4] == 0
            for i in 0..<(h.width * h.height) {
                let s = (i / h.width) * rb + (i % h.width) * 3
                let rgb = [rows[s], rows[s + 1], rows[s + 2]]
                out[i * 4] = rgb[0]
                out[i * 4 + 1] = rgb[1]
                out[i * 4 + 2] = rgb[2]
                out[i * 4 + 3] = (keyIs8Bit && rgb == key) ? 0 : 255
            }
        default:
            for y in 0..<h.height {
                for i in 0..<(h.width * 4) { out[y * h.width * 4 + i] = rows[y * rb + i] }
            }
        }
        return out
    }
}
