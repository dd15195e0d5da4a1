#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
package import LogPipeCore

/// Follows the log file at a path, identifying files by content fingerprint (the first line),
/// not by path or inode:
///
/// - **rename-and-create rotation**: when another file appears at the path, the old one is read
///   to its end first (with one poll interval of grace for a writer that still appends to it);
///   if it rotated again meanwhile (numbered rotation: `name.1` newest, Docker's `max-file`),
///   the newer rotated files are read in order before the file at the path;
/// - **copytruncate**: when the file shrinks (or its first line changes), the rotated copy next
///   to it (`<name>*` with the same fingerprint) is finished from the read position first, then
///   the new content is read from its start;
/// - **truncation** without a copy: reading restarts at 0;
/// - **replaced while down**: a checkpoint whose fingerprint is not the file at the path is looked
///   up among the rotated siblings and finished there; if none has it, the file at the path is
///   read from its start;
/// - **deleted**: the open file is read to its end (a writer may still append to it) and the
///   reader waits for a new file at the path.
///
/// Not thread-safe: one owner (LogPipe runs it on its own serial queue).
package final class LineReader: LineSource {
    /// The followed path.
    package let path: String
    /// Longest line kept whole; longer lines are cut and flagged.
    package let maxLineBytes: Int

    private var file: OpenLogFile?
    private var splitter: LineSplitter
    /// Where to start in the first file opened, and the fingerprint it must have.
    private var resume: (offset: UInt64, fingerprint: UInt64?)?
    private var startAtEnd: Bool
    /// The path's file changed while reading the current one: finish after one idle poll.
    private var rotationSeenAtEOF = false
    private var reportedMissing = false
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)

    /// - Parameters:
    ///   - offset: where to start (a checkpoint's offset), if `fingerprint` matches the file.
    ///   - fingerprint: the checkpoint's fingerprint; nil when there is no checkpoint.
    ///   - startAtEnd: without a checkpoint, skip what the first file already holds.
    package init(
        path: String, offset: UInt64 = 0, fingerprint: UInt64? = nil, startAtEnd: Bool = false,
        maxLineBytes: Int = 1 << 20
    ) {
        self.path = path
        self.maxLineBytes = maxLineBytes
        self.startAtEnd = startAtEnd
        resume = fingerprint == nil && offset == 0 ? nil : (offset, fingerprint)
        splitter = LineSplitter(maxLineBytes: maxLineBytes, start: 0)
    }

    /// The fingerprint of the file being read, once known.
    package var fingerprint: UInt64? { file?.fingerprint }

    /// The position just past the last complete line returned.
    package var offset: UInt64 { splitter.pendingStart }

    /// Size of the file being read (for the lag metric); nil if none is open.
    package var fileSize: UInt64? { file?.size() }

    /// True while the path holds another file and the current one gets its grace before it is
    /// finished (see ``LineSource/rotationPending``).
    package var rotationPending: Bool { rotationSeenAtEOF }

    /// Bytes of the current file not yet read as complete lines.
    package var unreadBytes: UInt64 {
        guard let size = file?.size() else { return 0 }
        return size > offset ? size - offset : 0
    }

    /// Reads up to `maxLines` complete lines that are available now.
    package func read(maxLines: Int) -> ReadBatch {
        var batch = readLines(maxLines: maxLines)
        batch.seal()
        return batch
    }

    private func readLines(maxLines: Int) -> ReadBatch {
        var batch = ReadBatch()
        if file == nil && !openPath(&batch) {
            batch.atEnd = true
            return batch
        }
        while batch.lines.count < maxLines {
            guard let file else { break }
            if file.followsPath && !file.deleted { checkIdentity(file, &batch) }
            guard let current = self.file else { break }
            readAvailable(current, maxLines: maxLines, &batch)
            if batch.lines.count >= maxLines { break }
            // At the end of the current file: is there a next one?
            if !advanceAtEnd(current, &batch) {
                batch.atEnd = true
                break
            }
        }
        return batch
    }

    // MARK: Opening

    /// Opens the file at the path (or the checkpoint's rotated file); false if there is none.
    private func openPath(_ batch: inout ReadBatch) -> Bool {
        guard let opened = OpenLogFile(path: path, followsPath: true) else {
            if !reportedMissing { batch.events.append(.missing) }
            reportedMissing = true
            startAtEnd = false  // a file that appears later is new: read it from its start
            return false
        }
        reportedMissing = false
        var start: UInt64 = 0
        if let resume {
            self.resume = nil
            if resume.fingerprint == nil || opened.fingerprint == resume.fingerprint {
                start = resume.offset
            } else if let fp = resume.fingerprint,
                let rotated = OpenLogFile.findRotated(near: path, fingerprint: fp, minimumSize: resume.offset)
            {
                batch.events.append(.finishingRotated(path: rotated.path))
                use(rotated, at: resume.offset, &batch)
                return true
            } else if let fp = resume.fingerprint {
                batch.events.append(.checkpointFileGone(fingerprint: fp))
            }
        } else if startAtEnd {
            start = opened.size()
        }
        startAtEnd = false
        if start > opened.size() {
            batch.events.append(.truncated(from: start))
            start = 0
        }
        use(opened, at: start, &batch)
        return true
    }

    private func use(_ opened: OpenLogFile, at offset: UInt64, _ batch: inout ReadBatch) {
        file = opened
        rotationSeenAtEOF = false
        splitter.reset(to: offset)
        batch.events.append(.opened(offset: offset))
    }

    // MARK: Reading

    private func readAvailable(_ file: OpenLogFile, maxLines: Int, _ batch: inout ReadBatch) {
        while batch.lines.count < maxLines {
            let position = splitter.position
            let n = readBuffer.withUnsafeMutableBytes { pread(file.fd, $0.baseAddress, $0.count, off_t(position)) }
            if n <= 0 { return }
            if file.fingerprint == nil { file.fingerprint = file.computeFingerprint() }
            let fingerprint = file.fingerprint ?? 0
            let consumed = readBuffer.withUnsafeBytes { buffer in
                splitter.feed(
                    UnsafeRawBufferPointer(rebasing: buffer[0..<n]), fingerprint: fingerprint, maxLines: maxLines,
                    into: &batch)
            }
            if file.followsPath { rotationSeenAtEOF = false }  // still written: keep following
            if consumed < n { return }  // stopped at maxLines; the rest is read again next time
        }
    }

    /// Detects truncation or an in-place rewrite of the followed file before reading it.
    private func checkIdentity(_ file: OpenLogFile, _ batch: inout ReadBatch) {
        let size = file.size()
        let position = splitter.position
        var changed = size < position
        if !changed, position > 0, let known = file.fingerprint, let now = file.computeFingerprint(), now != known {
            changed = true
        }
        guard changed else { return }
        batch.events.append(.truncated(from: position))
        if let known = file.fingerprint,
            let copy = OpenLogFile.findRotated(
                near: path, fingerprint: known, minimumSize: position, excludingInode: file.inode)
        {
            // copytruncate: the copy holds what was written before the truncation; finish it first.
            batch.events.append(.finishingRotated(path: copy.path))
            self.file = copy
            rotationSeenAtEOF = false
            return  // the splitter continues: the copy has the same bytes up to `position`
        }
        file.fingerprint = file.computeFingerprint()
        splitter.reset(to: 0)
    }

    /// At the end of the current file; returns true if reading should continue with another file.
    private func advanceAtEnd(_ current: OpenLogFile, _ batch: inout ReadBatch) -> Bool {
        if !current.followsPath {
            // A rotated remainder: it is complete. Then the next newer rotated file, if the
            // path rotated more than once meanwhile, or the file at the path, from its start.
            finish(current, &batch)
            file = nil
            resume = nil
            reportedMissing = false
            return openSuccessor(of: current, &batch) || openPath(&batch)
        }
        var st = stat()
        if stat(path, &st) != 0 {
            if !current.deleted {
                current.deleted = true
                batch.events.append(.deleted)
            }
            return false
        }
        if UInt64(st.st_ino) == current.inode && UInt64(st.st_dev) == current.device {
            return false
        }
        // Another file at the path. Give a writer that still holds the old file one idle poll.
        if !rotationSeenAtEOF {
            rotationSeenAtEOF = true
            return false
        }
        finish(current, &batch)
        batch.events.append(.rotated)
        file = nil
        return openSuccessor(of: current, &batch) || openPath(&batch)
    }

    /// Opens the rotated file written after `finished` (see ``OpenLogFile/successor(of:near:)``)
    /// from its start; false if the file at the path is next.
    private func openSuccessor(of finished: OpenLogFile, _ batch: inout ReadBatch) -> Bool {
        guard let next = OpenLogFile.successor(of: finished, near: path) else { return false }
        batch.events.append(.finishingRotated(path: next.path))
        use(next, at: 0, &batch)
        return true
    }

    /// Emits the unterminated last line of a finished file, if any.
    private func finish(_ file: OpenLogFile, _ batch: inout ReadBatch) {
        splitter.finishPartial(fingerprint: file.fingerprint ?? 0, into: &batch)
    }
}

