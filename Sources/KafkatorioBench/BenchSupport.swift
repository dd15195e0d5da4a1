#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Timing and formatting shared by the benchmarks.
enum Bench {
    /// Monotonic time in seconds.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Runs `body` (which returns how many items it processed) once to warm up, then repeatedly for
    /// about `seconds`; items per second.
    static func measure(seconds: Double, _ body: () -> Int) -> Double {
        _ = body()
        var done = 0
        let start = now()
        var elapsed = 0.0
        repeat {
            done += body()
            elapsed = now() - start
        } while elapsed < seconds
        return Double(done) / elapsed
    }

    /// `v` rounded to `decimals` places, with trailing zeros kept.
    static func format(_ v: Double, _ decimals: Int) -> String {
        var p = 1.0
        for _ in 0..<decimals { p *= 10 }
        let r = (v * p).rounded() / p
        var s = decimals == 0 ? String(Int(r)) : String(r)
        if decimals > 0, let dot = s.firstIndex(of: ".") {
            let have = s.distance(from: dot, to: s.endIndex) - 1
            if have < decimals { s += String(repeating: "0", count: decimals - have) }
        }
        return s
    }

    /// `s` padded with spaces to `n` characters, on the left when `right` (right-aligned).
    static func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, n - s.count))
        return right ? fill + s : s + fill
    }
}
