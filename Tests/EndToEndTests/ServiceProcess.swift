import TestSupport
import Testing

// The environment (broker, binaries, free ports), `ServiceProcess` and `httpGet` live in the
// TestSupport target, shared with the other test targets.

extension Trait where Self == ConditionTrait {
    /// Runs where `need` is met (or fails where `KAFKATORIO_REQUIRE_BROKER=1`); skips with the reason otherwise.
    static func needs(_ need: TestEnvironment.Need) -> Self {
        .enabled(if: TestEnvironment.runs(need), Comment(rawValue: TestEnvironment.skipReason(need)))
    }
}
