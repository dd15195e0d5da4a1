import CLibDeflate
import PalettePNG
import TestSupport
import Testing

@Suite("PNG decoder strictness")
struct PNGDecoderTests {
    static let image = Fixtures.randomImage(width: 20, height: 10, colours: 6, alpha: true, seed: 42)

    @Test("a flipped bit in any chunk is a CRC error")
    func badCRC() throws {
        let png = try PNGEncoder.encode(Self.image)
        var at = 8
        for chunk in Fixtures.chunks(png) where !chunk.data.isEmpty {
            var broken = png
            broken[at + 8] ^= 0x01
            #expect(throws: PNGError.badCRC(chunk: chunk.type)) { try PNGDecoder.decode(broken) }
            at += 12 + chunk.data.count
        }
        var crcBroken = png
        crcBroken[crcBroken.count - 1] ^= 0xFF
        #expect(throws: PNGError.badCRC(chunk: "IEND")) { try PNGDecoder.decode(crcBroken) }
    }

    @Test("every truncation is rejected")
    func truncated() throws {
        let png = try PNGEncoder.encode(Self.image)
        for length in 0..<png.count {
            #expect(throws: PNGError.self) { try PNGDecoder.decode(Array(png.prefix(length))) }
        }
        #expect(throws: PNGError.badSignature) { try PNGDecoder.decode([0x89, 0x50]) }
        #expect(throws: PNGError.malformed("data after IEND")) { try PNGDecoder.decode(png + [0]) }
    }

    @Test("a zlib stream of the wrong size is rejected even with valid CRCs")
    func wrongSize() throws {
        let smaller = PaletteImage(width: 20, height: 9, pixels: Array(Self.image.pixels.prefix(180)), palette: Self.image.palette)
        let idat = try #require(Fixtures.chunks(try PNGEncoder.encode(smaller)).first { $0.type == "IDAT" })
        let png = Self.build(width: 20, height: 10, depth: 8, colourType: 3, palette: Self.image.palette, idat: idat.data)
        #expect(throws: PNGError.decompressionFailed) { try PNGDecoder.decode(png) }
    }

    @Test("RGB and RGBA images with all five filter types decode", arguments: [2, 6] as [UInt8])
    func filters(colourType: UInt8) throws {
        let w = 23, h = 15, channels = colourType == 2 ? 3 : 4
        var rng = SplitMix64(state: UInt64(colourType))
        let pixels = (0..<(w * h * channels)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var raw: [UInt8] = []
        for y in 0..<h {
            let filter = UInt8(y % 5)
            raw.append(filter)
            for x in 0..<(w * channels) {
                let cur = Int(pixels[y * w * channels + x])
                let a = x >= channels ? Int(pixels[y * w * channels + x - channels]) : 0
                let b = y > 0 ? Int(pixels[(y - 1) * w * channels + x]) : 0
                let c = (x >= channels && y > 0) ? Int(pixels[(y - 1) * w * channels + x - channels]) : 0
                let predictor = [0, a, b, (a + b) / 2, Self.paeth(a, b, c)][Int(filter)]
                raw.append(UInt8(truncatingIfNeeded: cur - predictor))
            }
        }
        let png = Self.build(width: w, height: h, depth: 8, colourType: colourType, palette: [], idat: Self.zlib(raw))
        let decoded = try PNGDecoder.decode(png)
        var expected: [UInt8] = []
        for i in 0..<(w * h) {
            expected += pixels[(i * channels)..<(i * channels + 3)]
            expected.append(channels == 4 ? pixels[i * 4 + 3] : 255)
        }
        #expect(decoded.rgba == expected)
    }

    @Test("interlaced and 16-bit images are refused as unsupported")
    func unsupported() {
        var png = Self.build(width: 1, height: 1, depth: 16, colourType: 6, palette: [], idat: Self.zlib([0, 0, 0, 0, 0, 0, 0, 0, 0]))
        #expect(throws: PNGError.unsupported("colour type 6 at bit depth 16")) { try PNGDecoder.decode(png) }
        png = Self.build(width: 1, height: 1, depth: 8, colourType: 6, palette: [], idat: Self.zlib([0, 0, 0, 0, 0]), interlace: 1)
        #expect(throws: PNGError.unsupported("interlaced PNG")) { try PNGDecoder.decode(png) }
    }

    static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
        return pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
    }

    static func zlib(_ raw: [UInt8]) -> [UInt8] { zlibCompress(raw, level: 6) }

    static func build(
        width: Int, height: Int, depth: UInt8, colourType: UInt8, palette: [RGBA], idat: [UInt8], interlace: UInt8 = 0
    ) -> [UInt8] {
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        func be(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) } }
        func chunk(_ type: String, _ data: [UInt8]) {
            let body = Array(type.utf8) + data
            png += be(data.count) + body + be(Int(libdeflate_crc32(0, body, body.count)))
        }
        chunk("IHDR", be(width) + be(height) + [depth, colourType, 0, 0, interlace])
        if !palette.isEmpty { chunk("PLTE", palette.flatMap { [$0.r, $0.g, $0.b] }) }
        if palette.contains(where: { $0.a != 255 }) { chunk("tRNS", palette.map(\.a)) }
        chunk("IDAT", idat)
        chunk("IEND", [])
        return png
    }
}
