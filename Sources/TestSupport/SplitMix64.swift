/// Deterministic pseudo-random numbers (SplitMix64, Steele, Lea and Flood 2014): the one seeded
/// generator of the tests and benchmarks, so a failure or a measurement reproduces from its seed.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's whole state; each call to ``next()`` advances it by the golden-ratio step.
    package var state: UInt64

    /// A generator that starts at `state` (the seed).
    package init(state: UInt64) { self.state = state }

    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Double in [0, 1) from the top 53 bits of ``next()``.
    package mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
