import ArgumentParser
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import ServiceSupport
import Shared
import TileRendererCore
import TileRendererService
import Settings
import KafkaModel
import LocalStore
import Observability

/// TileRenderer: keeps map state per chunk and renders the whole tile pyramid.
@main
struct TileRendererCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "TileRenderer", abstract: "Render map tiles from the map and prototypes topics.",
        discussion: "The worker's settings and their defaults: TileRenderer serve --help.",
        subcommands: [Serve.self, Rerender.self], defaultSubcommand: Serve.self)
}

/// The worker (the default subcommand).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a renderer worker (detail and/or pyramid role).",
        discussion: settingsDiscussion(
            "", [("TileRenderer settings", TileRendererSettings.all), ("Common settings", CommonSettings.service)]))

    @OptionGroup var arguments: SettingsArguments

    func run() async throws {
        let config = try await arguments.load(TileRendererSettings.command)
        let logger = try ServiceRunner.bootstrapLogging(config: config, label: "TileRenderer")
        let registry = Observability.bootstrapMetrics()
        let kafka = try KafkaSettings(config: config, service: "tile-renderer")
        let group = try config.value(TileRendererSettings.group) ?? kafka.groupID("tile-renderer")
        let role = try config.value(TileRendererSettings.role)
        let settings = try TileRendererConfiguration(
            config: config,
            defaultWorkerID: "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)")
        try await kafka.ensureTopics(logger: logger)
        let topics = kafka.topics
        let counts = try await KafkaAdmin(configuration: kafka.client("admin"), logger: logger)
            .partitionCounts([topics.map, topics.rendererState, topics.pyramid, topics.prototypes])
        let mapPartitions = counts[topics.map] ?? kafka.partitions.map
        guard counts[topics.rendererState] == mapPartitions else {
            throw ServiceConfigError(
                CommonSettings.mapPartitions,
                .conflict(
                    "\(topics.rendererState) must have as many partitions as \(topics.map) (\(mapPartitions)), has \(counts[topics.rendererState] ?? 0)"
                ))
        }
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: kafka.client("producer")), logger: logger)
        var services: [any Service] = [producer]
        var consumers: [KafkaConsumer] = []
        var details: [DetailWorker] = []
        let unique = UUID().uuidString.prefix(8)
        if role != "pyramid" {
            // The persistent state store: one per process, shared by its detail workers (its
            // layout is per partition; a directory another process holds is locked).
            let store = try settings.stateDirectory.map { directory throws(LocalStoreError) in
                try RendererStore(directory: directory, cacheBytes: settings.stateCacheBytes, partitions: mapPartitions, logger: logger)
            }
            let count = settings.detailWorkerCount(cores: ProcessInfo.processInfo.activeProcessorCount, mapPartitions: mapPartitions)
            logger.info("detail workers", metadata: ["count": "\(count)", "partitions": "\(mapPartitions)"])
            for index in 0..<count {
                var own = settings
                own.workerID = settings.detailWorkerID(index, of: count)
                var workerLogger = logger
                if count > 1 { workerLogger[metadataKey: "worker"] = "\(own.workerID)" }
                let inbox = RebalanceInbox()
                var client = kafka.client("detail-\(index)")
                client.statisticsInterval = .seconds(5)
                let consumer = try KafkaConsumer(
                    configuration: ConsumerConfiguration(
                        client: client, groupID: group, topics: [topics.map, topics.rendererState], strategy: .eager, partitionEOF: true),
                    logger: logger, onRebalance: { inbox.post($0) })
                // Every worker reads all prototypes and every command: groups of their own, never committed.
                let prototypes = try KafkaConsumer(
                    configuration: ConsumerConfiguration(
                        client: kafka.client("prototypes-\(index)"), groupID: "\(group).prototypes.\(unique).\(index)",
                        topics: [topics.prototypes], partitionEOF: true),
                    logger: logger)
                let control = try KafkaConsumer(
                    configuration: ConsumerConfiguration(
                        client: kafka.client("control-\(index)"), groupID: "\(group).control.\(unique).\(index)",
                        topics: [topics.rendererControl], offsetReset: .latest),
                    logger: logger)
                let worker = try DetailWorker(
                    consumer: consumer, inbox: inbox, prototypes: prototypes, control: control, producer: producer, topics: topics,
                    mapPartitions: mapPartitions, configuration: own, logger: workerLogger, store: store, index: index,
                    prototypePartitions: counts[topics.prototypes] ?? 1)
                details.append(worker)
                services += [consumer, prototypes, control, worker]
                consumers += [consumer, prototypes, control]
            }
        }
        if role != "detail" {
            let inbox = RebalanceInbox()
            var client = kafka.client("pyramid")
            client.statisticsInterval = .seconds(5)
            let consumer = try KafkaConsumer(
                configuration: ConsumerConfiguration(
                    client: client, groupID: "\(group).pyramid", topics: [topics.pyramid], strategy: .eager, partitionEOF: true),
                logger: logger, onRebalance: { inbox.post($0) })
            let worker = try PyramidWorker(
                consumer: consumer, inbox: inbox, producer: producer, topics: topics,
                pyramidPartitions: counts[topics.pyramid] ?? mapPartitions, configuration: settings, logger: logger)
            services += [consumer, worker]
            consumers.append(consumer)
        }
        let watched = consumers
        let detailWorkers = details
        if let metrics = try ObservabilityServer.fromSettings(
            config, registry: registry, logger: logger,
            health: {
                if let error = (watched.lazy.compactMap { $0.fatalError }.first) ?? producer.fatalError {
                    return HealthStatus(healthy: false, detail: "fatal Kafka error: \(error)")
                }
                if let failure = (detailWorkers.lazy.compactMap { $0.failure }.first) { return HealthStatus(healthy: false, detail: failure) }
                return .ok
            })
        {
            services.append(metrics)
        }
        try await ServiceRunner.run(services, logger: logger)
    }
}
