import Shared

/// A file's identity: the FNV-1a hash of its first line (at most its first 4 KiB).
package enum Fingerprint {
    /// Bytes of the first line that identify a file.
    package static let maxBytes = 4096

    /// The fingerprint of a file whose first line is `line` (only its first 4 KiB count).
    package static func of(firstLine line: some Collection<UInt8>) -> UInt64 {
        ContentHash.fnv1a64(line.prefix(maxBytes))
    }

    /// The 16-digit lowercase hex form used in the `source` header.
    package static func hex(_ fingerprint: UInt64) -> String {
        let h = String(fingerprint, radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h
    }
}
