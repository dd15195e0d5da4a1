import Foundation
import Testing

import LogPipeCore
import LogPipeService

/// The Docker json-file input over real files, without a broker: the driver's `max-size` /
/// `max-file` rotation (live file renamed to `.1`, `.1` to `.2` …, the oldest deleted), a line
/// split across a rotation, and resuming from a checkpoint after several rotations.
@Suite struct DockerJSONReaderTests {
    let dir: URL
    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("logpipe-docker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    /// A json-file log as the driver writes it, rotating like `--log-opt max-file=N`.
    final class JSONFileLog {
        let url: URL
        let maxFile: Int
        var entries = 0

        init(_ url: URL, maxFile: Int) {
            self.url = url
            self.maxFile = maxFile
        }

        func append(_ entries: [[UInt8]]) throws {
            var data = Data()
            for e in entries {
                data.append(contentsOf: e)
                data.append(0x0A)
            }
            if let h = try? FileHandle(forWritingTo: url) {
                h.seekToEndOfFile()
                h.write(data)
                try h.close()
            } else {
                try data.write(to: url)
            }
            self.entries += entries.count
        }

        /// `<name>.(N-1)` → `<name>.N` … `<name>` → `<name>.1`; the oldest beyond max-file is deleted.
        func rotate() throws {
            let fm = FileManager.default
            func rotated(_ n: Int) -> URL { URL(fileURLWithPath: url.path + ".\(n)") }
            try? fm.removeItem(at: rotated(maxFile - 1))
            for n in stride(from: maxFile - 2, through: 1, by: -1) where fm.fileExists(atPath: rotated(n).path) {
                try fm.moveItem(at: rotated(n), to: rotated(n + 1))
            }
            try fm.moveItem(at: url, to: rotated(1))
        }
    }

    func drain(_ r: DockerJSONReader) -> [LogLine] {
        var lines: [LogLine] = []
        var idle = 0
        while idle < 3 {
            let b = r.read(maxLines: 1000)
            lines += b.lines
            idle = b.lines.isEmpty ? idle + 1 : 0
        }
        return lines
    }

    /// The lines' texts (a long one as `<first byte>×<length>`).
    func texts(_ lines: [LogLine]) -> [String] {
        lines.map { $0.bytes.count > 100 ? "\(Character(UnicodeScalar($0.bytes.first!)))×\($0.bytes.count)" : String(decoding: $0.bytes, as: UTF8.self) }
    }

    @Test func followsMaxFileRotationsAndJoinsALineSplitAcrossOne() throws {
        let url = dir.appendingPathComponent("c0ffee-json.log")
        let log = JSONFileLog(url, maxFile: 3)
        try log.append((0..<3).map { DockerLog.entry(Array("a\($0)\n".utf8), i: $0) })
        let r = DockerJSONReader(path: url.path, maxLineBytes: 1 << 20)
        #expect(texts(r.read(maxLines: 100).lines) == ["a0", "a1", "a2"])
        // A 20,000-byte line: its first piece before the rotation, the rest after it.
        let long = Array(repeating: UInt8(ascii: "L"), count: 20_000)
        let pieces = DockerLog.entries(forLine: long, i: 9)
        try log.append([pieces[0]])
        try log.rotate()
        try log.append([pieces[1], DockerLog.entry(Array("b0\n".utf8), i: 10)])
        // Two more rotations before the reader looks again: it reads .2's rest, .1, then the live file.
        try log.rotate()
        try log.append([DockerLog.entry(Array("c0\n".utf8), i: 11)])
        try log.rotate()
        try log.append([DockerLog.entry(Array("d0\n".utf8), i: 12)])
        let lines = drain(r)
        #expect(texts(lines) == ["L×20000", "b0", "c0", "d0"])
        #expect(lines[0].offset == 0, "the split line is identified by its last entry, at the start of the next file")
    }

    @Test func resumesAfterSeveralRotationsWhileDown() throws {
        let url = dir.appendingPathComponent("beef-json.log")
        let log = JSONFileLog(url, maxFile: 5)
        try log.append((0..<4).map { DockerLog.entry(Array("x\($0)\n".utf8), i: $0) })
        let first = DockerJSONReader(path: url.path, maxLineBytes: 1 << 20)
        let read = first.read(maxLines: 2)  // x0, x1 shipped and checkpointed
        let checkpoint = read.position(after: 1)
        // While LogPipe is down: the file grows and rotates three times.
        try log.append([DockerLog.entry(Array("x4\n".utf8), i: 4)])
        for round in 0..<3 {
            try log.rotate()
            try log.append([DockerLog.entry(Array("r\(round)\n".utf8), i: 20 + round)])
        }
        let r = DockerJSONReader(
            path: url.path, offset: checkpoint.offset, fingerprint: checkpoint.fingerprint, maxLineBytes: 1 << 20)
        #expect(texts(drain(r)) == ["x2", "x3", "x4", "r0", "r1", "r2"])
    }
}
