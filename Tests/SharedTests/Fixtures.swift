import FoundationEssentials

/// Loads `Tests/Fixtures/packets/*`, located from this file's path (no SwiftPM resources).
enum Fixtures {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("packets")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// Lines split on `\n` only (a `\r` stays on its line), without comments and blanks.
    static func lines(_ name: String) throws -> [[UInt8]] {
        try bytes(name).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init).filter {
            !$0.isEmpty && $0.first != UInt8(ascii: "#") && $0 != [0x0D]
        }
    }

    /// The packet lines of `valid.txt`.
    static func valid() throws -> [[UInt8]] { try lines("valid.txt") }

    /// `(expected reason, line)` pairs of `invalid.tsv`.
    static func invalid() throws -> [(reason: String, line: [UInt8])] {
        try lines("invalid.tsv").map { l in
            let tab = l.firstIndex(of: 0x09)!
            return (String(decoding: l[..<tab], as: UTF8.self), Array(l[(tab + 1)...]))
        }
    }
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}
