import Shared

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One complete line read from the log: its byte offset in the file and its bytes (without the
/// newline; a trailing `\r` is kept, the codec strips it).
public struct LogLine: Sendable, Hashable {
    /// Offset of the line's first byte.
    public var offset: UInt64
    /// Offset just past the line's newline: where reading resumes after this line.
    public var endOffset: UInt64
    /// The line's bytes; for an oversize line only its first `maxLineBytes` bytes.
    public var bytes: [UInt8]
    /// True if the line was longer than the limit and was cut.
    public var oversize: Bool
}

/// Reads complete lines from a growing file, from a given offset. A line without its newline
/// yet stays pending until the newline arrives. Detects truncation (the file became shorter
/// than the read position) and replacement (another file at the path, by fingerprint).
///
/// Not thread-safe: one owner (LogPipe runs it on its own serial queue).
public final class LineReader {
    /// The file being read.
    public let path: String
    /// Longest line kept whole; longer lines are cut and flagged.
    public let maxLineBytes: Int
    /// The position up to which complete lines have been returned.
    public private(set) var offset: UInt64
    /// The fingerprint of the file at `offset` (hash of its first line), once known.
    public private(set) var fingerprint: UInt64?

    private var fd: Int32 = -1
    private var inode: UInt64 = 0
    private var pending: [UInt8] = []
    private var pendingStart: UInt64 = 0
    /// Next byte to read from the file (past the pending partial line).
    private var readPos: UInt64 = 0
    private var discarding = false
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)

    /// - Parameters:
    ///   - offset: where to start (a checkpoint); lines begin after it.
    ///   - fingerprint: the checkpoint's fingerprint; if the file at `path` has another one, the
    ///     reader starts again from 0 (the file was replaced).
    public init(path: String, offset: UInt64, fingerprint: UInt64?, maxLineBytes: Int = 1 << 20) {
        self.path = path
        self.offset = offset
        self.fingerprint = fingerprint
        self.maxLineBytes = maxLineBytes
        self.pendingStart = offset
        self.readPos = offset
    }

    deinit { if fd >= 0 { close(fd) } }

    /// What happened to the file since the last read, besides new lines.
    public enum Event: Sendable, Hashable {
        case opened
        case missing
        case truncated(from: UInt64)
        case replaced
    }

    /// Reads up to `maxLines` complete lines that are available now.
    public func read(maxLines: Int) -> (lines: [LogLine], events: [Event]) {
        var events: [Event] = []
        var st = stat()
        if stat(path, &st) != 0 {
            return ([], [.missing])
        }
        if fd < 0 || UInt64(st.st_ino) != inode {
            if fd >= 0 {
                close(fd)
                events.append(.replaced)
                resetTo(0)
            }
            fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 { return ([], events + [.missing]) }
            inode = UInt64(st.st_ino)
            events.append(.opened)
        }
        if fstat(fd, &st) == 0, UInt64(st.st_size) < offset {
            events.append(.truncated(from: offset))
            resetTo(0)
        }
        if let known = fingerprint, let current = currentFingerprint(), current != known {
            events.append(.replaced)
            resetTo(0)
        }
        var lines: [LogLine] = []
        outer: while lines.count < maxLines {
            let n = pread(fd, &readBuffer, readBuffer.count, off_t(readPos))
            if n <= 0 { break }
            var start = 0
            for i in 0..<n where readBuffer[i] == 0x0A {
                appendPending(readBuffer[start..<i])
                let end = readPos + UInt64(i) + 1
                let line = LogLine(
                    offset: pendingStart, endOffset: end, bytes: pending, oversize: discarding)
                lines.append(line)
                if fingerprint == nil { fingerprint = Self.hash(line.bytes) }
                pending.removeAll(keepingCapacity: true)
                discarding = false
                pendingStart = end
                offset = end
                start = i + 1
                if lines.count >= maxLines {
                    readPos = end
                    break outer
                }
            }
            appendPending(readBuffer[start..<n])
            readPos += UInt64(n)
        }
        return (lines, events)
    }

    private func appendPending(_ bytes: ArraySlice<UInt8>) {
        if discarding { return }
        let room = maxLineBytes - pending.count
        if bytes.count <= room {
            pending.append(contentsOf: bytes)
        } else {
            pending.append(contentsOf: bytes.prefix(room))
            discarding = true
        }
    }

    private func resetTo(_ position: UInt64) {
        offset = position
        readPos = position
        pendingStart = position
        pending.removeAll()
        discarding = false
        fingerprint = nil
    }

    /// Hash of the file's first line (up to 4 KiB), if the first line is complete.
    private func currentFingerprint() -> UInt64? {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = pread(fd, &buf, buf.count, 0)
        guard n > 0, let nl = buf[0..<n].firstIndex(of: 0x0A) else { return nil }
        return Self.hash(Array(buf[0..<nl]))
    }

    /// The fingerprint of a first line: FNV-1a of its first 4 KiB.
    static func hash(_ bytes: [UInt8]) -> UInt64 { ContentHash.fnv1a64(bytes.prefix(4096)) }
}
