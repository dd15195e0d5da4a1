import ArgumentParser
import Kafka
import PacketIngestCore
import ServiceSupport

/// PacketIngest: validates, routes and dead-letters the raw packet lines of every server.
@main
struct PacketIngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "PacketIngest", abstract: "Validate and route Factorio packet lines from the raw topic.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Consumer group id (env INGEST_GROUP; default <topic prefix>.packet-ingest).") var group: String?

    func run() async throws {
        let config = try await common.load(extra: ["ingest.group": group])
        let logger = ServiceRunner.bootstrapLogging(config: config, label: "PacketIngest")
        let kafka = try KafkaSettings(config: config, service: "packet-ingest")
        try await kafka.ensureTopics(logger: logger)
        let ingest = PacketIngestConfiguration(
            groupID: config.reader.string(forKey: "ingest.group", default: kafka.groupID("packet-ingest")))
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: kafka.client("producer")), logger: logger)
        let consumer = try KafkaConsumer(
            configuration: ConsumerConfiguration(
                client: kafka.client("consumer"), groupID: ingest.groupID, topics: [kafka.topics.raw]),
            logger: logger)
        let service = PacketIngestService(
            consumer: consumer, producer: producer, topics: kafka.topics, configuration: ingest, logger: logger)
        try await ServiceRunner.run([producer, consumer, service], logger: logger)
    }
}
