import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// The one wrapper around libsystemd's `sd-journal` (Debian's `libsystemd-dev`, systemd 252):
/// nothing else imports `CSystemd`, and the `sd_journal` pointer never leaves this class.
///
/// A journal is read entry by entry: position it (``seekHead()``, ``seekTail()``,
/// ``seek(cursor:)``), move with ``next()``, then read the current entry (``field(_:)``,
/// ``cursor()``, ``realtime()``). ``wait(timeout:)`` blocks until the journal changes: call it on
/// a `BlockingExecutor`, never on the cooperative pool.
///
/// Not thread-safe (libsystemd's rule for `sd_journal` objects): one owner at a time.
package final class Journal {
    /// Which journal files to read.
    package enum Location: Sendable, Hashable {
        /// The local system's journal (`/run/log/journal`, `/var/log/journal`), like `journalctl`.
        case system
        /// Every journal file in a directory (new files that appear there are picked up), like
        /// `journalctl --directory`.
        case directory(String)
        /// These journal files only, like `journalctl --file`.
        case files([String])
    }

    /// What ``wait(timeout:)`` saw.
    package enum Change: Sendable, Hashable {
        /// Nothing changed before the timeout.
        case none
        /// Entries were appended.
        case appended
        /// Files were added or removed (rotation, vacuum): the position still holds.
        case invalidated
    }

    private let handle: OpaquePointer
    /// Where the journal was opened from (for error messages).
    package let location: Location

    /// Opens the journal at `location` and lifts the 64 KiB field size limit (every field is
    /// returned whole: the caller cuts long lines itself).
    /// - Throws: ``JournalError`` with the call and errno (a missing directory, unreadable files).
    package init(_ location: Location) throws(JournalError) {
        var opened: OpaquePointer?
        let r: Int32
        switch location {
        case .system:
            r = sd_journal_open(&opened, Int32(SD_JOURNAL_LOCAL_ONLY))
        case .directory(let path):
            r = sd_journal_open_directory(&opened, path, 0)
        case .files(let paths):
            let copies = paths.map { strdup($0) }
            defer { for p in copies { free(p) } }
            var argv = copies.map { UnsafePointer($0) } + [nil]
            r = argv.withUnsafeMutableBufferPointer { sd_journal_open_files(&opened, $0.baseAddress, 0) }
        }
        guard r >= 0, let opened else { throw JournalError(call: "sd_journal_open", code: r, context: "\(location)") }
        handle = opened
        self.location = location
        let t = sd_journal_set_data_threshold(handle, 0)
        guard t >= 0 else {
            sd_journal_close(handle)
            throw JournalError(call: "sd_journal_set_data_threshold", code: t, context: "0")
        }
        // Set up the change notification now, before the first read, so no append between the
        // last read and the first wait goes unnoticed (sd_journal_get_fd(3)).
        let fd = sd_journal_get_fd(handle)
        guard fd >= 0 else {
            sd_journal_close(handle)
            throw JournalError(call: "sd_journal_get_fd", code: fd, context: "\(location)")
        }
    }

    deinit { sd_journal_close(handle) }

    /// Only entries with `field=value` are read (several matches of one field are alternatives).
    package func addMatch(field: String, value: String) throws(JournalError) {
        let match = Array("\(field)=\(value)".utf8)
        let r = match.withUnsafeBytes { sd_journal_add_match(handle, $0.baseAddress, $0.count) }
        guard r >= 0 else { throw JournalError(call: "sd_journal_add_match", code: r, context: "\(field)=\(value)") }
    }

    /// Positions before the oldest entry: ``next()`` then reads it.
    package func seekHead() throws(JournalError) {
        let r = sd_journal_seek_head(handle)
        guard r >= 0 else { throw JournalError(call: "sd_journal_seek_head", code: r, context: "\(location)") }
    }

    /// Positions after the newest entry: ``next()`` then reads only entries appended later.
    /// (libsystemd positions "at the tail" as the entry before the end, so one `previous` step
    /// makes `next` return new entries only.)
    package func seekTail() throws(JournalError) {
        let r = sd_journal_seek_tail(handle)
        guard r >= 0 else { throw JournalError(call: "sd_journal_seek_tail", code: r, context: "\(location)") }
        let p = sd_journal_previous(handle)
        guard p >= 0 else { throw JournalError(call: "sd_journal_previous", code: p, context: "\(location)") }
    }

    /// Positions at the entry of `cursor`, or where it would be if it is gone: ``next()`` then
    /// reads that entry or the first one after its place; ``test(cursor:)`` tells which.
    /// - Throws: a malformed cursor (`EINVAL`).
    package func seek(cursor: String) throws(JournalError) {
        let r = sd_journal_seek_cursor(handle, cursor)
        guard r >= 0 else { throw JournalError(call: "sd_journal_seek_cursor", code: r, context: cursor) }
    }

    /// Moves to the next entry; false at the end of the journal (for now).
    package func next() throws(JournalError) -> Bool {
        let r = sd_journal_next(handle)
        guard r >= 0 else { throw JournalError(call: "sd_journal_next", code: r, context: "\(location)") }
        return r > 0
    }

    /// The cursor of the current entry (`__CURSOR`): opaque text that names it across restarts.
    package func cursor() throws(JournalError) -> String {
        var out: UnsafeMutablePointer<CChar>?
        let r = sd_journal_get_cursor(handle, &out)
        guard r >= 0, let out else { throw JournalError(call: "sd_journal_get_cursor", code: r, context: "\(location)") }
        defer { free(out) }
        return String(cString: out)
    }

    /// Whether the current entry is the one `cursor` names.
    package func test(cursor: String) throws(JournalError) -> Bool {
        let r = sd_journal_test_cursor(handle, cursor)
        guard r >= 0 else { throw JournalError(call: "sd_journal_test_cursor", code: r, context: cursor) }
        return r > 0
    }

    /// The current entry's wall-clock time (`__REALTIME_TIMESTAMP`), microseconds since 1970.
    package func realtime() throws(JournalError) -> UInt64 {
        var usec: UInt64 = 0
        let r = sd_journal_get_realtime_usec(handle, &usec)
        guard r >= 0 else { throw JournalError(call: "sd_journal_get_realtime_usec", code: r, context: "\(location)") }
        return usec
    }

    /// Calls `body` with the bytes of the current entry's field `name` (without `NAME=`; any
    /// bytes, not necessarily UTF-8), or with nil if the entry has no such field. The bytes are
    /// valid only inside `body`.
    package func withField<R>(_ name: String, _ body: (UnsafeRawBufferPointer?) -> R) throws(JournalError) -> R {
        var data: UnsafeRawPointer?
        var length = 0
        let r = sd_journal_get_data(handle, name, &data, &length)
        if r == -ENOENT { return body(nil) }
        guard r >= 0, let data else { throw JournalError(call: "sd_journal_get_data", code: r, context: name) }
        let prefix = name.utf8.count + 1
        guard length >= prefix else { return body(UnsafeRawBufferPointer(start: data, count: 0)) }
        return body(UnsafeRawBufferPointer(start: data + prefix, count: length - prefix))
    }

    /// The current entry's field `name` as bytes, or nil if it has none.
    package func field(_ name: String) throws(JournalError) -> [UInt8]? {
        try withField(name) { $0.map { Array($0) } }
    }

    /// Blocks until the journal changes or `timeout` passes (run it on a `BlockingExecutor`).
    package func wait(timeout: Duration) throws(JournalError) -> Change {
        let usec = UInt64(max(0, timeout.components.seconds)) * 1_000_000
            + UInt64(max(0, timeout.components.attoseconds)) / 1_000_000_000_000
        let r = sd_journal_wait(handle, usec)
        guard r >= 0 else { throw JournalError(call: "sd_journal_wait", code: r, context: "\(location)") }
        switch r {
        case Int32(SD_JOURNAL_APPEND): return .appended
        case Int32(SD_JOURNAL_INVALIDATE): return .invalidated
        default: return .none
        }
    }
}

/// An `sd-journal` call failed: the call, its errno and what it was about.
package struct JournalError: Error, Sendable, CustomStringConvertible {
    /// The libsystemd function, e.g. `sd_journal_open_directory`.
    package var call: String
    /// The positive errno (libsystemd returns it negated).
    package var errno: Int32
    /// The argument or journal it concerned.
    package var context: String

    package init(call: String, code: Int32, context: String) {
        self.call = call
        self.errno = code < 0 ? -code : code
        self.context = context
    }

    package var description: String {
        "\(call) (\(context)) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
