#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An input LogPipe ships lines from: a followed file (``LineReader``) or a stream
/// (``StreamReader``, for stdin). Not thread-safe: one owner, on LogPipe's reader queue.
public protocol LineSource: AnyObject {
    /// Reads up to `maxLines` complete lines that are available now.
    func read(maxLines: Int) -> ReadBatch
    /// Bytes available in the input but not yet returned as lines (for the lag metric).
    var unreadBytes: UInt64 { get }
}

/// What one ``LineSource/read(maxLines:)`` returns.
public struct ReadBatch: Sendable {
    /// The lines read; each line's `bytes` is a slice of ``storage``.
    public private(set) var lines: [LogLine] = []
    /// The bytes of every line, back to back (one buffer per read, not one array per line).
    public private(set) var storage: [UInt8] = []
    public var events: [SourceEvent] = []
    /// True if the source is at the end of the data available now.
    public var atEnd = false
    /// True if the source has ended for good (end of a stream); nothing more will come.
    public var finished = false
    /// Where each line added since the last ``seal()`` is in ``storage``.
    private var unsealed: [Range<Int>] = []

    public init() {}

    /// A batch of the given lines, their bytes copied into one storage (tests, re-reads).
    public init(lines: [LogLine]) {
        for var line in lines {
            let range = line.bytes.withUnsafeBytes { store($0) }
            line.bytes = ArraySlice()
            add(line, range: range)
        }
        seal()
    }

    /// Appends `bytes` to the storage; returns where they are.
    mutating func store(_ bytes: UnsafeRawBufferPointer) -> Range<Int> {
        if storage.capacity == 0 { storage.reserveCapacity(max(bytes.count, 16 << 10)) }
        let start = storage.count
        storage.append(contentsOf: bytes)
        return start..<storage.count
    }

    /// Adds a line whose bytes are `storage[range]` (set by ``seal()``).
    mutating func add(_ line: LogLine, range: Range<Int>) {
        lines.append(line)
        unsealed.append(range)
    }

    /// Points the bytes of the lines added since the last call at the storage. Called once the
    /// storage is complete (slicing it earlier would make every later append copy it).
    mutating func seal() {
        guard !unsealed.isEmpty else { return }
        let first = lines.count - unsealed.count
        for (i, range) in unsealed.enumerated() { lines[first + i].bytes = storage[range] }
        unsealed = []
    }

    /// Sets the fingerprint of every line (a stream learns it from its first line).
    mutating func setFingerprint(_ fingerprint: UInt64) {
        for i in lines.indices { lines[i].fingerprint = fingerprint }
    }
}

/// What happened to an input, besides new lines.
public enum SourceEvent: Sendable, Hashable {
    /// A file was opened at the path, reading from `offset`.
    case opened(offset: UInt64)
    /// No file at the path (reported once until one appears).
    case missing
    /// The file at the path was deleted; the open file is still read to its end.
    case deleted
    /// Another file appeared at the path; the old one was finished first.
    case rotated
    /// The file shrank or its first line changed: read from its start again.
    case truncated(from: UInt64)
    /// The rest of a file was read from its rotated copy at `path`.
    case finishingRotated(path: String)
    /// The checkpoint's file was not found (neither at the path nor rotated next to it).
    case checkpointFileGone(fingerprint: UInt64)

    /// A short name for logs and the `event` metric label.
    public var name: String {
        switch self {
        case .opened: "opened"
        case .missing: "missing"
        case .deleted: "deleted"
        case .rotated: "rotated"
        case .truncated: "truncated"
        case .finishingRotated: "finishing_rotated"
        case .checkpointFileGone: "checkpoint_file_gone"
        }
    }
}

/// Reads lines from a stream such as stdin. A stream cannot be re-read, so there is no
/// checkpoint: lines are delivered at least once while LogPipe runs (a failed delivery is re-sent
/// from memory), and a graceful stop or end of input waits until everything read was
/// acknowledged. Lines still in memory when the process is killed are lost. The fingerprint
/// (for the `source` header) is that of the stream's first line; offsets count from the start
/// of the stream.
public final class StreamReader: LineSource {
    private let fd: Int32
    private var splitter: LineSplitter
    private var fingerprint: UInt64?
    private var ended = false
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private let waitMilliseconds: Int32

    /// - Parameters:
    ///   - fd: the stream (0 for stdin); it is not closed.
    ///   - wait: how long one read waits for data before returning an empty batch.
    public init(fd: Int32 = 0, maxLineBytes: Int = 1 << 20, wait: Duration = .milliseconds(100)) {
        self.fd = fd
        splitter = LineSplitter(maxLineBytes: maxLineBytes, start: 0)
        waitMilliseconds = Int32(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)
    }

    public var unreadBytes: UInt64 { 0 }

    public func read(maxLines: Int) -> ReadBatch {
        var batch = ReadBatch()
        if ended {
            batch.atEnd = true
            batch.finished = true
            return batch
        }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var timeout = waitMilliseconds
        while batch.lines.count < maxLines {
            guard poll(&pfd, 1, timeout) > 0 else { break }
            timeout = 0
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if n <= 0 {
                ended = true
                splitter.finishPartial(fingerprint: fingerprint ?? 0, into: &batch)
                batch.finished = true
                break
            }
            // A stream cannot be re-read: take the whole chunk even past maxLines.
            _ = buffer.withUnsafeBytes { raw in
                splitter.feed(
                    UnsafeRawBufferPointer(rebasing: raw[0..<n]), fingerprint: fingerprint ?? 0, maxLines: Int.max,
                    into: &batch)
            }
        }
        batch.seal()
        if fingerprint == nil, let first = batch.lines.first {
            let fp = Fingerprint.of(firstLine: first.bytes)
            fingerprint = fp
            batch.setFingerprint(fp)
        }
        batch.atEnd = batch.lines.isEmpty
        return batch
    }
}
