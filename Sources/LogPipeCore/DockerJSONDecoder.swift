/// Turns the raw lines of a Docker json-file log (one ``DockerEntry`` each, as the file follower
/// reads them, with their fingerprint and offsets) into the lines the container printed. It is
/// a decoder layered over the raw-file follower: rotation, checkpoints and offsets stay the raw
/// file's.
///
/// - **Split lines**: an entry without the trailing newline is a piece of a longer line; the
///   pieces of each stream are joined until the entry that ends the line (stdout and stderr
///   separately: their pieces may interleave). `maxLineBytes` applies to the joined line: a
///   longer one keeps its first `maxLineBytes` bytes and is flagged oversize (`line_too_long`).
///   A line split across a rotation is joined across the two files.
/// - **Identity**: a line's `offset` (its `source`) is the raw-file offset of the entry that
///   ends it, its `endOffset` the end of that entry; both are stable across restarts.
/// - **Checkpoints** only at entry boundaries that complete a line: while a split line is
///   incomplete, every line read meanwhile (of the other stream, or filtered) resumes at the
///   split line's first entry (``ReadBatch/resumePositions``), so a restart rebuilds it whole.
/// - **Streams** not kept: their complete lines become empty filtered lines (not shipped; the
///   checkpoint moves past them).
/// - **Broken entries** (invalid JSON, not an object, no `log` or `stream`, too long) go to the
///   dead-letter topic whole (cut to `maxLineBytes`) with reason `bad_docker_entry` and a detail
///   (``ReadBatch/rejections``); the lines after them flow on. A broken entry ends every split
///   line still incomplete (the entry was probably written by a daemon that died mid-line, so
///   the rest will not come): each is shipped as it is before the dead letter, with the source
///   offset of the broken entry (stdout's) or that offset + 1 (stderr's): both are inside the
///   broken entry's bytes, so they collide with nothing, stay in order and are the same after a
///   restart.
/// - A blank raw line (Docker never writes one) is an empty filtered line.
///
/// One limit, with `--docker-streams stdout,stderr` only: when a split line of one stream is
/// incomplete while a line of the other stream that began before it completes, a restart at the
/// checkpoint (the incomplete line's first entry) re-reads the end of that other line and ships
/// it again cut, with its original `source`: PacketIngest drops it as a replay. With one stream
/// (the default) a replayed line is always whole.
package struct DockerJSONDecoder {
    /// The `reason` of a broken entry's dead letter.
    package static let badEntryReason = "bad_docker_entry"

    /// Longest raw entry read whole: a `log` of `maxLineBytes` bytes, every one escaped as
    /// `\u00XX`, plus room for the other keys. A longer entry is a broken entry.
    package static func rawLineLimit(maxLineBytes: Int) -> Int { 6 * maxLineBytes + 65536 }

    package let streams: DockerStreams
    package let maxLineBytes: Int

    /// An incomplete split line.
    struct Pending {
        /// Its first entry: where a restart must resume to rebuild it.
        var start: Checkpoint
        /// Which of the pending lines began first.
        var order: UInt64
        /// Its first `maxLineBytes` bytes.
        var bytes: [UInt8]
        /// Its length so far.
        var length: UInt64
        /// Raw bytes of its entries.
        var rawBytes: UInt64
    }

    /// By ``DockerEntry/Stream`` raw value.
    private var pending: [Pending?] = [nil, nil]
    private var pieces: UInt64 = 0
    private var scratch: [UInt8] = []

    package init(streams: DockerStreams, maxLineBytes: Int) {
        self.streams = streams
        self.maxLineBytes = maxLineBytes
    }

    /// Raw bytes of the entries holding pieces of lines not complete yet (for the lag metric).
    package var pendingRawBytes: UInt64 { pending.reduce(0) { $0 + ($1?.rawBytes ?? 0) } }

    /// Decodes the raw entries of `raw` into lines (events and end flags carried over).
    package mutating func decode(_ raw: ReadBatch) -> ReadBatch {
        var out = ReadBatch()
        out.events = raw.events
        out.atEnd = raw.atEnd
        out.finished = raw.finished
        for entry in raw.lines { decode(entry, into: &out) }
        out.seal()
        return out
    }

    private mutating func decode(_ entry: LogLine, into out: inout ReadBatch) {
        if entry.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
            addFiltered(entry, &out)
            return
        }
        guard !entry.oversize else {
            let limit = Self.rawLineLimit(maxLineBytes: maxLineBytes)
            reject(entry, "entry of \(entry.length) bytes exceeds the limit of \(limit) bytes for one entry", &out)
            return
        }
        var log: [UInt8] = []
        swap(&log, &scratch)
        defer {
            log.removeAll(keepingCapacity: true)
            swap(&log, &scratch)
        }
        let parsed = entry.bytes.withUnsafeBytes { bytes in
            Result { () throws(DockerEntryError) in try DockerEntry.parse(bytes, log: &log) }
        }
        let stream: DockerEntry.Stream
        switch parsed {
        case .success(let s): stream = s
        case .failure(let error):
            reject(entry, error.description, &out)
            return
        }
        let complete = log.last == 0x0A
        guard streams.contains(stream.set) else {
            if complete { addFiltered(entry, &out) }
            return
        }
        if complete { log.removeLast() }
        let rawBytes = entry.endOffset - entry.offset
        guard var line = pending[stream.rawValue] else {
            if complete {
                add(log[...], length: UInt64(log.count), ending: entry, &out)
            } else {
                pieces += 1
                pending[stream.rawValue] = Pending(
                    start: Checkpoint(fingerprint: entry.fingerprint, offset: entry.offset), order: pieces,
                    bytes: Array(log.prefix(maxLineBytes)), length: UInt64(log.count), rawBytes: rawBytes)
            }
            return
        }
        let room = max(0, maxLineBytes - line.bytes.count)
        line.bytes.append(contentsOf: log.prefix(room))
        line.length += UInt64(log.count)
        line.rawBytes += rawBytes
        if complete {
            pending[stream.rawValue] = nil
            add(line.bytes[...], length: line.length, ending: entry, &out)
        } else {
            pending[stream.rawValue] = line
        }
    }

    /// Where a restart must resume to rebuild the split lines still incomplete; nil if none is.
    private var resume: Checkpoint? {
        pending.compactMap { $0 }.min { $0.order < $1.order }?.start
    }

    /// Adds a complete line that `entry` ends.
    private func add(_ bytes: ArraySlice<UInt8>, length: UInt64, ending entry: LogLine, _ out: inout ReadBatch) {
        let kept = bytes.prefix(maxLineBytes)
        let range = kept.withUnsafeBytes { out.store($0) }
        out.add(
            LogLine(
                fingerprint: entry.fingerprint, offset: entry.offset, endOffset: entry.endOffset, bytes: ArraySlice(),
                oversize: length > UInt64(maxLineBytes), length: length),
            range: range, resume: resume)
    }

    /// Adds an empty line (filtered, not shipped) at `entry`, so the checkpoint can move past it.
    private func addFiltered(_ entry: LogLine, _ out: inout ReadBatch) {
        out.add(
            LogLine(fingerprint: entry.fingerprint, offset: entry.offset, endOffset: entry.endOffset, bytes: ArraySlice()),
            range: 0..<0, resume: resume)
    }

    /// Ends the incomplete split lines, then adds `entry` as a dead letter.
    private mutating func reject(_ entry: LogLine, _ detail: String, _ out: inout ReadBatch) {
        let before = Checkpoint(fingerprint: entry.fingerprint, offset: entry.offset)
        // Until the last of them is acknowledged, a restart must rebuild them all.
        let rebuild = resume
        let interrupted = pending.enumerated().compactMap { stream, line in line.map { (stream, $0) } }
        pending = [nil, nil]
        for (k, (stream, line)) in interrupted.enumerated() {
            let range = line.bytes.withUnsafeBytes { out.store($0) }
            let offset = entry.offset + UInt64(stream)
            out.add(
                LogLine(
                    fingerprint: entry.fingerprint, offset: offset, endOffset: offset, bytes: ArraySlice(),
                    oversize: line.length > UInt64(maxLineBytes), length: line.length),
                range: range, resume: k == interrupted.count - 1 ? before : rebuild)
        }
        let kept = entry.bytes.prefix(maxLineBytes)
        let range = kept.withUnsafeBytes { out.store($0) }
        out.add(
            LogLine(
                fingerprint: entry.fingerprint, offset: entry.offset, endOffset: entry.endOffset, bytes: ArraySlice(),
                length: entry.length),
            range: range, rejection: LineRejection(reason: Self.badEntryReason, detail: detail))
    }
}
