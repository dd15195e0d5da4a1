import ArgumentParser
import Foundation
import Kafka
import Logging
import ServiceSupport
import Shared
import TileRendererCore
import Settings
import KafkaModel

/// `TileRenderer rerender`: asks every worker to re-render a server (or one surface) and shows
/// their progress until every `map` partition reported done.
struct Rerender: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-render and re-publish every tile of a server or surface.",
        discussion: settingsDiscussion("", [("Common settings", CommonSettings.base)]))

    // The request itself, not settings: ArgumentParser owns these three (and their defaults).
    @Option(help: "Server id.") var server: String
    @Option(help: "Only this surface.") var surface: String?
    @Option(help: "Give up after this many seconds.") var timeout: Int = 600
    @OptionGroup var arguments: SettingsArguments

    func run() async throws {
        let config = try await arguments.load(CommonSettings.base)
        let logger = try ServiceRunner.bootstrapLogging(config: config, label: "TileRenderer.rerender")
        let kafka = try KafkaSettings(config: config, service: "tile-renderer-cli")
        try await kafka.ensureTopics(logger: logger)
        let topics = kafka.topics
        let partitions = try await KafkaAdmin(configuration: kafka.client("admin"), logger: logger).partitionCounts([topics.map])[topics.map] ?? 0
        let command = RerenderCommand(id: UUID().uuidString, server: server, surface: surface)
        let consumer = try KafkaConsumer(
            configuration: ConsumerConfiguration(
                client: kafka.client("cli"), groupID: "\(topics.prefix).rerender-cli.\(command.id)", topics: [topics.rendererControl]),
            logger: logger)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: kafka.client("cli-producer")), logger: logger)
        let run = Task { try await producer.run() }
        _ = try await producer.send(ProducerMessage(topic: topics.rendererControl, key: Array(command.id.utf8), value: command.json))
        var latest: [String: RerenderProgress] = [:]
        var total = 0
        let tty = isatty(STDERR_FILENO) != 0
        let deadline = ContinuousClock.now + .seconds(timeout)
        defer { run.cancel() }
        while ContinuousClock.now < deadline {
            for m in try await consumer.poll(maxMessages: 500, timeout: .milliseconds(200)) {
                guard let p = RerenderProgress(json: m.value), p.id == command.id else { continue }
                latest[p.worker] = p
            }
            let remaining = latest.values.reduce(0) { $0 + $1.remaining }
            total = max(total, remaining)
            let done = Set(latest.values.filter { $0.remaining == 0 }.flatMap(\.partitions))
            let fraction = total == 0 ? (done.count == partitions ? 1 : 0) : Double(total - remaining) / Double(total)
            let bar = String(repeating: "#", count: Int(fraction * 30)) + String(repeating: ".", count: 30 - Int(fraction * 30))
            let line = "[\(bar)] \(Int(fraction * 100))% tiles left \(remaining), partitions done \(done.count)/\(partitions), workers \(latest.count)"
            FileHandle.standardError.write(Data(((tty ? "\r" : "") + line + (tty ? "" : "\n")).utf8))
            if done.count >= partitions && partitions > 0 {
                FileHandle.standardError.write(Data("\nre-render \(command.id) done\n".utf8))
                await consumer.shutdown()
                return
            }
        }
        await consumer.shutdown()
        throw RerenderTimeout(id: command.id, seconds: timeout)
    }
}

/// A re-render that did not finish within `--timeout`.
struct RerenderTimeout: Error, CustomStringConvertible {
    var id: String
    var seconds: Int
    var description: String { "re-render \(id) not finished after \(seconds) s" }
}
