import PalettePNG
import Testing

@Suite("PNG encoder round trips")
struct PNGRoundTripTests {
    static let sizes: [(Int, Int)] = [(1, 1), (3, 5), (17, 9), (64, 1), (1, 64), (256, 256), (301, 7)]
    static let paletteSizes = [1, 2, 3, 4, 5, 16, 17, 200, 256]

    @Test("random images of several sizes and palette sizes decode to the same pixels")
    func roundTrip() throws {
        var seed: UInt64 = 1
        for (w, h) in Self.sizes {
            for colours in Self.paletteSizes {
                for blocky in [false, true] {
                    seed += 1
                    let image = Fixtures.randomImage(
                        width: w, height: h, colours: colours, alpha: seed % 2 == 0, blocky: blocky, seed: seed)
                    let png = try PNGEncoder.encode(image)
                    let decoded = try PNGDecoder.decode(png)
                    #expect(decoded.width == w && decoded.height == h)
                    #expect(decoded.rgba == image.rgba(), "\(w)×\(h), \(colours) colours")
                }
            }
        }
    }

    @Test("bit depth follows the palette size", arguments: [(1, 1), (2, 1), (3, 2), (4, 2), (5, 4), (16, 4), (17, 8), (256, 8)])
    func bitDepth(colours: Int, depth: Int) throws {
        let image = Fixtures.randomImage(width: 13, height: 3, colours: colours, alpha: false, seed: 7)
        let ihdr = try #require(Fixtures.chunks(try PNGEncoder.encode(image)).first)
        #expect(ihdr.type == "IHDR")
        #expect(Int(ihdr.data[8]) == depth)
        #expect(ihdr.data[9] == 3)
        #expect(PNGEncoder.bitDepth(forPaletteCount: colours) == depth)
    }

    @Test("chunk layout: IHDR, PLTE, optional tRNS, one IDAT, IEND")
    func layout() throws {
        let image = Fixtures.randomImage(width: 40, height: 40, colours: 20, alpha: false, seed: 3)
        let types = Fixtures.chunks(try PNGEncoder.encode(image)).map(\.type)
        #expect(types == ["IHDR", "PLTE", "IDAT", "IEND"])
    }

    @Test("tRNS is present only when needed and trimmed to the last non-opaque entry")
    func transparency() throws {
        var image = Fixtures.randomImage(width: 8, height: 8, colours: 10, alpha: false, seed: 5)
        #expect(!Fixtures.chunks(try PNGEncoder.encode(image)).contains { $0.type == "tRNS" })

        image.palette[0] = .transparent
        var trns = try #require(Fixtures.chunks(try PNGEncoder.encode(image)).first { $0.type == "tRNS" })
        #expect(trns.data == [0])

        image.palette[5].a = 77
        trns = try #require(Fixtures.chunks(try PNGEncoder.encode(image)).first { $0.type == "tRNS" })
        #expect(trns.data == [0, 255, 255, 255, 255, 77])
        #expect(try PNGDecoder.decode(try PNGEncoder.encode(image)).rgba == image.rgba())
    }

    @Test("levels 1, 6 and 12 all round trip; a reused context gives identical bytes")
    func levelsAndContext() throws {
        let image = Fixtures.randomImage(width: 256, height: 256, colours: 12, alpha: true, blocky: true, seed: 11)
        for level: Int32 in [1, 6, 12] {
            let context = try PNGEncoderContext(level: level)
            let a = try context.encode(image)
            let small = Fixtures.randomImage(width: 5, height: 5, colours: 3, alpha: false, seed: 12)
            _ = try context.encode(small)
            #expect(try context.encode(image) == a)
            #expect(try PNGEncoder.encode(image, level: level) == a)
            #expect(try PNGDecoder.decode(a).rgba == image.rgba())
        }
    }

    @Test("invalid images and levels are rejected with typed errors")
    func invalidInput() {
        let ok = PaletteImage(width: 2, height: 1, pixels: [0, 1], palette: [.transparent, RGBA(r: 1, g: 2, b: 3)])
        #expect(throws: PNGError.invalidLevel(0)) { try PNGEncoder.encode(ok, level: 0) }
        #expect(throws: PNGError.invalidLevel(13)) { try PNGEncoder.encode(ok, level: 13) }
        var bad = ok
        bad.pixels = [0, 2]
        #expect(throws: PNGError.self) { try PNGEncoder.encode(bad) }
        bad = ok
        bad.width = 3
        #expect(throws: PNGError.self) { try PNGEncoder.encode(bad) }
        bad = ok
        bad.palette = []
        #expect(throws: PNGError.self) { try PNGEncoder.encode(bad) }
        bad = ok
        bad.palette = Array(repeating: .transparent, count: 257)
        #expect(throws: PNGError.self) { try PNGEncoder.encode(bad) }
        bad = PaletteImage(width: 0, height: 0, pixels: [], palette: [.transparent])
        #expect(throws: PNGError.self) { try PNGEncoder.encode(bad) }
    }

    @Test("an independent decoder (python3 + zlib) reads our PNGs", .enabled(if: PythonPNG.available))
    func crossCheck() async throws {
        var seed: UInt64 = 100
        for (w, h) in [(1, 1), (17, 9), (256, 256)] {
            for colours in [2, 4, 16, 256] {
                seed += 1
                let image = Fixtures.randomImage(width: w, height: h, colours: colours, alpha: true, blocky: true, seed: seed)
                let (pw, ph, depth, rgba) = try await PythonPNG.decode(try PNGEncoder.encode(image))
                #expect(pw == w && ph == h)
                #expect(depth == PNGEncoder.bitDepth(forPaletteCount: colours))
                #expect(rgba == image.rgba())
            }
        }
    }
}
