import ArgumentParser
import Foundation
import Kafka
import ServiceSupport
import TileRendererCore

/// TileRenderer: keeps map state per chunk and renders PNG map tiles.
@main
struct TileRendererCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "TileRenderer", abstract: "Render map tiles from the map and prototypes topics.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Consumer group of the workers (env RENDERER_GROUP; default <topic prefix>.tile-renderer).")
    var group: String?
    @Option(name: .customLong("coalesce-ms"), help: "Collect dirty tiles this long before rendering (env RENDERER_COALESCE_MS; default 500).")
    var coalesceMs: String?

    func run() async throws {
        let config = try await common.load(extra: ["renderer.group": group, "renderer.coalesceMs": coalesceMs])
        let logger = ServiceRunner.bootstrapLogging(config: config, label: "TileRenderer")
        let kafka = try KafkaSettings(config: config, service: "tile-renderer")
        try await kafka.ensureTopics(logger: logger)
        let group = config.reader.string(forKey: "renderer.group", default: kafka.groupID("tile-renderer"))
        let renderer = TileRendererConfiguration(
            coalesceWindow: .milliseconds(config.reader.int(forKey: "renderer.coalesceMs", default: 500)))
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: kafka.client("producer")), logger: logger)
        let mapConsumer = try KafkaConsumer(
            configuration: ConsumerConfiguration(client: kafka.client("map"), groupID: group, topics: [kafka.topics.map]),
            logger: logger)
        // Every worker reads all prototypes: a group of its own, never committed.
        let prototypeConsumer = try KafkaConsumer(
            configuration: ConsumerConfiguration(
                client: kafka.client("prototypes"), groupID: "\(group).prototypes.\(UUID().uuidString.prefix(8))",
                topics: [kafka.topics.prototypes]),
            logger: logger)
        let service = try TileRendererService(
            mapConsumer: mapConsumer, prototypeConsumer: prototypeConsumer, producer: producer, topics: kafka.topics,
            configuration: renderer, logger: logger)
        try await ServiceRunner.run([producer, mapConsumer, prototypeConsumer, service], logger: logger)
    }
}
