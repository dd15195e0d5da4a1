#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
package import LogPipeCore

/// Reads and atomically writes a checkpoint file (write to a temporary file, fsync, rename,
/// fsync the directory), so a crash leaves either the old or the new checkpoint, never a torn one.
package struct CheckpointFile: Sendable {
    package let path: String

    package init(path: String) { self.path = path }

    /// The stored file checkpoint; nil if there is none. A malformed file, or one holding a
    /// journal cursor, is an error.
    package func load() throws(CheckpointError) -> Checkpoint? {
        switch try loadStored() {
        case nil: return nil
        case .file(let checkpoint): return checkpoint
        case .journal:
            throw CheckpointError(
                path: path, message: "holds a journal cursor (v1-journal, written by --input journald), not a file position")
        }
    }

    /// The stored journal cursor; nil if there is none. A malformed file, or one holding a file
    /// position, is an error.
    package func loadCursor() throws(CheckpointError) -> String? {
        switch try loadStored() {
        case nil: return nil
        case .journal(let cursor): return cursor
        case .file:
            throw CheckpointError(
                path: path, message: "holds a file position (v1, written by --input file), not a journal cursor")
        }
    }

    /// The stored checkpoint of either kind; nil if there is none. A malformed file is an error.
    package func loadStored() throws(CheckpointError) -> StoredCheckpoint? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw CheckpointError(path: path, message: "cannot open: errno \(errno)")
        }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 1024)
        let n = read(fd, &buf, buf.count)
        guard n > 0, n < buf.count, let cp = StoredCheckpoint(text: String(decoding: buf[0..<n], as: UTF8.self)) else {
            throw CheckpointError(path: path, message: "malformed checkpoint (expected v1 <fingerprint> <offset> or v1-journal <cursor>)")
        }
        return cp
    }

    /// Atomically replaces the stored checkpoint with a file position.
    package func store(_ checkpoint: Checkpoint) throws(CheckpointError) { try store(.file(checkpoint)) }

    /// Atomically replaces the stored checkpoint.
    package func store(_ checkpoint: StoredCheckpoint) throws(CheckpointError) {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CheckpointError(path: tmp, message: "cannot create: errno \(errno)") }
        let bytes = Array(checkpoint.text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0 else {
            throw CheckpointError(path: tmp, message: "write failed: errno \(errno)")
        }
        guard rename(tmp, path) == 0 else { throw CheckpointError(path: path, message: "rename failed: errno \(errno)") }
        let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let dfd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }
}

/// A checkpoint file could not be read or written.
package struct CheckpointError: Error, Sendable, CustomStringConvertible {
    package var path: String
    package var message: String
    package var description: String { "checkpoint \(path): \(message)" }
}
