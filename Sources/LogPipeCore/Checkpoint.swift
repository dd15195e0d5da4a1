/// Where LogPipe resumes: the fingerprint of the file and the offset just past the last line
/// whose delivery the broker acknowledged (together with every line before it).
package struct Checkpoint: Sendable, Hashable {
    package var fingerprint: UInt64
    package var offset: UInt64

    package init(fingerprint: UInt64, offset: UInt64) {
        self.fingerprint = fingerprint
        self.offset = offset
    }

    /// Text form: `v1 <fingerprint hex> <offset>\n`.
    package var text: String { "v1 \(String(fingerprint, radix: 16)) \(offset)\n" }

    /// Parses ``text``; nil if malformed.
    package init?(text: String) {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count == 3, parts[0] == "v1", let fp = UInt64(parts[1], radix: 16), let off = UInt64(parts[2])
        else { return nil }
        self.init(fingerprint: fp, offset: off)
    }
}

/// What a checkpoint file holds: a file position (``Checkpoint``, `v1 …`) or, for the journald
/// input, the cursor of the last journal entry whose lines were all acknowledged
/// (`v1-journal <cursor>\n`).
package enum StoredCheckpoint: Sendable, Hashable {
    case file(Checkpoint)
    case journal(cursor: String)

    /// The text form of either kind.
    package var text: String {
        switch self {
        case .file(let checkpoint): checkpoint.text
        case .journal(let cursor): "v1-journal \(cursor)\n"
        }
    }

    /// Parses either text form; nil if it is neither (an empty cursor, or one with spaces, too).
    package init?(text: String) {
        if let checkpoint = Checkpoint(text: text) {
            self = .file(checkpoint)
            return
        }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count == 2, parts[0] == "v1-journal" else { return nil }
        self = .journal(cursor: String(parts[1]))
    }
}
