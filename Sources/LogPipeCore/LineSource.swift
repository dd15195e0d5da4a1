/// An input LogPipe ships lines from: a followed file (``LineReader``) or a stream
/// (``StreamReader``, for stdin). Not thread-safe: one owner, on LogPipe's reader queue.
package protocol LineSource: AnyObject {
    /// Reads up to `maxLines` complete lines that are available now.
    func read(maxLines: Int) -> ReadBatch
    /// Bytes available in the input but not yet returned as lines (for the lag metric).
    var unreadBytes: UInt64 { get }
    /// True while another file appeared at a followed path and the current one is given a short
    /// grace for a writer that still appends to it: the next read must come soon even if
    /// nothing changes (a wait for file events is bounded by it).
    var rotationPending: Bool { get }
}

extension LineSource {
    /// Streams and the journal have no rotation to wait for.
    package var rotationPending: Bool { false }
}

/// What one ``LineSource/read(maxLines:)`` returns.
package struct ReadBatch: Sendable {
    /// The lines read; each line's `bytes` is a slice of ``storage``.
    package private(set) var lines: [LogLine] = []
    /// The bytes of every line, back to back (one buffer per read, not one array per line).
    package private(set) var storage: [UInt8] = []
    package var events: [SourceEvent] = []
    /// True if the source is at the end of the data available now.
    package var atEnd = false
    /// True if the source has ended for good (end of a stream); nothing more will come.
    package var finished = false
    /// Lines that go to the dead-letter topic for another reason than their size, by index in
    /// ``lines``: broken Docker json-file entries (the raw entry is the line). Empty for files.
    package private(set) var rejections: [Int: LineRejection] = [:]
    /// Lines after which reading resumes somewhere else than just past them, by index in
    /// ``lines``: a Docker line read while a split line is still incomplete resumes at that split
    /// line's first entry. Empty for files.
    package private(set) var resumePositions: [Int: Checkpoint] = [:]
    /// Where each line added since the last ``seal()`` is in ``storage``.
    private var unsealed: [Range<Int>] = []

    package init() {}

    /// A batch of the given lines, their bytes copied into one storage (tests, re-reads).
    package init(lines: [LogLine]) {
        for var line in lines {
            let range = line.bytes.withUnsafeBytes { store($0) }
            line.bytes = ArraySlice()
            add(line, range: range)
        }
        seal()
    }

    /// Appends `bytes` to the storage; returns where they are.
    package mutating func store(_ bytes: UnsafeRawBufferPointer) -> Range<Int> {
        if storage.capacity == 0 { storage.reserveCapacity(max(bytes.count, 16 << 10)) }
        let start = storage.count
        storage.append(contentsOf: bytes)
        return start..<storage.count
    }

    /// Adds a line whose bytes are `storage[range]` (set by ``seal()``); `rejection` sends it to
    /// the dead-letter topic, `resume` is where reading resumes after it if not just past it.
    package mutating func add(
        _ line: LogLine, range: Range<Int>, rejection: LineRejection? = nil, resume: Checkpoint? = nil
    ) {
        if let rejection { rejections[lines.count] = rejection }
        if let resume { resumePositions[lines.count] = resume }
        lines.append(line)
        unsealed.append(range)
    }

    /// Where reading resumes after line `index`: its resume position, or just past it.
    package func position(after index: Int) -> Checkpoint {
        let line = lines[index]
        if !resumePositions.isEmpty, let resume = resumePositions[index] { return resume }
        return Checkpoint(fingerprint: line.fingerprint, offset: line.endOffset)
    }

    /// Points the bytes of the lines added since the last call at the storage. Called once the
    /// storage is complete (slicing it earlier would make every later append copy it).
    package mutating func seal() {
        guard !unsealed.isEmpty else { return }
        let first = lines.count - unsealed.count
        for (i, range) in unsealed.enumerated() { lines[first + i].bytes = storage[range] }
        unsealed = []
    }

    /// Sets the fingerprint of every line (a stream learns it from its first line).
    package mutating func setFingerprint(_ fingerprint: UInt64) {
        for i in lines.indices { lines[i].fingerprint = fingerprint }
    }
}

/// Why a line goes to the dead-letter topic although it is not too long.
package struct LineRejection: Sendable, Hashable {
    /// The `reason` header, e.g. `bad_docker_entry`.
    package var reason: String
    /// The `detail` header: what was wrong.
    package var detail: String

    package init(reason: String, detail: String) {
        self.reason = reason
        self.detail = detail
    }
}

/// What happened to an input, besides new lines.
package enum SourceEvent: Sendable, Hashable {
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
    /// The checkpoint's journal entry is gone (vacuumed, its file deleted): reading restarts at
    /// the oldest entry there is.
    case checkpointCursorGone(cursor: String)
    /// Reading the input failed (reported once per distinct error; reading is retried).
    case readError(String)

    /// A short name for logs and the `event` metric label.
    package var name: String {
        switch self {
        case .opened: "opened"
        case .missing: "missing"
        case .deleted: "deleted"
        case .rotated: "rotated"
        case .truncated: "truncated"
        case .finishingRotated: "finishing_rotated"
        case .checkpointFileGone: "checkpoint_file_gone"
        case .checkpointCursorGone: "checkpoint_cursor_gone"
        case .readError: "read_error"
        }
    }
}
