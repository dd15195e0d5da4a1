/// A Leaflet release number (`major.minor.patch`, any pre-release suffix ignored), and the
/// check of the host's Leaflet against the one the page is written and tested with.
///
/// Pure: no IO. ``StaticAssets`` reads `leaflet.js` and acts on ``check(_:)``.
package struct LeafletVersion: Sendable, Hashable, CustomStringConvertible {
    package var major: Int
    package var minor: Int
    package var patch: Int

    /// The Leaflet the page is tested with: Debian 12's `libjs-leaflet` 1.7.1~dfsg-7
    /// (``testedPackage``), whose `leaflet.js` declares `version = "1.6.0"`. The browser tests
    /// run against it; bump both after testing the page with another release.
    package static let tested = LeafletVersion(major: 1, minor: 6, patch: 0)
    /// The Debian package ``tested`` comes from (`dpkg -s libjs-leaflet`).
    package static let testedPackage = "libjs-leaflet 1.7.1~dfsg-7 (Debian 12)"

    package init(major: Int, minor: Int, patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses "1.6.0", "1.9" or "2.0.0-alpha.1"; nil without a numeric major and minor.
    package init?(_ text: some StringProtocol) {
        let core = text.prefix { $0.isNumber || $0 == "." }
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        let patch = parts.count == 3 ? Int(parts[2]) : 0
        guard let patch else { return nil }
        self.init(major: major, minor: minor, patch: patch)
    }

    package var description: String { "\(major).\(minor).\(patch)" }

    /// The version a Leaflet build declares: `version = "X.Y.Z"` (every UMD and ESM build since
    /// 1.0 starts with it), else the banner `Leaflet X.Y.Z`. Looks at the first 64 KiB only.
    package static func declared(in source: [UInt8]) -> LeafletVersion? {
        let head = source.prefix(1 << 16)
        for (marker, terminator) in [("version = \"", UInt8(ascii: "\"")), ("Leaflet ", UInt8(ascii: ","))] {
            guard let start = firstEnd(of: Array(marker.utf8), in: head) else { continue }
            let rest = head[start...].prefix { $0 != terminator && $0 != UInt8(ascii: "\n") }.prefix(32)
            if let version = LeafletVersion(String(decoding: rest, as: UTF8.self)) { return version }
        }
        return nil
    }

    /// How the page stands with the host's Leaflet.
    package enum Verdict: Sendable, Hashable {
        /// The tested release.
        case tested
        /// Another release of the same major version: the page uses only API that every 1.x has,
        /// so it is served (with a warning: untested).
        case untested(LeafletVersion)
    }

    /// Whether the page can be served with `leaflet.js` of `source` (read from `path`): a
    /// different major version (Leaflet 2 removed the factory functions and the global `L` the
    /// page uses) or no readable version is an error naming both versions.
    package static func check(_ source: [UInt8], path: String) throws(LeafletVersionError) -> Verdict {
        guard let found = declared(in: source) else { throw LeafletVersionError(path: path, found: nil) }
        guard found.major == tested.major else { throw LeafletVersionError(path: path, found: found) }
        return found == tested ? .tested : .untested(found)
    }

    /// The index just past the first occurrence of `pattern` in `bytes`.
    private static func firstEnd(of pattern: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return nil }
        var i = bytes.startIndex
        while i <= bytes.endIndex - pattern.count {
            if bytes[i] == pattern[0], bytes[i..<(i + pattern.count)].elementsEqual(pattern) { return i + pattern.count }
            i += 1
        }
        return nil
    }
}

/// The host's Leaflet is one the page cannot run with: a start-up error.
package struct LeafletVersionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `leaflet.js` read.
    package var path: String
    /// The version it declares; nil when it declares none.
    package var found: LeafletVersion?

    package var description: String {
        let tested = "the page is tested with Leaflet \(LeafletVersion.tested) (\(LeafletVersion.testedPackage))"
        guard let found else { return "\(path) declares no Leaflet version; \(tested)" }
        return "\(path) is Leaflet \(found), but \(tested) and cannot run with Leaflet \(found.major).x; "
            + "install Leaflet \(LeafletVersion.tested.major).x or point --leaflet-dir at it"
    }
}
