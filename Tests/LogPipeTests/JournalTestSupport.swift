import Foundation
import Synchronization

/// Writes journal files as journald would, without a running journald: entries in the journal
/// export format (every field in the length-prefixed binary form, so any bytes go) are fed to
/// `systemd-journal-remote --output=<dir>/<file>.journal -`, which appends them to that file
/// (same file: the same sequence number id, numbers going on; a new file: a new sequence).
final class JournalLog: Sendable {
    static let remote = "/lib/systemd/systemd-journal-remote"
    let directory: URL
    let bootID = "0123456789abcdef0123456789abcdef"
    /// The messages written for the followed unit, in order.
    private let written = Mutex<[[UInt8]]>([])
    private let clock = Mutex<UInt64>(0)

    init(_ directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// One entry to write: its unit, its `MESSAGE` (nil: none), and extra fields.
    struct Entry {
        var unit: String
        var message: [UInt8]?
        var fields: [(String, [UInt8])] = []

        init(unit: String = "factorio.service", message: [UInt8]?, fields: [(String, [UInt8])] = []) {
            self.unit = unit
            self.message = message
            self.fields = fields
        }

        init(unit: String = "factorio.service", _ text: String) { self.init(unit: unit, message: Array(text.utf8)) }
    }

    /// Appends `entries` to `<file>.journal`; the messages of `factorio.service` are remembered.
    func write(_ entries: [Entry], file: String = "system") async throws {
        var export: [UInt8] = []
        for entry in entries {
            let tick = clock.withLock { t in
                t += 1
                return t
            }
            func text(_ name: String, _ value: String) { export += Array("\(name)=\(value)\n".utf8) }
            func binary(_ name: String, _ value: [UInt8]) {
                // journal-remote refuses an empty binary field: the text form says the same.
                if value.isEmpty { return export += Array("\(name)=\n".utf8) }
                export += Array(name.utf8) + [0x0A]
                withUnsafeBytes(of: UInt64(value.count).littleEndian) { export += $0 }
                export += value + [0x0A]
            }
            text("__REALTIME_TIMESTAMP", "\(1_790_000_000_000_000 + tick)")
            text("__MONOTONIC_TIMESTAMP", "\(1_000_000 + tick)")
            text("_BOOT_ID", bootID)
            text("_SYSTEMD_UNIT", entry.unit)
            for (name, value) in entry.fields { binary(name, value) }
            if let message = entry.message { binary("MESSAGE", message) }
            export.append(0x0A)
        }
        let input = directory.appendingPathComponent(".export-\(UUID().uuidString)")
        try Data(export).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        try await PipeEnv.run(
            Self.remote, ["--output=\(directory.appendingPathComponent(file + ".journal").path)", "-"],
            stdinPath: input.path)
        written.withLock { $0 += entries.filter { $0.unit == "factorio.service" }.map { $0.message ?? [] } }
    }

    /// Appends one entry per line of text (unit `factorio.service`).
    func write(lines: [String], file: String = "system") async throws {
        try await write(lines.map { Entry($0) }, file: file)
    }

    /// The non-empty lines the followed unit's messages hold (each split at `\n`), in order.
    var expectedLines: [[UInt8]] {
        written.withLock { $0 }.flatMap { $0.split(separator: 0x0A, omittingEmptySubsequences: true).map(Array.init) }
    }
}
