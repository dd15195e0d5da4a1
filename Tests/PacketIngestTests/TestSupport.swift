import CLibDeflate
import Foundation

/// zlib-compresses with libdeflate (level 12): builds deflate bombs.
func zlibCompress(_ data: [UInt8]) -> [UInt8] {
    let c = libdeflate_alloc_compressor(12)!
    defer { libdeflate_free_compressor(c) }
    var out = [UInt8](repeating: 0, count: libdeflate_zlib_compress_bound(c, data.count))
    let n = data.withUnsafeBytes { i in
        out.withUnsafeMutableBytes { o in libdeflate_zlib_compress(c, i.baseAddress, i.count, o.baseAddress, o.count) }
    }
    return Array(out[..<n])
}

/// A fresh scratch directory under the system temporary directory.
func scratchDirectory(_ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}
