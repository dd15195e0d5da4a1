import FoundationEssentials
import Testing

@testable import Shared

/// The mod's expected output (`Tests/Fixtures/mod/*.txt`, checked line by line by the Lua suite
/// in `mod-tools/`) must also be valid for the Swift codec, so the two sides cannot drift.
@Suite struct ModFixtureTests {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("mod")

    static func files() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".txt") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }

    static func lines(_ url: URL) throws -> [[UInt8]] {
        [UInt8](try Data(contentsOf: url)).split(separator: 0x0A).map(Array.init)
            .filter { !$0.isEmpty && $0.first != UInt8(ascii: "#") }
    }

    @Test func everyModFixtureLineDecodesAndValidates() throws {
        let files = try Self.files()
        #expect(files.count >= 8)
        var seen = Set<PacketType>()
        var compressed = 0
        for file in files {
            let lines = try Self.lines(file)
            #expect(!lines.isEmpty, "\(file.lastPathComponent) is empty")
            var lastSeq: UInt64?
            for line in lines {
                #expect(line.count < 16 * 1024, "line over 16 KB in \(file.lastPathComponent)")
                let packet: Packet
                do { packet = try PacketLine.decode(line) } catch {
                    Issue.record("\(file.lastPathComponent): \(error) for \(line.text.prefix(200))")
                    continue
                }
                seen.insert(packet.type)
                if line.contains(UInt8(ascii: "~")) { compressed += 1 }
                // Within one output, seq is consecutive from the session_start (seq 0).
                if packet.type == .sessionStart {
                    #expect(packet.seq == 0)
                } else if let last = lastSeq {
                    #expect(packet.seq == last + 1, "seq gap in \(file.lastPathComponent) at \(line.text.prefix(80))")
                }
                lastSeq = packet.seq
                let canonical = PacketLine.encode(packet)
                #expect(try PacketLine.decode(canonical) == packet)
            }
        }
        #expect(seen == Set(PacketType.allCases), "missing types: \(Set(PacketType.allCases).subtracting(seen))")
        // The Lua stand-in's pure-Lua DEFLATE (helpers.encode_string) is inflated by the Swift Inflate.
        #expect(compressed >= 3)
    }
}
