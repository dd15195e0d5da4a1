package import LogPipeCore

/// Follows a container's Docker json-file log (`/var/lib/docker/containers/<id>/<id>-json.log`):
/// the file follower (``LineReader``) reads the raw entries across the driver's rotations
/// (`max-size`/`max-file`: the live file renamed to `.1`, `.2` …, a new one created; the old one
/// is finished first) and ``DockerJSONDecoder`` turns them into the lines the container printed.
/// The checkpoint is the raw file's (fingerprint, offset), at an entry boundary.
///
/// Not thread-safe: one owner (LogPipe runs it on its reader queue).
package final class DockerJSONReader: LineSource {
    private let raw: LineReader
    private var decoder: DockerJSONDecoder

    /// - Parameters:
    ///   - offset: where to start (a checkpoint's offset, an entry boundary), if `fingerprint`
    ///     matches the file.
    ///   - fingerprint: the checkpoint's fingerprint; nil when there is no checkpoint.
    ///   - startAtEnd: without a checkpoint, skip what the first file already holds.
    ///   - streams: the streams shipped (the others' lines are filtered).
    ///   - maxLineBytes: longest (reassembled) line shipped whole.
    package init(
        path: String, offset: UInt64 = 0, fingerprint: UInt64? = nil, startAtEnd: Bool = false,
        streams: DockerStreams = .stdout, maxLineBytes: Int = 1 << 20
    ) {
        raw = LineReader(
            path: path, offset: offset, fingerprint: fingerprint, startAtEnd: startAtEnd,
            maxLineBytes: DockerJSONDecoder.rawLineLimit(maxLineBytes: maxLineBytes))
        decoder = DockerJSONDecoder(streams: streams, maxLineBytes: maxLineBytes)
    }

    /// The fingerprint of the raw file being read, once known.
    package var fingerprint: UInt64? { raw.fingerprint }

    /// Whether the raw file's rotation is pending (``LineReader/rotationPending``).
    package var rotationPending: Bool { raw.rotationPending }

    /// Raw bytes not yet returned as lines: unread entries and those of incomplete split lines.
    package var unreadBytes: UInt64 { raw.unreadBytes + decoder.pendingRawBytes }

    /// Reads the entries available now (up to `maxLines`) and returns their lines: at most one per
    /// entry, except that a broken entry may also end up to two incomplete split lines.
    package func read(maxLines: Int) -> ReadBatch {
        decoder.decode(raw.read(maxLines: maxLines))
    }
}
