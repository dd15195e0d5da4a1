import Kafka
import ServiceSupport
import Shared
import Testing

import LogPipeCore
import LogPipeService
import KafkaModel

@Suite struct DeliveryWindowTests {
    func pos(_ o: UInt64) -> Checkpoint { Checkpoint(fingerprint: 7, offset: o) }

    /// One read's lines: (text, kind, position); a nil text is a filtered line.
    func routed(_ lines: [(String?, LineKind, Checkpoint)]) -> RoutedLines {
        let values = Array(lines.compactMap(\.0).joined().utf8)
        var batch = ProducerBatch(topics: ["t"], headerNames: [], key: nil, values: values)
        var out: [RoutedLine] = []
        var at = 0
        for (text, kind, position) in lines {
            guard let text else {
                out.append(RoutedLine(kind: kind, position: position, record: -1))
                continue
            }
            let record = batch.appendRecord(topic: 0, value: at..<at + text.utf8.count)
            at += text.utf8.count
            out.append(RoutedLine(kind: kind, position: position, record: Int32(record)))
        }
        return RoutedLines(batch: batch, lines: out)
    }

    func values(_ resends: [DeliveryWindow.Resend]) -> [String] {
        resends.flatMap { r in r.batch.records.indices.map { String(decoding: r.batch.message(at: $0).value, as: UTF8.self) } }
    }

    @Test func checkpointAdvancesOnlyOverTheContiguousAcknowledgedPrefix() {
        let w = DeliveryWindow()
        let first = w.append(
            routed([("a", .raw, pos(2)), ("b", .console, pos(4)), (nil, .filtered, pos(5)), ("c", .raw, pos(7))]),
            generation: 1)
        #expect(first == 0)
        w.complete(1, generation: 1, error: nil)  // b before a: no progress
        w.complete(3, generation: 1, error: nil)
        #expect(w.snapshot().ackedPosition == nil)
        #expect(w.snapshot().unacked == 1)
        w.complete(0, generation: 1, error: nil)  // a: everything up to c is acknowledged
        let s = w.snapshot()
        #expect(s.ackedPosition == pos(7))
        #expect(s.unacked == 0 && s.delivered == [2, 1, 0])
    }

    @Test func failuresAreResentAndOldGenerationsCannotFailNewSends() {
        let w = DeliveryWindow(start: pos(0))
        _ = w.append(routed([("a", .raw, pos(2)), ("b", .raw, pos(4))]), generation: 1)
        w.complete(0, generation: 1, error: "timed out")
        #expect(w.snapshot().failed == 1 && w.snapshot().errors == 1)
        let again = w.takeFailed(generation: 1)
        #expect(again.flatMap(\.seqs) == [0] && values(again) == ["a"] && w.snapshot().failed == 0)
        // A new producer takes over everything unacknowledged.
        let all = w.takeUnacked(generation: 2)
        #expect(all.flatMap(\.seqs) == [0, 1] && values(all) == ["a", "b"])
        w.complete(0, generation: 1, error: "purged")  // the old producer's purge is ignored
        #expect(w.snapshot().failed == 0)
        w.complete(1, generation: 1, error: nil)  // but its successes count
        w.complete(0, generation: 2, error: nil)
        #expect(w.snapshot().ackedPosition == pos(4))
        w.complete(1, generation: 2, error: nil)  // a duplicate delivery changes nothing
        #expect(w.snapshot().delivered == [2, 0, 0])
    }

    @Test func aBatchReportAcknowledgesItsLinesAndFailsOnlyTheFailedOnes() {
        let w = DeliveryWindow(start: pos(0))
        _ = w.append(
            routed([("a", .raw, pos(2)), (nil, .filtered, pos(3)), ("b", .console, pos(5)), ("c", .raw, pos(7))]),
            generation: 1)
        let error = KafkaError(code: .delivery, message: "timed out")
        w.complete([0, 2, 3], generation: 1, report: BatchDeliveryReport(count: 3, failures: [1: error]))
        var s = w.snapshot()
        #expect(s.ackedPosition == pos(3), "stops before the failed line b")
        #expect(s.unacked == 1 && s.failed == 1 && s.errors == 1 && s.delivered == [2, 0, 0])
        let again = w.takeFailed(generation: 1)
        #expect(again.flatMap(\.seqs) == [2] && values(again) == ["b"])
        w.complete(again.flatMap(\.seqs), generation: 1, report: BatchDeliveryReport(count: 1, failures: [:]))
        s = w.snapshot()
        #expect(s.ackedPosition == pos(7) && s.unacked == 0 && s.delivered == [2, 1, 0])
    }

    @Test func filteredLinesAloneMoveTheCheckpoint() {
        let w = DeliveryWindow()
        _ = w.append(routed([(nil, .filtered, pos(1)), (nil, .filtered, pos(2))]), generation: 1)
        #expect(w.snapshot().ackedPosition == pos(2))
    }

    /// Re-sends span reads: one sub-batch per original batch, each sharing its buffers; a batch
    /// is released once all its lines are acknowledged.
    @Test func resendsSpanBatchesAndAcknowledgedBatchesAreDropped() {
        let w = DeliveryWindow(start: pos(0))
        _ = w.append(routed([("a", .raw, pos(1)), ("b", .raw, pos(2))]), generation: 1)
        _ = w.append(routed([("c", .raw, pos(3)), (nil, .filtered, pos(4)), ("d", .raw, pos(5))]), generation: 1)
        w.complete(1, generation: 1, error: nil)
        w.complete(4, generation: 1, error: "boom")
        let all = w.takeUnacked(generation: 2)
        #expect(all.map(\.seqs) == [[0], [2, 4]])
        #expect(values(all) == ["a", "c", "d"])
        for seq: UInt64 in [0, 2, 4] { w.complete(seq, generation: 2, error: nil) }
        #expect(w.snapshot().ackedPosition == pos(5) && w.snapshot().unacked == 0)
        #expect(w.takeUnacked(generation: 3).isEmpty)
    }
}

