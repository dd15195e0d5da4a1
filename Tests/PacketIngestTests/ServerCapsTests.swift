import Kafka
import Shared
import Testing

import PacketIngestCore
import KafkaModel

/// Per-server caps (fingerprints, surfaces, player indices, map objects) and the range checks of restored state.
@Suite struct ServerCapsTests {
    typealias T = IngestProcessorTests
    static let caps = ServerCaps(fingerprints: 3, surfaces: 2, players: 2)

    static func processor() -> IngestProcessor {
        IngestProcessor(topics: T.topics, authenticator: .registry(T.store), caps: caps, now: { 0 })
    }

    static func reason(_ out: [ProducerMessage]) -> (String, String)? {
        guard let dl = out.last, dl.topic == T.topics.deadLetter else { return nil }
        func h(_ k: String) -> String { dl.headers.first { $0.key == k }?.value.map { String(decoding: $0, as: UTF8.self) } ?? "" }
        return (h("reason"), h("detail"))
    }

    /// State records of `p` replayed into a fresh processor (a restart).
    static func restarted(_ p: inout IngestProcessor, into fresh: inout IngestProcessor) {
        let records = p.takeStateRecords().map { (key: $0.keyString ?? "", value: $0.value) }
        #expect(fresh.restore(InputPartition(.raw, 2), records: records).isEmpty)
    }

