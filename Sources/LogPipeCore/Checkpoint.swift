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