@Suite struct LineRouterTests {
    let router = LineRouter(
        topics: Topics(prefix: "p"), serverID: "srv-1", version: "9.9", signer: LineSigner(secret: "s3cret"),
        maxLineBytes: 100)

    func line(_ text: String, offset: UInt64 = 42, oversize: Bool = false) -> LogLine {
        LogLine(
            fingerprint: 0xAB, offset: offset, endOffset: offset + UInt64(text.utf8.count) + 1, bytes: Array(text.utf8),
            oversize: oversize, length: oversize ? 500 : nil)
    }

    @Test func routesByTheExactTagAtLineStart() {
        #expect(router.kind(of: line("KAFKATORIO/1 player 1 2 {}")) == .raw)
        #expect(router.kind(of: line("KAFKATORIO/2 future")) == .raw)
        #expect(router.kind(of: line(" KAFKATORIO/1 player")) == .console)
        #expect(router.kind(of: line("kafkatorio/1 player")) == .console)
        #expect(router.kind(of: line("2019-01-20 10:30:04 [JOIN] User joined the game")) == .console)
        #expect(router.kind(of: line("   6.712 Info ServerMultiplayerManager.cpp:699: mapTick(9911)")) == .console)
        #expect(router.kind(of: line("")) == .filtered)
        #expect(router.kind(of: line("\r")) == .filtered)
        #expect(router.kind(of: line("KAFKATORIO/1 x", oversize: true)) == .deadLetter)
        let quiet = LineRouter(topics: Topics(), serverID: "s", version: "1", signer: nil, shipConsole: false, maxLineBytes: 100)
        #expect(quiet.kind(of: line("[CHAT] hi")) == .filtered)
        #expect(quiet.kind(of: line("KAFKATORIO/1 x")) == .raw)
    }

    @Test func recordsCarryKeyHeadersAndAVerifiableSignature() throws {
        let l = line("KAFKATORIO/1 player 1 2 {}", offset: 1234)
        let routed = router.route(ReadBatch(lines: [line(""), l]))
        #expect(routed.lines.map(\.kind) == [.filtered, .raw] && routed.lines.map(\.record) == [-1, 0])
        #expect(routed.lines[1].position == Checkpoint(fingerprint: 0xAB, offset: l.endOffset))
        let m = routed.batch.message(at: 0)
        #expect(m.topic == "p.raw")
        #expect(m.key == Array("srv-1".utf8))
        #expect(m.value == Array(l.bytes))
        func header(_ k: String) -> String? {
            m.headers.first { $0.key == k }?.value.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(header("server") == "srv-1")
        #expect(header("source") == "00000000000000ab:1234")
        #expect(header("logpipe-version") == "9.9")
        // The signature, in provenance format 2, covers the server, the topic kind, the source
        // position and the line.
        let signature = try #require(header("signature"))
        #expect(signature.hasPrefix("2:") && signature.utf8.count == 66)
        let identity = RecordIdentity(kind: .raw, fingerprint: 0xAB, offset: 1234)
        let signer = ProvenanceSigner(secret: "s3cret", server: "srv-1")
        #expect(signer.verify(identity, value: l.bytes, signature: signature))
        #expect(signature == signer.signature(identity, value: l.bytes))
        #expect(!ProvenanceSigner(secret: "other", server: "srv-1").verify(identity, value: l.bytes, signature: signature))
        #expect(!ProvenanceSigner(secret: "s3cret", server: "srv-2").verify(identity, value: l.bytes, signature: signature))
        var moved = identity
        moved.offset = UInt64.max
        #expect(!signer.verify(moved, value: l.bytes, signature: signature))
        moved = identity
        moved.kind = .console
        #expect(!signer.verify(moved, value: l.bytes, signature: signature))
        #expect(!LineSigner(secret: "s3cret").verify(l.bytes, signature: String(signature.dropFirst(2))), "not format 1's")
    }

    @Test func oversizeLinesGoToTheDeadLetterTopicWithAReason() throws {
        let routed = router.route(ReadBatch(lines: [line("x", oversize: true)]))
        let m = routed.batch.message(at: 0)
        #expect(m.topic == "p.deadletter")
        #expect(m.headers.contains { $0.key == "reason" && $0.value == Array("line_too_long".utf8) })
        #expect(m.headers.contains { $0.key == "detail" && String(decoding: $0.value ?? [], as: UTF8.self).contains("500 bytes") })
    }

    @Test func sourceHeaderFormat() {
        let l = LogLine(fingerprint: UInt64.max, offset: 0, endOffset: 1, bytes: [])
        #expect(String(decoding: LineRouter.source(l), as: UTF8.self) == "ffffffffffffffff:0")
        let m = LogLine(fingerprint: 1, offset: UInt64.max, endOffset: 1, bytes: [])
        #expect(String(decoding: LineRouter.source(m), as: UTF8.self) == "0000000000000001:18446744073709551615")
    }
}
