package import ArgumentParser
package import Settings

/// The arguments swift-argument-parser leaves to the settings: a command declares its
/// subcommands, `--help` and any subcommand-only options with ArgumentParser, and every setting
/// once with ``Setting``; these arguments then go through ``ServiceConfig/load(arguments:settings:environment:)``,
/// which rejects an undeclared flag.
package struct SettingsArguments: ParsableArguments, Sendable {
    @Argument(parsing: .allUnrecognized, help: .hidden)
    package var arguments: [String] = []

    package init() {}

    /// Loads the layered configuration of `settings` from these arguments.
    package func load(_ settings: [AnySetting]) async throws(ServiceConfigError) -> ServiceConfig {
        try await ServiceConfig.load(arguments: arguments, settings: settings)
    }
}

/// The `discussion` of a command's `--help`: its settings with their real defaults.
package func settingsDiscussion(_ intro: String, _ groups: [(title: String, settings: [AnySetting])]) -> String {
    (intro.isEmpty ? "" : intro + "\n\n") + SettingsHelp.text(groups)
}
