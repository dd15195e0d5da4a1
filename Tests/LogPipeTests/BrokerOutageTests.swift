import Foundation
import Kafka
import Shared
import TestSupport
import Testing

import LogPipeCore
import KafkaModel

/// The broker stops for 30 s in the middle of a stream, on a private Tansu broker (the shared one
/// serves the other tests). Tansu's memory store loses everything on restart (there is no
/// persistent engine in this build, see broker.md), so the check is the union of what a consumer
/// read before the stop and what one reads after the restart: it must hold every line. Once for
/// the file input, once for the journald input.
@Suite(.timeLimit(.minutes(3)), .needs(.services))
struct BrokerOutageTests {
    /// The game's output as a file or as a unit's journal (written by systemd-journal-remote).
    struct Output {
        var arguments: [String]
        var write: @Sendable ([String]) async throws -> Void
        var values: @Sendable () -> [[UInt8]]

        init(_ input: String, dir: URL) throws {
            let checkpoint = ["--checkpoint", dir.appendingPathComponent("checkpoint").path]
            if input == "journald" {
                let journal = try JournalLog(dir.appendingPathComponent("journal"))
                arguments = ["--input", "journald", "--unit", "factorio", "--journal-directory", journal.directory.path] + checkpoint
                write = { try await journal.write(lines: $0) }
                values = { journal.expectedLines }
            } else {
                let writer = try LogWriter(dir.appendingPathComponent("stdout.log"))
                arguments = ["--file", writer.url.path] + checkpoint
                write = { writer.write($0) }
                values = { LogPipeProcessTests.expectedValues(writer) }
            }
        }
    }

    @Test(arguments: ["file", "journald"])
    func brokerAwayForThirtySecondsLosesNothing(input: String) async throws {
        let prefix = PipeEnv.unique("outage")
        let dir = try PipeEnv.tempDir(prefix)
        let state = dir.appendingPathComponent("broker").path
        let port = try TestEnvironment.freePort()
        let bootstrap = try await PipeEnv.script("broker-start.sh", [state, "\(port)"])
        defer { PipeEnv.killBroker(state) }  // the private broker goes whatever happens
        let output = try Output(input, dir: dir)
        try await output.write(["   0.000 2026-11-24 12:00:00; Factorio 2.0.77 \(prefix)"] + (0..<300).map { LineMix.line($0, tag: "before") })
        let pipe = try ServiceProcess.logPipe(
            ["--kafka-bootstrap", bootstrap, "--topic-prefix", prefix, "--server-id", "srv-outage", "--stall-timeout", "3"]
                + output.arguments, logDir: dir, name: "outage")
        defer { pipe.killNow() }
        let topics = Topics(prefix: prefix)
        let values = output.values

        // Before: a consumer sees everything written so far.
        let before = try TopicReader(bootstrap: bootstrap, topics: [topics.raw, topics.console])
        let early = try await before.read(timeout: .seconds(40)) { Set($0.map(\.source)).count >= values().count }
        await before.close()
        #expect(Set(early.map(\.source)).count == values().count, "before the stop: \(early.count) of \(values().count)")

        // The broker goes away for 30 s while the game keeps printing.
        try await PipeEnv.script("broker-stop.sh", [state])
        let stopped = ContinuousClock.now
        var i = 300
        while ContinuousClock.now - stopped < .seconds(30) {
            try await output.write((0..<20).map { LineMix.line(i + $0, tag: "during") })
            i += 20
            try await Task.sleep(for: .seconds(1))
        }
        _ = try await PipeEnv.script("broker-start.sh", [state, "\(port)"])
        try await output.write((0..<200).map { LineMix.line(i + $0, tag: "after") })

        // After: the new broker starts empty; LogPipe re-sends what it had not delivered.
        let admin = try KafkaAdmin(configuration: KafkaClientConfiguration(bootstrapServers: bootstrap, clientID: "outage-admin"), logger: PipeEnv.logger)
        try await admin.createTopics([TopicSpec(name: topics.raw, partitions: 4), TopicSpec(name: topics.console, partitions: 1)])
        let after = try TopicReader(bootstrap: bootstrap, topics: [topics.raw, topics.console])
        let expected = values()
        let late = try await after.read(timeout: .seconds(60)) { Set(($0 + early).map(\.source)).count >= expected.count }
        await after.close()
        let check = DeliveryCheck(expected: expected, messages: early + late)
        #expect(check.ok && check.distinct == expected.count, "missing \(check.missing.count) \(check.missing.prefix(3)), invented \(check.invented.count)")
        #expect(pipe.log.contains("replacing the Kafka producer"), "the stuck idempotent producer was replaced")
        #expect(await pipe.terminate() == 0, "\(pipe.log.suffix(1500))")
    }
}
