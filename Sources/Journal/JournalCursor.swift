/// The parts of a journal cursor (`s=<seqnum id>;i=<seqnum hex>;b=<boot id>;m=…;t=…;x=…`, the
/// format of every systemd since 2012) that identify an entry for good: the sequence number id
/// (a random 128-bit id shared by every file one journald instance writes in a row) and the
/// entry's sequence number in it, which only grows. libsystemd 252 has no `sd_journal_get_seqnum`
/// (it came in 254), so they are read from the cursor.
package struct JournalCursor: Sendable, Hashable {
    /// The 32 hex digits of the sequence number id.
    package var seqnumID: String
    /// The entry's sequence number (`__SEQNUM`).
    package var seqnum: UInt64

    /// Parses `cursor`; nil if it lacks a well-formed `s=` or `i=` part. (Byte by byte: it runs
    /// once per entry read.)
    package init?(_ cursor: String) {
        var text = cursor
        let parsed: (String, UInt64)? = text.withUTF8 { bytes in
            var id: Range<Int>?
            var seq: UInt64?
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: ";") { end += 1 }
                if end - start > 2 && bytes[start + 1] == UInt8(ascii: "=") {
                    let value = (start + 2)..<end
                    if bytes[start] == UInt8(ascii: "s") {
                        guard value.count == 32, value.allSatisfy({ Self.hexDigit(bytes[$0]) != nil }) else { return nil }
                        id = value
                    } else if bytes[start] == UInt8(ascii: "i") {
                        guard value.count <= 16 else { return nil }
                        var n: UInt64 = 0
                        for i in value {
                            guard let d = Self.hexDigit(bytes[i]) else { return nil }
                            n = n << 4 | d
                        }
                        seq = n
                    }
                }
                start = end + 1
            }
            guard let id, let seq else { return nil }
            return (String(decoding: UnsafeBufferPointer(rebasing: bytes[id]), as: UTF8.self), seq)
        }
        guard let parsed else { return nil }
        (seqnumID, seqnum) = parsed
    }

    /// The value of a lowercase hex digit.
    private static func hexDigit(_ c: UInt8) -> UInt64? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt64(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt64(c - UInt8(ascii: "a") + 10)
        default: nil
        }
    }
}
