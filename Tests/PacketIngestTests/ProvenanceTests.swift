import Kafka
import Shared
import Testing

import PacketIngestCore
import KafkaModel

/// Provenance in the ingest core: the signature covers server, topic kind, source position and
/// line, it is verified before dedup, and the replays of issue 17 are dead-lettered or dropped.
@Suite struct ProvenanceTests {
    typealias T = IngestProcessorTests
    static let chat = Array(#"KAFKATORIO/1 chat 1 1 {"message":"hi"}"#.utf8)
    static func chat(_ seq: Int) -> [UInt8] { Array(#"KAFKATORIO/1 chat 1 \#(seq) {"message":"m\#(seq)"}"#.utf8) }

    /// An input whose headers are those of `signed` but with `edit` applied.
    static func altered(_ signed: IngestInput, _ edit: (inout IngestInput) -> Void) -> IngestInput {
        var i = signed
        edit(&i)
        return i
    }

    @Test func aCopiedRecordWithTheMaximumOffsetIsABadSignatureAndBlocksNothing() {
        var p = T.processor()
        var out: [ProducerMessage] = []
        let first = T.input(Self.chat(1), offset: 100)
        #expect(p.process(first, into: &out) == .accepted)
        // (a) the attack of issue 17: the authentic line and signature, source offset set to the maximum.
        let copy = Self.altered(first) { $0.source = "00000000000000ab:\(UInt64.max)" }
        #expect(p.process(copy, into: &out) == .rejected("bad_signature"))
        #expect(out.last?.headers.first == KafkaHeader(key: "reason", string: "bad_signature"))
        // The dedup mark did not move: the server's later lines flow.
        #expect(p.partitionState(InputPartition(.raw, 2))?.highWater.values.max() == 100)
        #expect(p.process(T.input(Self.chat(2), offset: 200), into: &out) == .accepted)
        #expect(p.process(T.input(Self.chat(3), offset: 300), into: &out) == .accepted)
        // Every other covered header, altered, fails the same way.
        let edits: [(String, (inout IngestInput) -> Void)] = [
            ("fingerprint", { $0.source = "00000000000000ac:100" }),
            ("offset lowered", { $0.source = "00000000000000ab:99" }),
            ("server", { $0.server = "srv-2" }),
            ("topic", { $0.partition = InputPartition(.console, 0) }),
            ("value", { $0.value = Self.chat(9) }),
        ]
        for (name, edit) in edits {
            #expect(p.process(Self.altered(T.input(Self.chat(4), offset: 400), edit), into: &out) == .rejected("bad_signature"), "\(name)")
        }
        #expect(p.process(T.input(Self.chat(4), offset: 400), into: &out) == .accepted)
    }

    @Test func replaysOfAuthenticRecords() {
        var p = IngestProcessor(
            topics: T.topics, authenticator: .registry(T.store), inputPartitions: [.raw: 4, .console: 1], now: { 0 })
        var out: [ProducerMessage] = []
        let home = Partitioner.partition(of: "srv-1", count: 4)
        let line = T.input(Self.chat(1), offset: 100, partition: home)
        #expect(p.process(line, into: &out) == .accepted)
        // (b) re-produced later on the same partition: the same identity, a duplicate (dropped,
        // counted, not dead-lettered), also when the source is spelled differently.
        #expect(p.process(line, into: &out) == .duplicate)
        #expect(p.process(Self.altered(line) { $0.source = "AB:0100" }, into: &out) == .duplicate)
        // (c) re-produced on another partition, whose dedup state does not know it: refused
        // before dedup, so that partition's state is untouched.
        for other in (0..<Int32(4)) where other != home {
            out = []
            #expect(p.process(T.input(Self.chat(1), offset: 100, partition: other), into: &out) == .rejected("wrong_partition"))
            let detail = out.first?.headers.first { $0.key == "detail" }.flatMap { $0.value }.map { String(decoding: $0, as: UTF8.self) }
            #expect(detail?.contains("belong on raw[\(home)]") == true && detail?.contains("on raw[\(other)]") == true)
            #expect(p.partitionState(InputPartition(.raw, other)) == nil)
        }
        #expect(p.process(T.input("2019-01-20 10:30:04 [JOIN] U joined the game", offset: 5, topic: .console, partition: 0), into: &out) == .consoleEvent)
        #expect(p.process(T.input(Self.chat(2), offset: 200, partition: home), into: &out) == .accepted)
    }

    @Test func anotherProvenanceFormatIsDeadLetteredWithWhatToUpgrade() throws {
        var p = T.processor()
        func detail(_ input: IngestInput) throws -> String {
            var out: [ProducerMessage] = []
            #expect(p.process(input, into: &out) == .rejected("unsupported_provenance"))
            let header = try #require(out.first?.headers.first { $0.key == "detail" }?.value)
            return String(decoding: header, as: UTF8.self)
        }
        let line = T.input(Self.chat(1), offset: 10)
        let mac = String(line.signature!.dropFirst(2))
        // Format 1: an old LogPipe, the signature of the line only, no format prefix.
        let old = Self.altered(line) { $0.signature = LineSigner(secret: T.secret).signature(of: Self.chat(1)) }
        let oldDetail = try detail(old)
        #expect(oldDetail.contains("provenance format 1") && oldDetail.contains("accepts format 2") && oldDetail.contains("upgrade LogPipe of server srv-1"))
        let newer = try detail(Self.altered(line) { $0.signature = "3:" + mac })
        #expect(newer.contains("provenance format 3") && newer.contains("upgrade PacketIngest"))
        #expect(try detail(Self.altered(line) { $0.signature = "two:" + mac }).contains("no provenance format number"))
        #expect(try detail(Self.altered(line) { $0.signature = "99999999999999999999:" + mac }).contains("no provenance format number"))
        #expect(try detail(Self.altered(line) { $0.signature = ":" + mac }).contains("no provenance format number"))
        // None of them touched the dedup state; the line itself goes through.
        #expect(p.partitionState(InputPartition(.raw, 2)) == nil)
        var out: [ProducerMessage] = []
        #expect(p.process(line, into: &out) == .accepted)
    }

    @Test func unsignedModeChecksNoSignatureButTheSource() {
        var p = IngestProcessor(topics: T.topics, authenticator: .unsigned)
        var out: [ProducerMessage] = []
        let bare = IngestInput(partition: InputPartition(.raw, 0), value: Self.chat, server: "anyone", source: "e2:1", signature: nil)
        #expect(p.process(bare, into: &out) == .accepted)
        var newer = bare
        newer.signature = "3:00"
        newer.source = "e2:2"
        #expect(p.process(newer, into: &out) == .accepted)
        newer.source = "e2"
        #expect(p.process(newer, into: &out) == .rejected("bad_source"))
    }
}
