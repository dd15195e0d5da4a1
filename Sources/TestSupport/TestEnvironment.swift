package import Foundation

/// What the broker-backed and process tests need from the machine, read from the environment
/// `make test` (scripts/test.sh) exports, and the one condition that decides whether they run.
///
/// A plain `swift test` without a broker skips them with ``skipReason(_:environment:)``; with
/// `KAFKATORIO_REQUIRE_BROKER=1` (set by scripts/test.sh) they run anyway, so a missing broker
/// fails them (through ``bootstrap(environment:)``) instead of skipping them silently.
///
/// Use on a suite or test:
/// `.enabled(if: TestEnvironment.runs(.broker), Comment(rawValue: TestEnvironment.skipReason(.broker)))`.
package enum TestEnvironment {
    /// What a test needs besides itself.
    package enum Need: Sendable, Hashable {
        /// A Kafka broker at `KAFKA_BOOTSTRAP`.
        case broker
        /// A broker and the built service binaries in `KAFKATORIO_BIN_DIR`.
        case services

        /// The variables this need reads, in the order they are reported missing.
        var variables: [String] {
            switch self {
            case .broker: [TestEnvironment.bootstrapVariable]
            case .services: [TestEnvironment.bootstrapVariable, TestEnvironment.binDirVariable]
            }
        }
    }

    /// The broker address, `host:port[,host:port]`.
    package static let bootstrapVariable = "KAFKA_BOOTSTRAP"
    /// The folder with LogPipe, PacketIngest, TileRenderer and MapGateway (`swift build --show-bin-path`).
    package static let binDirVariable = "KAFKATORIO_BIN_DIR"
    /// The repository's root (scripts, fixtures); defaults to the folder this package was built from.
    package static let rootVariable = "KAFKATORIO_ROOT"
    /// When `1`, tests whose needs are missing run (and fail) instead of being skipped.
    package static let requireVariable = "KAFKATORIO_REQUIRE_BROKER"

    /// The variables of `need` that are unset or empty in `environment`.
    package static func missing(
        _ need: Need, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String] {
        need.variables.filter { environment[$0]?.isEmpty ?? true }
    }

    /// Whether `environment` demands that no such test is skipped.
    package static func requiresBroker(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment[requireVariable] == "1"
    }

    /// Whether tests that need `need` run: everything they need is set, or skipping is forbidden.
    package static func runs(_ need: Need, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        missing(need, environment: environment).isEmpty || requiresBroker(environment: environment)
    }

    /// Why such a test is skipped: which variables are missing and how to provide them.
    package static func skipReason(
        _ need: Need, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        let what = need == .broker ? "a Kafka broker" : "a Kafka broker and the built service binaries"
        let unset = missing(need, environment: environment)
        return "needs \(what): \(unset.isEmpty ? "nothing" : unset.joined(separator: " and ")) not set; "
            + "`make test` provides them (KAFKATORIO_REQUIRE_BROKER=1 turns this skip into a failure)"
    }

    /// The broker address from `KAFKA_BOOTSTRAP`; throws if it is unset.
    package static func bootstrap(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SetupError) -> String {
        try value(bootstrapVariable, environment: environment)
    }

    /// The folder of the built service binaries from `KAFKATORIO_BIN_DIR`; throws if it is unset.
    package static func binDir(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SetupError) -> URL {
        URL(fileURLWithPath: try value(binDirVariable, environment: environment))
    }

    /// The repository's root: `KAFKATORIO_ROOT`, else the folder two levels above this source file.
    package static func root(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let root = environment[rootVariable], !root.isEmpty { return URL(fileURLWithPath: root) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static func value(_ name: String, environment: [String: String]) throws(SetupError) -> String {
        guard let value = environment[name], !value.isEmpty else {
            let required = requiresBroker(environment: environment) ? " (\(requireVariable)=1: not skipped)" : ""
            throw SetupError("\(name) is not set\(required): run the suite with `make test` (scripts/test.sh)")
        }
        return value
    }
}

/// A test's setup failed (a missing variable, port, binary …); the message says what and why.
package struct SetupError: Error, CustomStringConvertible, Sendable {
    /// The explanation.
    package var description: String
    /// An error with `description`.
    package init(_ description: String) { self.description = description }
}
