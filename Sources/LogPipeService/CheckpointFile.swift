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

    /// The stored checkpoint; nil if there is none. A malformed file is an error.
    package func load() throws(CheckpointError) -> Checkpoint? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw CheckpointError(path: path, message: "cannot open: errno \(errno)")
        }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 256)
        let n = read(fd, &buf, buf.count)
        guard n > 0, let cp = Checkpoint(text: String(decoding: buf[0..<n], as: UTF8.self)) else {
            throw CheckpointError(path: path, message: "malformed checkpoint")
        }
        return cp
    }

    /// Atomically replaces the stored checkpoint.
    package func store(_ checkpoint: Checkpoint) throws(CheckpointError) {
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
