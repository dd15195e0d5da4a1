import Shared

/// Which streams of a Docker json-file log LogPipe ships (`--docker-streams`).
package struct DockerStreams: OptionSet, Sendable, Hashable {
    package let rawValue: UInt8
    package init(rawValue: UInt8) { self.rawValue = rawValue }

    package static let stdout = DockerStreams(rawValue: 1)
    package static let stderr = DockerStreams(rawValue: 2)

    /// From a `--docker-streams` value: `stdout`, `stderr` or `stdout,stderr` (anything else:
    /// the settings reject it before).
    package init(setting: String) {
        var streams: DockerStreams = []
        for part in setting.split(separator: ",") {
            if part == "stdout" { streams.insert(.stdout) }
            if part == "stderr" { streams.insert(.stderr) }
        }
        self = streams
    }

    /// The `--docker-streams` value of these streams (`stdout`, `stderr` or `stdout,stderr`).
    package var setting: String {
        [(DockerStreams.stdout, "stdout"), (.stderr, "stderr")].filter { contains($0.0) }.map(\.1).joined(separator: ",")
    }
}

/// One entry of Docker's json-file log driver, one JSON object per line:
/// `{"log":"Saving map\n","stream":"stdout","time":"2026-11-24T12:00:00.123456789Z"}`.
/// `log` is what the container printed, with its newline; an entry whose `log` lacks the
/// trailing newline is a piece of a longer line (Docker splits lines at 16 KiB) that the next
/// entry of the same stream continues. Docker escapes `<`, `>`, `&` and control characters as
/// `\u00XX` and writes invalid UTF-8 the container printed as `\ufffd`. Other keys (`time`,
/// `attrs` from `--log-opt labels=…`) are skipped.
package enum DockerEntry {
    /// The stream an entry belongs to.
    package enum Stream: Int, Sendable {
        case stdout = 0
        case stderr = 1

        package var set: DockerStreams { self == .stdout ? .stdout : .stderr }
    }

    private static let keys = KeyTable(["log", "stream", "time?", "attrs?"])
    private static let stdoutName = Array("stdout".utf8)
    private static let stderrName = Array("stderr".utf8)

    /// Parses the entry `raw` (one line of the file, without its newline), appending its decoded
    /// `log` to `log`; returns its stream.
    /// - Throws: ``DockerEntryError`` saying what is wrong (its text is the dead letter's detail).
    package static func parse(_ raw: UnsafeRawBufferPointer, log: inout [UInt8]) throws(DockerEntryError) -> Stream {
        guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count > 0 else {
            throw DockerEntryError("empty entry")
        }
        var scanner = JSONScanner(base: base, count: raw.count)
        scanner.skipWhitespace()
        guard !scanner.atEnd, base[scanner.pos] == UInt8(ascii: "{") else { throw DockerEntryError("not a JSON object") }
        let logStart = log.count
        var stream: Stream?
        var badStream: String?
        do throws(PacketError) {
            var state = try scanner.beginObject("entry")
            while let key = try scanner.nextKey(keys, &state) {
                switch key {
                case 0:
                    try scanner.appendString(to: &log, "log")
                case 1:
                    var name: [UInt8] = []
                    try scanner.appendString(to: &name, "stream")
                    if name == stdoutName {
                        stream = .stdout
                    } else if name == stderrName {
                        stream = .stderr
                    } else {
                        badStream = String(decoding: name.prefix(40), as: UTF8.self)
                    }
                default:
                    try scanner.skipValue()
                }
            }
            scanner.skipWhitespace()
            guard scanner.atEnd else { throw PacketError(.invalidJSON, "bytes after the object", offset: scanner.pos) }
            try keys.checkRequired(state.seen, "")
        } catch {
            log.removeSubrange(logStart...)
            throw DockerEntryError(error)
        }
        guard let stream else {
            log.removeSubrange(logStart...)
            throw DockerEntryError("stream \"\(badStream ?? "")\" is neither stdout nor stderr")
        }
        return stream
    }
}

/// Why a json-file entry could not be used: the `detail` of its dead letter.
package struct DockerEntryError: Error, Sendable, Hashable, CustomStringConvertible {
    package var description: String

    package init(_ description: String) { self.description = description }

    /// From the scanner's error: `missing log`, `log is not a string`, `invalid JSON: …`.
    init(_ error: PacketError) {
        let at = error.offset.map { " (at byte \($0))" } ?? ""
        switch error.reason {
        case .missingField: description = "missing \(error.detail)"
        case .wrongType:
            // The scanner's detail is "<path>: expected <kind>".
            if let colon = error.detail.firstIndex(of: ":") {
                let kind = error.detail[error.detail.index(after: colon)...].dropFirst(" expected ".count)
                description = "\(error.detail[..<colon]) is not \(kind)\(at)"
            } else {
                description = "wrong type: \(error.detail)\(at)"
            }
        case .invalidUTF8: description = "invalid UTF-8: \(error.detail)\(at)"
        default: description = "invalid JSON: \(error.detail)\(at)"
        }
    }
}
