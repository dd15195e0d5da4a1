#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One complete line read from a source: where it is, its bytes, and the identity of the file
/// (or stream) it came from.
package struct LogLine: Sendable, Hashable {
    /// Fingerprint of the file (or stdin stream) the line belongs to.
    package var fingerprint: UInt64
    /// Offset of the line's first byte.
    package var offset: UInt64
    /// Offset just past the line's newline: where reading resumes after this line.
    package var endOffset: UInt64
    /// The line's bytes without the newline (a trailing `\r` is kept); for an oversize line only
    /// its first `maxLineBytes` bytes. Lines read by a ``LineSource`` are slices of their batch's
    /// ``ReadBatch/storage`` (no array per line).
    package var bytes: ArraySlice<UInt8>
    /// True if the line was longer than the limit and was cut.
    package var oversize: Bool
    /// The line's full length in the source, newline excluded (more than `bytes.count` when cut).
    package var length: UInt64

    package init(
        fingerprint: UInt64, offset: UInt64, endOffset: UInt64, bytes: ArraySlice<UInt8>, oversize: Bool = false,
        length: UInt64? = nil
    ) {
        self.fingerprint = fingerprint
        self.offset = offset
        self.endOffset = endOffset
        self.bytes = bytes
        self.oversize = oversize
        self.length = length ?? UInt64(bytes.count)
    }

    /// A line with bytes of its own (tests).
    package init(
        fingerprint: UInt64, offset: UInt64, endOffset: UInt64, bytes: [UInt8], oversize: Bool = false,
        length: UInt64? = nil
    ) {
        self.init(
            fingerprint: fingerprint, offset: offset, endOffset: endOffset, bytes: bytes[...], oversize: oversize,
            length: length)
    }
}

/// Splits a byte stream into lines. Keeps a line without its newline pending until the newline
/// arrives; keeps only the first `maxLineBytes` bytes of a longer line (and flags it), so one huge
/// line costs bounded memory and never blocks the lines after it.
package struct LineSplitter {
    package let maxLineBytes: Int
    /// Where the pending (partial) line starts; equals the read position when nothing is pending.
    package private(set) var pendingStart: UInt64
    /// Bytes of the pending line seen so far (including any discarded past the limit).
    package private(set) var pendingLength: UInt64 = 0
    private var pending: [UInt8] = []
    private var discarding = false

    package init(maxLineBytes: Int, start: UInt64) {
        self.maxLineBytes = maxLineBytes
        self.pendingStart = start
    }

    /// The stream position just past the bytes fed so far.
    package var position: UInt64 { pendingStart + pendingLength }

    /// Forgets the pending line; the next byte fed is at `position`.
    package mutating func reset(to position: UInt64) {
        pendingStart = position
        pendingLength = 0
        pending.removeAll(keepingCapacity: false)
        discarding = false
    }

    /// Feeds `chunk` (the bytes at ``position``) and adds complete lines to `batch` (their bytes
    /// to its storage), stopping after the line that makes `batch.lines.count == maxLines`.
    /// Returns how many bytes were consumed (all of them unless it stopped early).
    package mutating func feed(
        _ chunk: UnsafeRawBufferPointer, fingerprint: UInt64, maxLines: Int, into batch: inout ReadBatch
    ) -> Int {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return 0 }
        var start = 0
        while start < chunk.count {
            guard let hit = memchr(base + start, 0x0A, chunk.count - start) else { break }
            let nl = base.distance(to: UnsafeRawPointer(hit))
            let segment = UnsafeRawBufferPointer(start: base + start, count: nl - start)
            // The line's bytes go to the batch's storage: straight from the chunk when the whole
            // line is in it, else from the pending buffer (which keeps its capacity).
            let range: Range<Int>
            if pendingLength == 0 && segment.count <= maxLineBytes {
                pendingLength = UInt64(segment.count)
                range = batch.store(segment)
            } else {
                append(segment)
                range = pending.withUnsafeBytes { batch.store($0) }
                pending.removeAll(keepingCapacity: true)
            }
            let end = pendingStart + pendingLength + 1
            batch.add(
                LogLine(
                    fingerprint: fingerprint, offset: pendingStart, endOffset: end, bytes: ArraySlice(), oversize: discarding,
                    length: pendingLength),
                range: range)
            discarding = false
            pendingStart = end
            pendingLength = 0
            start = nl + 1
            if batch.lines.count >= maxLines { return start }
        }
        append(UnsafeRawBufferPointer(start: base + start, count: chunk.count - start))
        return chunk.count
    }

    /// Adds the pending partial line to `batch` as a final line (the source ended without a
    /// newline); does nothing if nothing is pending. Its `endOffset` is the end of the data.
    package mutating func finishPartial(fingerprint: UInt64, into batch: inout ReadBatch) {
        guard pendingLength > 0 else { return }
        let end = pendingStart + pendingLength
        let range = pending.withUnsafeBytes { batch.store($0) }
        batch.add(
            LogLine(
                fingerprint: fingerprint, offset: pendingStart, endOffset: end, bytes: ArraySlice(), oversize: discarding,
                length: pendingLength),
            range: range)
        reset(to: end)
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        pendingLength += UInt64(bytes.count)
        if discarding || bytes.isEmpty { return }
        let room = maxLineBytes - pending.count
        if bytes.count <= room {
            pending.append(contentsOf: bytes)
        } else {
            pending.append(contentsOf: bytes.prefix(room))
            discarding = true
        }
    }
}
