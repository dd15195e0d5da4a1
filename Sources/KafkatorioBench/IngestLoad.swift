import ArgumentParser
import Kafka
import Logging
import ServiceSupport
import Shared
import TestSupport

/// `KafkatorioBench ingest-load`: produces the raw topic of the PacketIngest benchmark once — N
/// packet lines of the benchmark mix, as LogPipe ships them (key and `server` header, `source` =
/// per-server fingerprint and byte offset, `logpipe-version`, `signature`), spread round-robin
/// over `--servers` servers `bench-<k>` whose secret is `bench-secret-<k>`; each server's `seq`
/// counts up by one per line. Prints the registry lines to `--registry` for PacketIngest.
struct IngestLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest-load", abstract: "Produce signed raw lines for the PacketIngest benchmark.")

    @Option var bootstrap: String
    @Option(help: "Topic prefix: creates every Kafkatorio topic plus <prefix>.passthrough, fills <prefix>.raw.")
    var prefix: String
    @Option var lines = 1_000_000
    @Option var servers = 8
    @Option(help: "Write '<server-id> <secret>' lines here.") var registry: String

    func run() async throws {
        var logger = Logger(label: "ingest-load")
        logger.logLevel = .warning
        let ids = (0..<servers).map { "bench-\($0)" }
        let signers = (0..<servers).map { ProvenanceSigner(secret: "bench-secret-\($0)", server: "bench-\($0)") }
        try ids.enumerated().map { "\($1) bench-secret-\($0)\n" }.joined().write(toFile: registry)
        let kafka = KafkaSettings(bootstrap: bootstrap, topics: Topics(prefix: prefix), clientID: "ingest-load")
        try await kafka.ensureTopics(logger: logger)
        try await KafkaAdmin(configuration: kafka.client("admin"), logger: logger).createTopics([
            TopicSpec(name: "\(prefix).passthrough", partitions: kafka.partitions.raw)
        ])
        let topic = kafka.topics.raw
        let producer = try KafkaProducer(
            configuration: ProducerConfiguration(
                client: KafkaClientConfiguration(bootstrapServers: bootstrap, clientID: "ingest-load"),
                linger: .milliseconds(20), maxQueuedMessages: 500_000),
            logger: logger)
        var rng = SplitMix64(state: 42)
        var offsets = [UInt64](repeating: 0, count: servers)
        let chunk = 20_000
        var produced = 0
        let start = ContinuousClock.now
        while produced < lines {
            var batch: [ProducerMessage] = []
            batch.reserveCapacity(chunk)
            for i in produced..<min(lines, produced + chunk) {
                let k = i % servers
                var packet = PacketMix.packet(i, &rng)
                packet.seq = UInt64(i / servers)
                let line = PacketLine.encode(packet)
                batch.append(
                    ProducerMessage(
                        topic: topic, key: Array(ids[k].utf8), value: line,
                        headers: [
                            KafkaHeader(key: RecordHeader.server, string: ids[k]),
                            KafkaHeader(key: RecordHeader.source, string: "00000000be0c000\(k % 10):\(offsets[k])"),
                            KafkaHeader(key: RecordHeader.logPipeVersion, string: "bench"),
                            KafkaHeader(
                                key: RecordHeader.signature,
                                string: signers[k].signature(
                                    RecordIdentity(kind: .raw, fingerprint: 0xbe0c000 << 4 | UInt64(k % 10), offset: offsets[k]),
                                    value: line)),
                        ]))
                offsets[k] += UInt64(line.count + 1)
            }
            for result in await producer.send(batch) { _ = try result.get() }
            produced += batch.count
        }
        await producer.shutdown()
        print("ingest-load: \(produced) lines to \(topic) in \(ContinuousClock.now - start)")
    }
}

extension String {
    func write(toFile path: String) throws {
        guard let f = fopen(path, "w") else { throw ValidationError("cannot write \(path)") }
        defer { fclose(f) }
        fputs(self, f)
    }
}

#if canImport(Glibc)
import Glibc
import Settings
import KafkaModel
#endif
