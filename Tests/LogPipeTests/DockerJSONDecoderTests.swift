import Foundation
import KafkaModel
import Shared
import Testing

import LogPipeCore

/// Writes Docker json-file entries the way the json-file driver does (Go's escaping: `\n`, `\r`,
/// `\"`, `\\`, `<>&` and other control characters as `\u00XX`, invalid UTF-8 as `\ufffd`), for
/// the decoder tests and the broker tests.
enum DockerLog {
    /// One entry (without its newline) for `log` printed on `stream`; `time` varies with `i`.
    static func entry(_ log: [UInt8], stream: String = "stdout", i: Int = 0) -> [UInt8] {
        var out = Array("{\"log\":\"".utf8)
        var index = 0
        let hex = Array("0123456789abcdef".utf8)
        while index < log.count {
            let b = log[index]
            if b < 0x80 {
                switch b {
                case 0x0A: out += Array("\\n".utf8)
                case 0x0D: out += Array("\\r".utf8)
                case 0x22: out += Array("\\\"".utf8)
                case 0x5C: out += Array("\\\\".utf8)
                case 0x3C, 0x3E, 0x26, 0..<0x20: out += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 0xF)]]
                default: out.append(b)
                }
                index += 1
                continue
            }
            // A valid UTF-8 sequence is copied; an invalid byte becomes \ufffd (as Go does).
            let width = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0
            let end = index + width
            if width > 0, end <= log.count, String(validating: log[index..<end], as: UTF8.self) != nil {
                out += log[index..<end]
                index = end
            } else {
                out += Array("\\ufffd".utf8)
                index += 1
            }
        }
        let nanos = String(format: "%09d", i % 1_000_000_000)
        out += Array("\",\"stream\":\"\(stream)\",\"time\":\"2026-11-24T12:00:00.\(nanos)Z\"}".utf8)
        return out
    }

    /// The entries Docker writes for one printed line: pieces of at most `split` bytes, the last
    /// one with the newline.
    static func entries(forLine line: [UInt8], stream: String = "stdout", split: Int = 16 * 1024, i: Int = 0) -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        var rest = line[...]
        while rest.count >= split {
            pieces.append(Array(rest.prefix(split)))
            rest = rest.dropFirst(split)
        }
        pieces.append(Array(rest) + [0x0A])
        return pieces.map { entry($0, stream: stream, i: i) }
    }
}

@Suite struct DockerJSONDecoderTests {
    /// A raw batch of `entries` as the file follower reads them (offsets in the file).
    static func raw(_ entries: [[UInt8]], from start: UInt64 = 0, fingerprint: UInt64 = 0xF1) -> ReadBatch {
        var offset = start
        var lines: [LogLine] = []
        for e in entries {
            lines.append(LogLine(fingerprint: fingerprint, offset: offset, endOffset: offset + UInt64(e.count) + 1, bytes: e))
            offset += UInt64(e.count) + 1
        }
        return ReadBatch(lines: lines)
    }

    static func text(_ line: LogLine) -> String { String(decoding: line.bytes, as: UTF8.self) }

    func decode(_ entries: [[UInt8]], streams: DockerStreams = .stdout, max: Int = 1 << 20) -> ReadBatch {
        var decoder = DockerJSONDecoder(streams: streams, maxLineBytes: max)
        return decoder.decode(Self.raw(entries))
    }

    @Test func entriesBecomeTheirLinesAtTheirOffsets() {
        let entries = [
            DockerLog.entry(Array("KAFKATORIO/1 player 1 2 {}\n".utf8)),
            DockerLog.entry(Array("   1.000 Info Saving map\r\n".utf8), i: 1),
            DockerLog.entry(Array("\n".utf8), i: 2),
        ]
        let out = decode(entries)
        #expect(out.lines.map(Self.text) == ["KAFKATORIO/1 player 1 2 {}", "   1.000 Info Saving map\r", ""])
        #expect(out.lines.map(\.offset) == Self.raw(entries).lines.map(\.offset))
        #expect(out.lines.map(\.endOffset) == Self.raw(entries).lines.map(\.endOffset))
        #expect(out.lines.allSatisfy { $0.fingerprint == 0xF1 && !$0.oversize })
        #expect(out.rejections.isEmpty && out.resumePositions.isEmpty)
    }

