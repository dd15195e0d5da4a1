/// The partition librdkafka's default partitioner (`consistent_random`) gives a keyed record:
/// CRC-32 (IEEE, as zlib) of the key modulo the partition count. The renderer uses it to send
/// state and pyramid records to the partition that holds their region or bucket; PacketIngest to
/// check that a record of `raw`/`console` is on its server's partition (a replay elsewhere is
/// dead-lettered `wrong_partition`).
package enum Partitioner {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 of `bytes`.
    package static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    /// The partition of `key` among `count` partitions.
    package static func partition(of key: String, count: Int) -> Int32 {
        Int32(crc32(key.utf8) % UInt32(max(1, count)))
    }
}
