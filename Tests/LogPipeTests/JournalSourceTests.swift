import Foundation
import Journal
import Testing

import LogPipeCore
import LogPipeService

/// ``JournalSource`` on journal files written by `systemd-journal-remote` (no journald, no
/// broker): what is read, how entries become lines, their identity, resuming, a gone cursor.
@Suite struct JournalSourceTests {
    static func source(_ dir: URL, cursor: String? = nil, ledger: CursorLedger? = CursorLedger()) throws -> JournalSource {
        try JournalSource(
            location: .directory(dir.path), unit: "factorio.service", cursor: cursor, startAtEnd: false,
            maxLineBytes: 1024, wait: .milliseconds(20), ledger: ledger)
    }

    static func texts(_ batch: ReadBatch) -> [String] { batch.lines.map { String(decoding: $0.bytes, as: UTF8.self) } }

    @Test func oneUnitsMessagesBecomeLinesWithStableIdentity() async throws {
        let dir = try PipeEnv.tempDir(PipeEnv.unique("jsrc"))
        let log = try JournalLog(dir)
        let binary: [UInt8] = [0xFF, 0xFE, 0x00, 0x41, 0xC3]
        try await log.write([
            .init("KAFKATORIO/1 chat 1 1 {}"),  // seqnum 1
            .init(unit: "other.service", "not ours"),  // 2
            .init("two\nlines"),  // 3
            .init(message: binary),  // 4
            .init(message: nil),  // 5: no MESSAGE, one empty line
            .init(String(repeating: "x", count: 2000)),  // 6: over the limit
            .init(message: Array("KAFKATORIO/1 part-".utf8), fields: [("_LINE_BREAK", Array("line-max".utf8))]),  // 7
            .init("two"),  // 8: the rest of 7's line
            .init("after"),  // 9
        ])
        let ledger = CursorLedger()
        let source = try Self.source(dir, ledger: ledger)
        let batch = source.read(maxLines: 100)
        #expect(batch.lines.map { Array($0.bytes) } == [
            Array("KAFKATORIO/1 chat 1 1 {}".utf8), Array("two".utf8), Array("lines".utf8), binary, [],
            Array(repeating: UInt8(ascii: "x"), count: 1024), Array("KAFKATORIO/1 part-two".utf8), Array("after".utf8),
        ])
        #expect(batch.lines.map(\.oversize) == [false, false, false, false, false, true, false, false])
        #expect(batch.lines[5].length == 2000)
        // Offset = seqnum << 20 + line index; a joined line ends at its last part's entry (8).
        func at(_ seqnum: UInt64, _ index: UInt64 = 0) -> UInt64 { seqnum << JournalSource.indexBits + index }
        let offsets: [UInt64] = [at(1), at(3), at(3, 1), at(4), at(5), at(6), at(7), at(9)]
        let ends: [UInt64] = [at(1, 1), at(3, 1), at(3, 2), at(4, 1), at(5, 1), at(6, 1), at(8, 1), at(9, 1)]
        #expect(batch.lines.map(\.offset) == offsets)
        #expect(batch.lines.map(\.endOffset) == ends)
        #expect(Set(batch.lines.map(\.fingerprint)).count == 1)
        #expect(ledger.count == 7, "one cursor per entry read whole (7 waits for its rest in 8)")

        // The same journal read again gives the same identities.
        let again = try Self.source(dir).read(maxLines: 100)
        #expect(again.lines.map(\.offset) == batch.lines.map(\.offset) && again.lines.map(\.fingerprint) == batch.lines.map(\.fingerprint))
        // The ledger names an entry only once all its lines are covered.
        let fp = batch.lines[0].fingerprint
        #expect(ledger.take(upTo: Checkpoint(fingerprint: fp, offset: at(3, 1))) != nil, "entry 1, before the half of entry 3")
        #expect(ledger.take(upTo: Checkpoint(fingerprint: fp, offset: at(3, 1))) == nil)
        #expect(ledger.count == 6)
    }

    @Test func followsAppendsResumesAfterTheCursorAndRestartsAtTheOldestWhenItIsGone() async throws {
        let dir = try PipeEnv.tempDir(PipeEnv.unique("jcur"))
        let log = try JournalLog(dir)
        try await log.write(lines: ["a1", "a2", "a3"], file: "a")
        let ledger = CursorLedger()
        let source = try Self.source(dir, ledger: ledger)
        let first = source.read(maxLines: 100)
        #expect(Self.texts(first) == ["a1", "a2", "a3"])
        let empty = source.read(maxLines: 100)
        #expect(empty.lines.isEmpty && empty.atEnd)
        try await log.write(lines: ["a4", "a5"], file: "a")
        var grown: [String] = []
        for _ in 0..<50 where grown.count < 2 { grown += Self.texts(source.read(maxLines: 100)) }
        #expect(grown == ["a4", "a5"], "appends to the open journal are read")

        let fp = try #require(first.lines.first?.fingerprint)
        let cursor = try #require(ledger.take(upTo: Checkpoint(fingerprint: fp, offset: 3 << JournalSource.indexBits + 1)))
        let resumed = try Self.source(dir, cursor: cursor)
        let batch = resumed.read(maxLines: 100)
        #expect(Self.texts(batch) == ["a4", "a5"] && batch.events.isEmpty)

        // The checkpoint's file is vacuumed while a newer one holds later entries.
        try await log.write(lines: ["b1", "b2"], file: "b")
        try FileManager.default.removeItem(at: dir.appendingPathComponent("a.journal"))
        let restarted = try Self.source(dir, cursor: cursor)
        let fromOldest = restarted.read(maxLines: 100)
        #expect(Self.texts(fromOldest) == ["b1", "b2"])
        #expect(fromOldest.events == [.checkpointCursorGone(cursor: cursor)])
        #expect(fromOldest.lines.first?.fingerprint != fp, "another file, another sequence")

        let bad = #expect(throws: JournalError.self) { try Self.source(dir, cursor: "garbage") }
        #expect(bad?.call == "sd_journal_seek_cursor" && bad?.errno == EINVAL)
        let missing = #expect(throws: JournalError.self) { try Self.source(dir.appendingPathComponent("none")) }
        #expect(missing?.description.contains("errno") == true)
    }

    @Test func checkpointFormatsAreTold() throws {
        let cursor = "s=27ed04eb5c6847918b7aa7632b365a34;i=6;b=0123456789abcdef0123456789abcdef;m=44c;t=60a24181e4064;x=c2e9476c3590d2e9"
        #expect(StoredCheckpoint(text: "v1-journal \(cursor)\n") == .journal(cursor: cursor))
        #expect(StoredCheckpoint.journal(cursor: cursor).text == "v1-journal \(cursor)\n")
        #expect(StoredCheckpoint(text: "v1 ff 10\n") == .file(Checkpoint(fingerprint: 0xFF, offset: 10)))
        #expect(StoredCheckpoint(text: "v1-journal \n") == nil && StoredCheckpoint(text: "v2-journal x\n") == nil)
        #expect(JournalCursor(cursor) == JournalCursor(cursor) && JournalCursor(cursor)?.seqnum == 6)
        #expect(JournalCursor("i=6;b=1") == nil)

        let path = NSTemporaryDirectory() + "jcp-\(UUID().uuidString)"
        let file = CheckpointFile(path: path)
        try file.store(.journal(cursor: cursor))
        #expect(try file.loadCursor() == cursor)
        let asFile = #expect(throws: CheckpointError.self) { try file.load() }
        #expect(asFile?.message.contains("journal cursor") == true)
        try file.store(Checkpoint(fingerprint: 1, offset: 2))
        let asJournal = #expect(throws: CheckpointError.self) { try file.loadCursor() }
        #expect(asJournal?.message.contains("file position") == true)
    }
}
