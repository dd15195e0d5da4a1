import ArgumentParser
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import ServiceSupport
import TileRendererCore

/// TileRenderer: keeps map state per chunk and renders the whole tile pyramid.
@main
struct TileRendererCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "TileRenderer", abstract: "Render map tiles from the map and prototypes topics.",
        subcommands: [Serve.self, Rerender.self], defaultSubcommand: Serve.self)
}

/// The worker (the default subcommand).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a renderer worker (detail and/or pyramid role).")

    @OptionGroup var common: CommonOptions
    @Option(help: "Consumer group of the workers (env RENDERER_GROUP; default <topic prefix>.tile-renderer; the pyramid role uses <group>.pyramid).")
    var group: String?
    @Option(name: .customLong("coalesce-ms"), help: "Collect dirty tiles this long before rendering (env RENDERER_COALESCE_MS; default 1000).")
    var coalesceMs: String?
    @Option(help: "all, detail or pyramid (env RENDERER_ROLE; default all).")
    var role: String?
    @Option(name: .customLong("metrics-port"), help: "Port of /metrics and /healthz, 0 = any free port, -1 = off (env RENDERER_METRICS_PORT; default -1; deployments use 9104).")
    var metricsPort: String?
    @Option(name: .customLong("worker-id"), help: "Name in progress reports (env RENDERER_WORKER_ID; default host name and pid).")
    var workerID: String?

    func run() async throws {
        let config = try await common.load(extra: [
            "renderer.group": group, "renderer.coalesceMs": coalesceMs, "renderer.role": role,
            "renderer.metricsPort": metricsPort, "renderer.workerId": workerID,
        ])
        let logger = ServiceRunner.bootstrapLogging(config: config, label: "TileRenderer")
        let registry = Observability.bootstrapMetrics()
        let kafka = try KafkaSettings(config: config, service: "tile-renderer")
        try await kafka.ensureTopics(logger: logger)
        let topics = kafka.topics
        let group = config.reader.string(forKey: "renderer.group", default: kafka.groupID("tile-renderer"))
        let role = config.reader.string(forKey: "renderer.role", default: "all")
        guard ["all", "detail", "pyramid"].contains(role) else { throw ValidationError("--role must be all, detail or pyramid, not '\(role)'") }
        let counts = try await KafkaAdmin(configuration: kafka.client("admin"), logger: logger)
            .partitionCounts([topics.map, topics.rendererState, topics.pyramid])
        let mapPartitions = counts[topics.map] ?? kafka.partitions.map
        guard counts[topics.rendererState] == mapPartitions else {
            throw ValidationError("\(topics.rendererState) must have as many partitions as \(topics.map) (\(mapPartitions)), has \(counts[topics.rendererState] ?? 0)")
        }
        let settings = TileRendererConfiguration(
            coalesceWindow: .milliseconds(config.reader.int(forKey: "renderer.coalesceMs", default: 1000)),
            workerID: config.reader.string(
                forKey: "renderer.workerId", default: "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"))
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: kafka.client("producer")), logger: logger)
        var services: [any Service] = [producer]
        var consumers: [KafkaConsumer] = []
        let unique = UUID().uuidString.prefix(8)
        if role != "pyramid" {
            let inbox = RebalanceInbox()
            var client = kafka.client("detail")
            client.statisticsInterval = .seconds(5)
            let consumer = try KafkaConsumer(
                configuration: ConsumerConfiguration(
                    client: client, groupID: group, topics: [topics.map, topics.rendererState], strategy: .eager, partitionEOF: true),
                logger: logger, onRebalance: { inbox.post($0) })
            // Every worker reads all prototypes and every command: groups of their own, never committed.
            let prototypes = try KafkaConsumer(
                configuration: ConsumerConfiguration(
                    client: kafka.client("prototypes"), groupID: "\(group).prototypes.\(unique)", topics: [topics.prototypes]),
                logger: logger)
            let control = try KafkaConsumer(
                configuration: ConsumerConfiguration(
                    client: kafka.client("control"), groupID: "\(group).control.\(unique)", topics: [topics.rendererControl],
                    offsetReset: .latest),
                logger: logger)
            let worker = try DetailWorker(
                consumer: consumer, inbox: inbox, prototypes: prototypes, control: control, producer: producer, topics: topics,
                mapPartitions: mapPartitions, configuration: settings, logger: logger)
            services += [consumer, prototypes, control, worker]
            consumers += [consumer, prototypes, control]
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
        let port = config.reader.int(forKey: "renderer.metricsPort", default: -1)
        if port >= 0 {
            let watched = consumers
            services.append(
                ObservabilityServer(host: "0.0.0.0", port: port, registry: registry, logger: logger) {
                    if let error = (watched.lazy.compactMap { $0.fatalError }.first) ?? producer.fatalError {
                        return HealthStatus(healthy: false, detail: "fatal Kafka error: \(error)")
                    }
                    return .ok
                })
        }
        try await ServiceRunner.run(services, logger: logger)
    }
}
