import Foundation
import Kafka
import Logging
import Shared
import TestSupport
import Testing
import KafkaModel

/// The attack of issue 17 against the real PacketIngest process on the real broker: a copy of an
/// authentic record with its `source` offset set to the maximum used to raise the server's dedup
/// high-water mark so far that every later real line was dropped as a duplicate, silently. Now the
/// signature covers the source position: the copy is dead-lettered `bad_signature`, the later lines
/// reach `live`, also after a restart (the state topic was not poisoned). Records in another
/// provenance format, and an authentic record replayed on another `raw` partition, are
/// dead-lettered with their own reasons; the mismatch is logged once with what to upgrade.
@Suite(.serialized, .timeLimit(.minutes(4)), .needs(.services))
struct ProvenanceAttackTests {
    static let logger = Logger(label: "provenance-test")

    @Test func aCopiedRecordWithTheMaximumOffsetNoLongerBlocksTheServer() async throws {
        let id = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let prefix = "pv-\(id)", server = "srv-\(id)", secret = "pv-secret-\(id)"
        let bootstrap = try TestEnvironment.bootstrap()
        let topics = Topics(prefix: prefix)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafkatorio-pv-\(id)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let registry = dir.appendingPathComponent("servers")
        try Data("\(server) \(secret)\n".utf8).write(to: registry)
        let arguments = [
            "--kafka-bootstrap", bootstrap, "--topic-prefix", prefix, "--servers", registry.path, "--metrics-port", "0",
        ]
        let e2e = EndToEndTests()
        var ingest = try ServiceProcess("PacketIngest", arguments: arguments, environment: ["LOG_LEVEL": "info"], logDir: dir)
        defer { ingest.killNow() }
        let client = KafkaClientConfiguration(bootstrapServers: bootstrap, clientID: prefix)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: client), logger: Self.logger)
        let reader = try KafkaPartitionReader(client: client, logger: Self.logger)
        let admin = try KafkaAdmin(configuration: client, logger: Self.logger)
        // PacketIngest creates the topics at start-up.
        let rawPartitions = try await e2e.eventually(timeout: 60, processes: [ingest]) { () -> Int? in
            (try? await admin.partitionCounts([topics.raw]))?[topics.raw]
        }
        let signer = ProvenanceSigner(secret: secret, server: server)
        let fingerprint: UInt64 = 0x0123_4567_89ab_cdef
        func chat(_ seq: Int) -> [UInt8] { Array(#"KAFKATORIO/1 chat \#(seq) \#(seq) {"message":"line \#(seq)"}"#.utf8) }
        /// A record as LogPipe ships it; `sourceOffset` and `signature` let the test alter headers.
        func record(
            _ line: [UInt8], offset: UInt64, sourceOffset: UInt64? = nil, signature: String? = nil,
            partition: Int32? = nil
        ) -> ProducerMessage {
            let headers = [
                KafkaHeader(key: RecordHeader.server, string: server),
                KafkaHeader(key: RecordHeader.source, string: "\(SourceText.hex(fingerprint)):\(sourceOffset ?? offset)"),
                KafkaHeader(key: RecordHeader.logPipeVersion, string: "test"),
                KafkaHeader(
                    key: RecordHeader.signature,
                    string: signature
                        ?? signer.signature(RecordIdentity(kind: .raw, fingerprint: fingerprint, offset: offset), value: line)),
            ]
            var m = ProducerMessage(topic: topics.raw, key: Array(server.utf8), value: line, headers: headers)
            m.partition = partition
            return m
        }
        let home = Partitioner.partition(of: server, count: rawPartitions)
        let elsewhere = (home + 1) % Int32(rawPartitions)
        let batch = [
            record(chat(1), offset: 0),
            // The attack: the same authentic line and signature under the largest offset.
            record(chat(1), offset: 0, sourceOffset: UInt64.max),
            // A LogPipe of format 1 (signature over the line only, no format prefix) and a
            // LogPipe newer than this PacketIngest.
            record(chat(2), offset: 50, signature: LineSigner(secret: secret).signature(of: chat(2))),
            record(chat(2), offset: 60, signature: "3:" + String(repeating: "0", count: 64)),
            // An authentic line replayed on another partition of raw.
            record(chat(1), offset: 0, partition: elsewhere),
            record(chat(2), offset: 100),
            record(chat(3), offset: 200),
        ]
        for result in await producer.send(batch) { _ = try result.get() }
        func chats() async throws -> [String] {
            try await reader.readAll(topic: topics.live, partitions: (0..<Int32(4)).map { $0 })
                .filter { $0.headerString(RecordHeader.packetType) == "chat" }.map { String(decoding: $0.value, as: UTF8.self) }
        }
        func deadLetters(_ n: Int) async throws -> [ConsumerMessage] {
            try await e2e.eventually(timeout: 60, processes: [ingest]) { () -> [ConsumerMessage]? in
                let d = try await reader.readAll(topic: topics.deadLetter, partitions: [0])
                return d.count >= n ? d : nil
            }
        }
        _ = try await e2e.eventually(timeout: 60, processes: [ingest]) { () -> Bool? in
            try await chats().count >= 3 ? true : nil
        }
        #expect(try await chats() == [1, 2, 3].map { String(decoding: chat($0), as: UTF8.self) })
        let dead = try await deadLetters(4)
        let reasons = dead.map { "\($0.headerString(RecordHeader.reason) ?? "-") \($0.headerString(RecordHeader.source) ?? "-")" }
        let fp = SourceText.hex(fingerprint)
        #expect(
            reasons.sorted() == [
                "bad_signature \(fp):18446744073709551615", "unsupported_provenance \(fp):50",
                "unsupported_provenance \(fp):60", "wrong_partition \(fp):0",
            ])
        let details = dead.compactMap { $0.headerString("detail") }
        #expect(details.contains { $0.contains("provenance format 1") && $0.contains("upgrade LogPipe of server \(server)") })
        #expect(details.contains { $0.contains("provenance format 3") && $0.contains("upgrade PacketIngest") })
        #expect(details.contains { $0.contains("belong on raw[\(home)]") && $0.contains("on raw[\(elsewhere)]") })
        #expect(ingest.log.components(separatedBy: "provenance format mismatch").count - 1 == 2, "logged once per format")
        #expect(await ingest.terminate(timeout: 30) == 0, "clean exit on SIGTERM")

        // After a restart the restored dedup state still lets the next line through.
        ingest = try ServiceProcess(
            "PacketIngest", arguments: arguments, environment: ["LOG_LEVEL": "info"], logDir: dir, logName: "PacketIngest-2")
        for result in await producer.send([record(chat(4), offset: 300), record(chat(3), offset: 200)]) { _ = try result.get() }
        _ = try await e2e.eventually(timeout: 60, processes: [ingest]) { () -> Bool? in
            try await chats().count >= 4 ? true : nil
        }
        try await Task.sleep(for: .seconds(2))
        #expect(try await chats() == [1, 2, 3, 4].map { String(decoding: chat($0), as: UTF8.self) }, "the replayed line 3 is a duplicate")
        #expect(await ingest.terminate(timeout: 30) == 0)
        await producer.shutdown()
        await reader.shutdown()
    }
}

/// The `source` header's hex, as LogPipe writes it.
enum SourceText {
    static func hex(_ v: UInt64) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
