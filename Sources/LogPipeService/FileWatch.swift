#if canImport(Glibc)
import Glibc
#endif

/// Wakes a wait on another thread (a graceful shutdown): a self-pipe whose read end a
/// ``FileWatch`` polls besides inotify. Once woken it stays woken (every later wait returns at
/// once): it is only used to stop.
final class Waker: Sendable {
    /// Read and write ends of the pipe (-1 if it could not be made).
    let readFD: Int32
    private let writeFD: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            }
        } else {
            fds = [-1, -1]
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        if readFD >= 0 { close(readFD) }
        if writeFD >= 0 { close(writeFD) }
    }

    /// Makes every current and later ``FileWatch/wait(timeout:)`` return. Safe from any thread.
    func wake() {
        guard writeFD >= 0 else { return }
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }
}

/// Waits for a followed log file to change, through Linux inotify: a watch on the file's
/// directory (a file created, moved in or out, deleted or modified there: appends to the file
/// and to a rotated file still being finished, truncation, rename-and-create and copytruncate
/// rotation) and one on the file at the path (appends and truncation of the inode being read,
/// even after it was moved to another directory), re-added when another file appears at the
/// path; the previous file's watch is kept while it may still be finished.
///
/// Polling stays the fallback and the safety net: ``wait(timeout:)`` returns at the latest after
/// its timeout, and when inotify cannot be used (no inotify, the per-user instance or watch limit
/// reached, the directory missing) it only sleeps until then; ``takeProblem()`` says why once.
///
/// Not thread-safe: one owner (the reader's executor). Blocking: call it off the cooperative pool.
final class FileWatch {
    /// How a ``wait(timeout:)`` ended.
    enum Outcome: Equatable {
        /// inotify reported a change in the file or its directory.
        case changed
        /// The timeout passed (the safety-net poll), or inotify is unavailable.
        case timedOut
        /// The ``Waker`` was woken: the service stops.
        case woken
    }

    /// The followed path and its directory.
    let path: String
    let directory: String
    private let waker: Waker
    private var fd: Int32 = -1
    private var directoryWatch: Int32 = -1
    /// Watches on files that were at the path, newest last (at most two: the file being read and
    /// the one it replaced, which may still be finished).
    private var fileWatches: [(wd: Int32, inode: UInt64, device: UInt64)] = []
    /// Why inotify is not used, while it is not (nil: it works).
    private(set) var problem: String?
    private var problemTaken = false
    private var buffer = [UInt8](repeating: 0, count: 16 << 10)

    /// - Parameter inotify: false polls only (``problem`` says so).
    init(path: String, waker: Waker, inotify: Bool = true) {
        self.path = path
        self.waker = waker
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        directory = dir.isEmpty ? "/" : dir
        guard inotify else {
            problem = "disabled (--watch poll)"
            return
        }
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        if fd < 0 { problem = "inotify_init1 failed: \(String(cString: strerror(errno)))" }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Whether inotify watches the directory now (false: the wait only sleeps).
    var isWatching: Bool { fd >= 0 && directoryWatch >= 0 }

    /// Why inotify is not used, the first time it is not (for one log line); nil otherwise.
    func takeProblem() -> String? {
        guard let problem, !problemTaken else { return nil }
        problemTaken = true
        return problem
    }

    /// Blocks until the file or its directory changes, the waker is woken, or `timeout` passes.
    /// Events that arrived since the last wait end it at once.
    func wait(timeout: Duration) -> Outcome {
        // Just armed: what changed before is not queued, so look once at once.
        if arm() { return .changed }
        var fds = [pollfd(fd: waker.readFD, events: Int16(POLLIN), revents: 0)]
        if isWatching { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        let ms = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let n = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), max(0, ms)) }
        guard n > 0 else { return .timedOut }
        if fds[0].revents != 0 { return .woken }
        drain()
        return .changed
    }

    /// (Re)adds the watches: the directory's once it exists, the file's whenever another file is
    /// at the path. A failure other than a missing path stops inotify for good (polling goes on).
    /// Returns true if the directory's watch was just added.
    private func arm() -> Bool {
        guard fd >= 0 else { return false }
        var added = false
        if directoryWatch < 0 {
            let mask = UInt32(IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)
            directoryWatch = inotify_add_watch(fd, directory, mask)
            if directoryWatch < 0 {
                fail("watching the directory \(directory)", errno: errno)
                return false
            }
            problem = nil
            added = true
        }
        var st = stat()
        guard stat(path, &st) == 0 else { return added }  // no file at the path yet: the directory watch sees it come
        let inode = UInt64(st.st_ino), device = UInt64(st.st_dev)
        if let last = fileWatches.last, last.inode == inode, last.device == device { return added }
        let wd = inotify_add_watch(fd, path, UInt32(IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF))
        guard wd >= 0 else {
            if errno != ENOENT { fail("watching \(path)", errno: errno) }
            return added
        }
        fileWatches.removeAll { $0.wd == wd }
        fileWatches.append((wd, inode, device))
        while fileWatches.count > 2 {
            let old = fileWatches.removeFirst()
            if old.wd != directoryWatch { _ = inotify_rm_watch(fd, old.wd) }
        }
        return added
    }

    /// Reads every queued event; a watch the kernel dropped (`IN_IGNORED`: its file or directory
    /// is gone, or was unmounted) is forgotten so ``arm()`` adds it again.
    private func drain() {
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { return }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= n {
                let (wd, mask, length) = buffer.withUnsafeBytes { raw in
                    (
                        raw.loadUnaligned(fromByteOffset: offset, as: Int32.self),
                        raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                        raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)
                    )
                }
                if mask & UInt32(IN_IGNORED) != 0 {
                    if wd == directoryWatch { directoryWatch = -1 }
                    fileWatches.removeAll { $0.wd == wd }
                }
                if mask & UInt32(IN_Q_OVERFLOW) != 0 { return }  // events were lost: the read that follows looks anyway
                offset += header + Int(length)
            }
        }
    }

    /// inotify cannot be used (`ENOSPC`: the watch limit, `fs.inotify.max_user_watches`): poll from
    /// now on; a missing directory is retried at every wait.
    private func fail(_ what: String, errno code: Int32) {
        let reason = "\(what) failed: \(String(cString: strerror(code)))"
        if code == ENOENT {
            if problem == nil { problem = reason + " (retried at every poll)" }
            return
        }
        problem = reason + (code == ENOSPC ? " (the inotify watch limit, fs.inotify.max_user_watches, is reached)" : "")
        problemTaken = false
        for w in fileWatches { _ = inotify_rm_watch(fd, w.wd) }
        close(fd)
        fd = -1
        directoryWatch = -1
        fileWatches = []
    }
}
