#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Hummingbird
import Kafka
import Logging
import LogPipeCore
import ServiceLifecycle
import ServiceSupport
import Shared

/// LogPipe: ships the lines of a Factorio server's output to Kafka.
@main
struct LogPipeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "LogPipe",
        abstract: "Follow a Factorio server's output and ship every line to Kafka (packets to raw, the rest to console).",
        discussion: """
            Every option can also be set by environment variable (shown in its help) or in the JSON \
            file given with --config, under "logpipe" (e.g. {"logpipe": {"file": "…"}}). \
            See deploy/logpipe.md.
            """)

    @OptionGroup var common: CommonOptions
    @Option(help: "Log file to follow (env LOGPIPE_FILE).") var file: String?
    @Flag(help: "Read stdin instead of a file (env LOGPIPE_STDIN=true); no checkpoint.") var stdin = false
    @Option(name: .customLong("server-id"), help: "This server's id (env LOGPIPE_SERVER_ID).") var serverID: String?
    @Option(help: "Checkpoint file (env LOGPIPE_CHECKPOINT).") var checkpoint: String?
    @Option(name: .customLong("start-at"), help: "beginning or end, without a checkpoint (env LOGPIPE_START_AT; default beginning).")
    var startAt: String?
    @Option(name: .customLong("secret-file"), help: "File holding this server's signing secret (env LOGPIPE_SECRET_FILE).")
    var secretFile: String?
    @Option(name: .customLong("max-line-bytes"), help: "Longer lines go to the dead-letter topic (env LOGPIPE_MAX_LINE_BYTES; default 524288).")
    var maxLineBytes: String?
    @Option(name: .customLong("console"), help: "ship or drop engine/console lines (env LOGPIPE_CONSOLE; default ship).")
    var console: String?
    @Option(name: .customLong("http-port"), help: "Port of /metrics and /healthz; 0 disables (env LOGPIPE_HTTP_PORT; default 9464).")
    var httpPort: String?
    @Option(name: .customLong("http-host"), help: "Address of /metrics and /healthz (env LOGPIPE_HTTP_HOST; default 127.0.0.1).")
    var httpHost: String?
    @Option(name: .customLong("stall-timeout"), help: "Seconds without delivery progress before the producer is replaced (env LOGPIPE_STALL_TIMEOUT; default 20).")
    var stallTimeout: String?
    @Option(name: .customLong("compression"), help: "none, gzip, snappy, lz4, zstd (env LOGPIPE_COMPRESSION; default lz4).")
    var compression: String?
    @Option(name: .customLong("linger-ms"), help: "Producer batching delay (env LOGPIPE_LINGER_MS; default 5).")
    var lingerMs: String?
    @Flag(name: .customLong("exit-at-end"), help: "Exit once everything available is shipped and acknowledged (env LOGPIPE_EXIT_AT_END=true).")
    var exitAtEnd = false

    func run() async throws {
        let config = try await common.load(extra: [
            "logpipe.file": file, "logpipe.stdin": stdin ? "true" : nil, "logpipe.serverId": serverID,
            "logpipe.checkpoint": checkpoint, "logpipe.startAt": startAt, "logpipe.secretFile": secretFile,
            "logpipe.maxLineBytes": maxLineBytes, "logpipe.console": console, "logpipe.httpPort": httpPort,
            "logpipe.httpHost": httpHost, "logpipe.stallTimeout": stallTimeout, "logpipe.compression": compression,
            "logpipe.lingerMs": lingerMs, "logpipe.exitAtEnd": exitAtEnd ? "true" : nil,
        ])
        let logger = ServiceRunner.bootstrapLogging(config: config, label: "LogPipe")
        let registry = Observability.bootstrapMetrics()
        let r = config.reader
        let useStdin = r.bool(forKey: "logpipe.stdin", default: false)
        let file = r.string(forKey: "logpipe.file")
        guard useStdin != (file != nil) else { throw ValidationError("give exactly one of --file and --stdin") }
        let serverID = r.string(forKey: "logpipe.serverId", default: "")
        guard Identifier.isValidServerID(serverID) else {
            throw ValidationError("--server-id must be 1-64 characters of A-Z a-z 0-9 . _ -")
        }
        let startAt = r.string(forKey: "logpipe.startAt", default: "beginning")
        guard startAt == "beginning" || startAt == "end" else { throw ValidationError("--start-at: beginning or end") }
        let consoleMode = r.string(forKey: "logpipe.console", default: "ship")
        guard consoleMode == "ship" || consoleMode == "drop" else { throw ValidationError("--console: ship or drop") }
        let maxLine = r.int(forKey: "logpipe.maxLineBytes", default: 512 * 1024)
        guard (1024...(16 << 20)).contains(maxLine) else { throw ValidationError("--max-line-bytes: 1024 to 16777216") }
        let port = r.int(forKey: "logpipe.httpPort", default: 9464)
        guard (0...65535).contains(port) else { throw ValidationError("--http-port: 0 to 65535") }
        let stall = r.double(forKey: "logpipe.stallTimeout", default: 20)
        guard stall >= 1 else { throw ValidationError("--stall-timeout: at least 1 second") }

        let signer = try Self.loadSigner(r.string(forKey: "logpipe.secretFile"), logger: logger)
        let kafka = try KafkaSettings(config: config, service: "logpipe-\(serverID)")
        var producerConfiguration = ProducerConfiguration(client: kafka.client())
        producerConfiguration.compression = r.string(forKey: "logpipe.compression", default: "lz4")
        producerConfiguration.linger = .milliseconds(r.int(forKey: "logpipe.lingerMs", default: 5))
        producerConfiguration.maxMessageBytes = max(1_000_000, maxLine * 2 + 65536)
        producerConfiguration.messageTimeout = .seconds(120)
        producerConfiguration.shutdownFlushTimeout = .seconds(1)
        let producerSettings = producerConfiguration

        await Self.ensureTopics(kafka, logger: logger)
        typealias Defaults = LogPipeConfiguration
        let pipe = LogPipeService(
            configuration: LogPipeConfiguration(
                input: file.map { .file($0) } ?? .stdin, serverID: serverID,
                checkpointPath: r.string(forKey: "logpipe.checkpoint"), startAtEnd: startAt == "end",
                maxLineBytes: maxLine, shipConsole: consoleMode == "ship",
                batchLines: r.int(forKey: "logpipe.batchLines", default: Defaults.defaultBatchLines),
                maxInFlightLines: r.int(forKey: "logpipe.maxInFlightLines", default: Defaults.defaultMaxInFlightLines),
                maxInFlightBytes: r.int(forKey: "logpipe.maxInFlightBytes", default: Defaults.defaultMaxInFlightBytes),
                stallTimeout: .milliseconds(Int(stall * 1000)), exitAtEnd: r.bool(forKey: "logpipe.exitAtEnd", default: false)),
            router: LineRouter(
                topics: kafka.topics, serverID: serverID, version: LogPipeVersion.current, signer: signer,
                shipConsole: consoleMode == "ship", maxLineBytes: maxLine),
            makeProducer: { try KafkaProducer(configuration: producerSettings, logger: logger) }, logger: logger)

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if port != 0 {
            let host = r.string(forKey: "logpipe.httpHost", default: "127.0.0.1")
            // The two routes in an Application that is a member of this group, so it keeps serving
            // while the pipe drains and stops with the rest.
            let router = Router()
            ObservabilityServer.addRoutes(to: router, registry: registry, health: { pipe.health() })
            services.append(
                .init(
                    service: Application(
                        router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)))
            logger.info("serving /metrics and /healthz", metadata: ["address": "\(host):\(port)"])
        }
        // The pipe ends by itself at the end of stdin or with --exit-at-end: then stop the rest too.
        services.append(.init(service: pipe, successTerminationBehavior: .gracefullyShutdownGroup))
        var group = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(30)
        try await ServiceGroup(configuration: group).run()
    }

    /// The signer for `path`'s secret (trimmed text), or nil (with a loud warning) without one.
    static func loadSigner(_ path: String?, logger: Logger) throws -> LineSigner? {
        guard let path else {
            logger.warning(
                "no --secret-file / LOGPIPE_SECRET_FILE: lines are shipped UNSIGNED; PacketIngest rejects them unless it accepts unsigned lines")
            return nil
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ValidationError("cannot open the secret file \(path): errno \(errno)") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += buffer[0..<n]
            if bytes.count > 65536 { throw ValidationError("the secret file \(path) is larger than 64 KiB") }
        }
        var text = Substring(String(decoding: bytes, as: UTF8.self))
        while let c = text.first, c.isWhitespace { text.removeFirst() }
        while let c = text.last, c.isWhitespace { text.removeLast() }
        let secret = String(text)
        guard !secret.isEmpty else { throw ValidationError("the secret file \(path) is empty") }
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
