import Foundation
import TestSupport
import Testing

@testable import Shared

/// The smoke run of `make bench-scale`'s world generator (scripts/scaleworld.py) on a tiny world:
/// every line it writes is a valid packet for the Swift codec, in the mod's sequence, and the world
/// is made of real prototypes (every tile, ore and building name is one the mod's `prototypes`
/// packets define) with buildings whose footprints never overlap.
@Suite struct ScaleWorldTests {
    static let root = TestEnvironment.root()
    static let python = root.appendingPathComponent(".tools/venv/bin/python").path

    /// Runs the generator (polling with `Task.sleep`, never blocking a thread of the pool).
    static func generate(_ arguments: [String], into dir: URL) async throws -> [[UInt8]] {
        let out = dir.appendingPathComponent("world.log")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [root.appendingPathComponent("scripts/scaleworld.py").path, "--out", out.path] + arguments
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        let deadline = Date().addingTimeInterval(300)  // a hang guard, not a timing assertion
        while p.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if p.isRunning { p.terminate() }
        #expect(p.terminationStatus == 0, "scaleworld.py \(arguments) failed")
        return [UInt8](try Data(contentsOf: out)).split(separator: 0x0A).map(Array.init)
    }

    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: python) || TestEnvironment.requiresBroker(),
            "needs .tools/venv (scripts/deps.sh)"))
    func everyLineOfATinyWorldIsAValidPacketOfRealPrototypes() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scaleworld-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let lines = try await Self.generate(["--side", "4", "--surfaces", "6", "--density", "40"], into: dir)
        var seen = Set<PacketType>(), tiles = Set<String>(), entities: [String: EntityPrototype] = [:]
        var next: UInt64 = 0, surfaces = Set<String>(), terrain = 0
        var occupied: [String: Set<[Int]>] = [:], buildings = 0, overlaps = 0
        for line in lines where line.starts(with: Array("KAFKATORIO/".utf8)) {
            #expect(line.count < 16_000, "line over the mod's 16,000-byte limit")
            let packet = try PacketLine.decode(line)
            #expect(packet.seq == next, "seq \(packet.seq), expected \(next)")
            next = packet.seq + 1
            seen.insert(packet.type)
            switch packet.payload {
            case .prototypes(let p):
                tiles.formUnion(p.tiles.map(\.name))
                for e in p.entities { entities[e.name] = e }
            case .surface(let s): surfaces.insert(s.name)
            case .chunkTerrain(let t):
                terrain += 1
                let unknown = Set(t.palette).subtracting(tiles)
                #expect(unknown.isEmpty, "tiles that are no tile prototype: \(unknown.sorted())")
            case .chunkResources(let r):
                for c in r.cells { #expect(entities[c.name]?.type == "resource", "\(c.name) is no resource prototype") }
            case .chunkBuildings(let b):
                for e in b.buildings {
                    buildings += 1
                    guard let proto = entities[e.name] else {
                        Issue.record("\(e.name) is no entity prototype")
                        continue
                    }
                    let turned = e.direction == 4 || e.direction == 12
                    let w = Double(turned ? proto.tileHeight : proto.tileWidth)
                    let h = Double(turned ? proto.tileWidth : proto.tileHeight)
                    let x0 = Int((e.x - w / 2).rounded(.down)), y0 = Int((e.y - h / 2).rounded(.down))
                    for y in y0..<(y0 + Int(h)) {
                        for x in x0..<(x0 + Int(w)) where occupied[b.surface, default: []].insert([x, y]).inserted == false {
                            overlaps += 1
                        }
                    }
                }
            default: break
            }
        }
        #expect(seen.isSuperset(of: [.sessionStart, .prototypes, .surface, .chunkTerrain, .chunkResources, .chunkBuildings, .player]))
        #expect(surfaces == ["nauvis", "vulcanus", "platform-1", "gleba", "fulgora", "aquilo"])
        #expect(terrain == 6 * 16, "one chunk_terrain per chunk of six 4×4-chunk surfaces")
        #expect(buildings > 1000)
        #expect(overlaps == 0, "\(overlaps) tiles covered by two buildings")
    }
}
