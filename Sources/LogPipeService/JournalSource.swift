package import Journal
package import LogPipeCore
import Shared

/// Reads a systemd unit's entries from the journal (``Journal``, libsystemd's sd-journal): the
/// journal itself is the buffer, as the log file is for ``LineReader``.
///
/// - **What is read**: entries whose `_SYSTEMD_UNIT` is the unit, i.e. everything the unit's
///   processes logged (stdout and stderr, syslog, the native protocol). Not systemd's own
///   messages about the unit (`UNIT=`: "Started …", "… exited") and not user units
///   (`_SYSTEMD_USER_UNIT=`).
/// - **Lines**: each entry's `MESSAGE` (bytes, not necessarily UTF-8) is split at `\n`; every
///   piece is a line, the empty ones are filtered as in a file. An entry without `MESSAGE` is
///   one empty line (so the checkpoint moves past it). A line journald cut at its `LineMax`
///   (48 KiB by default) into several entries (`_LINE_BREAK=line-max` on all but the last) is
///   joined again into one line. Lines longer than `maxLineBytes` are cut and flagged (the
///   router dead-letters them).
/// - **Identity** (`source` header): fingerprint = FNV-1a of the entry's sequence number id (one
///   per journal sequence: journald keeps it across file rotations and restarts), offset =
///   `__SEQNUM << 20 + line index` (the `n`-th line of an entry; a joined line takes the offset of
///   its first part). Offsets grow with the journal, so PacketIngest's high-water dedup works as
///   for files, and a re-read entry gets the same identity. An entry of more than 2^20 lines
///   keeps its rest as its last line.
/// - **Checkpoint**: the cursor of the last entry all of whose lines were acknowledged
///   (``CursorLedger``); a restart seeks it and continues after it. If it is gone (vacuumed,
///   its file deleted) reading starts at the oldest entry (``SourceEvent/checkpointCursorGone(cursor:)``;
///   lines shipped before come again with the same `source` and are dropped by PacketIngest).
/// - **Waiting**: at the end of the journal one read blocks in `sd_journal_wait` for at most
///   `wait`; LogPipe runs its source on its reader executor, off the cooperative pool.
///
/// Not thread-safe: one owner.
package final class JournalSource: LineSource {
    /// A line journald split into several entries, gathered until its last part.
    private struct PartialLine {
        var fingerprint: UInt64
        var offset: UInt64
        var bytes: [UInt8] = []
        var length: UInt64 = 0
    }

    /// Lines of one entry beyond this index stay in its last line.
    package static let indexBits: UInt64 = 20

    private let journal: Journal
    private let maxLineBytes: Int
    private let ledger: CursorLedger?
    private let wait: Duration
    private var events: [SourceEvent] = []
    private var partial: PartialLine?
    private var lastError: String?
    /// The fingerprint of the sequence read last (consecutive entries share it).
    private var lastFingerprint: (id: String, fp: UInt64)?

    /// Opens the journal at `location` for `unit`'s entries and positions after `cursor` (the
    /// checkpoint), or at the oldest entry, or (`startAtEnd`, without a cursor) after the newest.
    /// - Parameter ledger: receives each entry's cursor (for the checkpoint); nil keeps none.
    /// - Throws: ``JournalError`` if the journal cannot be opened or the cursor is malformed.
    package init(
        location: Journal.Location, unit: String, cursor: String?, startAtEnd: Bool, maxLineBytes: Int,
        wait: Duration = .milliseconds(100), ledger: CursorLedger?
    ) throws(JournalError) {
        journal = try Journal(location)
        self.maxLineBytes = maxLineBytes
        self.ledger = ledger
        self.wait = wait
        try journal.addMatch(field: "_SYSTEMD_UNIT", value: unit)
        if let cursor {
            try journal.seek(cursor: cursor)
            // On the checkpoint's entry: the next read continues after it.
            guard try journal.next(), try journal.test(cursor: cursor) else {
                try journal.seekHead()
                events.append(.checkpointCursorGone(cursor: cursor))
                return
            }
        } else if startAtEnd {
            try journal.seekTail()
        } else {
            try journal.seekHead()
        }
    }

    /// Not known for a journal (the lag metric counts only what was read and not acknowledged).
    package var unreadBytes: UInt64 { 0 }

    /// Reads whole entries until `maxLines` lines (an entry's lines are never split across
    /// reads, so one read may return a few more); at the end of the journal waits once.
    package func read(maxLines: Int) -> ReadBatch {
        var batch = ReadBatch()
        batch.events = events
        events = []
        do throws(JournalError) {
            var waited = false
            while batch.lines.count < maxLines {
                if try journal.next() {
                    try add(&batch)
                    continue
                }
                if waited || !batch.lines.isEmpty {
                    batch.atEnd = true
                    break
                }
                waited = true
                _ = try journal.wait(timeout: wait)
            }
            lastError = nil
        } catch {
            let text = "\(error)"
            if text != lastError { batch.events.append(.readError(text)) }
            lastError = text
            batch.atEnd = true
        }
        batch.seal()
        return batch
    }

    // MARK: Entries to lines

    /// Adds the lines of the current entry to `batch`.
    private func add(_ batch: inout ReadBatch) throws(JournalError) {
        let cursor = try journal.cursor()
        guard let id = JournalCursor(cursor) else {
            throw JournalError(call: "sd_journal_get_cursor", code: 0, context: "no seqnum id or seqnum in \(cursor)")
        }
        let fingerprint = fingerprint(of: id.seqnumID)
        let base = id.seqnum << Self.indexBits
        let broken = try journal.withField("_LINE_BREAK") { $0.map { $0.elementsEqual("line-max".utf8) } ?? false }
        try journal.withField("MESSAGE") { message in
            let message = message ?? UnsafeRawBufferPointer(start: nil, count: 0)
            if broken || partial != nil {
                var line = partial ?? PartialLine(fingerprint: fingerprint, offset: base)
                let room = max(0, maxLineBytes - line.bytes.count)
                line.bytes += message.prefix(room)
                line.length += UInt64(message.count)
                guard !broken else {
                    partial = line  // the rest of the line is in the next entries
                    return
                }
                partial = nil
                let end = base + 1
                let range = line.bytes.withUnsafeBytes { batch.store($0) }
                batch.add(
                    LogLine(
                        fingerprint: line.fingerprint, offset: line.offset, endOffset: end, bytes: [],
                        oversize: line.length > UInt64(maxLineBytes), length: line.length),
                    range: range)
                ledger?.record(Checkpoint(fingerprint: line.fingerprint, offset: end), cursor: cursor)
                return
            }
            let count = split(message, fingerprint: fingerprint, base: base, into: &batch)
            ledger?.record(Checkpoint(fingerprint: fingerprint, offset: base + UInt64(count)), cursor: cursor)
        }
    }

    /// Adds the lines of `message` (line `i` at offset `base + i`); returns how many.
    private func split(
        _ message: UnsafeRawBufferPointer, fingerprint: UInt64, base: UInt64, into batch: inout ReadBatch
    ) -> Int {
        let lastIndex = (1 << Self.indexBits) - 1
        var index = 0
        var start = 0
        while true {
            let rest = message[start...]
            let end = index < lastIndex ? (rest.firstIndex(of: 0x0A) ?? message.count) : message.count
            let segment = UnsafeRawBufferPointer(rebasing: message[start..<end])
            let range = batch.store(UnsafeRawBufferPointer(rebasing: segment.prefix(maxLineBytes)))
            let offset = base + UInt64(index)
            batch.add(
                LogLine(
                    fingerprint: fingerprint, offset: offset, endOffset: offset + 1, bytes: [],
                    oversize: segment.count > maxLineBytes, length: UInt64(segment.count)),
                range: range)
            index += 1
            guard end < message.count else { return index }
            start = end + 1
        }
    }

    /// The fingerprint of a journal sequence: FNV-1a of its id's hex digits.
    private func fingerprint(of seqnumID: String) -> UInt64 {
        if let last = lastFingerprint, last.id == seqnumID { return last.fp }
        let fp = ContentHash.fnv1a64(seqnumID.utf8)
        lastFingerprint = (seqnumID, fp)
        return fp
    }
}
