#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where LogPipe resumes: the fingerprint of the file and the offset just past the last line
/// whose delivery the broker acknowledged (together with every line before it).
public struct Checkpoint: Sendable, Hashable {
    public var fingerprint: UInt64
    public var offset: UInt64

    public init(fingerprint: UInt64, offset: UInt64) {
        self.fingerprint = fingerprint
        self.offset = offset
    }

    /// Text form: `v1 <fingerprint hex> <offset>\n`.
    public var text: String { "v1 \(String(fingerprint, radix: 16)) \(offset)\n" }

    /// Parses ``text``; nil if malformed.
    public init?(text: String) {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count == 3, parts[0] == "v1", let fp = UInt64(parts[1], radix: 16), let off = UInt64(parts[2])
        else { return nil }
        self.init(fingerprint: fp, offset: off)
    }
}

/// Reads and atomically writes a checkpoint file (write to a temporary file, fsync, rename,
/// fsync the directory), so a crash leaves either the old or the new checkpoint, never a torn one.
public struct CheckpointFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The stored checkpoint; nil if there is none. A malformed file is an error.
    public func load() throws(CheckpointError) -> Checkpoint? {
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
    public func store(_ checkpoint: Checkpoint) throws(CheckpointError) {
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
public struct CheckpointError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "checkpoint \(path): \(message)" }
}
