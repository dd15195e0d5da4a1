import Foundation
import Kafka
import ServiceSupport
import Shared
import TestSupport
import Testing

import LogPipeCore
import LogPipeService
import KafkaModel

/// The real LogPipe binary against the real broker (`make test`): crashes, rotations, odd lines,
/// stdin, a deleted file. Each test has its own topic prefix, server id and directory.
@Suite(.timeLimit(.minutes(3)), .needs(.services))
struct LogPipeProcessTests {
    /// Common arguments: broker, topics, server, file and checkpoint.
    static func arguments(prefix: String, server: String, file: URL?, dir: URL) throws -> [String] {
        var args = ["--kafka-bootstrap", try PipeEnv.bootstrap(), "--topic-prefix", prefix, "--server-id", server]
        if let file { args += ["--file", file.path, "--checkpoint", dir.appendingPathComponent("checkpoint").path] }
        return args
    }

    static func expectedValues(_ writer: LogWriter) -> [[UInt8]] {
        writer.lines.map(\.bytes).filter { !$0.isEmpty }
    }

    @Test func killNineAtRandomPointsWhileTheLogGrowsLosesNothing() async throws {
        let prefix = PipeEnv.unique("kill")
        let dir = try PipeEnv.tempDir(prefix)
        let file = dir.appendingPathComponent("factorio-stdout.log")
        let writer = try LogWriter(file)
        writer.write(["   0.000 2026-11-24 12:00:00; Factorio 2.0.77 (build 83000, linux64, headless) \(prefix)"])
        let args = try Self.arguments(prefix: prefix, server: "srv-kill", file: file, dir: dir)

        // The game server keeps printing (~2,500 lines/s) while LogPipe is killed again and again.
        let growing = Task.detached {
            var i = 0
            while !Task.isCancelled {
                writer.write((0..<25).map { LineMix.line(i + $0, tag: prefix) })
                i += 25
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        let kills = try await ServiceProcess.logPipeRounds(args, logDir: dir, rounds: 10)
        growing.cancel()
        _ = await growing.value
        writer.close()
        #expect(kills == 10)

        // A last run ships the rest and exits once everything is acknowledged.
        let last = try ServiceProcess.logPipe(args + ["--exit-at-end"], logDir: dir, name: "final")
        defer { last.killNow() }
        #expect(await last.waitForExit(timeout: 90) == 0, "final run did not finish: \(last.log.suffix(2000))")
        let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? UInt64
        let checkpoint = try CheckpointFile(path: dir.appendingPathComponent("checkpoint").path).load()
        #expect(checkpoint?.offset == size, "the checkpoint ends at the end of the file")

        let expected = Self.expectedValues(writer)
        let (check, messages) = try await DeliveryCheck.reading(prefix: prefix, expected: expected)
        #expect(check.ok, "\(check.problems)")
        #expect(check.distinct == expected.count)
        // Every record's source offset is where its line is in the file.
        let byOffset = Dictionary(writer.lines.map { ($0.offset, $0.bytes) }, uniquingKeysWith: { a, _ in a })
        #expect(messages.allSatisfy { byOffset[$0.sourceOffset] == $0.value })
        let fingerprint = Fingerprint.hex(Fingerprint.of(firstLine: writer.lines[0].bytes))
        #expect(messages.allSatisfy { $0.source.hasPrefix(fingerprint + ":") })
        print("kill -9 ×\(kills): \(expected.count) lines, \(messages.count) records, \(check.duplicates) duplicates (deduplicated by source)")
    }

    @Test func renameCopytruncateTruncateAndReplacedWhileDown() async throws {
        let prefix = PipeEnv.unique("rot")
        let dir = try PipeEnv.tempDir(prefix)
        let file = dir.appendingPathComponent("console.log")
        let args = try Self.arguments(prefix: prefix, server: "srv-rot", file: file, dir: dir)
        var expected: [[UInt8]] = []
        var n = 0
        func lines(_ count: Int, _ phase: String) -> [String] {
            defer { n += count }
            return (0..<count).map { "KAFKATORIO/1 chat \(n + $0) \(n + $0) {\"phase\":\"\(phase)\",\"i\":\(n + $0)}" }
        }
        func write(_ w: LogWriter, _ l: [String]) {
            w.write(l)
            expected += l.map { Array($0.utf8) }
        }
        let fm = FileManager.default
        var writer = try LogWriter(file)
        write(writer, ["head A \(prefix)"] + lines(100, "A"))
        let pipe = try ServiceProcess.logPipe(args, logDir: dir, name: "rot")
        defer { pipe.killNow() }

        // 1. rename and create; the writer still appends to the renamed file for a moment.
        //    (Once LogPipe has the file open: on a loaded machine its start-up takes a while.)
        for _ in 0..<600 where !pipe.log.contains("input opened") { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(300))
        write(writer, lines(50, "A-late"))
        try fm.moveItem(at: file, to: dir.appendingPathComponent("console.log.1"))
        write(writer, lines(20, "A-after-rename"))
        writer.close()
        writer = try LogWriter(file)
        write(writer, ["head B \(prefix)"] + lines(100, "B"))

        // 2. copytruncate (logrotate shifts the old copy first).
        try await Task.sleep(for: .milliseconds(800))
        write(writer, lines(60, "B-late"))
        try fm.moveItem(at: dir.appendingPathComponent("console.log.1"), to: dir.appendingPathComponent("console.log.2"))
        try fm.copyItem(at: file, to: dir.appendingPathComponent("console.log.1"))
        try writer.reopen(truncate: true)
        write(writer, ["head C \(prefix)"] + lines(100, "C"))

        // 3. plain truncation, once LogPipe has read everything (without a copy, unread lines
        //    would be gone with the truncation: that is what copytruncate is for).
        try await waitForCheckpoint(dir, toReach: file)
        try writer.reopen(truncate: true)
        write(writer, ["head D \(prefix)"] + lines(80, "D"))
        try await waitForCheckpoint(dir, toReach: file)

        // 4. replaced while down: stopped, the file grows, is rotated, a new one starts.
        #expect(await pipe.terminate() == 0, "graceful stop: \(pipe.log.suffix(1500))")
        write(writer, lines(30, "D-while-down"))
        writer.close()
        try fm.moveItem(at: file, to: dir.appendingPathComponent("console.log.3"))
        writer = try LogWriter(file)
        write(writer, ["head E \(prefix)"] + lines(40, "E"))
        writer.close()
        let second = try ServiceProcess.logPipe(args + ["--exit-at-end"], logDir: dir, name: "rot2")
        #expect(await second.waitForExit(timeout: 60) == 0, "\(second.log.suffix(1500))")

        let (check, _) = try await DeliveryCheck.reading(prefix: prefix, expected: expected)
        #expect(check.ok, "\(check.problems)")
        #expect(check.distinct == expected.count)
        let log = pipe.log + second.log
        for event in ["rotated", "truncated", "finishingRotated"] { #expect(log.contains(event), "no \(event) event logged") }
    }

    @Test func oddLinesSignaturesMetricsAndADeletedFile() async throws {
        let prefix = PipeEnv.unique("odd")
        let dir = try PipeEnv.tempDir(prefix)
        let file = dir.appendingPathComponent("stdout.log")
        let secret = dir.appendingPathComponent("secret")
        try Data("  correct horse battery staple \n".utf8).write(to: secret)
        let port = try TestEnvironment.freePort()
        var args = try Self.arguments(prefix: prefix, server: "srv-odd", file: file, dir: dir)
        args += ["--secret-file", secret.path, "--metrics-port", "\(port)", "--max-line-bytes", "204800"]

        let big = "KAFKATORIO/1 chunk_terrain 5 5 {\"pad\":\"" + String(repeating: "x", count: 100 * 1024) + "\"}"
        let huge = "KAFKATORIO/1 chunk_terrain 6 6 {\"pad\":\"" + String(repeating: "y", count: 300 * 1024) + "\"}"
        let invalidPacket: [UInt8] = Array("KAFKATORIO/1 chat 7 7 {\"m\":\"".utf8) + [0xFF, 0xFE, 0xC3] + Array("\"}".utf8)
        let invalidConsole: [UInt8] = Array("2026-11-24 12:00:02 [CHAT] Bob: ".utf8) + [0xC0, 0x80, 0xED, 0xA0, 0x80]
        let writer = try LogWriter(file)
        writer.write(
            [
                Array("   0.000 2026-11-24 12:00:00; Factorio 2.0.77 (build 83000, linux64, headless) \(prefix)".utf8),
                Array(LineMix.packets[0].utf8), [], [], Array(big.utf8), invalidPacket, invalidConsole, [],
                Array(huge.utf8), Array("KAFKATORIO/1 player 8 8 {\"after\":\"huge\"}".utf8),
                Array("2026-11-24 12:00:03 [LEAVE] Bob left the game\r".utf8),
            ])
        let pipe = try ServiceProcess.logPipe(args, logDir: dir, name: "odd")
        defer { pipe.killNow() }
        let topics = Topics(prefix: prefix)
        let reader = try TopicReader(bootstrap: try PipeEnv.bootstrap(), topics: [topics.raw, topics.console, topics.deadLetter])
        var messages = try await reader.read(timeout: .seconds(45)) { $0.count >= 8 }
        let raw = messages.filter { $0.topic == topics.raw }
        let console = messages.filter { $0.topic == topics.console }
        let dead = messages.filter { $0.topic == topics.deadLetter }
        #expect(raw.map(\.value) == [Array(LineMix.packets[0].utf8), Array(big.utf8), invalidPacket, Array("KAFKATORIO/1 player 8 8 {\"after\":\"huge\"}".utf8)])
        #expect(console.count == 3 && console.contains { $0.value == invalidConsole })
        #expect(console.contains { $0.value.last == 0x0D }, "a CRLF line keeps its \\r (the codec strips it)")
        #expect(dead.count == 1)
        #expect(dead.first?.headerString("reason") == "line_too_long")
        #expect(dead.first?.value == Array(huge.utf8.prefix(204800)))
        let signer = ProvenanceSigner(secret: "correct horse battery staple", server: "srv-odd")
        #expect(
            messages.allSatisfy { m in
                let source = (m.headerString("source") ?? "").split(separator: ":")
                guard source.count == 2, let fp = UInt64(source[0], radix: 16), let offset = UInt64(source[1]) else { return false }
                let kind: RecordKind = m.topic == topics.raw ? .raw : m.topic == topics.console ? .console : .deadLetter
                return signer.verify(
                        RecordIdentity(kind: kind, fingerprint: fp, offset: offset), value: m.value,
                        signature: m.headerString("signature") ?? "")
            })
        #expect(messages.allSatisfy { $0.key == Array("srv-odd".utf8) && $0.headerString("server") == "srv-odd" })
        #expect(messages.allSatisfy { $0.headerString("logpipe-version") == LogPipeVersion.current })
        #expect(!pipe.log.contains("correct horse"), "the secret never appears in logs")

        // /metrics counts everything; /healthz is fine.
        try await PipeEnv.expectMetrics(
            port: port, after: "logpipe_lines_shipped_total{topic=\"raw\"} 4",
            [
                "logpipe_lines_read_total 11", "logpipe_lines_filtered_total 3", "logpipe_lines_oversize_total 1",
                "logpipe_lines_shipped_total{topic=\"raw\"} 4", "logpipe_lines_shipped_total{topic=\"console\"} 3",
                "logpipe_lines_shipped_total{topic=\"deadletter\"} 1", "logpipe_delivery_errors_total 0",
                "logpipe_lag_bytes 0",
            ])
        #expect(try await httpGet("http://127.0.0.1:\(port)/healthz").status == 200)

        // The file is deleted; a new one appears at the path and is followed from its start.
        try FileManager.default.removeItem(at: file)
        try await Task.sleep(for: .milliseconds(400))
        let next = try LogWriter(file)
        next.write(["   0.000 2026-11-24 13:00:00; Factorio 2.0.77 restarted \(prefix)", "KAFKATORIO/1 session_start 0 0 {\"new\":1}"])
        messages = try await reader.read(timeout: .seconds(30)) { $0.count >= 10 }
        await reader.close()
        #expect(messages.contains { $0.value == Array("KAFKATORIO/1 session_start 0 0 {\"new\":1}".utf8) && $0.sourceOffset > 0 })
        #expect(pipe.log.contains("deleted"))
        #expect(await pipe.terminate() == 0)
    }

    @Test func stdinIsShippedUntilItsEnd() async throws {
        let prefix = PipeEnv.unique("stdin")
        let dir = try PipeEnv.tempDir(prefix)
        let pipe = try ServiceProcess.logPipe(
            try Self.arguments(prefix: prefix, server: "srv-stdin", file: nil, dir: dir) + ["--stdin"], logDir: dir,
            name: "stdin", stdin: true)
        defer { pipe.killNow() }
        var expected: [[UInt8]] = []
        var text = "   0.000 2026-11-24 12:00:00; Factorio 2.0.77 \(prefix)\n"
        expected.append(Array(text.dropLast().utf8))
        for i in 0..<2000 {
            let l = LineMix.line(i, tag: prefix)
            text += l + "\n"
            if !l.isEmpty { expected.append(Array(l.utf8)) }
        }
        let handle = try #require(pipe.stdin).fileHandleForWriting
        // Off the pool: the write blocks until LogPipe has read all but a pipe buffer of it.
        try await offPool { [text] in
            handle.write(Data(text.utf8))
            try handle.close()
        }
        #expect(await pipe.waitForExit(timeout: 60) == 0, "LogPipe exits 0 at the end of stdin: \(pipe.log.suffix(1500))")
        let topics = Topics(prefix: prefix)
        let reader = try TopicReader(bootstrap: try PipeEnv.bootstrap(), topics: [topics.raw, topics.console])
        let messages = try await reader.read(timeout: .seconds(45)) { Set($0.map(\.source)).count >= expected.count }
        await reader.close()
        let check = DeliveryCheck(expected: expected, messages: messages)
        #expect(check.ok && check.distinct == expected.count, "missing \(check.missing.count), invented \(check.invented.count)")
    }

    /// Waits until the checkpoint reaches the end of `file` (same fingerprint, offset = size).
    func waitForCheckpoint(_ dir: URL, toReach file: URL) async throws {
        let checkpoint = CheckpointFile(path: dir.appendingPathComponent("checkpoint").path)
        for _ in 0..<300 {
            let data = (try? Data(contentsOf: file)).map { [UInt8]($0) } ?? []
            let fingerprint = Fingerprint.of(firstLine: data.prefix { $0 != 0x0A })
            if let cp = try? checkpoint.load(), cp.offset == UInt64(data.count), cp.fingerprint == fingerprint { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PipeTestError("checkpoint did not reach the end of \(file.lastPathComponent)")
    }
}