    @Test func escapesSurrogatePairsAndTheReplacementCharacter() {
        // What the game printed: markup, quotes, a tab, an emoji, and two invalid bytes.
        let printed: [UInt8] = Array("<b>\"a\\b\"</b> & \t 😀 é ".utf8) + [0xFF, 0xC3] + Array(" end\n".utf8)
        let out = decode([
            DockerLog.entry(printed), Array(#"{"log":"\ud83d\ude00 \u00e9\/\b\f\n","stream":"stdout"}"#.utf8),
        ])
        #expect(out.lines.count == 2)
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
        #expect(Array(out.lines[0].bytes) == Array("<b>\"a\\b\"</b> & \t 😀 é ".utf8) + replacement + replacement + Array(" end".utf8))
        #expect(Array(out.lines[1].bytes) == Array("😀 é/".utf8) + [0x08, 0x0C])
    }

    @Test func splitEntriesAreJoinedPerStreamAndResumeAtTheirFirstEntry() {
        let long = Array(String(repeating: "0123456789", count: 5_000).utf8)  // 50,000 bytes: 4 entries
        var entries = DockerLog.entries(forLine: Array("KAFKATORIO/1 chunk_terrain 1 1 ".utf8) + long)
        #expect(entries.count == 4)
        // stderr pieces interleave with stdout's, as Docker's two copiers write them.
        let err = DockerLog.entries(forLine: Array("E".utf8) + long, stream: "stderr")
        entries.insert(err[0], at: 1)
        entries.insert(err[1], at: 3)
        entries.insert(contentsOf: err[2...], at: 4)  // the stderr line ends before the stdout one
        let raw = Self.raw(entries)
        let both = decode(entries, streams: [.stdout, .stderr])
        #expect(both.lines.map { $0.bytes.count } == [long.count + 1, long.count + 31])
        #expect(Array(both.lines[0].bytes) == Array("E".utf8) + long)
        #expect(Array(both.lines[1].bytes) == Array("KAFKATORIO/1 chunk_terrain 1 1 ".utf8) + long)
        // Each line is identified by the entry that ends it.
        let stderrEnd = 4 + err.count - 3
        #expect(both.lines[0].offset == raw.lines[stderrEnd].offset && both.lines[0].endOffset == raw.lines[stderrEnd].endOffset)
        #expect(both.lines[1].offset == raw.lines.last?.offset)
        // The stderr line completes while the stdout line is incomplete: resume at stdout's first entry.
        #expect(both.position(after: 0) == Checkpoint(fingerprint: 0xF1, offset: 0))
        #expect(both.position(after: 1) == Checkpoint(fingerprint: 0xF1, offset: raw.lines.last!.endOffset))

        let stdoutOnly = decode(entries)
        #expect(stdoutOnly.lines.map { $0.bytes.count } == [0, long.count + 31], "stderr's line is an empty filtered line")
        #expect(stdoutOnly.position(after: 0) == Checkpoint(fingerprint: 0xF1, offset: 0))
        let stderrOnly = decode(entries, streams: .stderr)
        #expect(stderrOnly.lines.map { $0.bytes.count } == [long.count + 1, 0])
    }

    @Test func aSplitLineContinuesAcrossReadsAndFiles() {
        var decoder = DockerJSONDecoder(streams: .stdout, maxLineBytes: 1 << 20)
        let entries = DockerLog.entries(forLine: Array(repeating: 0x61, count: 40_000))
        let first = decoder.decode(Self.raw(Array(entries[..<2]), fingerprint: 0xA))
        #expect(first.lines.isEmpty && decoder.pendingRawBytes == UInt64(entries[0].count + entries[1].count + 2))
        // The driver rotated between two pieces: the last one is at the start of the new file.
        let second = decoder.decode(Self.raw([entries[2]], fingerprint: 0xB))
        #expect(second.lines.count == 1 && second.lines[0].bytes.count == 40_000)
        #expect(second.lines[0].fingerprint == 0xB && second.lines[0].offset == 0)
        #expect(decoder.pendingRawBytes == 0)
    }

    @Test func maxLineBytesAppliesToTheJoinedLine() {
        let entries = DockerLog.entries(forLine: Array(repeating: 0x78, count: 3000), split: 1000) + [
            DockerLog.entry(Array("after\n".utf8))
        ]
        let out = decode(entries, max: 1024)
        #expect(out.lines.count == 2)
        #expect(out.lines[0].oversize && out.lines[0].bytes.count == 1024 && out.lines[0].length == 3000)
        #expect(Self.text(out.lines[1]) == "after" && !out.lines[1].oversize)
    }

    @Test func brokenEntriesAreRejectedWithWhatWasWrongAndTheRestFlows() {
        let bad: [(String, String)] = [
            (#"{"log":"unterminated"#, "invalid JSON"),
            (#"["log"]"#, "not a JSON object"),
            (#""just a string""#, "not a JSON object"),
            (#"{"stream":"stdout","time":"2026-11-24T12:00:00Z"}"#, "missing log"),
            (#"{"log":42,"stream":"stdout"}"#, "log is not a string"),
            (#"{"log":"x\n"}"#, "missing stream"),
            (#"{"log":"x\n","stream":"stdin"}"#, "stream \"stdin\" is neither stdout nor stderr"),
            (#"{"log":"x\n","stream":"stdout"} trailing"#, "invalid JSON: bytes after the object"),
            (#"{"log":"x\n","log":"y\n","stream":"stdout"}"#, "invalid JSON: duplicate key log"),
            (#"{"log":"\ud800 lone\n","stream":"stdout"}"#, "invalid UTF-8: unpaired surrogate escape"),
        ]
        var entries: [[UInt8]] = []
        for (i, (text, _)) in bad.enumerated() {
            entries.append(Array(text.utf8))
            entries.append(DockerLog.entry(Array("good \(i)\n".utf8), i: i))
        }
        let rawInvalidUTF8 = Array(#"{"log":"caf"#.utf8) + [0xC3, 0x28] + Array(#"\n","stream":"stdout"}"#.utf8)
        entries.append(rawInvalidUTF8)
        let out = decode(entries)
        #expect(out.lines.count == entries.count)
        let raw = Self.raw(entries)
        for (i, (text, detail)) in bad.enumerated() {
            let rejection = out.rejections[2 * i]
            #expect(rejection?.reason == "bad_docker_entry")
            #expect(rejection?.detail.hasPrefix(detail) == true, "\(text): \(rejection?.detail ?? "accepted")")
            #expect(Self.text(out.lines[2 * i]) == text, "the dead letter is the raw entry")
            #expect(out.lines[2 * i].offset == raw.lines[2 * i].offset)
            #expect(Self.text(out.lines[2 * i + 1]) == "good \(i)" && out.rejections[2 * i + 1] == nil)
        }
        #expect(out.rejections[entries.count - 1]?.detail.hasPrefix("invalid UTF-8") == true)
        #expect(out.rejections.count == bad.count + 1)
    }

    @Test func aBrokenEntryEndsTheIncompleteSplitLinesBeforeItsDeadLetter() {
        let out = entriesAroundABrokenOne()
        #expect(out.lines.map(Self.text) == ["piece one", "err piece", "{oops", "next line"])
        // The interrupted lines get the broken entry's offset (+1): inside its bytes, in order.
        let brokenAt = out.lines[2].offset
        #expect(out.lines[0].offset == brokenAt && out.lines[1].offset == brokenAt + 1)
        #expect(out.rejections.keys.sorted() == [2])
        // Until the last of them is acknowledged, a restart rebuilds both; then it resumes at the broken entry.
        #expect(out.position(after: 0) == Checkpoint(fingerprint: 0xF1, offset: 0))
        #expect(out.position(after: 1) == Checkpoint(fingerprint: 0xF1, offset: brokenAt))
        #expect(out.position(after: 2) == Checkpoint(fingerprint: 0xF1, offset: out.lines[2].endOffset))
    }

    func entriesAroundABrokenOne() -> ReadBatch {
        decode(
            [
                DockerLog.entry(Array("piece one".utf8)), DockerLog.entry(Array("err piece".utf8), stream: "stderr"),
                Array("{oops".utf8), DockerLog.entry(Array("next line\n".utf8)),
            ], streams: [.stdout, .stderr])
    }

    @Test func blankRawLinesAreFilteredAndOversizeEntriesRejected() {
        var decoder = DockerJSONDecoder(streams: .stdout, maxLineBytes: 1024)
        var batch = Self.raw([[], Array("  \r".utf8), DockerLog.entry(Array("ok\n".utf8))])
        let out = decoder.decode(batch)
        #expect(out.lines.map(Self.text) == ["", "", "ok"] && out.rejections.isEmpty)
        batch = ReadBatch(lines: [
            LogLine(fingerprint: 1, offset: 0, endOffset: 200_001, bytes: Array(repeating: 0x7B, count: 1024), oversize: true, length: 200_000)
        ])
        let rejected = decoder.decode(batch)
        #expect(rejected.rejections[0]?.detail.hasPrefix("entry of 200000 bytes exceeds the limit") == true)
        #expect(rejected.lines[0].bytes.count == 1024)
    }

    /// Restarting at any position the decoder reported yields the same lines, with the same
    /// sources, as reading on: the checkpoint never falls inside a split line.
    @Test func resumingAtAnyReportedPositionReproducesTheRestWithTheSameSources() {
        var entries: [[UInt8]] = []
        for i in 0..<60 {
            let stream = i % 3 == 0 ? "stderr" : "stdout"
            let text = Array("line \(i) ".utf8) + Array(repeating: UInt8(0x61 + i % 26), count: (i * 977) % 5000)
            entries += DockerLog.entries(forLine: text, stream: stream, split: 1500, i: i)
            if i % 17 == 5 { entries.append(Array("broken \(i)".utf8)) }
        }
        // Interleave: move every third entry one place later.
        for i in stride(from: 0, to: entries.count - 1, by: 3) { entries.swapAt(i, i + 1) }
        let raw = Self.raw(entries)
        for streams: DockerStreams in [.stdout, [.stdout, .stderr]] {
            let all = decode(entries, streams: streams)
            let sources = all.lines.map { "\($0.offset) \(Self.text($0))" }
            for index in all.lines.indices {
                let resume = all.position(after: index)
                guard let first = raw.lines.firstIndex(where: { $0.offset == resume.offset }) else {
                    #expect(resume.offset == raw.lines.last?.endOffset)
                    continue
                }
                var decoder = DockerJSONDecoder(streams: streams, maxLineBytes: 1 << 20)
                let again = decoder.decode(Self.raw(Array(entries[first...]), from: resume.offset))
                let replayed = again.lines.map { "\($0.offset) \(Self.text($0))" }
                // What comes after the restart is the suffix of the lines after `index`, possibly
                // preceded by lines read again (duplicates with the same source and bytes).
                let rest = Array(sources[(index + 1)...])
                #expect(Array(replayed.suffix(rest.count)) == rest, "resume after line \(index) at \(resume.offset)")
                if streams == .stdout {  // the documented limit of two streams: a replay may be cut
                    #expect(Set(replayed.dropLast(rest.count)).isSubset(of: Set(sources[...index])))
                }
            }
        }
    }

    @Test func dockerStreamsSetting() {
        #expect(DockerStreams(setting: "stdout") == .stdout)
        #expect(DockerStreams(setting: "stderr") == .stderr)
        #expect(DockerStreams(setting: "stdout,stderr") == [.stdout, .stderr])
    }

    @Test func rejectedLinesGoToTheDeadLetterTopicWithTheirReason() {
        let router = LineRouter(topics: Topics(prefix: "p"), serverID: "s", version: "1", signer: nil, maxLineBytes: 1024)
        let routed = router.route(entriesAroundABrokenOne())
        #expect(routed.lines.map(\.kind) == [.console, .console, .deadLetter, .console])
        let m = routed.batch.message(at: 2)
        #expect(m.topic == "p.deadletter" && m.value == Array("{oops".utf8))
        #expect(m.headers.contains { $0.key == "reason" && $0.value == Array("bad_docker_entry".utf8) })
        #expect(m.headers.contains { $0.key == "detail" && String(decoding: $0.value ?? [], as: UTF8.self).hasPrefix("invalid JSON") })
        #expect(routed.lines[1].position == Checkpoint(fingerprint: 0xF1, offset: routed.lines[2].position.offset - 6))
    }
}
