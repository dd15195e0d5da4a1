import CLibDeflate

/// Byte-level pieces of the PNG container shared by the encoder and the decoder.
enum PNGFormat {
    /// The 8-byte PNG signature.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Chunk type codes as big-endian 32-bit values.
    static let ihdr: UInt32 = 0x4948_4452
    static let plte: UInt32 = 0x504C_5445
    static let trns: UInt32 = 0x7452_4E53
    static let idat: UInt32 = 0x4944_4154
    static let iend: UInt32 = 0x4945_4E44

    /// The four ASCII letters of a chunk type (for error messages).
    static func name(_ type: UInt32) -> String {
        let bytes = [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: type >> UInt32($0)) }
        if bytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return "0x" + String(type, radix: 16)
    }

    /// CRC-32 (the PNG/zlib polynomial) of `bytes`, continuing from `crc` (0 to start).
    static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return crc }
        return libdeflate_crc32(crc, base, bytes.count)
    }
}

extension Array where Element == UInt8 {
    /// Appends `v` as four big-endian bytes.
    mutating func appendBE32(_ v: UInt32) {
        append(UInt8(truncatingIfNeeded: v >> 24))
        append(UInt8(truncatingIfNeeded: v >> 16))
        append(UInt8(truncatingIfNeeded: v >> 8))
        append(UInt8(truncatingIfNeeded: v))
    }

    /// Appends a complete chunk: length, type, data and CRC over type and data.
    mutating func appendChunk(_ type: UInt32, _ data: [UInt8]) {
        appendBE32(UInt32(data.count))
        let typeStart = count
        appendBE32(type)
        append(contentsOf: data)
        let crc = withUnsafeBytes { PNGFormat.crc32(UnsafeRawBufferPointer(rebasing: $0[typeStart...])) }
        appendBE32(crc)
    }
}

extension UnsafeRawBufferPointer {
    /// The big-endian 32-bit value at `offset` (the caller checks bounds).
    @inline(__always) func readBE32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8
            | UInt32(self[offset + 3])
    }
}
