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

    /// Parses `cursor`; nil if it lacks a well-formed `s=` or `i=` part.
    package init?(_ cursor: String) {
        var id: String?
        var seq: UInt64?
        for part in cursor.split(separator: ";") {
            if part.hasPrefix("s=") {
                let hex = part.dropFirst(2)
                guard hex.utf8.count == 32, hex.utf8.allSatisfy({ UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0 || UInt8(ascii: "a")...UInt8(ascii: "f") ~= $0 })
                else { return nil }
                id = String(hex)
            } else if part.hasPrefix("i=") {
                seq = UInt64(part.dropFirst(2), radix: 16)
            }
        }
        guard let id, let seq else { return nil }
        seqnumID = id
        seqnum = seq
    }
}
