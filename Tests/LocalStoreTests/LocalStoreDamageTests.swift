import Foundation
import LocalStore
import Testing

/// Damaged files are reported as ``LocalStoreError/Kind/corrupt``, never a crash.
@Suite struct LocalStoreDamageTests {
    /// Writes enough to leave table files (SSTs) on disk, closes, returns their paths, largest first.
    func filledStore(_ dir: String) throws -> [String] {
        let store = try LocalStore(directory: dir, options: LocalStoreOptions(writeBufferBytes: 1 << 20, compress: false))
        for i in 0..<30 {
            var b = LocalStoreBatch()
            for j in 0..<40 { b.put(bytes("r/\(i)/\(j)"), [UInt8](repeating: UInt8(truncatingIfNeeded: i &* 40 &+ j), count: 2500)) }
            try store.write(b, sync: false)
        }
        store.close()
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".sst") }.map { dir + "/" + $0 }
        return try files.sorted {
            (try FileManager.default.attributesOfItem(atPath: $0)[.size] as! Int) > (try FileManager.default.attributesOfItem(atPath: $1)[.size] as! Int)
        }
    }

    /// Opens `dir` and reads everything; returns the error's kind (nil: no error).
    func openAndReadAll(_ dir: String) -> LocalStoreError.Kind? {
        do {
            let store = try LocalStore(directory: dir, options: LocalStoreOptions(createIfMissing: false))
            try store.scan(prefix: []) { _, _ in true }
            return nil
        } catch let e as LocalStoreError {
            return e.kind
        } catch {
            return .other
        }
    }

    @Test func truncatedTableFileIsCorrupt() throws {
        try withStoreDirectory { dir in
            let ssts = try filledStore(dir)
            try #require(!ssts.isEmpty)
            #expect(openAndReadAll(dir) == nil)
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: ssts[0]))
            try h.truncate(atOffset: 1000)
            try h.close()
            #expect(openAndReadAll(dir) == .corrupt)
        }
    }

    @Test func overwrittenTableBytesAreCorrupt() throws {
        try withStoreDirectory { dir in
            let ssts = try filledStore(dir)
            try #require(!ssts.isEmpty)
            let h = try FileHandle(forUpdating: URL(fileURLWithPath: ssts[0]))
            try h.seek(toOffset: 4096)
            h.write(Data(repeating: 0x5a, count: 4096))
            try h.close()
            #expect(openAndReadAll(dir) == .corrupt)
        }
    }

    @Test func garbledManifestPointerIsCorrupt() throws {
        try withStoreDirectory { dir in
            _ = try filledStore(dir)
            try Data("garbage".utf8).write(to: URL(fileURLWithPath: dir + "/CURRENT"))
            #expect(openAndReadAll(dir) == .corrupt)
        }
    }

    @Test func destroyRemovesTheStore() throws {
        try withStoreDirectory { dir in
            _ = try filledStore(dir)
            try LocalStore.destroy(directory: dir)
            #expect(!FileManager.default.fileExists(atPath: dir))
            try LocalStore.destroy(directory: dir)  // absent: nothing to do
            let fresh = try LocalStore(directory: dir)
            #expect(try fresh.get(bytes("r/0/0")) == nil)
        }
    }
}