    @Test func fingerprintsPerServer() {
        var p = Self.processor()
        var out: [ProducerMessage] = []
        let line = #"KAFKATORIO/1 chat 1 1 {"message":"hi"}"#
        for fp in ["a1", "a2", "a3"] { #expect(p.process(T.input(line, offset: 1, fp: fp), into: &out) == .accepted) }
        #expect(p.process(T.input(line, offset: 1, fp: "a4"), into: &out) == .rejected("server_cap_exceeded"))
        #expect(Self.reason(out)?.1.contains("3 log-file fingerprints") == true)
        #expect(Self.reason(out)?.1.contains("ingest.maxFingerprintsPerServer") == true)
        #expect(p.takeCapHits() == [.fingerprints: 1])
        // Known fingerprints go on; another server has its own count.
        #expect(p.process(T.input(line, offset: 2, fp: "a2"), into: &out) == .accepted)
        let other = T.input(Array(line.utf8), offset: 1, fp: "a4", server: "srv-2", signature: T.sign(Array(line.utf8), offset: 1, fp: "a4", server: "srv-2", secret: "other"))
        #expect(p.process(other, into: &out) == .accepted)
        // The count survives a restart: it is the restored dedup keys.
        var q = Self.processor()
        Self.restarted(&p, into: &q)
        #expect(q.process(T.input(line, offset: 9, fp: "a5"), into: &out) == .rejected("server_cap_exceeded"))
        #expect(q.process(T.input(line, offset: 9, fp: "a1"), into: &out) == .accepted)
    }

    @Test func surfacesAndPlayersPerServer() {
        var p = Self.processor()
        var out: [ProducerMessage] = []
        var offset: UInt64 = 0
        func send(_ type: String, _ json: String, on proc: inout IngestProcessor) -> LineOutcome {
            offset += 10
            return proc.process(T.input("KAFKATORIO/1 \(type) 1 \(offset) \(json)", offset: offset), into: &out)
        }
        func surface(_ name: String, deleted: Bool = false) -> String { #"{"index":1,"name":"\#(name)"\#(deleted ? #","deleted":true"# : "")}"# }
        func player(_ index: Int, _ surface: String = "nauvis") -> String {
            #"{"index":\#(index),"name":"p","surface":"\#(surface)","x":0,"y":0,"color":[1,1,1],"online":true,"afk":false}"#
        }
        #expect(send("surface", surface("nauvis"), on: &p) == .accepted)
        #expect(send("chunk_deleted", #"{"surface":"gleba","chunks":[0,0]}"#, on: &p) == .accepted)
        #expect(send("chunk_deleted", #"{"surface":"vulcanus","chunks":[0,0]}"#, on: &p) == .rejected("server_cap_exceeded"))
        #expect(Self.reason(out)?.1.contains("ingest.maxSurfacesPerServer") == true)
        #expect(send("player", player(1, "vulcanus"), on: &p) == .rejected("server_cap_exceeded"))
        #expect(send("surface", surface("gleba", deleted: true), on: &p) == .accepted, "a deletion frees its slot")
        #expect(send("player", player(1, "vulcanus"), on: &p) == .accepted)
        #expect(send("player", player(4_294_967_295), on: &p) == .accepted)
        #expect(send("player", player(3), on: &p) == .rejected("server_cap_exceeded"))
        #expect(Self.reason(out)?.1.contains("2 player indices") == true)
        #expect(send("player", player(1), on: &p) == .accepted, "known players go on")
        #expect(p.takeCapHits() == [.surfaces: 2, .players: 1])
        // The membership survives a restart (records in the state topic).
        var q = Self.processor()
        Self.restarted(&p, into: &q)
        #expect(q.partitionState(InputPartition(.raw, 2))?.surfaces == ["srv-1": ["nauvis", "vulcanus"]])
        #expect(q.partitionState(InputPartition(.raw, 2))?.players == ["srv-1": [1, 4_294_967_295]])
        #expect(send("surface", surface("fulgora"), on: &q) == .rejected("server_cap_exceeded"))
        #expect(send("player", player(5), on: &q) == .rejected("server_cap_exceeded"))
        #expect(send("chunk_deleted", #"{"surface":"nauvis","chunks":[0,0]}"#, on: &q) == .accepted)
    }

    @Test func mapObjectsPerServerEachKindApart() {
        var p = IngestProcessor(
            topics: T.topics, authenticator: .registry(T.store), caps: ServerCaps(mapObjects: 2), now: { 0 })
        var out: [ProducerMessage] = []
        var offset: UInt64 = 0
        func send(_ type: String, _ json: String, on proc: inout IngestProcessor) -> LineOutcome {
            offset += 10
            return proc.process(T.input("KAFKATORIO/1 \(type) 1 \(offset) \(json)", offset: offset), into: &out)
        }
        func stop(_ unit: Int) -> String {
            #"{"unit":\#(unit),"backer_name":"s","x":1,"y":1,"direction":0,"surface":"nauvis","force":"player"}"#
        }
        func tag(_ n: Int) -> String { #"{"tag":\#(n),"surface":"nauvis","force":"player","x":0,"y":0,"text":"t"}"# }
        #expect(send("train_stop", stop(1), on: &p) == .accepted)
        #expect(send("train_stop", stop(2), on: &p) == .accepted)
        #expect(send("train_stop", stop(3), on: &p) == .rejected("server_cap_exceeded"))
        #expect(Self.reason(out)?.1.contains("2 train stops") == true)
        #expect(Self.reason(out)?.1.contains("ingest.maxMapObjectsPerServer") == true)
        #expect(send("train_stop", stop(1), on: &p) == .accepted, "a known stop goes on (a rename)")
        #expect(send("chart_tag", tag(1), on: &p) == .accepted, "tags are counted apart from stops")
        #expect(send("train_stop_removed", #"{"unit":2,"surface":"nauvis"}"#, on: &p) == .accepted)
        #expect(send("train_stop", stop(3), on: &p) == .accepted, "a removal frees its slot")
        #expect(p.takeCapHits() == [.stations: 1])
        // The membership survives a restart.
        var q = IngestProcessor(
            topics: T.topics, authenticator: .registry(T.store), caps: ServerCaps(mapObjects: 2), now: { 0 })
        Self.restarted(&p, into: &q)
        #expect(q.partitionState(InputPartition(.raw, 2))?.objects == ["srv-1": [.station: [1, 3], .tag: [1]]])
        #expect(send("train_stop", stop(4), on: &q) == .rejected("server_cap_exceeded"))
    }

    /// Every value read from `ingest-dedup` is range-checked: a hostile or corrupt record is
    /// reported and ignored, never trusted and never a trap.
    @Test func corruptStateRecordsAreIgnoredAndReported() {
        var p = Self.processor()
        let hostile: [(key: String, value: [UInt8])] = [
            ("raw/srv-1/00000000000000ab", Array("100 18446744073709551615".utf8)),  // seq beyond 2^53: used to trap at last + 1
            ("raw/srv-1/00000000000000ab", Array("18446744073709551616".utf8)),  // offset beyond 2^64
            ("raw/srv-1/00000000000000ab", Array("-5".utf8)),
            ("raw/srv-1/00000000000000ab", Array("+5".utf8)),
            ("raw/srv-1/00000000000000ab", Array("5 6 7".utf8)),
            ("raw/srv-1/00000000000000ab", []),
            ("raw/srv-1/not-hex", Array("5".utf8)),
            ("raw/srv-1/00000000000000abc", Array("5".utf8)),
            ("raw/bad id/ab", Array("5".utf8)),
            ("player/srv-1/4294967296", Array("1".utf8)),
            ("player/srv-1/7", Array("yes".utf8)),
            ("surface/srv-1/", Array("1".utf8)),
            ("", Array("1".utf8)),
        ]
        let good: [(key: String, value: [UInt8])] = [
            ("raw/srv-1/AB", Array("100 5".utf8)),  // normalised to 16 lowercase digits
            ("console/srv-1/00000000000000ab", Array("7".utf8)),  // the console topic's, not used for raw
            ("surface/srv-1/platform-7", Array("1".utf8)),
        ]
        let ignored = p.restore(InputPartition(.raw, 2), records: hostile + good)
        #expect(ignored.map(\.key) == hostile.map(\.key))
        let state = p.partitionState(InputPartition(.raw, 2))
        #expect(state?.highWater == [DedupKey(topic: .raw, server: "srv-1", fingerprint: "00000000000000ab"): 100])
        #expect(state?.lastSeq == ["srv-1": 5])
        #expect(state?.surfaces == ["srv-1": ["platform-7"]])
        // Processing goes on normally (no trap on the sequence arithmetic).
        var out: [ProducerMessage] = []
        #expect(p.process(T.input(#"KAFKATORIO/1 chat 1 9007199254740992 {"message":"x"}"#, offset: 101), into: &out) == .accepted)
        #expect(p.process(T.input(#"KAFKATORIO/1 chat 1 1 {"message":"x"}"#, offset: 100), into: &out) == .duplicate)
    }
}
