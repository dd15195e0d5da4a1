#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Wall-clock time as Unix milliseconds: the gateway API's one time format, and the base of tile
/// versions.
public enum WallClock {
    /// Milliseconds since 1970-01-01T00:00:00Z, now.
    public static func nowMillis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
