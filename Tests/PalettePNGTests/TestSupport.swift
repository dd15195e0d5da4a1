import Foundation
import PalettePNG
import TestSupport

enum Fixtures {
    /// A random image; when `blocky`, pixels come in runs (like map tiles) instead of noise.
    static func randomImage(
        width: Int, height: Int, colours: Int, alpha: Bool, blocky: Bool = false, seed: UInt64
    ) -> PaletteImage {
        var rng = SplitMix64(state: seed)
        let palette = (0..<colours).map { _ in
            RGBA(
                r: .random(in: 0...255, using: &rng), g: .random(in: 0...255, using: &rng),
                b: .random(in: 0...255, using: &rng), a: alpha ? .random(in: 0...255, using: &rng) : 255)
        }
        var pixels = [UInt8](repeating: 0, count: width * height)
        var current = UInt8(0)
        for i in pixels.indices {
            if !blocky || Int.random(in: 0..<16, using: &rng) == 0 {
                current = UInt8(Int.random(in: 0..<colours, using: &rng))
            }
            pixels[i] = current
        }
        return PaletteImage(width: width, height: height, pixels: pixels, palette: palette)
    }

    /// The chunk types of a PNG, in order, with their data.
    static func chunks(_ png: [UInt8]) -> [(type: String, data: [UInt8])] {
        var out: [(String, [UInt8])] = []
        var at = 8
        while at + 12 <= png.count {
            let len = Int(png[at]) << 24 | Int(png[at + 1]) << 16 | Int(png[at + 2]) << 8 | Int(png[at + 3])
            let type = String(decoding: png[(at + 4)..<(at + 8)], as: UTF8.self)
            out.append((type, Array(png[(at + 8)..<(at + 8 + len)])))
            at += 12 + len
        }
        return out
    }
}

/// Runs python3 (with only its standard library) as an independent PNG decoder.
enum PythonPNG {
    static let available: Bool = (try? run(["-c", "import zlib"])) != nil

    static let script = """
        import sys, zlib, struct
        data = open(sys.argv[1], 'rb').read()
        assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
        pos, idat, plte, trns = 8, b'', b'', b''
        while True:
            (n,) = struct.unpack('>I', data[pos:pos+4]); t = data[pos+4:pos+8]; body = data[pos+8:pos+8+n]
            (crc,) = struct.unpack('>I', data[pos+8+n:pos+12+n])
            assert zlib.crc32(t + body) & 0xffffffff == crc, 'crc'
            pos += 12 + n
            if t == b'IHDR': w, h, depth, ct, cm, fm, il = struct.unpack('>IIBBBBB', body)
            elif t == b'PLTE': plte = body
            elif t == b'tRNS': trns = body
            elif t == b'IDAT': idat += body
            elif t == b'IEND': break
        assert ct == 3 and il == 0
        raw = zlib.decompress(idat)
        rb = (w * depth + 7) // 8
        assert len(raw) == h * (rb + 1)
        out = bytearray()
        for y in range(h):
            row = raw[y*(rb+1):(y+1)*(rb+1)]
            assert row[0] == 0, 'filter'
            for x in range(w):
                per = 8 // depth
                i = (row[1 + x // per] >> (8 - depth * (x % per + 1))) & ((1 << depth) - 1)
                a = trns[i] if i < len(trns) else 255
                out += plte[3*i:3*i+3] + bytes([a])
        open(sys.argv[2], 'wb').write(bytes(out))
        print(w, h, depth)
        """

    /// Decodes `png` with Python (off the cooperative pool); returns (width, height, bit depth, rgba).
    static func decode(_ png: [UInt8]) async throws -> (Int, Int, Int, [UInt8]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("palettepng-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.png"), output = dir.appendingPathComponent("out.rgba")
        try Data(png).write(to: input)
        let result = try await runTool("/usr/bin/env", ["python3", "-c", script, input.path, output.path])
        guard result.status == 0 else { throw Failed(status: result.status) }
        let line = String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = line.split(separator: " ").compactMap { Int($0) }
        return (parts[0], parts[1], parts[2], [UInt8](try Data(contentsOf: output)))
    }

    struct Failed: Error { var status: Int32 }

    /// Runs python3 synchronously: only for ``available``, once, at test planning.
    @discardableResult
    static func run(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw Failed(status: p.terminationStatus) }
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
