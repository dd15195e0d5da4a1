import ArgumentParser
import Kafka
import LogPipeCore
import ServiceSupport
import Shared

/// LogPipe: ships the packet lines of a Factorio server's log to Kafka.
@main
struct LogPipeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "LogPipe", abstract: "Follow a Factorio server log and ship its packet lines to Kafka.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Log file to follow (env LOGPIPE_FILE).") var file: String?
    @Option(name: .customLong("server-id"), help: "This server's id (env LOGPIPE_SERVER_ID).") var serverID: String?
    @Option(help: "Checkpoint file (env LOGPIPE_CHECKPOINT).") var checkpoint: String?
    @Option(name: .customLong("start-at"), help: "beginning or end, without a checkpoint (env LOGPIPE_START_AT).")
    var startAt: String?

    func run() async throws {
        let config = try await common.load(extra: [
            "logpipe.file": file, "logpipe.serverId": serverID, "logpipe.checkpoint": checkpoint,
            "logpipe.startAt": startAt,
        ])
        let logger = ServiceRunner.bootstrapLogging(config: config, label: "LogPipe")
        let r = config.reader
        guard let file = r.string(forKey: "logpipe.file") else { throw ValidationError("--file is required") }
        let serverID = r.string(forKey: "logpipe.serverId", default: "")
        guard Identifier.isValidServerID(serverID) else {
            throw ValidationError("--server-id must be 1-64 characters of A-Z a-z 0-9 . _ -")
        }
        let startAt = r.string(forKey: "logpipe.startAt", default: "beginning")
        guard startAt == "beginning" || startAt == "end" else { throw ValidationError("--start-at: beginning or end") }
        let kafka = try KafkaSettings(config: config, service: "logpipe-\(serverID)")
        try await kafka.ensureTopics(logger: logger)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: kafka.client()), logger: logger)
        let pipe = LogPipeService(
            configuration: LogPipeConfiguration(
                file: file, serverID: serverID, checkpointPath: r.string(forKey: "logpipe.checkpoint"),
                startAtEnd: startAt == "end"),
            producer: producer, topics: kafka.topics, logger: logger)
        try await ServiceRunner.run([producer, pipe], logger: logger)
    }
}
