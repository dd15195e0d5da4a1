import CLibDeflate

/// zlib-compresses `data` with libdeflate at `level` (1…12; 12, the default, is the smallest output,
/// which builds the tests' deflate bombs). Traps if libdeflate cannot allocate a compressor.
package func zlibCompress(_ data: [UInt8], level: Int32 = 12) -> [UInt8] {
    guard let compressor = libdeflate_alloc_compressor(level) else {
        fatalError("libdeflate_alloc_compressor(\(level)) failed")
    }
    defer { libdeflate_free_compressor(compressor) }
    var out = [UInt8](repeating: 0, count: libdeflate_zlib_compress_bound(compressor, data.count))
    let n = data.withUnsafeBytes { input in
        out.withUnsafeMutableBytes { output in
            libdeflate_zlib_compress(compressor, input.baseAddress, input.count, output.baseAddress, output.count)
        }
    }
    return Array(out[..<n])
}
