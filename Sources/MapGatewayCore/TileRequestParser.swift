#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
package import Shared

/// A plain tile request the fast path may answer: what it needs of the request head.
package struct TileRequest: Sendable, Hashable {
    /// The tile addressed by the request target (validated as ``TileRoutes`` does).
    package var key: TileKey
    /// `HEAD` rather than `GET`: the answer has no body.
    package var isHead: Bool
    /// The value of the request's one `If-None-Match` header, if any.
    package var ifNoneMatch: String?
}

/// Reads request heads from raw bytes for ``TileFastPathMachine`` (pure: no NIO, no allocation
/// but the target and `If-None-Match` strings). It recognises only the plainest requests:
/// `HTTP/1.1`, `GET` or `HEAD`, a tile path under `prefix`, CRLF line ends, no body, no
/// `Upgrade`, `Expect` or `Connection: close|upgrade`, at most one `If-None-Match`. Everything
/// else is ``Parsed/other``: the normal HTTP stack judges it.
package enum TileRequestParser {
    /// What the bytes at the start of a buffer hold.
    package enum Parsed: Sendable, Hashable {
        /// A complete plain tile request whose head is `length` bytes long (blank line included).
        case tile(TileRequest, length: Int)
        /// A complete head that is not a request the fast path answers.
        case other
        /// No complete head yet (possibly nothing at all).
        case incomplete
    }

    /// Parses the request head at the start of `raw`; `prefix` is `<base path>tiles/`.
    package static func parse(_ raw: UnsafeRawBufferPointer, prefix: String) -> Parsed {
        guard let length = headLength(raw) else { return .incomplete }
        guard let head = parseHead(UnsafeRawBufferPointer(rebasing: raw[..<(length - 2)])),  // lines with their CRLF
            let key = tileKey(head.target, prefix: prefix)
        else { return .other }
        return .tile(TileRequest(key: key, isHead: head.isHead, ifNoneMatch: head.ifNoneMatch), length: length)
    }

    /// The length of the head at the start of `raw` up to and including its blank line, if complete.
    package static func headLength(_ raw: UnsafeRawBufferPointer) -> Int? {
        guard let base = raw.baseAddress else { return nil }
        var i = 0
        while i + 3 < raw.count {
            guard let cr = memchr(base + i, 0x0D, raw.count - 3 - i) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(cr))
            if raw[at + 1] == 0x0A && raw[at + 2] == 0x0D && raw[at + 3] == 0x0A { return at + 4 }
            i = at + 1
        }
        return nil
    }

    /// The parts of a plain `GET`/`HEAD` head (every line with its CRLF, without the blank line);
    /// nil for anything else.
    private static func parseHead(_ bytes: UnsafeRawBufferPointer) -> (target: String, isHead: Bool, ifNoneMatch: String?)? {
        var lines = HeadLines(bytes)
        guard let requestLine = lines.next() else { return nil }
        let isHead: Bool
        let afterMethod: Int
        if requestLine.starts(with: "GET ".utf8) {
            (isHead, afterMethod) = (false, 4)
        } else if requestLine.starts(with: "HEAD ".utf8) {
            (isHead, afterMethod) = (true, 5)
        } else {
            return nil
        }
        let version = " HTTP/1.1".utf8
        guard requestLine.count > afterMethod + version.count, requestLine.suffix(version.count).elementsEqual(version)
        else { return nil }
        let targetBytes = requestLine[(requestLine.startIndex + afterMethod)..<(requestLine.endIndex - version.count)]
        guard !targetBytes.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) else { return nil }
        var ifNoneMatch: String?
        var contentLength = false
        while let line = lines.next() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                line[..<colon].allSatisfy(isTokenByte)
            else { return nil }  // obs-fold, a name that is not a token (NIO's parser answers 400), or not a header line
            let name = line[..<colon]
            let value = trimmed(line[(colon + 1)...])
            if equalsIgnoringCase(name, "content-length") {
                // A second one, even equal, is an error for NIO's parser (400).
                guard value.elementsEqual("0".utf8), !contentLength else { return nil }
                contentLength = true
            } else if equalsIgnoringCase(name, "transfer-encoding") || equalsIgnoringCase(name, "upgrade")
                || equalsIgnoringCase(name, "expect")
            {
                return nil
            } else if equalsIgnoringCase(name, "if-none-match") {
                guard ifNoneMatch == nil else { return nil }
                ifNoneMatch = String(decoding: value, as: UTF8.self)
            } else if equalsIgnoringCase(name, "connection") {
                let tokens = String(decoding: value, as: UTF8.self).lowercased().split(separator: ",")
                    .map { $0.trimmedOf(" \t") }
                // A closing request goes to the normal stack, which closes the connection after it.
                if tokens.contains("upgrade") || tokens.contains("close") { return nil }
            }
        }
        guard !lines.malformed else { return nil }
        return (String(decoding: targetBytes, as: UTF8.self), isHead, ifNoneMatch)
    }

    /// The tile of a request target `<prefix>{server}/{surface}/{layer}/{z}/{x}/{y}.png[?query]`,
    /// validated as ``TileRoutes`` does; nil for anything else.
    package static func tileKey(_ target: String, prefix: String) -> TileKey? {
        var rest = Substring(target)
        guard rest.utf8.starts(with: prefix.utf8) else { return nil }
        rest = rest.dropFirst(prefix.count)
        if let query = rest.utf8.firstIndex(of: UInt8(ascii: "?")) {
            // A request for a past version (`?at=`, the tile history) goes to the normal stack.
            if Self.hasAtParameter(rest[rest.utf8.index(after: query)...]) { return nil }
            rest = rest[..<query]
        }
        guard rest.utf8.count > 4, rest.utf8.suffix(4).elementsEqual(".png".utf8) else { return nil }
        rest = rest.dropLast(4)
        var parts: [Substring] = []
        parts.reserveCapacity(6)
        while let slash = rest.utf8.firstIndex(of: UInt8(ascii: "/")) {
            guard parts.count < 5 else { return nil }
            parts.append(rest[..<slash])
            rest = rest[rest.utf8.index(after: slash)...]
        }
        parts.append(rest)
        guard parts.count == 6 else { return nil }
        return try? TileKey.fromURLComponents(
            server: String(parts[0]), surface: String(parts[1]), layer: String(parts[2]), z: String(parts[3]),
            x: String(parts[4]), y: String(parts[5]))
    }

    /// Whether a query string has an `at` parameter.
    static func hasAtParameter(_ query: Substring) -> Bool {
        query.split(separator: "&").contains { $0 == "at" || $0.hasPrefix("at=") }
    }

    /// Whether `c` may appear in a field name (RFC 9110 `tchar`).
    private static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    private static func trimmed(_ s: UnsafeRawBufferPointer.SubSequence) -> UnsafeRawBufferPointer.SubSequence {
        var s = s
        while let f = s.first, f == 0x20 || f == 0x09 { s = s.dropFirst() }
        while let l = s.last, l == 0x20 || l == 0x09 { s = s.dropLast() }
        return s
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer.SubSequence, _ lower: StaticString) -> Bool {
        guard bytes.count == lower.utf8CodeUnitCount else { return false }
        return lower.withUTF8Buffer { l in
            zip(bytes, l).allSatisfy { a, b in (a >= 0x41 && a <= 0x5A ? a | 0x20 : a) == b }
        }
    }
}

/// The CRLF-separated lines of a request head (without the final blank line). A CR not followed by
/// LF, a bare LF or any other control character but HTAB ends the iteration with ``malformed`` set.
private struct HeadLines {
    package var rest: UnsafeRawBufferPointer.SubSequence
    package var malformed = false
    package init(_ bytes: UnsafeRawBufferPointer) { rest = bytes[...] }

    package mutating func next() -> UnsafeRawBufferPointer.SubSequence? {
        guard !rest.isEmpty, !malformed else { return nil }
        guard let cr = rest.firstIndex(where: { $0 < 0x20 && $0 != 0x09 }), rest[cr] == 0x0D, cr + 1 < rest.endIndex,
            rest[cr + 1] == 0x0A
        else {
            malformed = true
            return nil
        }
        defer { rest = rest[(cr + 2)...] }
        return rest[..<cr]
    }
}
