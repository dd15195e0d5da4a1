import Foundation
import Journal
import KafkaModel
import Shared
import TestSupport
import Testing

import LogPipeCore
import LogPipeService

/// The real LogPipe binary with `--input journald` on journal files that
/// `systemd-journal-remote` writes while it runs (no journald), against the real broker.
@Suite(.timeLimit(.minutes(3)), .needs(.services))
struct JournalProcessTests {
    static func arguments(prefix: String, server: String, journal: JournalLog, dir: URL) throws -> [String] {
        [
            "--kafka-bootstrap", try PipeEnv.bootstrap(), "--topic-prefix", prefix, "--server-id", server,
            "--input", "journald", "--unit", "factorio", "--journal-directory", journal.directory.path,
            "--checkpoint", dir.appendingPathComponent("checkpoint").path,
        ]
    }

    @Test func killNineAndSigtermAtRandomPointsWhileTheJournalGrowsLosesNothing() async throws {
        let prefix = PipeEnv.unique("jkill")
        let dir = try PipeEnv.tempDir(prefix)
        let journal = try JournalLog(dir.appendingPathComponent("journal"))
        try await journal.write(lines: ["   0.000 2026-11-24 12:00:00; Factorio 2.0.77 (build 83000, linux64, headless) \(prefix)"])
        let args = try Self.arguments(prefix: prefix, server: "srv-jkill", journal: journal, dir: dir)

        // The game keeps printing (~5,000 lines/s, another unit in between); now and then
        // journald starts a new file (journal-remote: a new sequence, so a new fingerprint).
        let growing = Task.detached {
            var i = 0
            var file = 0
            while !Task.isCancelled {
                var entries = (0..<250).map { JournalLog.Entry(LineMix.line(i + $0, tag: prefix)) }
                entries.insert(.init(unit: "other.service", "noise \(i)"), at: 50)
                if i % 10_000 == 7_500 { file += 1 }
                try? await journal.write(entries, file: "system-\(file)")
                i += 250
                try? await Task.sleep(for: .milliseconds(30))
            }
        }
        let checkpoint = CheckpointFile(path: dir.appendingPathComponent("checkpoint").path)
        let kills = try await ServiceProcess.logPipeRounds(args, logDir: dir, rounds: 9) { round, pipe in
            guard round == 4 else {
                await pipe.kill9()
                return true
            }
            // A graceful stop once it ships (a loaded machine may take longer than the sleep to start).
            for _ in 0..<600 where (try? checkpoint.loadCursor()) == nil || !pipe.log.contains("following the journal") {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(await pipe.terminate() == 0, "graceful stop: \(pipe.log.suffix(1500))")
            #expect(try checkpoint.loadCursor() != nil)
            return false
        }
        growing.cancel()
        _ = await growing.value

        let last = try ServiceProcess.logPipe(args + ["--exit-at-end"], logDir: dir, name: "final")
        defer { last.killNow() }
        #expect(await last.waitForExit(timeout: 90) == 0, "final run did not finish: \(last.log.suffix(2000))")
        // The checkpoint names the last entry: nothing comes after it.
        let cursor = try #require(try checkpoint.loadCursor())
        let after = try JournalSource(
            location: .directory(journal.directory.path), unit: "factorio.service", cursor: cursor, startAtEnd: false,
            maxLineBytes: 1 << 20, wait: .milliseconds(10), ledger: nil
        ).read(maxLines: 10)
        #expect(after.lines.isEmpty && after.events.isEmpty, "the checkpoint is the last entry")

        let expected = journal.expectedLines
        let (check, messages) = try await DeliveryCheck.reading(prefix: prefix, expected: expected)
        #expect(check.ok, "\(check.problems)")
        #expect(check.distinct == expected.count)
        #expect(!messages.contains { $0.value.starts(with: Array("noise".utf8)) }, "other units are not shipped")
        print("journald kill -9 ×\(kills) + SIGTERM ×1: \(expected.count) lines, \(messages.count) records, \(check.duplicates) duplicates, \(check.distinct) after dedup by source")
    }

    @Test func oddEntriesDeadLettersAndAVacuumedCheckpoint() async throws {
        let prefix = PipeEnv.unique("jodd")
        let dir = try PipeEnv.tempDir(prefix)
        let journal = try JournalLog(dir.appendingPathComponent("journal"))
        let port = try TestEnvironment.freePort()
        let args = try Self.arguments(prefix: prefix, server: "srv-jodd", journal: journal, dir: dir) + ["--max-line-bytes", "1024"]
        let invalidPacket: [UInt8] = Array("KAFKATORIO/1 chat 7 7 {\"m\":\"".utf8) + [0xFF, 0xFE, 0xC3] + Array("\"}".utf8)
        let invalidConsole: [UInt8] = Array("2026-11-24 12:00:02 [CHAT] Bob: ".utf8) + [0xC0, 0x80, 0x00, 0xED]
        let huge = "KAFKATORIO/1 chunk_terrain 6 6 {\"pad\":\"" + String(repeating: "y", count: 3000) + "\"}"
        let joined = "KAFKATORIO/1 chunk_terrain 7 7 {\"pad\":\"" + String(repeating: "z", count: 900) + "\"}"
        let parts = [joined.utf8.prefix(400), joined.utf8.dropFirst(400).prefix(400), joined.utf8.dropFirst(800)].map(Array.init)
        let lineMax = [("_LINE_BREAK", Array("line-max".utf8))]
        try await journal.write(
            [
                .init("   0.000 2026-11-24 12:00:00; Factorio 2.0.77 \(prefix)"), .init(LineMix.packets[0]),
                .init(message: invalidPacket), .init(message: invalidConsole), .init(unit: "other.service", "not ours"),
                .init(huge), .init("KAFKATORIO/1 player 8 8 {}\n2026-11-24 12:00:03 [JOIN] Bob joined the game"),
                .init(message: parts[0], fields: lineMax), .init(message: parts[1], fields: lineMax), .init(message: parts[2]),
            ], file: "a")
        let first = try ServiceProcess.logPipe(args + ["--exit-at-end"], logDir: dir, name: "odd")
        defer { first.killNow() }
        #expect(await first.waitForExit(timeout: 60) == 0, "\(first.log.suffix(1500))")

        let topics = Topics(prefix: prefix)
        let reader = try TopicReader(bootstrap: try PipeEnv.bootstrap(), topics: [topics.raw, topics.console, topics.deadLetter])
        var messages = try await reader.read(timeout: .seconds(45)) { $0.count >= 8 }
        let raw = messages.filter { $0.topic == topics.raw }.map(\.value)
        let console = messages.filter { $0.topic == topics.console }.map(\.value)
        let dead = messages.filter { $0.topic == topics.deadLetter }
        #expect(raw == [Array(LineMix.packets[0].utf8), invalidPacket, Array("KAFKATORIO/1 player 8 8 {}".utf8), Array(joined.utf8)])
        #expect(console.count == 3 && console.contains(invalidConsole) && !console.contains(Array("not ours".utf8)))
        #expect(dead.count == 1 && dead.first?.headerString("reason") == "line_too_long")
        #expect(dead.first?.value == Array(huge.utf8.prefix(1024)))

        // While LogPipe is down the checkpoint's file is vacuumed; a newer file holds new lines.
        try await journal.write(lines: ["KAFKATORIO/1 session_start 0 0 {\"new\":1}", "after the vacuum"], file: "b")
        try FileManager.default.removeItem(at: journal.directory.appendingPathComponent("a.journal"))
        let second = try ServiceProcess.logPipe(args + ["--metrics-port", "\(port)"], logDir: dir, name: "vacuum")
        defer { second.killNow() }
        messages = try await reader.read(timeout: .seconds(45)) { $0.count >= 10 }
        await reader.close()
        #expect(messages.suffix(2).map(\.value).contains(Array("after the vacuum".utf8)))
        var metrics = ""
        for _ in 0..<50 {
            metrics = String(decoding: try await httpGet("http://127.0.0.1:\(port)/metrics").body, as: UTF8.self)
            if metrics.contains("logpipe_lines_shipped_total{topic=\"console\"} 1") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(metrics.contains("logpipe_input_events_total{event=\"checkpoint_cursor_gone\"} 1"), "\(metrics)")
        #expect(second.log.contains("checkpointCursorGone"))
        #expect(await second.terminate() == 0)
        let cursor = try CheckpointFile(path: dir.appendingPathComponent("checkpoint").path).loadCursor()
        #expect(cursor != nil)

        // A file checkpoint given to the journald input is a clear error.
        try CheckpointFile(path: dir.appendingPathComponent("checkpoint").path).store(Checkpoint(fingerprint: 1, offset: 2))
        let wrong = try ServiceProcess.logPipe(args, logDir: dir, name: "wrong")
        defer { wrong.killNow() }
        #expect(await wrong.waitForExit(timeout: 30) != 0)
        #expect(wrong.log.contains("holds a file position"), "\(wrong.log.suffix(800))")
    }
}
