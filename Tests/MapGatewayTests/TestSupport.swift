import Hummingbird
import Logging
import Shared

import MapGatewayCore
import MapGatewayServer

/// Builds small valid PNGs without a compressor: 8-bit palette, deflate "stored" blocks.
enum TestPNG {
    /// A 256×256 tile: a checkerboard of 8-px squares in `a`/`b` with a 8-px border in `border`.
    static func checker(
        a: (UInt8, UInt8, UInt8) = (60, 140, 60), b: (UInt8, UInt8, UInt8) = (40, 100, 40),
        border: (UInt8, UInt8, UInt8) = (220, 40, 40), size: Int = 256
    ) -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity(size * (size + 1))
        for y in 0..<size {
            raw.append(0)  // filter: none
            for x in 0..<size {
                if x < 8 || y < 8 || x >= size - 8 || y >= size - 8 {
                    raw.append(2)
                } else {
                    raw.append(UInt8((x / 8 + y / 8) % 2))
                }
            }
        }
        let palette = [a.0, a.1, a.2, b.0, b.1, b.2, border.0, border.1, border.2]
        return encode(width: size, height: size, palette: palette, raw: raw)
    }

    static func encode(width: Int, height: Int, palette: [UInt8], raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var ihdr: [UInt8] = []
        ihdr += be32(UInt32(width)) + be32(UInt32(height))
        ihdr += [8, 3, 0, 0, 0]
        out += chunk("IHDR", ihdr)
        out += chunk("PLTE", palette)
        out += chunk("IDAT", zlibStored(raw))
        out += chunk("IEND", [])
        return out
    }

    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var i = 0
        repeat {
            let n = min(65535, data.count - i)
            let final: UInt8 = i + n == data.count ? 1 : 0
            out.append(final)
            out += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[i..<(i + n)]
            i += n
        } while i < data.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return out + be32(b << 16 | a)
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return be32(UInt32(data.count)) + typeBytes + data + be32(crc32(typeBytes + data))
    }

    private static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    private static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

/// Shared fixtures.
enum Fixture {
    static let logger: Logger = {
        var l = Logger(label: "MapGatewayTests")
        l.logLevel = .warning
        return l
    }()

    static func configuration(port: Int = 0, queueDepth: Int = 256, ping: Int = 0) -> GatewayConfiguration {
        GatewayConfiguration(host: "127.0.0.1", port: port, wsQueueDepth: queueDepth, wsPingSeconds: ping)
    }

    static func player(
        _ index: Int, _ name: String, x: Double, y: Double, surface: String = "nauvis", online: Bool = true
    ) -> Packet {
        Packet(
            tick: UInt64(100 + index), seq: UInt64(index),
            payload: .player(
                PlayerState(
                    index: index, name: name, surface: surface, x: x, y: y,
                    color: GameColor(r: 0.9, g: 0.5, b: 0.1), online: online, afk: false)))
    }

    static func surface(_ name: String, index: Int = 1, planet: String? = nil, deleted: Bool = false) -> Packet {
        Packet(
            tick: 1, seq: 1,
            payload: .surface(SurfaceState(index: index, name: name, planet: planet, deleted: deleted)))
    }

    static func key(
        _ server: String = "srv", surface: String = "nauvis", layer: MapLayer = .terrain, z: Int = 3, x: Int = 0,
        y: Int = 0
    ) -> TileKey {
        TileKey(server: server, surface: surface, layer: layer, z: z, x: x, y: y)
    }
}
