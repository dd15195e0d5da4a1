#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
package import LogPipeCore

/// Reads lines from a stream such as stdin. A stream cannot be re-read, so there is no
/// checkpoint: lines are delivered at least once while LogPipe runs (a failed delivery is re-sent
/// from memory), and a graceful stop or end of input waits until everything read was
/// acknowledged. Lines still in memory when the process is killed are lost. The fingerprint
/// (for the `source` header) is that of the stream's first line; offsets count from the start
/// of the stream.
package final class StreamReader: LineSource {
    private let fd: Int32
    private var splitter: LineSplitter
    private var fingerprint: UInt64?
    private var ended = false
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private let waitMilliseconds: Int32

    /// - Parameters:
    ///   - fd: the stream (0 for stdin); it is not closed.
    ///   - wait: how long one read waits for data before returning an empty batch.
    package init(fd: Int32 = 0, maxLineBytes: Int = 1 << 20, wait: Duration = .milliseconds(100)) {
        self.fd = fd
        splitter = LineSplitter(maxLineBytes: maxLineBytes, start: 0)
        waitMilliseconds = Int32(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)
    }

    package var unreadBytes: UInt64 { 0 }

    package func read(maxLines: Int) -> ReadBatch {
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
