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
        strongETag(hash: fnv1a64(bytes))
    }

    /// The strong HTTP entity tag of content whose ``fnv1a64(_:)`` is `hash`.
    public static func strongETag(hash: UInt64) -> String {
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }

    /// The hash in a tile record's `hash` header (``RecordHeader/contentHash``): ``fnv1a64(_:)``
    /// of the value as TileRenderer writes it, 1 to 16 lower-case hex digits (no sign, no
    /// prefix); nil for anything else.
    public static func fromHeader(_ value: some StringProtocol) -> UInt64? {
        let digits = value.utf8
        guard (1...16).contains(digits.count),
            digits.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        return UInt64(value, radix: 16)
    }
}
