#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Kafka
import Logging
import LogPipeCore
import LogPipeService
import ServiceLifecycle
import ServiceSupport
import Shared
import UnixSignals
import Settings
import KafkaModel
import Observability

/// LogPipe: ships the lines of a Factorio server's output to Kafka.
@main
struct LogPipeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "LogPipe",
        abstract: "Follow a Factorio server's output and ship every line to Kafka (packets to raw, the rest to console).",
        discussion: settingsDiscussion(
            "See deploy/logpipe.md.",
            [("LogPipe settings", LogPipeSettings.all), ("Common settings", CommonSettings.service)]))

    @OptionGroup var arguments: SettingsArguments

    func run() async throws {
        let config = try await arguments.load(LogPipeSettings.command)
        let pipeConfiguration = try LogPipeConfiguration(config: config)
        let serverID = pipeConfiguration.serverID
        let logger = try ServiceRunner.bootstrapLogging(config: config, label: "LogPipe")
        let registry = Observability.bootstrapMetrics()
        let signer = try Self.loadSigner(pipeConfiguration.secretFile, logger: logger)
        let kafka = try KafkaSettings(config: config, service: "logpipe-\(serverID)")
        var producerConfiguration = ProducerConfiguration(client: kafka.client())
        producerConfiguration.compression = pipeConfiguration.compression
        producerConfiguration.linger = pipeConfiguration.linger
        producerConfiguration.maxMessageBytes = max(1_000_000, pipeConfiguration.maxLineBytes * 2 + 65536)
        producerConfiguration.messageTimeout = .seconds(120)
        producerConfiguration.shutdownFlushTimeout = .seconds(1)
        let producerSettings = producerConfiguration

        await Self.ensureTopics(kafka, logger: logger)
        let pipe = LogPipeService(
            configuration: pipeConfiguration,
            router: LineRouter(
                topics: kafka.topics, serverID: serverID, version: LogPipeVersion.current, signer: signer,
                shipConsole: pipeConfiguration.shipConsole, maxLineBytes: pipeConfiguration.maxLineBytes),
            makeProducer: { try KafkaProducer(configuration: producerSettings, logger: logger) }, logger: logger)

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        // A member of this group, so it keeps serving while the pipe drains and stops with the rest.
        if let metrics = try ObservabilityServer.fromSettings(
            config, registry: registry, logger: logger, health: { pipe.health() })
        {
            services.append(.init(service: metrics))
        }
        // The pipe ends by itself at the end of stdin or with --exit-at-end: then stop the rest too.
        services.append(.init(service: pipe, successTerminationBehavior: .gracefullyShutdownGroup))
        var group = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(30)
        try await ServiceGroup(configuration: group).run()
    }

    /// The signer for `path`'s secret (trimmed text), or nil (with a loud warning) without one.
    static func loadSigner(_ path: String?, logger: Logger) throws(ServiceConfigError) -> LineSigner? {
        guard let path else {
            logger.warning(
                "no --secret-file / LOGPIPE_SECRET_FILE: lines are shipped UNSIGNED; PacketIngest rejects them unless it accepts unsigned lines")
            return nil
        }
        func unreadable(_ reason: String) -> ServiceConfigError {
            ServiceConfigError(LogPipeSettings.secretFile, .unreadable(value: path, reason: reason))
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw unreadable("cannot open it: errno \(errno)") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += buffer[0..<n]
            if bytes.count > 65536 { throw unreadable("larger than 64 KiB") }
        }
        var text = Substring(String(decoding: bytes, as: UTF8.self))
        while let c = text.first, c.isWhitespace { text.removeFirst() }
        while let c = text.last, c.isWhitespace { text.removeLast() }
        let secret = String(text)
        guard !secret.isEmpty else { throw unreadable("it is empty") }
        return LineSigner(secret: secret)
    }

    /// Creates the topics if they do not exist; a broker that is away does not stop LogPipe from
    /// starting (it keeps the lines in the file until the broker is back).
    static func ensureTopics(_ kafka: KafkaSettings, logger: Logger) async {
        for attempt in 1...3 {
            do {
                try await kafka.ensureTopics(logger: logger)
                return
            } catch {
                logger.warning("cannot create the topics yet", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        logger.warning("starting without creating the topics (they may exist already, or be auto-created)")
    }
}
