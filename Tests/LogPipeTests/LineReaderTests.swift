import Foundation
import Testing

import LogPipeCore
import LogPipeService

@Suite struct LineReaderTests {
    let dir: URL
    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("logpipe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func write(_ path: URL, _ text: String, append: Bool = true) throws {
        if append, let h = try? FileHandle(forWritingTo: path) {
            h.seekToEndOfFile()
            h.write(Data(text.utf8))
            try h.close()
        } else {
            try Data(text.utf8).write(to: path)
        }
    }

    func strings(_ lines: [LogLine]) -> [String] { lines.map { String(decoding: $0.bytes, as: UTF8.self) } }

    @Test func readsCompleteLinesAndKeepsPartialOnePending() throws {
        let f = dir.appendingPathComponent("a.log")
        try write(f, "one\ntwo\nthr", append: false)
        let r = LineReader(path: f.path, offset: 0, fingerprint: nil)
        let first = r.read(maxLines: 100)
        #expect(strings(first.lines) == ["one", "two"])
        #expect(first.lines.map(\.offset) == [0, 4])
        #expect(r.offset == 8)
        #expect(r.read(maxLines: 100).lines.isEmpty)
        try write(f, "ee\nfour\n")
        let second = r.read(maxLines: 100)
        #expect(strings(second.lines) == ["three", "four"])
        #expect(second.lines[0].offset == 8 && second.lines[0].endOffset == 14)
    }

    @Test func resumesFromAnOffsetAndHonoursMaxLines() throws {
        let f = dir.appendingPathComponent("b.log")
        try write(f, (0..<10).map { "line\($0)\n" }.joined(), append: false)
        let all = LineReader(path: f.path, offset: 0, fingerprint: nil)
        let firstThree = all.read(maxLines: 3).lines
        #expect(strings(firstThree) == ["line0", "line1", "line2"])
        let resumed = LineReader(path: f.path, offset: firstThree[2].endOffset, fingerprint: all.fingerprint)
        #expect(strings(resumed.read(maxLines: 100).lines) == (3..<10).map { "line\($0)" })
    }

    @Test func truncationRestartsFromTheBeginning() throws {
        let f = dir.appendingPathComponent("c.log")
        try write(f, "aaaa\nbbbb\ncccc\n", append: false)
        let r = LineReader(path: f.path, offset: 0, fingerprint: nil)
        _ = r.read(maxLines: 100)
        try write(f, "new\n", append: false)  // copytruncate-style: same inode, shorter
        let after = r.read(maxLines: 100)
        #expect(after.events.contains(.truncated(from: 15)))
        #expect(strings(after.lines) == ["new"])
    }

    @Test func replacedFileIsReadFromItsStart() throws {
        let f = dir.appendingPathComponent("d.log")
        try write(f, "first file line\nmore\n", append: false)
        let r = LineReader(path: f.path, offset: 0, fingerprint: nil)
        _ = r.read(maxLines: 100)
        let moved = dir.appendingPathComponent("d.log.1")
        try FileManager.default.moveItem(at: f, to: moved)
        try write(f, "second file\n", append: false)
        try write(moved, "late line in the old file\n")
        // The first idle read leaves a writer that still holds the old file one poll of grace.
        let grace = r.read(maxLines: 100)
        #expect(strings(grace.lines) == ["late line in the old file"])
        let after = r.read(maxLines: 100)
        #expect(after.events.contains(.rotated))
        #expect(strings(after.lines) == ["second file"])
        #expect(after.lines[0].fingerprint != grace.lines[0].fingerprint)
    }

    @Test func checkpointFromAnotherFileIsIgnored() throws {
        let f = dir.appendingPathComponent("e.log")
        try write(f, "hello\nworld\n", append: false)
        let r = LineReader(path: f.path, offset: 6, fingerprint: 0xDEAD_BEEF)
        let got = r.read(maxLines: 100)
        #expect(got.events.contains(.checkpointFileGone(fingerprint: 0xDEAD_BEEF)))
        #expect(strings(got.lines) == ["hello", "world"])
    }

    @Test func oversizeLineIsCutFlaggedAndDoesNotBlockTheNext() throws {
        let f = dir.appendingPathComponent("f.log")
        let big = String(repeating: "x", count: 200_000)
        try write(f, "short\n\(big)\nafter\n", append: false)
        let r = LineReader(path: f.path, offset: 0, fingerprint: nil, maxLineBytes: 1000)
        let lines = r.read(maxLines: 100).lines
        #expect(lines.count == 3)
        #expect(lines[1].oversize && lines[1].bytes.count == 1000)
        #expect(lines[1].endOffset == UInt64(6 + 200_001))
        #expect(String(decoding: lines[2].bytes, as: UTF8.self) == "after" && !lines[2].oversize)
    }

    @Test func emptyLinesAndMissingFile() throws {
        let f = dir.appendingPathComponent("g.log")
        let r = LineReader(path: f.path, offset: 0, fingerprint: nil)
        #expect(r.read(maxLines: 10).events == [.missing])
        try write(f, "\n\nx\n", append: false)
        #expect(strings(r.read(maxLines: 10).lines) == ["", "", "x"])
    }

    @Test func checkpointFileRoundTripsAtomically() throws {
        let file = CheckpointFile(path: dir.appendingPathComponent("cp").path)
        #expect(try file.load() == nil)
        try file.store(Checkpoint(fingerprint: 0xABCDEF, offset: 123_456))
        #expect(try file.load() == Checkpoint(fingerprint: 0xABCDEF, offset: 123_456))
        try file.store(Checkpoint(fingerprint: 1, offset: 2))
        #expect(try file.load() == Checkpoint(fingerprint: 1, offset: 2))
        #expect(!FileManager.default.fileExists(atPath: file.path + ".tmp"))
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: CheckpointError.self) { try file.load() }
    }
}
