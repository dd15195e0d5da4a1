/// `If-None-Match` evaluation (RFC 9110 §13.1.2: weak comparison, `*` matches any), pure: the one
/// decision ``TileRoutes`` and the tile fast path both take (and the fast path's fuzz target,
/// `Fuzz/TileRequestFuzz.swift`, checks the parser against).
package enum ConditionalRequest {
    /// Whether any of the request's `If-None-Match` field values (each a comma-separated list of
    /// entity tags) matches `eTag`.
    package static func ifNoneMatchMatches(_ values: some Sequence<String>, eTag: String) -> Bool {
        let opaque = stripWeak(eTag)
        for line in values {
            for candidate in line.split(separator: ",") {
                let tag = trimmingASCIISpaces(candidate)
                if tag == "*" || stripWeak(tag) == opaque { return true }
            }
        }
        return false
    }

    private static func stripWeak(_ tag: some StringProtocol) -> Substring {
        let s = Substring(tag)
        return s.hasPrefix("W/") ? s.dropFirst(2) : s
    }

    private static func trimmingASCIISpaces(_ s: some StringProtocol) -> Substring {
        var s = Substring(s)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
