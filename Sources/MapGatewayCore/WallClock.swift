#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Wall-clock time as Unix milliseconds, the one time format the gateway's API uses.
public enum WallClock {
    /// Milliseconds since 1970-01-01T00:00:00Z, now.
    public static func nowMillis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
