import Foundation
import Kafka
import KafkaModel
import Shared
import TestSupport
import Testing

import LogPipeCore
import LogPipeService

/// The real LogPipe binary with `--input docker-json` against the real broker (`make test`), on
/// json-file logs the tests write as Docker's driver does (``DockerLogWriter``): kill -9 while
/// the log grows and rotates, odd and broken entries, a graceful stop and resume, a broker outage.
@Suite(.timeLimit(.minutes(4)), .needs(.services))
struct DockerJSONProcessTests {
    static func arguments(prefix: String, server: String, file: URL, dir: URL, bootstrap: String? = nil) throws -> [String] {
        [
            "--kafka-bootstrap", try bootstrap ?? PipeEnv.bootstrap(), "--topic-prefix", prefix, "--server-id", server,
            "--input", "docker-json", "--file", file.path, "--checkpoint", dir.appendingPathComponent("checkpoint").path,
        ]
    }

    /// Every printed stdout line arrived at least once and, deduplicated by `source`, exactly once,
    /// with the source of its last entry; nothing else arrived. Returns (records, duplicates).
    static func check(_ writer: DockerLogWriter, _ messages: [ConsumerMessage]) -> (records: Int, duplicates: Int) {
        let printed = writer.printed.filter { !$0.bytes.isEmpty }
        let check = DeliveryCheck(expected: printed.map(\.bytes), messages: messages)
        #expect(check.ok, "missing \(check.missing.count) \(check.missing.prefix(3)), invented \(check.invented.prefix(3)), conflicting \(check.conflicting.prefix(3))")
        #expect(check.distinct == printed.count)
        let bySource = Dictionary(printed.map { ($0.source, $0.bytes) }, uniquingKeysWith: { a, _ in a })
        let wrong = messages.filter { bySource[$0.source] != $0.value }
        #expect(wrong.isEmpty, "\(wrong.count) records whose source is not their line's last entry, e.g. \(wrong.first?.source ?? "")")
        return (messages.count, check.duplicates)
    }

    static func read(_ topics: [String], bootstrap: String? = nil, until count: Int) async throws -> [ConsumerMessage] {
        let reader = try TopicReader(bootstrap: try bootstrap ?? PipeEnv.bootstrap(), topics: topics)
        let messages = try await reader.read(timeout: .seconds(60)) { Set($0.map(\.source)).count >= count }
        await reader.close()
        return messages
    }

    /// Line `i`: the usual mix, every 97th a packet line of 20–60 KB (split into 16 KiB entries),
    /// and markup and quotes that Docker escapes.
    static func line(_ i: Int, tag: String) -> [UInt8] {
        if i % 97 == 5 {
            return Array("KAFKATORIO/1 chunk_terrain \(i) \(i) {\"pad\":\"".utf8) + Array(repeating: UInt8(0x61 + i % 26), count: 20_000 + (i * 7919) % 40_000) + Array("\"}".utf8)
        }
        if i % 10 == 3 { return Array("2026-11-24 12:00:00 [CHAT] <b>Bob</b> & \"\(tag)\" \\ \(i) é😀".utf8) }
        return Array(LineMix.line(i, tag: tag).utf8)
    }

    @Test func killNineAtRandomPointsWhileTheLogGrowsAndRotatesLosesNothing() async throws {
        let prefix = PipeEnv.unique("dkill")
        let dir = try PipeEnv.tempDir(prefix)
        let file = dir.appendingPathComponent("0123abcd-json.log")
        // max-size 2 MB, max-file 8: ~0.8 MB/s rotates every two or three seconds.
        let writer = try DockerLogWriter(file, maxSize: 2 << 20, maxFile: 8)
        try writer.print(["   0.000 2026-11-24 12:00:00; Factorio 2.0.77 (build 83000, linux64, headless) \(prefix)"])
        let args = try Self.arguments(prefix: prefix, server: "srv-dkill", file: file, dir: dir)
        let growing = Task.detached {
            var i = 0
            while !Task.isCancelled {
                try? writer.print((0..<25).map { Self.line(i + $0, tag: prefix) })
                try? writer.print(["stderr line \(i)"], stream: "stderr")
                i += 25
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        // Without a checkpoint LogPipe starts at the beginning of the live file (rotated files
        // before it are not its to read): the first run is killed once it has one.
        let checkpointFile = CheckpointFile(path: dir.appendingPathComponent("checkpoint").path)
        let first = try ServiceProcess.logPipe(args, logDir: dir, name: "first")
        for _ in 0..<600 where (try? checkpointFile.load()) == nil { try await Task.sleep(for: .milliseconds(50)) }
        await first.kill9()
        var kills = 1
        // A run needs a second or so (topics, producer) before its first acknowledgement.
        for round in 0..<10 {
            let pipe = try ServiceProcess.logPipe(args, logDir: dir, name: "run\(round)")
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...2500)))
            await pipe.kill9()
            kills += 1
        }
        // On a loaded machine the writer may have written less than the rotations need (it shares
        // the test pool): let it go on, LogPipe running, until the log rotated three times.
        let more = try ServiceProcess.logPipe(args, logDir: dir, name: "more")
        for _ in 0..<1200 where writer.rotations < 3 { try await Task.sleep(for: .milliseconds(100)) }
        await more.kill9()
        kills += 1
        growing.cancel()
        _ = await growing.value
        writer.close()

