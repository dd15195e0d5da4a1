import TestSupport
import Testing

@testable import Shared

func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out = [UInt8]()
    var i = 0
    while i < bytes.count {
        let n = min(3, bytes.count - i)
        var v = UInt32(bytes[i]) << 16
        if n > 1 { v |= UInt32(bytes[i + 1]) << 8 }
        if n > 2 { v |= UInt32(bytes[i + 2]) }
        for k in 0..<4 { out.append(k <= n ? alphabet[Int((v >> UInt32(18 - 6 * k)) & 63)] : UInt8(ascii: "=")) }
        i += 3
    }
    return String(decoding: out, as: UTF8.self)
}

func reason(_ line: [UInt8], _ limits: PacketLimits = .init()) -> RejectReason? {
    do {
        _ = try PacketLine.decode(line, limits: limits)
        return nil
    } catch { return error.reason }
}

@Suite struct GeneratedTests {
    @Test func lineTooLong() {
        let message = String(repeating: "x", count: 70_000)
        let line = Array("KAFKATORIO/1 chat 1 1 {\"message\":\"\(message)\"}".utf8)
        #expect(reason(line) == .lineTooLong)
        #expect(reason(line, PacketLimits(maxLineBytes: 1 << 20)) == .outOfRange)  // > 4096-byte message
        let ok = Array("KAFKATORIO/1 chat 1 1 {\"message\":\"\(String(repeating: "y", count: 4096))\"}".utf8)
        #expect(reason(ok) == nil)
    }

    @Test(.timeLimit(.minutes(1))) func deflateBombIsRejectedQuickly() {
        let zeros = [UInt8](repeating: 0x20, count: 50 << 20)
        let payload = "~" + base64(zlibCompress(zeros))
        let line = Array("KAFKATORIO/1 chunk_terrain 1 1 \(payload)".utf8)
        #expect(reason(line) == .lineTooLong)
        #expect(reason(line, PacketLimits(maxLineBytes: 1 << 20)) == .payloadTooLarge)
        // Within a raised limit the same spaces inflate fine but are not a JSON object.
        let small = Array("KAFKATORIO/1 chat 1 1 ~\(base64(zlibCompress(Array(#"{"message":"zip"}"#.utf8))))".utf8)
        #expect(reason(small) == nil)
        #expect(reason(small, PacketLimits(maxDecodedBytes: 8)) == .payloadTooLarge)
    }

    @Test func invalidUTF8() throws {
        let bad: [[UInt8]] = [[0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xFF]]
        let fileCases = try Fixtures.bytes("invalid-utf8.bin").split(separator: 0x0A).map(Array.init)
        #expect(fileCases.count >= 2)
        for line in fileCases { #expect(reason(line) == .invalidUTF8) }
        for b in bad {
            let prefix = Array(#"KAFKATORIO/1 chat 1 1 {"message":"ok "#.utf8)
            #expect(reason(prefix + b + Array(#""}"#.utf8)) == .invalidUTF8)
            #expect(reason(prefix + Array(#"\n"#.utf8) + b + Array(#""}"#.utf8)) == .invalidUTF8)  // escaped path
            let key = Array(#"KAFKATORIO/1 chat 1 1 {"message":"ok","#.utf8) + [0x22] + b + Array(#"":1}"#.utf8)
            #expect(reason(key) == .invalidUTF8)
            let unknown = Array(#"KAFKATORIO/1 chat 1 1 {"message":"ok","x":["#.utf8) + [0x22] + b + Array(#""]}"#.utf8)
            #expect(reason(unknown) == .invalidUTF8)
        }
        let valid = Array(#"KAFKATORIO/1 chat 1 1 {"message":"é€😀"}"#.utf8)
        #expect(reason(valid) == nil)
    }

    @Test func truncationsAlwaysThrow() throws {
        for var line in try Fixtures.valid() {
            if line.last == 0x0D { line.removeLast() }
            for n in 0..<line.count {
                // base64 padding is optional, so dropping only '=' keeps a valid line.
                if line[n...].allSatisfy({ $0 == UInt8(ascii: "=") }) { continue }
                #expect(reason(Array(line[..<n])) != nil, "truncated to \(n): \(Array(line[..<n]).text)")
            }
        }
    }

    @Test func mutationsNeverCrash() throws {
        var rng = SplitMix64(state: 42)
        let interesting: [UInt8] = Array(#"{}[]",:\0123456789-+.eE tfnu~="#.utf8) + [0x00, 0x0D, 0x80, 0xC3, 0xFF]
        for line in try Fixtures.valid() {
            for _ in 0..<200 {
                var m = line
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    let i = Int.random(in: 0..<m.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: m[i] = interesting.randomElement(using: &rng)!
                    case 1: m.remove(at: i)
                    default: m.insert(interesting.randomElement(using: &rng)!, at: i)
                    }
                    if m.isEmpty { break }
                }
                if let p = try? PacketLine.decode(m) {
                    #expect(try PacketLine.decode(PacketLine.encode(p)) == p)
                }
            }
        }
    }

    @Test func gameColorNormalisation() {
        let a = GameColor(r: 0.415, g: 0.525, b: 0.58).rgba8
        #expect(a.r == 106 && a.g == 134 && a.b == 148 && a.a == 255)
        let b = GameColor(r: 55, g: 53, b: 11).rgba8
        #expect(b.r == 55 && b.g == 53 && b.b == 11 && b.a == 255)
        let c = GameColor(r: 1, g: 1, b: 1, a: 0.5).rgba8
        #expect(c.r == 255 && c.a == 128)
        let d = GameColor(r: 86, g: 82, b: 74, a: 255).rgba8
        #expect(d.r == 86 && d.a == 255)
    }

    @Test func keysRoundTrip() {
        let k = TileKey(server: "srv-1", surface: "nauvis", layer: .terrain, z: 3, x: -4, y: 7)
        #expect(k.string == "srv-1/nauvis/terrain/3/-4/7")
        #expect(TileKey(string: k.string) == k)
        #expect(TileKey(string: "srv/nauvis/bogus/3/1/1") == nil)
        #expect(TileKey(string: "srv//terrain/3/1/1") == nil)
        let m = MapKey(server: "srv", surface: "nauvis", chunkX: -1, chunkY: 17)
        #expect(m.regionX == -1 && m.regionY == 2 && m.string == "srv/nauvis/-1/2")
    }

    @Test func identifierRules() {
        #expect(Identifier.isValidServerID("eu-1.main_2"))
        #expect(!Identifier.isValidServerID(""))
        #expect(!Identifier.isValidServerID("a b"))
        #expect(!Identifier.isValidServerID(String(repeating: "a", count: 65)))
        #expect(Identifier.isValidSurfaceName("Iron Express"))
        #expect(!Identifier.isValidSurfaceName("a/b"))
        #expect(!Identifier.isValidSurfaceName(".."))
        #expect(!Identifier.isValidSurfaceName("tab\there"))
        #expect(PacketValidator.isValidName("assembling-machine-2"))
        #expect(!PacketValidator.isValidName(""))
        #expect(!PacketValidator.isValidName(String(repeating: "n", count: 201)))
    }
}
