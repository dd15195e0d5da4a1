import Foundation
import LocalStore
import Testing

/// A fresh directory under the temporary directory, removed at the end of `body`.
@discardableResult
func withStoreDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("localstore-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try body(dir)
}

/// ``withStoreDirectory(_:)`` for an async body.
func withStoreDirectory(_ body: (String) async throws -> Void) async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("localstore-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await body(dir)
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite struct LocalStoreTests {
    @Test func roundTripPutGetDelete() throws {
        try withStoreDirectory { dir in
            let store = try LocalStore(directory: dir)
            #expect(try store.get(bytes("a")) == nil)
            var batch = LocalStoreBatch()
            batch.put(bytes("a"), bytes("1"))
            batch.put(bytes("b"), [])
            batch.put([0, 255], [UInt8](repeating: 7, count: 100_000))
            try store.write(batch, sync: true)
            #expect(try store.get(bytes("a")) == bytes("1"))
            #expect(try store.get(bytes("b")) == [])
            #expect(try store.get([0, 255]) == [UInt8](repeating: 7, count: 100_000))
            var second = LocalStoreBatch()
            second.delete(bytes("a"))
            second.put(bytes("c"), bytes("x"))
            second.delete(bytes("c"))  // a later operation on the same key wins
            try store.write(second, sync: false)
            #expect(try store.get(bytes("a")) == nil)
            #expect(try store.get(bytes("c")) == nil)
            #expect(store.diskBytes > 0)
        }
    }

    @Test func scanVisitsPrefixInKeyOrderAndStops() throws {
        try withStoreDirectory { dir in
            let store = try LocalStore(directory: dir)
            var batch = LocalStoreBatch()
            for k in ["p/3", "p/1", "q/0", "p/10", "o/9", "p/2"] { batch.put(bytes(k), bytes("v" + k)) }
            try store.write(batch, sync: false)
            var seen: [String] = []
            try store.scan(prefix: bytes("p/")) { k, v in
                #expect(v == bytes("v") + k)
                seen.append(String(decoding: k, as: UTF8.self))
                return true
            }
            #expect(seen == ["p/1", "p/10", "p/2", "p/3"])
            var first: [String] = []
            try store.scan(prefix: []) { k, _ in
                first.append(String(decoding: k, as: UTF8.self))
                return first.count < 2
            }
            #expect(first == ["o/9", "p/1"])
        }
    }

    /// Readers never see part of a batch: every scan finds all keys of one generation.
    @Test func batchesAreAtomicForReaders() async throws {
        try await withStoreDirectory { dir in
            let store = try LocalStore(directory: dir)
            let keys = (0..<50).map { bytes(String(format: "k/%03d", $0)) }
            func generation(_ g: Int) -> LocalStoreBatch {
                var b = LocalStoreBatch()
                for k in keys { b.put(k, bytes(String(g))) }
                return b
            }
            try store.write(generation(0), sync: false)
            let writer = Task.detached {
                for g in 1...300 { try store.write(generation(g), sync: false) }
            }
            var scans = 0, mixed = 0
            while !writer.isCancelled {
                var values = Set<[UInt8]>()
                var count = 0
                try store.scan(prefix: bytes("k/")) { _, v in
                    values.insert(v)
                    count += 1
                    return true
                }
                #expect(count == keys.count)
                if values.count != 1 { mixed += 1 }
                scans += 1
                if try store.get(keys[0]) == bytes("300") { break }
            }
            try await writer.value
            #expect(scans > 0)
            #expect(mixed == 0)
        }
    }

    @Test func reopenKeepsData() throws {
        try withStoreDirectory { dir in
            do {
                let store = try LocalStore(directory: dir, options: LocalStoreOptions(writeBufferBytes: 1 << 20))
                for i in 0..<40 {
                    var b = LocalStoreBatch()
                    for j in 0..<50 { b.put(bytes("r/\(i)/\(j)"), [UInt8](repeating: UInt8(j), count: 2000)) }
                    try store.write(b, sync: i == 39)
                }
                store.close()
                #expect(throws: LocalStoreError.self) { try store.get(bytes("r/0/0")) }
            }
            let reopened = try LocalStore(directory: dir)
            #expect(try reopened.get(bytes("r/17/3")) == [UInt8](repeating: 3, count: 2000))
            var n = 0
            try reopened.scan(prefix: bytes("r/")) { _, _ in n += 1; return true }
            #expect(n == 2000)
        }
    }

    @Test func secondOpenerIsToldTheStoreIsLocked() throws {
        try withStoreDirectory { dir in
            let store = try LocalStore(directory: dir)
            do {
                _ = try LocalStore(directory: dir)
                Issue.record("a second opener succeeded")
            } catch let error as LocalStoreError {
                #expect(error.kind == .locked, "\(error)")
                #expect(error.description.contains(dir))
            }
            store.close()
            // Released by close: it opens again.
            _ = try LocalStore(directory: dir)
        }
    }

    @Test func missingStoreWithoutCreateIsReported() throws {
        try withStoreDirectory { dir in
            #expect {
                try LocalStore(directory: dir, options: LocalStoreOptions(createIfMissing: false))
            } throws: { ($0 as? LocalStoreError)?.kind == .missing }
        }
    }
}