/// An open log file with its identity.
final class OpenLogFile {
    let path: String
    let fd: Int32
    let inode: UInt64
    let device: UInt64
    /// False for a rotated file being finished.
    let followsPath: Bool
    var fingerprint: UInt64?
    var deleted = false

    init?(path: String, followsPath: Bool) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            return nil
        }
        self.path = path
        self.fd = fd
        self.inode = UInt64(st.st_ino)
        self.device = UInt64(st.st_dev)
        self.followsPath = followsPath
        self.fingerprint = Fingerprint.of(fd: fd)
    }

    deinit { close(fd) }

    func size() -> UInt64 {
        var st = stat()
        return fstat(fd, &st) == 0 ? UInt64(st.st_size) : 0
    }

    func computeFingerprint() -> UInt64? { Fingerprint.of(fd: fd) }

    /// The last modification time of the open file, in nanoseconds.
    func modified() -> Int64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return 0 }
        return Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }

    /// With numbered rotation (`name.1` newest, as Docker's json-file driver and logrotate
    /// name them): the rotated file written after `finished`, if the path rotated again while it
    /// was read (or while LogPipe was down). When `finished` is now `name.N`, that is
    /// `name.(N-1)` (nil for N = 1: the path is next); when it is gone (deleted beyond
    /// `max-file`), the oldest numbered file modified no earlier than it. Either must be another
    /// file (inode and fingerprint) modified no earlier. Nil for other naming.
    static func successor(of finished: OpenLogFile, near path: String) -> OpenLogFile? {
        let prefix = path + "."
        // The numbered files and the current number of `finished` (renamed .1 → .2 … at each rotation).
        var count = 0
        var number: Int?
        for n in 1...64 {
            var st = stat()
            guard stat(prefix + "\(n)", &st) == 0 else { break }
            count = n
            if number == nil && UInt64(st.st_ino) == finished.inode && UInt64(st.st_dev) == finished.device { number = n }
        }
        let modified = finished.modified()
        let candidates = number.map { $0 >= 2 ? [$0 - 1] : [] } ?? Array(stride(from: count, through: 1, by: -1))
        for n in candidates {
            guard let next = OpenLogFile(path: prefix + "\(n)", followsPath: false) else { continue }
            if next.inode != finished.inode, next.fingerprint != finished.fingerprint, next.modified() >= modified {
                return next
            }
        }
        return nil
    }

    /// A rotated sibling of `path` (same directory, name starting with the file's name, e.g.
    /// `console.log.1`, `console.log-20261124`) whose fingerprint is `fingerprint` and which holds
    /// at least `minimumSize` bytes.
    static func findRotated(
        near path: String, fingerprint: UInt64, minimumSize: UInt64, excludingInode: UInt64? = nil
    ) -> OpenLogFile? {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let d = opendir(dir.isEmpty ? "/" : dir) else { return nil }
        defer { closedir(d) }
        var candidates: [String] = []
        while let entry = readdir(d) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if entryName != name && entryName.hasPrefix(name) { candidates.append(entryName) }
        }
        for candidate in candidates.sorted() {
            let full = (dir.isEmpty ? "" : dir) + "/" + candidate
            guard let file = OpenLogFile(path: full, followsPath: false) else { continue }
            if file.fingerprint == fingerprint && file.size() >= minimumSize && file.inode != excludingInode {
                return file
            }
        }
        return nil
    }
}

extension Fingerprint {
    /// The fingerprint of the open file `fd`, or nil while its first line is incomplete.
    package static func of(fd: Int32) -> UInt64? {
        var buf = [UInt8](repeating: 0, count: maxBytes)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        if let nl = buf[0..<n].firstIndex(of: 0x0A) { return of(firstLine: buf[0..<nl]) }
        return n == maxBytes ? of(firstLine: buf[0..<n]) : nil
    }
}
