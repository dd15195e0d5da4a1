package import Testing

extension Trait where Self == ConditionTrait {
    /// Runs the suite or test where `need` is met, and where `KAFKATORIO_REQUIRE_BROKER=1` (so a
    /// missing broker fails it); elsewhere skips it with ``TestEnvironment/skipReason(_:environment:)``.
    package static func needs(_ need: TestEnvironment.Need) -> Self {
        .enabled(if: TestEnvironment.runs(need), Comment(rawValue: TestEnvironment.skipReason(need)))
    }
}
