import Foundation
@testable import Shared
import TestSupport
import Testing

/// The duplicate-key check over unknown keys is linear (issue 17): golden against the old pairwise
/// check on random objects, and a 15,000-key line in a `~` payload decodes with a bounded number
/// of pairwise comparisons.
@Suite struct DuplicateKeyTests {
    /// The old check: each unknown key compared with every earlier one.
    static func firstDuplicate(_ keys: [String]) -> String? {
        var seen: [String] = []
        for k in keys {
            if seen.contains(k) { return k }
            seen.append(k)
        }
        return nil
    }

    @Test func sameVerdictAsThePairwiseCheckOnRandomObjects() throws {
        var rng = SplitMix64(state: 17)
        for round in 0..<400 {
            let count = Int(rng.next() % 40)
            let alphabet = Int(rng.next() % 60) + 1  // small alphabets make duplicates likely
            var keys = (0..<count).map { _ in "k\(rng.next() % UInt64(alphabet))" }
            if round % 7 == 0 { keys.append("message") }  // a known key twice is caught by the bit mask
            let fields = (["\"message\":\"m\""] + keys.map { "\"\($0)\":\(rng.next() % 100)" }).joined(separator: ",")
            let line = Array("KAFKATORIO/1 chat 1 1 {\(fields)}".utf8)
            let expected = round % 7 == 0 ? (Self.firstDuplicate(keys.dropLast()) ?? "message") : Self.firstDuplicate(keys)
            do {
                _ = try PacketLine.decode(line)
                #expect(expected == nil, "round \(round): \(keys)")
            } catch {
                #expect(error.reason == .invalidJSON, "round \(round)")
                #expect(error.detail == "duplicate key \(expected ?? "-")", "round \(round): \(keys)")
            }
        }
    }

    @Test func fifteenThousandUnknownKeysCostBoundedComparisons() throws {
        var keys = JSONScanner.UnknownKeys()
        var fresh = 0
        for i in 0..<15_000 where keys.insert(Array("key\(i)".utf8)) { fresh += 1 }
        #expect(fresh == 15_000)
        let again = [keys.insert(Array("key14999".utf8)), keys.insert(Array("key0".utf8))]
        #expect(again == [false, false])
        let limit = JSONScanner.UnknownKeys.linearLimit
        #expect(keys.comparisons == limit * (limit + 1) / 2, "pairwise only below the limit, then hashed")

        // The same as a 64 KiB line: a compressed chat payload with 15,000 unknown keys.
        let json = "{\"message\":\"m\"," + (0..<15_000).map { "\"key\($0)\":0" }.joined(separator: ",") + "}"
        let line = "KAFKATORIO/1 chat 1 1 ~" + Data(zlibCompress(Array(json.utf8))).base64EncodedString()
        #expect(line.utf8.count <= PacketLimits().maxLineBytes)
        let packet = try PacketLine.decode(Array(line.utf8))
        #expect(packet.type == .chat)
        let duplicated = "KAFKATORIO/1 chat 1 1 ~" + Data(zlibCompress(Array((json.dropLast() + ",\"key7\":1}").utf8))).base64EncodedString()
        #expect(throws: PacketError.self) { try PacketLine.decode(Array(duplicated.utf8)) }
    }
}
