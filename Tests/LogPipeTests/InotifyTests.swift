import Foundation
import Kafka
import Shared
import TestSupport
import Testing

import KafkaModel

/// The real LogPipe binary learns of appended lines, rotations and truncations through inotify:
/// with the poll interval at its maximum (600 s) every line still arrives (each wait below is a
/// limit, never a duration waited for), and a SIGTERM ends a wait at once. With `--watch poll`
/// the same rotations are followed by polling (the fallback).
@Suite(.timeLimit(.minutes(3)), .needs(.services))
struct InotifyTests {
    /// Reads the raw and console topics of `prefix` until `count` distinct lines arrived (or 60 s).
    static func read(_ reader: TopicReader, count: Int) async throws -> [ConsumerMessage] {
        try await reader.read(timeout: .seconds(60)) { Set($0.map(\.source)).count >= count }
    }

    @Test func anAppendedLineIsShippedWithoutWaitingForThePoll() async throws {
        let prefix = PipeEnv.unique("inotify")
        let dir = try PipeEnv.tempDir(prefix)
        let writer = try LogWriter(dir.appendingPathComponent("factorio-stdout.log"))
        writer.write(["   0.000 2026-11-24 12:00:00; Factorio 2.0.77 \(prefix)"])
        let pipe = try ServiceProcess.logPipe(
            try LogPipeProcessTests.arguments(prefix: prefix, server: "srv-inotify", file: writer.url, dir: dir) + ["--poll-ms", "600000"],
            logDir: dir, name: "inotify")
        defer { pipe.killNow() }
        let topics = Topics(prefix: prefix)
        let reader = try TopicReader(bootstrap: try PipeEnv.bootstrap(), topics: [topics.raw, topics.console])
        // The first line is read at start; the next ones only when inotify reports them.
        _ = try await Self.read(reader, count: 1)
        for round in 0..<3 {
            writer.write(["KAFKATORIO/1 session_start \(round) \(round) {\"round\":\(round)}"])
            let messages = try await Self.read(reader, count: 2 + round)
            #expect(Set(messages.map(\.source)).count == 2 + round, "append \(round) not shipped: \(pipe.log.suffix(800))")
        }
        await reader.close()
        #expect(!pipe.log.contains("inotify unavailable"), "\(pipe.log.suffix(800))")
        #expect(await pipe.terminate() == 0, "SIGTERM ends the wait at once and LogPipe exits 0")
    }

    @Test(arguments: [["--poll-ms", "600000"], ["--watch", "poll", "--poll-ms", "50"]])
    func renameAndCreateThenTruncationAreFollowed(_ watch: [String]) async throws {
        let prefix = PipeEnv.unique("inotify-rot")
        let dir = try PipeEnv.tempDir(prefix)
        let file = dir.appendingPathComponent("factorio-stdout.log")
        let writer = try LogWriter(file)
        writer.write(["   0.000 2026-11-24 12:00:00; Factorio 2.0.77 \(prefix)"] + (0..<20).map { LineMix.line($0, tag: "first") })
        let pipe = try ServiceProcess.logPipe(
            try LogPipeProcessTests.arguments(prefix: prefix, server: "srv-inotify-rot", file: file, dir: dir) + watch,
            logDir: dir, name: "rotation")
        defer { pipe.killNow() }
        let topics = Topics(prefix: prefix)
        let reader = try TopicReader(bootstrap: try PipeEnv.bootstrap(), topics: [topics.raw, topics.console])
        _ = try await Self.read(reader, count: LogPipeProcessTests.expectedValues(writer).count)

        // Rename-and-create: the old file gets two more lines first, then the new one its own.
        writer.write((20..<22).map { LineMix.line($0, tag: "late") })
        var expected = LogPipeProcessTests.expectedValues(writer)
        try FileManager.default.moveItem(at: file, to: dir.appendingPathComponent("factorio-stdout.log.1"))
        let next = try LogWriter(file)
        next.write(["   0.000 2026-11-24 13:00:00; Factorio 2.0.77 second \(prefix)"] + (0..<10).map { LineMix.line($0, tag: "second") })
        expected += LogPipeProcessTests.expectedValues(next)
        var messages = try await Self.read(reader, count: expected.count)
        var check = DeliveryCheck(expected: expected, messages: messages)
        #expect(check.ok, "after the rotation: \(check.problems); \(pipe.log.suffix(800))")

        // Truncation without a copy: reading restarts at 0 with what is written next.
        try next.reopen(truncate: true)
        next.write(["   0.000 2026-11-24 14:00:00; Factorio 2.0.77 third \(prefix)", "KAFKATORIO/1 session_start 0 0 {\"third\":1}"])
        expected += [Array("   0.000 2026-11-24 14:00:00; Factorio 2.0.77 third \(prefix)".utf8), Array("KAFKATORIO/1 session_start 0 0 {\"third\":1}".utf8)]
        messages = try await Self.read(reader, count: expected.count)
        await reader.close()
        check = DeliveryCheck(expected: expected, messages: messages)
        #expect(check.ok, "after the truncation: \(check.problems); \(pipe.log.suffix(800))")
        #expect(pipe.log.contains("truncated"))
        #expect(await pipe.terminate() == 0)
    }
}
