import Foundation
import Kafka
import Shared
import TestSupport
import Testing

import PacketIngestCore
import KafkaModel

/// The ingest core, golden: signed lines in → exact topic, key, value (and headers) out.
@Suite struct IngestProcessorTests {
    static let topics = Topics(prefix: "t")
    static let secret = "s3cret-of-srv-1"
    static let signer = ProvenanceSigner(secret: secret, server: "srv-1")
    static let store = RegistryStore(ServerRegistry(secrets: ["srv-1": secret, "srv-2": "other"]))

    static func processor() -> IngestProcessor {
        IngestProcessor(topics: topics, authenticator: .registry(store), now: { 1_700_000_000_000 })
    }

    /// A signed raw (or console) input at `offset` of file `fp`.
    static func input(
        _ line: String, offset: UInt64, fp: String = "00000000000000ab", server: String? = "srv-1",
        topic: InputTopic = .raw, partition: Int32 = 2, signature: String?? = nil
    ) -> IngestInput {
        input(Array(line.utf8), offset: offset, fp: fp, server: server, topic: topic, partition: partition, signature: signature)
    }

    static func input(
        _ bytes: [UInt8], offset: UInt64, fp: String = "00000000000000ab", server: String? = "srv-1",
        topic: InputTopic = .raw, partition: Int32 = 2, signature: String?? = nil
    ) -> IngestInput {
        IngestInput(
            partition: InputPartition(topic, partition), value: bytes, server: server, source: "\(fp):\(offset)",
            signature: signature ?? sign(bytes, offset: offset, fp: fp, topic: topic))
    }

    /// The provenance signature LogPipe gives the record (with `secret`, for `server`).
    static func sign(
        _ bytes: [UInt8], offset: UInt64, fp: String = "00000000000000ab", server: String = "srv-1",
        topic: InputTopic = .raw, secret: String = secret
    ) -> String {
        ProvenanceSigner(secret: secret, server: server).signature(
            RecordIdentity(kind: topic == .raw ? .raw : .console, fingerprint: UInt64(fp, radix: 16)!, offset: offset),
            value: bytes)
    }

    static func text(_ r: ProducerMessage) -> String { String(decoding: r.value, as: UTF8.self) }

