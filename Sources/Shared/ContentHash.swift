/// Content hashing: tile change detection (TileRenderer), strong ETags (MapGateway) and log-file
/// fingerprints (LogPipe).
public enum ContentHash {
    /// 64-bit FNV-1a of `bytes`.
    public static func fnv1a64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// A strong HTTP entity tag for `bytes`: the 16-digit lower-case hex FNV-1a hash in quotes,
    /// e.g. `"af63bd4c8601b7df"`.
    public static func strongETag(_ bytes: some Sequence<UInt8>) -> String {
        let hex = String(fnv1a64(bytes), radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }
}
