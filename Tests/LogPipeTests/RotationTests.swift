import Foundation
import Testing

import LogPipeCore
import LogPipeService

/// The file follower across rotations, without a broker: which lines come out, in which order,
/// with which fingerprint and offsets.
@Suite struct RotationTests {
    let dir: URL
    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("logpipe-rot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func append(_ url: URL, _ text: String) throws {
        if let h = try? FileHandle(forWritingTo: url) {
            h.seekToEndOfFile()
            h.write(Data(text.utf8))
            try h.close()
        } else {
            try Data(text.utf8).write(to: url)
        }
    }

    func texts(_ batch: ReadBatch) -> [String] { batch.lines.map { String(decoding: $0.bytes, as: UTF8.self) } }

    /// Reads until two reads in a row return nothing (rotation grace included).
    func drain(_ r: LineReader) -> (lines: [LogLine], events: [SourceEvent]) {
        var lines: [LogLine] = []
        var events: [SourceEvent] = []
        var idle = 0
        while idle < 2 {
            let b = r.read(maxLines: 1000)
            lines += b.lines
            events += b.events
            idle = b.lines.isEmpty ? idle + 1 : 0
        }
        return (lines, events)
    }

    @Test func copytruncateFinishesTheCopyThenReadsTheNewContent() throws {
        let f = dir.appendingPathComponent("console.log")
        try append(f, "first A\nline 2\nline 3\nline 4\n")
        let r = LineReader(path: f.path)
        #expect(texts(r.read(maxLines: 2)) == ["first A", "line 2"])
        // logrotate copytruncate: copy, then truncate in place; then the writer goes on.
        try FileManager.default.copyItem(at: f, to: dir.appendingPathComponent("console.log.1"))
        try Data().write(to: f)
        let h = try FileHandle(forWritingTo: f)
        h.write(Data("first B\nnew 2\n".utf8))
        try h.close()
        let got = drain(r)
        #expect(got.lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["line 3", "line 4", "first B", "new 2"])
        #expect(got.events.contains(.truncated(from: 15)))
        #expect(got.events.contains(.finishingRotated(path: dir.appendingPathComponent("console.log.1").path)))
        #expect(got.lines[0].offset == 15 && got.lines[2].offset == 0)
        #expect(got.lines[0].fingerprint == Fingerprint.of(firstLine: Array("first A".utf8)))
        #expect(got.lines[2].fingerprint == Fingerprint.of(firstLine: Array("first B".utf8)))
    }

    @Test func truncationWithoutCopyRestartsAtZero() throws {
        let f = dir.appendingPathComponent("t.log")
        try append(f, "aaaa\nbbbb\n")
        let r = LineReader(path: f.path)
        #expect(texts(r.read(maxLines: 10)) == ["aaaa", "bbbb"])
        try Data("cc\n".utf8).write(to: f)
        let got = drain(r)
        #expect(got.lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["cc"])
        #expect(got.events.contains(.truncated(from: 10)))
    }

    @Test func rewrittenInPlaceAndGrownPastTheOffsetIsDetectedByFingerprint() throws {
        let f = dir.appendingPathComponent("w.log")
        try append(f, "one\ntwo\n")
        let r = LineReader(path: f.path)
        _ = r.read(maxLines: 10)
        try Data("a different first line\nmore\n".utf8).write(to: f)  // longer than before
        let got = drain(r)
        #expect(got.lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["a different first line", "more"])
    }

    @Test func replacedWhileDownResumesInTheRotatedFileFirst() throws {
        let f = dir.appendingPathComponent("factorio.log")
        try append(f, "head X\nx1\nx2\n")
        let first = LineReader(path: f.path)
        let read = first.read(maxLines: 2).lines  // "head X", "x1" shipped and checkpointed
        let checkpoint = (read[1].fingerprint, read[1].endOffset)
        // While LogPipe is down: the old file grows, is renamed, and a new one starts.
        try append(f, "x3\n")
        try FileManager.default.moveItem(at: f, to: dir.appendingPathComponent("factorio.log.1"))
        try append(f, "head Y\ny1\n")
        let r = LineReader(path: f.path, offset: checkpoint.1, fingerprint: checkpoint.0)
        let got = drain(r)
        #expect(got.lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["x2", "x3", "head Y", "y1"])
        #expect(got.lines[0].offset == checkpoint.1)
    }

    @Test func deletedFileIsReadToItsEndThenTheNextOneIsFollowed() throws {
        let f = dir.appendingPathComponent("d.log")
        try append(f, "d head\n")
        let writer = try FileHandle(forWritingTo: f)
        writer.seekToEndOfFile()
        let r = LineReader(path: f.path)
        #expect(texts(r.read(maxLines: 10)) == ["d head"])
        try FileManager.default.removeItem(at: f)
        writer.write(Data("written after unlink\n".utf8))
        let afterDelete = r.read(maxLines: 10)
        #expect(texts(afterDelete) == ["written after unlink"])
        #expect(r.read(maxLines: 10).events.contains(.deleted) || afterDelete.events.contains(.deleted))
        try writer.close()
        try append(f, "new file\n")
        let got = drain(r)
        #expect(got.lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["new file"])
    }

    @Test func unterminatedLastLineOfARotatedFileIsShipped() throws {
        let f = dir.appendingPathComponent("p.log")
        try append(f, "p head\npartial")
        let r = LineReader(path: f.path)
        #expect(texts(r.read(maxLines: 10)) == ["p head"])
        try FileManager.default.moveItem(at: f, to: dir.appendingPathComponent("p.log.1"))
        try append(f, "q head\n")
        let got = drain(r)
        #expect(got.lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["partial", "q head"])
        #expect(got.lines[0].endOffset == 14)
    }

    @Test func startAtEndSkipsWhatIsThere() throws {
        let f = dir.appendingPathComponent("e.log")
        try append(f, "old 1\nold 2\n")
        let r = LineReader(path: f.path, startAtEnd: true)
        #expect(r.read(maxLines: 10).lines.isEmpty)
        try append(f, "new\n")
        let lines = r.read(maxLines: 10).lines
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["new"])
        #expect(lines[0].fingerprint == Fingerprint.of(firstLine: Array("old 1".utf8)))
    }

    @Test func streamReaderReadsAPipeToItsEnd() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let text = "s head\n\nKAFKATORIO/1 x\ntail without newline"
        _ = text.utf8CString.withUnsafeBufferPointer { write(fds[1], $0.baseAddress, text.utf8.count) }
        close(fds[1])
        let r = StreamReader(fd: fds[0], maxLineBytes: 1024, wait: .milliseconds(50))
        var lines: [LogLine] = []
        var finished = false
        for _ in 0..<20 where !finished {
            let b = r.read(maxLines: 100)
            lines += b.lines
            finished = b.finished
        }
        close(fds[0])
        #expect(finished)
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["s head", "", "KAFKATORIO/1 x", "tail without newline"])
        #expect(lines.allSatisfy { $0.fingerprint == Fingerprint.of(firstLine: Array("s head".utf8)) })
        #expect(lines.map(\.offset) == [0, 7, 8, 23])
    }
}