    @Test func goldenPacketAndConsoleLines() {
        var p = Self.processor()
        var out: [ProducerMessage] = []
        let lines: [(IngestInput, LineOutcome)] = [
            (Self.input(#"KAFKATORIO/1 session_start 0 0 {"mod_version":"0.1.0","game_version":"2.0.77"}"#, offset: 0), .accepted),
            (Self.input(#"KAFKATORIO/1 player 480 1 {"name":"Sparkle","index":1,"surface":"nauvis","x":12.0,"y":-7.5,"color":[1,0.5,0],"online":true,"afk":false}"#, offset: 100), .accepted),
            (Self.input(#"KAFKATORIO/1 chunk_terrain 60 2 {"surface":"nauvis","cx":-9,"cy":17,"palette":["grass-1"],"runs":[1024,0]}"#, offset: 300), .accepted),
            (Self.input(#"KAFKATORIO/1 chat 540 5 {"player":"Sparkle","message":"hello"}"#, offset: 400), .accepted),
            (Self.input("2019-01-20 10:30:04 [JOIN] User joined the game", offset: 7, topic: .console, partition: 0), .consoleEvent),
            (Self.input("   6.161 Hosting game at IP ADDR:({0.0.0.0:34197})", offset: 60, topic: .console, partition: 0), .consoleEvent),
            (Self.input("2019-01-20 10:30:14 [COMMAND] User (command): blah", offset: 90, topic: .console, partition: 0), .consoleIgnored),
        ]
        for (input, expected) in lines { #expect(p.process(input, into: &out) == expected) }
        let got = out.map { "\($0.topic) | \($0.keyString ?? "-") | \(Self.text($0)) | \($0.headers.map { "\($0.key)=\(String(decoding: $0.value ?? [], as: UTF8.self))" }.joined(separator: ","))" }
        let expected = [
            #"t.live | srv-1 | {"kind":"session_start","server":"srv-1","source":"00000000000000ab:0","tick":0,"time":1700000000000} | server=srv-1,type=event,source=00000000000000ab:0"#,
            #"t.live | srv-1 | KAFKATORIO/1 session_start 0 0 {"mod_version":"0.1.0","game_version":"2.0.77"} | server=srv-1,type=session_start,source=00000000000000ab:0"#,
            #"t.live | srv-1 | KAFKATORIO/1 player 480 1 {"index":1,"name":"Sparkle","surface":"nauvis","x":12,"y":-7.5,"color":[1,0.5,0,1],"online":true,"afk":false} | server=srv-1,type=player,source=00000000000000ab:100"#,
            #"t.player-history | srv-1 | KAFKATORIO/1 player 480 1 {"index":1,"name":"Sparkle","surface":"nauvis","x":12,"y":-7.5,"color":[1,0.5,0,1],"online":true,"afk":false} | server=srv-1,type=player,source=00000000000000ab:100"#,
            #"t.map | srv-1/nauvis/-2/2 | KAFKATORIO/1 chunk_terrain 60 2 {"surface":"nauvis","cx":-9,"cy":17,"palette":["grass-1"],"runs":[1024,0]} | server=srv-1,type=chunk_terrain,source=00000000000000ab:300"#,
            #"t.live | srv-1 | {"kind":"sequence_gap","missing":2,"server":"srv-1","source":"00000000000000ab:400","tick":540,"time":1700000000000} | server=srv-1,type=event,source=00000000000000ab:400"#,
            #"t.live | srv-1 | KAFKATORIO/1 chat 540 5 {"player":"Sparkle","message":"hello"} | server=srv-1,type=chat,source=00000000000000ab:400"#,
            #"t.live | srv-1 | {"kind":"join","player":"User","server":"srv-1","source":"00000000000000ab:7","time":1700000000000} | server=srv-1,type=event,source=00000000000000ab:7"#,
            #"t.live | srv-1 | {"kind":"server_started","message":"Hosting game at IP ADDR:({0.0.0.0:34197})","server":"srv-1","source":"00000000000000ab:60","time":1700000000000} | server=srv-1,type=event,source=00000000000000ab:60"#,
        ]
        #expect(got == expected)
        // One state record per (input topic, server, fingerprint), on the input partition's number,
        // then one per new player index and surface of the server (its caps' counts).
        let state = p.takeStateRecords()
        #expect(state.map { "\($0.partition ?? -1) \($0.topic) \($0.keyString ?? "-") \(Self.text($0))" } == [
            "0 t.ingest-dedup console/srv-1/00000000000000ab 90",
            "2 t.ingest-dedup raw/srv-1/00000000000000ab 400 5",
            "2 t.ingest-dedup player/srv-1/1 1",
            "2 t.ingest-dedup surface/srv-1/nauvis 1",
        ])
        #expect(p.takeStateRecords().isEmpty)
    }

    @Test func aLineReplayedThreeTimesIsRoutedOnce() {
        var p = Self.processor()
        var out: [ProducerMessage] = []
        let line = #"KAFKATORIO/1 chat 540 33 {"player":"Sparkle","message":"hello"}"#
        let outcomes = (0..<3).map { _ in p.process(Self.input(line, offset: 4096), into: &out) }
        #expect(outcomes == [.accepted, .duplicate, .duplicate])
        #expect(out.count == 1)
        // The same bytes at a new offset are a new line; a LogPipe replay from a lower offset is not.
        #expect(p.process(Self.input(line, offset: 5000), into: &out) == .accepted)
        #expect(p.process(Self.input(line, offset: 10), into: &out) == .duplicate)
        // Another file (fingerprint) or another server has its own high-water mark.
        #expect(p.process(Self.input(line, offset: 10, fp: "ff"), into: &out) == .accepted)
        let s2 = Self.input(Array(line.utf8), offset: 10, server: "srv-2", signature: Self.sign(Array(line.utf8), offset: 10, server: "srv-2", secret: "other"))
        #expect(p.process(s2, into: &out) == .accepted)
        #expect(out.count == 4)
    }

    @Test func restoredStateDropsWhatWasAlreadyProcessed() {
        var first = Self.processor()
        var out: [ProducerMessage] = []
        for (i, seq) in [(0, 1), (1, 2), (2, 3)] {
            _ = first.process(
                Self.input(#"KAFKATORIO/1 chat 1 \#(seq) {"message":"m\#(i)"}"#, offset: UInt64(i * 100)), into: &out)
        }
        let records = first.takeStateRecords().map { (key: $0.keyString ?? "", value: $0.value) }
        var second = Self.processor()
        second.restore(InputPartition(.raw, 2), records: records + [(key: "console/srv-1/ab", value: Array("9".utf8))])
        #expect(second.partitionState(InputPartition(.raw, 2))?.highWater == [DedupKey(topic: .raw, server: "srv-1", fingerprint: "00000000000000ab"): 200])
        #expect(second.partitionState(InputPartition(.raw, 2))?.lastSeq == ["srv-1": 3])
        out = []
        #expect(second.process(Self.input(#"KAFKATORIO/1 chat 1 2 {"message":"m1"}"#, offset: 100), into: &out) == .duplicate)
        // The next line continues the sequence without a gap event.
        #expect(second.process(Self.input(#"KAFKATORIO/1 chat 1 4 {"message":"m3"}"#, offset: 300), into: &out) == .accepted)
        #expect(out.count == 1 && out[0].headers.contains(KafkaHeader(key: "type", string: "chat")))
        second.drop(InputPartition(.raw, 2))
        #expect(second.partitionState(InputPartition(.raw, 2)) == nil)
    }

    @Test func badInputIsDeadLetteredWithTheRightReasonAndProcessingGoesOn() throws {
        var p = Self.processor()
        let good = #"KAFKATORIO/1 chat 1 1 {"message":"hi"}"#
        let bomb = "KAFKATORIO/1 chunk_terrain 1 1 ~" + Data(zlibCompress([UInt8](repeating: 0x20, count: 40 << 20))).base64EncodedString()
        #expect(bomb.utf8.count < 65536)
        let tenMB = "KAFKATORIO/1 chat 1 1 {\"message\":\"" + String(repeating: "x", count: 10 << 20) + "\"}"
        var badUTF8 = Array(#"KAFKATORIO/1 chat 1 1 {"message":"caf"#.utf8)
        badUTF8 += [0xE9] + Array(#""}"#.utf8)
        let cases: [(IngestInput, String)] = [
            (Self.input(Array(good.utf8), offset: 1, signature: .some(Self.sign(Array("other".utf8), offset: 1))), "bad_signature"),
            (Self.input(Array(good.utf8), offset: 2, signature: .some("2:" + String(repeating: "0", count: 64))), "bad_signature"),
            (Self.input(Array(good.utf8), offset: 3, signature: .some(nil)), "missing_signature"),
            (Self.input(good, offset: 4, server: "intruder"), "unknown_server"),
            (Self.input(good, offset: 5, server: nil), "unknown_server"),
            (IngestInput(partition: InputPartition(.raw, 2), value: Array(good.utf8), server: "srv-1", source: "nope", signature: Self.sign(Array(good.utf8), offset: 0)), "bad_source"),
            (Self.input(#"KAFKATORIO/1 chat 1 1 {"message":"h"#, offset: 6), "invalid_json"),
            (Self.input(#"KAFKATORIO/1 chat 1 1 {"message":42}"#, offset: 7), "wrong_type"),
            (Self.input(tenMB, offset: 8), "line_too_long"),
            (Self.input(bomb, offset: 20_000_000), "payload_too_large"),
            (Self.input(badUTF8, offset: 20_000_100), "invalid_utf8"),
        ]
        var n = 0
        for (input, reason) in cases {
            var out: [ProducerMessage] = []
            #expect(p.process(input, into: &out) == .rejected(reason))
            #expect(out.count == 1)
            let dl = try #require(out.first)
            #expect(dl.topic == "t.deadletter")
            #expect(dl.headers.first == KafkaHeader(key: "reason", string: reason))
            #expect(dl.headers.contains(KafkaHeader(key: "input", string: "t.raw")))
            if let source = input.source { #expect(dl.headers.contains(KafkaHeader(key: "source", string: source))) }
            if input.value.count > PacketRouter.maxDeadLetterBytes {
                #expect(dl.value == Array(input.value.prefix(PacketRouter.maxDeadLetterBytes)))
                #expect(dl.headers.contains(KafkaHeader(key: "truncated", string: "\(input.value.count)")))
            } else {
                #expect(dl.value == input.value)
            }
            // A good line right after each bad one still goes through.
            n += 1
            out = []
            #expect(p.process(Self.input(#"KAFKATORIO/1 chat 1 \#(n) {"message":"ok \#(n)"}"#, offset: UInt64(n), fp: "ee"), into: &out) == .accepted)
            #expect(out.last?.topic == "t.live")
        }
        // Unauthenticated lines do not move the dedup mark: the real line at the forged position passes.
        var out: [ProducerMessage] = []
        let forged = Self.input(Array(good.utf8), offset: 50, fp: "cc", signature: .some(Self.sign(Array(good.utf8), offset: 50, fp: "cc", secret: "guess")))
        #expect(p.process(forged, into: &out) == .rejected("bad_signature"))
        #expect(p.process(Self.input(good, offset: 50, fp: "cc"), into: &out) == .accepted)
    }

    @Test func sequenceGapsAndSessionStarts() {
        var p = Self.processor()
        var out: [ProducerMessage] = []
        func kinds() -> [String] {
            defer { out = [] }
            return out.compactMap { r in ServerEvent.decode(r.value).map { "\($0.kind.rawValue)\($0.missing.map { ":\($0)" } ?? "")" } }
        }
        var offset: UInt64 = 0
        func send(_ line: String) {
            offset += 100
            _ = p.process(Self.input(line, offset: offset), into: &out)
        }
        send(#"KAFKATORIO/1 chat 1 7 {"message":"first seen"}"#)
        #expect(kinds() == [])
        send(#"KAFKATORIO/1 chat 1 8 {"message":"next"}"#)
        #expect(kinds() == [])
        send(#"KAFKATORIO/1 chat 1 12 {"message":"jump"}"#)
        #expect(kinds() == ["sequence_gap:3"])
        send(#"KAFKATORIO/1 session_start 5 0 {"mod_version":"0.1.0","game_version":"2.0.77"}"#)
        #expect(kinds() == ["session_start"])
        send(#"KAFKATORIO/1 chat 6 1 {"message":"after reload"}"#)
        #expect(kinds() == [])
    }

    @Test func unsignedModeAcceptsAnyWellFormedServer() {
        var p = IngestProcessor(topics: Self.topics, authenticator: .unsigned)
        var out: [ProducerMessage] = []
        let line = #"KAFKATORIO/1 chat 1 1 {"message":"hi"}"#
        #expect(p.process(Self.input(line, offset: 1, server: "anyone", signature: .some(nil)), into: &out) == .accepted)
        #expect(p.process(Self.input(line, offset: 2, server: "bad/id", signature: .some(nil)), into: &out) == .rejected("unknown_server"))
    }
}