        let last = try ServiceProcess.logPipe(args + ["--exit-at-end"], logDir: dir, name: "final")
        defer { last.killNow() }
        #expect(await last.waitForExit(timeout: 120) == 0, "final run did not finish: \(last.log.suffix(2000))")
        let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? UInt64
        let checkpoint = try checkpointFile.load()
        #expect(checkpoint?.offset == size, "the checkpoint ends at the end of the live file")
        #expect(writer.rotations >= 3, "the log rotated \(writer.rotations) times")

        let topics = Topics(prefix: prefix)
        let expected = writer.printed.filter { !$0.bytes.isEmpty }.count
        let messages = try await Self.read([topics.raw, topics.console], until: expected)
        let (records, duplicates) = Self.check(writer, messages)
        #expect(!messages.contains { String(decoding: $0.value, as: UTF8.self).hasPrefix("stderr line") })
        print(
            "docker-json kill -9 ×\(kills), \(writer.rotations) rotations: \(expected) lines, \(records) records, "
                + "\(duplicates) duplicates before dedup, 0 after (\(Set(messages.map(\.source)).count) distinct sources)")
    }

    @Test func oddEntriesMetricsAndAGracefulStopThatResumes() async throws {
        let prefix = PipeEnv.unique("dodd")
        let dir = try PipeEnv.tempDir(prefix)
        let file = dir.appendingPathComponent("feed-json.log")
        let port = try TestEnvironment.freePort()
        let args = try Self.arguments(prefix: prefix, server: "srv-dodd", file: file, dir: dir) + [
            "--metrics-port", "\(port)", "--max-line-bytes", "40000",
        ]
        let writer = try DockerLogWriter(file)
        let huge = Array("KAFKATORIO/1 chunk_terrain 6 6 {\"pad\":\"".utf8) + Array(repeating: UInt8(ascii: "y"), count: 50_000)
        let split = Array("KAFKATORIO/1 chunk_terrain 5 5 {\"pad\":\"".utf8) + Array(repeating: UInt8(ascii: "x"), count: 30_000) + Array("\"}".utf8)
        try writer.print(["   0.000 2026-11-24 12:00:00; Factorio 2.0.77 \(prefix)", "KAFKATORIO/1 player 1 1 {\"n\":\"<&>\"}"])
        try writer.print(["an error on stderr"], stream: "stderr")
        writer.raw(Array("{\"log\":\"torn entry".utf8))  // a daemon that died mid-write
        try writer.print([split, Array("2026-11-24 12:00:02 [CHAT] Bob: \"hi\" \\o/".utf8), []])
        writer.raw(Array("{\"stream\":\"stdout\",\"time\":\"2026-11-24T12:00:03Z\"}".utf8))
        try writer.print([huge, Array("KAFKATORIO/1 player 2 2 {\"after\":\"huge\"}".utf8)])
        let pipe = try ServiceProcess.logPipe(args, logDir: dir, name: "odd")
        defer { pipe.killNow() }
        let topics = Topics(prefix: prefix)
        let all = [topics.raw, topics.console, topics.deadLetter]
        let messages = try await Self.read(all, until: 8)
        let raw = messages.filter { $0.topic == topics.raw }
        let dead = messages.filter { $0.topic == topics.deadLetter }
        #expect(raw.map(\.value) == [Array("KAFKATORIO/1 player 1 1 {\"n\":\"<&>\"}".utf8), split, Array("KAFKATORIO/1 player 2 2 {\"after\":\"huge\"}".utf8)])
        #expect(messages.filter { $0.topic == topics.console }.map(\.value).contains(Array("2026-11-24 12:00:02 [CHAT] Bob: \"hi\" \\o/".utf8)))
        #expect(dead.map { $0.headerString("reason") ?? "" } == ["bad_docker_entry", "bad_docker_entry", "line_too_long"])
        #expect(dead.first?.value == Array("{\"log\":\"torn entry".utf8))
        #expect(dead.first?.headerString("detail")?.hasPrefix("invalid JSON") == true)
        #expect(dead.dropFirst().first?.headerString("detail") == "missing log")
        #expect(dead.last?.value == Array(huge.prefix(40000)))
        #expect(!messages.contains { $0.value == Array("an error on stderr".utf8) })

        try await PipeEnv.expectMetrics(
            port: port, after: "logpipe_lines_shipped_total{topic=\"deadletter\"} 3",
            [
                "logpipe_lines_read_total 10", "logpipe_bad_entries_total 2", "logpipe_lines_oversize_total 1",
                "logpipe_lines_filtered_total 2", "logpipe_lines_shipped_total{topic=\"raw\"} 3",
                "logpipe_lines_shipped_total{topic=\"console\"} 2", "logpipe_lines_shipped_total{topic=\"deadletter\"} 3",
                "logpipe_lag_bytes 0",
            ])

        // Graceful stop while the log grows; a restart resumes at the checkpoint: no duplicate at all.
        try writer.print((0..<3000).map { Self.line($0, tag: "before") })
        try await Task.sleep(for: .milliseconds(300))
        #expect(await pipe.terminate() == 0, "graceful stop: \(pipe.log.suffix(1500))")
        let checkpoint = try #require(try CheckpointFile(path: dir.appendingPathComponent("checkpoint").path).load())
        try writer.print((0..<2000).map { Self.line($0, tag: "after") })
        writer.close()
        let second = try ServiceProcess.logPipe(args + ["--exit-at-end"], logDir: dir, name: "odd2")
        defer { second.killNow() }
        #expect(await second.waitForExit(timeout: 60) == 0, "\(second.log.suffix(1500))")
        #expect(second.log.contains("\(checkpoint.offset)"), "the restart resumes at the checkpoint")
        let shipped = writer.printed.filter { !$0.bytes.isEmpty && $0.bytes.count <= 40000 }
        let everything = try await Self.read([topics.raw, topics.console], until: shipped.count)
        let sources = everything.map(\.source)
        #expect(Set(sources).count == shipped.count && sources.count == shipped.count, "\(sources.count) records, \(Set(sources).count) distinct, \(shipped.count) lines")
    }

    @Test func brokerAwayKeepsMemoryBoundedAndLosesNothing() async throws {
        let prefix = PipeEnv.unique("doutage")
        let dir = try PipeEnv.tempDir(prefix)
        let state = dir.appendingPathComponent("broker").path
        let brokerPort = try TestEnvironment.freePort()
        let bootstrap = try await PipeEnv.script("broker-start.sh", [state, "\(brokerPort)"])
        defer { PipeEnv.killBroker(state) }
        let file = dir.appendingPathComponent("cafe-json.log")
        let writer = try DockerLogWriter(file, maxSize: 4 << 20, maxFile: 10)
        try writer.print(["   0.000 2026-11-24 12:00:00; Factorio 2.0.77 \(prefix)"])
        try writer.print((0..<300).map { Self.line($0, tag: "before") })
        let metricsPort = try TestEnvironment.freePort()
        let pipe = try ServiceProcess.logPipe(
            try Self.arguments(prefix: prefix, server: "srv-doutage", file: file, dir: dir, bootstrap: bootstrap) + [
                "--stall-timeout", "3", "--max-in-flight-lines", "1000", "--metrics-port", "\(metricsPort)",
            ], logDir: dir, name: "outage")
        defer { pipe.killNow() }
        let topics = Topics(prefix: prefix)
        let before = writer.printed.filter { !$0.bytes.isEmpty }.count
        let early = try await Self.read([topics.raw, topics.console], bootstrap: bootstrap, until: before)
        #expect(Set(early.map(\.source)).count == before)

        // 15 s away while the game prints 2,000 lines a second: far more than the window holds.
        try await PipeEnv.script("broker-stop.sh", [state])
        let stopped = ContinuousClock.now
        var i = 300
        var inFlight: [Int] = []
        while ContinuousClock.now - stopped < .seconds(15) {
            try writer.print((0..<400).map { Self.line(i + $0, tag: "during") })
            i += 400
            let metrics = String(decoding: (try? await httpGet("http://127.0.0.1:\(metricsPort)/metrics").body) ?? [], as: UTF8.self)
            if let line = metrics.split(separator: "\n").first(where: { $0.hasPrefix("logpipe_inflight_lines ") }),
                let value = Double(line.split(separator: " ").last ?? "")
            {
                inFlight.append(Int(value))
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let rss = Self.peakRSS(pipe.pid)
        _ = try await PipeEnv.script("broker-start.sh", [state, "\(brokerPort)"])
        try writer.print((0..<200).map { Self.line(i + $0, tag: "after") })
        writer.close()
        let admin = try KafkaAdmin(configuration: KafkaClientConfiguration(bootstrapServers: bootstrap, clientID: "doutage-admin"), logger: PipeEnv.logger)
        try await admin.createTopics([TopicSpec(name: topics.raw, partitions: 4), TopicSpec(name: topics.console, partitions: 1)])
        let late = try await Self.read([topics.raw, topics.console], bootstrap: bootstrap, until: writer.printed.filter { !$0.bytes.isEmpty }.count)
        _ = Self.check(writer, early + late)
        // The window (1,000 lines; a read may add up to two lines a broken entry interrupts) bounds memory.
        #expect(!inFlight.isEmpty && inFlight.allSatisfy { $0 <= 1002 }, "in flight during the outage: \(inFlight)")
        #expect(inFlight.max() ?? 0 >= 900, "the window filled up: \(inFlight.max() ?? 0)")
        print("docker-json outage: \(i) lines written, at most \(inFlight.max() ?? 0) in flight, peak RSS \(rss / 1024) MiB, \(writer.rotations) rotations")
        #expect(await pipe.terminate() == 0, "\(pipe.log.suffix(1500))")
    }

    /// VmHWM of `pid` in KiB (0 if unknown).
    static func peakRSS(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
