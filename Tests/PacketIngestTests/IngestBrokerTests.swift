import Foundation
import Kafka
import Logging
import ServiceLifecycle
import ServiceSupport
import Shared
import TestSupport
import Testing

import PacketIngestCore
import PacketIngestService
import Settings
import KafkaModel

/// PacketIngest against the real broker `make test` starts: the real service, consumer group,
/// producer and state topic.
@Suite(.serialized, .timeLimit(.minutes(4)), .needs(.broker))
struct IngestBrokerTests {
    static let logger: Logger = {
        var l = Logger(label: "ingest-test")
        l.logLevel = ProcessInfo.processInfo.environment["KAFKA_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return l
    }()

    struct Setup {
        let kafka: KafkaSettings
        let producer: KafkaProducer
        let reader: KafkaPartitionReader
        let store: RegistryStore
        let group: String
    }

    static func setup(_ name: String) async throws -> Setup {
        let bootstrap = try TestEnvironment.bootstrap()
        let prefix = "it-\(name)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let kafka = KafkaSettings(bootstrap: bootstrap, topics: Topics(prefix: prefix), clientID: prefix)
        try await kafka.ensureTopics(logger: logger)
        let producer = try KafkaProducer(
            configuration: ProducerConfiguration(client: kafka.client("test-producer"), maxMessageBytes: 16 << 20),
            logger: logger)
        let reader = try KafkaPartitionReader(client: kafka.client("test-reader"), logger: logger)
        var secrets: [String: String] = [:]
        for i in 0..<8 { secrets["s\(i)"] = "secret-\(i)" }
        return Setup(
            kafka: kafka, producer: producer, reader: reader, store: RegistryStore(ServerRegistry(secrets: secrets)),
            group: "\(prefix).packet-ingest")
    }

    /// A signed record as LogPipe ships it.
    static func record(
        _ topic: String, server: String, line: [UInt8], offset: UInt64, fp: String = "0123456789abcdef",
        secret: String? = nil
    ) -> ProducerMessage {
        let kind: RecordKind = topic.hasSuffix(".console") ? .console : .raw
        let signature = ProvenanceSigner(secret: secret ?? "secret-\(server.dropFirst())", server: server).signature(
            RecordIdentity(kind: kind, fingerprint: UInt64(fp, radix: 16)!, offset: offset), value: line)
        return ProducerMessage(
            topic: topic, key: Array(server.utf8), value: line,
            headers: [
                KafkaHeader(key: RecordHeader.server, string: server),
                KafkaHeader(key: RecordHeader.source, string: "\(fp):\(offset)"),
                KafkaHeader(key: RecordHeader.logPipeVersion, string: "test"),
                KafkaHeader(key: RecordHeader.signature, string: signature),
            ])
    }

    /// One running PacketIngest instance (the real service and clients), stopped gracefully.
    final class Instance: Sendable {
        let group: ServiceGroup
        let task: Task<Void, any Error>
        let consumer: KafkaConsumer
        init(_ s: Setup) async throws {
            let app = try await PacketIngestApp(
                kafka: s.kafka, authenticator: .registry(s.store),
                configuration: PacketIngestConfiguration(groupID: s.group, batchSize: 100), logger: IngestBrokerTests.logger)
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: app.services.map { .init(service: $0) }, logger: IngestBrokerTests.logger))
            self.group = group
            consumer = app.consumer
            task = Task { try await group.run() }
        }
        /// Whether this member holds partitions.
        var assigned: Bool { ((try? consumer.assignment()) ?? []).isEmpty == false }
        func stop() async throws {
            await group.triggerGracefulShutdown()
            try await task.value
        }
    }

    static func readAll(_ s: Setup, _ topic: String, partitions: Int) async throws -> [ConsumerMessage] {
        try await s.reader.readAll(topic: topic, partitions: (0..<Int32(partitions)).map { $0 })
    }

    /// Waits until `condition` holds for the records of `topic`, calling `rescue` after every
    /// `stall` without progress (Tansu occasionally never completes a JoinGroup).
    static func waitFor(
        _ s: Setup, _ topic: String, partitions: Int, within: Duration = .seconds(90), stall: Duration = .seconds(20),
        rescue: () async throws -> Void = {}, _ condition: ([ConsumerMessage]) -> Bool
    ) async throws -> [ConsumerMessage] {
        let end = ContinuousClock.now + within
        var lastCount = -1
        var lastProgress = ContinuousClock.now
        while true {
            let records = try await readAll(s, topic, partitions: partitions)
            if condition(records) || ContinuousClock.now > end { return records }
            if records.count != lastCount {
                lastCount = records.count
                lastProgress = .now
            } else if ContinuousClock.now - lastProgress > stall {
                try await rescue()
                lastProgress = .now
            }
            try await Task.sleep(for: .milliseconds(300))
        }
    }

    @Test func badLinesAreDeadLetteredWhileGoodOnesFlow() async throws {
        let s = try await Self.setup("dl")
        let raw = s.kafka.topics.raw
        let good = { (seq: Int) in Array(#"KAFKATORIO/1 chat 1 \#(seq) {"player":"p","message":"good \#(seq)"}"#.utf8) }
        let bomb = Array(("KAFKATORIO/1 chunk_terrain 1 1 ~" + Data(zlibCompress([UInt8](repeating: 0x20, count: 40 << 20))).base64EncodedString()).utf8)
        var badUTF8 = Array(#"KAFKATORIO/1 chat 1 1 {"message":"caf"#.utf8)
        badUTF8 += [0xE9] + Array(#""}"#.utf8)
        let tenMB = Array(("KAFKATORIO/1 chat 1 1 {\"message\":\"" + String(repeating: "x", count: 10 << 20) + "\"}").utf8)
        let forged = Self.record(raw, server: "s1", line: good(99), offset: 900, secret: "wrong")
        let messages: [ProducerMessage] = [
            Self.record(raw, server: "s1", line: good(1), offset: 0),
            forged,
            Self.record(raw, server: "intruder", line: good(2), offset: 10, secret: "x"),
            Self.record(raw, server: "s1", line: Array(#"KAFKATORIO/1 chat 1 2 {"message":"tru"#.utf8), offset: 100),
            Self.record(raw, server: "s1", line: Array(#"KAFKATORIO/1 chat 1 3 {"message":["not","a","string"]}"#.utf8), offset: 200),
            Self.record(raw, server: "s1", line: tenMB, offset: 300),
            Self.record(raw, server: "s1", line: bomb, offset: 20_000_000),
            Self.record(raw, server: "s1", line: badUTF8, offset: 20_100_000),
            Self.record(raw, server: "s1", line: good(4), offset: 20_200_000),
            Self.record(s.kafka.topics.console, server: "s1", line: Array("2019-01-20 10:30:04 [JOIN] User joined the game".utf8), offset: 5),
        ]
        for result in await s.producer.send(messages) { _ = try result.get() }
        let instance = try await Instance(s)
        let dead = try await Self.waitFor(s, s.kafka.topics.deadLetter, partitions: 1) { $0.count >= 7 }
        let live = try await Self.waitFor(s, s.kafka.topics.live, partitions: 4) { $0.count >= 4 }
        try await instance.stop()
        let reasons = dead.map { $0.headerString("reason") ?? "-" }
        #expect(reasons.sorted() == ["bad_signature", "invalid_json", "invalid_utf8", "line_too_long", "payload_too_large", "unknown_server", "wrong_type"])
        let truncated = try #require(dead.first { $0.headerString("reason") == "line_too_long" })
        #expect(truncated.value.count == PacketRouter.maxDeadLetterBytes && truncated.headerString("truncated") == "\(tenMB.count)")
        #expect(dead.allSatisfy { $0.headerString("source") != nil && $0.headerString("detail") != nil })
        let liveTexts = live.map { String(decoding: $0.value, as: UTF8.self) }
        #expect(liveTexts.filter { $0.hasPrefix("KAFKATORIO/1 chat") } == [
            #"KAFKATORIO/1 chat 1 1 {"player":"p","message":"good 1"}"#, #"KAFKATORIO/1 chat 1 4 {"player":"p","message":"good 4"}"#,
        ])
        let events = live.compactMap { $0.headerString("type") == "event" ? ServerEvent.decode($0.value) : nil }
        #expect(events.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.join, .sequenceGap])
        await s.producer.shutdown()
        await s.reader.shutdown()
    }

    @Test func restartsAndRebalancesMidStreamLoseAndDuplicateNothing() async throws {
        let s = try await Self.setup("rb")
        let raw = s.kafka.topics.raw
        let servers = (0..<8).map { "s\($0)" }
        /// Line `seq` of every server, at byte offset seq*100 of its log.
        func lines(_ seqs: Range<Int>) -> [ProducerMessage] {
            seqs.flatMap { seq in
                servers.map { server in
                    Self.record(raw, server: server, line: Array(#"KAFKATORIO/1 chat \#(seq) \#(seq) {"message":"\#(server)-\#(seq)"}"#.utf8), offset: UInt64(seq) * 100)
                }
            }
        }
        /// Produces in small chunks over about a second, so rebalances happen mid-stream.
        func produce(_ messages: [ProducerMessage]) async throws {
            for i in stride(from: 0, to: messages.count, by: 80) {
                for r in await s.producer.send(Array(messages[i..<min(i + 80, messages.count)])) { _ = try r.get() }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        func chats(_ records: [ConsumerMessage]) -> [String] {
            records.filter { $0.headerString("type") == "chat" }.map { String(decoding: $0.value, as: UTF8.self) }
        }
        var members = [try await Instance(s)]
        let rescue = {
            // A member whose join Tansu stalled: leave and join again.
            if let last = members.popLast() { try await last.stop() }
            members.append(try await Instance(s))
        }
        try await produce(lines(1..<51))
        _ = try await Self.waitFor(s, s.kafka.topics.live, partitions: 4, rescue: rescue) { chats($0).count >= 400 }
        // A second member joins while lines (and LogPipe-style replays of old ones) keep coming;
        // wait until it really holds partitions (replacing it if Tansu stalls its join).
        members.append(try await Instance(s))
        async let phase2: Void = produce(lines(51..<101) + lines(20..<30))
        var joinDeadline = ContinuousClock.now + .seconds(20)
        while !(members.count == 2 && members[0].assigned && members[1].assigned) {
            try await Task.sleep(for: .milliseconds(200))
            if ContinuousClock.now > joinDeadline {
                try await rescue()
                joinDeadline = ContinuousClock.now + .seconds(20)
            }
        }
        try await phase2
        _ = try await Self.waitFor(s, s.kafka.topics.live, partitions: 4, rescue: rescue) { chats($0).count >= 800 }
        // The first member stops mid-stream; the second takes over its partitions and their state.
        let first = members.removeFirst()
        async let stopFirst: Void = first.stop()
        try await produce(lines(101..<151) + lines(90..<110))
        try await stopFirst
        _ = try await Self.waitFor(s, s.kafka.topics.live, partitions: 4, rescue: rescue) { chats($0).count >= 1200 }
        // Everything restarts: a new member restores all state from the state topic.
        for m in members { try await m.stop() }
        members = [try await Instance(s)]
        try await produce(lines(140..<176))
        let live = try await Self.waitFor(s, s.kafka.topics.live, partitions: 4, rescue: rescue) { chats($0).count >= 1400 }
        try await Task.sleep(for: .seconds(1))  // anything duplicated late would show up now
        let final = chats(try await Self.readAll(s, s.kafka.topics.live, partitions: 4))
        for m in members { try await m.stop() }
        let expected = Set((1..<176).flatMap { seq in servers.map { #"KAFKATORIO/1 chat \#(seq) \#(seq) {"message":"\#($0)-\#(seq)"}"# } })
        #expect(Set(final) == expected, "no loss: \(expected.subtracting(final).count) missing")
        #expect(final.count == expected.count, "no duplicates: \(final.count) records for \(expected.count) lines")
        let gaps = live.compactMap { $0.headerString("type") == "event" ? ServerEvent.decode($0.value) : nil }
        #expect(gaps.isEmpty, "no sequence gaps in a contiguous stream: \(gaps.prefix(3))")
        #expect(try await Self.readAll(s, s.kafka.topics.deadLetter, partitions: 1).isEmpty)
        await s.producer.shutdown()
        await s.reader.shutdown()
    }
}
