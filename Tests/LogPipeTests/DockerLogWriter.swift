import Foundation
import Synchronization

import LogPipeCore

/// Writes a container's json-file log like Docker's json-file driver: every printed line becomes
/// entries of at most 16 KiB of `log` (``DockerLog``), and the file rotates like
/// `--log-opt max-size=… max-file=…` (checked before each entry, so a split line may straddle a
/// rotation: the live file is renamed to `.1`, `.1` to `.2` …, the oldest beyond max-file
/// deleted). Remembers where each line's last entry is: the `source` LogPipe must give it.
final class DockerLogWriter: @unchecked Sendable {
    /// A line printed on stdout, and where its last entry is (fingerprint of the file, offset).
    struct Printed: Sendable {
        var bytes: [UInt8]
        var source: String
    }

    let url: URL
    let maxSize: Int
    let maxFile: Int
    private let state = Mutex<[Printed]>([])
    private var handle: FileHandle
    private var size = 0
    private var fingerprint: UInt64?
    private var count = 0
    /// Rotations so far.
    private(set) var rotations = 0

    init(_ url: URL, maxSize: Int = 1 << 30, maxFile: Int = 1) throws {
        self.url = url
        self.maxSize = maxSize
        self.maxFile = maxFile
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        handle = try FileHandle(forWritingTo: url)
    }

    /// Prints `lines` on `stream` (one write per entry, as the driver does).
    func print(_ lines: [[UInt8]], stream: String = "stdout") throws {
        for line in lines {
            let entries = DockerLog.entries(forLine: line, stream: stream, i: count)
            count += 1
            var last: (UInt64, Int) = (0, 0)
            for entry in entries {
                if size >= maxSize { try rotate() }
                if fingerprint == nil { fingerprint = Fingerprint.of(firstLine: entry) }
                last = (fingerprint ?? 0, size)
                handle.write(Data(entry + [0x0A]))
                size += entry.count + 1
            }
            if stream == "stdout" {
                let printed = Printed(bytes: line, source: "\(Fingerprint.hex(last.0)):\(last.1)")
                state.withLock { $0.append(printed) }
            }
        }
    }

    func print(_ lines: [String], stream: String = "stdout") throws { try print(lines.map { Array($0.utf8) }, stream: stream) }

    /// Appends raw bytes (a broken entry) and a newline.
    func raw(_ bytes: [UInt8]) {
        if fingerprint == nil { fingerprint = Fingerprint.of(firstLine: bytes) }
        handle.write(Data(bytes + [0x0A]))
        size += bytes.count + 1
    }

    private func rotate() throws {
        try handle.close()
        let fm = FileManager.default
        func rotated(_ n: Int) -> String { url.path + ".\(n)" }
        if maxFile > 1 {
            try? fm.removeItem(atPath: rotated(maxFile - 1))
            for n in stride(from: maxFile - 2, through: 1, by: -1) where fm.fileExists(atPath: rotated(n)) {
                try fm.moveItem(atPath: rotated(n), toPath: rotated(n + 1))
            }
            try fm.moveItem(atPath: url.path, toPath: rotated(1))
        } else {
            try fm.removeItem(at: url)
        }
        _ = fm.createFile(atPath: url.path, contents: nil)
        handle = try FileHandle(forWritingTo: url)
        size = 0
        fingerprint = nil
        rotations += 1
    }

    func close() { try? handle.close() }

    /// The stdout lines printed so far.
    var printed: [Printed] { state.withLock { $0 } }
}
