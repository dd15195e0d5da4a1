package import Configuration
package import Settings
import SystemPackage

/// Layered configuration for a Kafkatorio service, read through swift-configuration: the command
/// line (`CommandLineArgumentsProvider`, each declared flag mapped onto its key with a
/// `KeyMappingProvider`) overrides the environment, which overrides the JSON file given with
/// `--config` (`CONFIG_FILE`), which overrides each setting's declared default.
package struct ServiceConfig: SettingValues {
    /// The reader every setting is read from.
    package let reader: ConfigReader

    /// Wraps an existing reader (tests, embedding).
    package init(reader: ConfigReader) { self.reader = reader }

    /// Checks `arguments` against `settings` (plus ``CommonSettings/configFile``) and builds the
    /// layered reader.
    /// - Parameters:
    ///   - arguments: the command line without the program name (the arguments swift-argument-parser
    ///     left to the settings).
    ///   - settings: every setting the command declares.
    ///   - environment: the environment to read (the process environment by default).
    /// - Throws: ``ServiceConfigError`` for an undeclared flag, a flag without its value, a
    ///   configuration file that cannot be read or parsed, or any declared setting whose value is
    ///   not valid.
    package static func load(
        arguments: [String], settings: [AnySetting], environment: [String: String]? = nil
    ) async throws(ServiceConfigError) -> ServiceConfig {
        let file = CommonSettings.configFile
        let declared = settings.contains { $0.key == file.key } ? settings : settings + [file.erased]
        try SettingArguments.check(arguments, against: declared)
        var flags: [String: String] = [:]
        for s in declared { flags[s.key] = s.flag }
        let lookup = flags
        // The provider encodes a one-component key `metrics-port` as `--metrics-port`.
        let commandLine = KeyMappingProvider(
            upstream: CommandLineArgumentsProvider(arguments: ["service"] + arguments)
        ) { key in
            AbsoluteConfigKey([lookup[key.components.joined(separator: ".")] ?? "-undeclared-"])
        }
        let env =
            environment.map { EnvironmentVariablesProvider(environmentVariables: $0) } ?? EnvironmentVariablesProvider()
        var providers: [any ConfigProvider] = [commandLine, env]
        let early = ServiceConfig(reader: ConfigReader(providers: providers))
        if let path = try early.value(CommonSettings.configFile) {
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(path)))
            } catch {
                throw ServiceConfigError(CommonSettings.configFile, .unreadable(value: path, reason: "\(error)"))
            }
        }
        let config = ServiceConfig(reader: ConfigReader(providers: providers))
        try config.check(declared)
        return config
    }

    /// Throws for the first of `settings` whose value (in the layer that sets it) is not valid,
    /// so that a bad value stops a service at start-up, not when it is first read.
    package func check(_ settings: [AnySetting]) throws(ServiceConfigError) {
        for s in settings {
            guard let raw = raw(ConfigKey(s.key), kind: s.kind), !s.accepts(raw) else { continue }
            throw ServiceConfigError(key: s.key, flag: s.flag, problem: .invalid(value: raw.description, expected: s.expected))
        }
    }

    /// The value of `setting`: from the first layer that sets its key, else its default.
    /// - Throws: ``ServiceConfigError`` naming the key and the value when that layer's value is
    ///   not valid for the setting.
    package func value<V>(_ setting: Setting<V>) throws(ServiceConfigError) -> V {
        guard let raw = raw(ConfigKey(setting.key), kind: setting.kind) else { return setting.defaultValue }
        guard let value = setting.parse(raw) else { throw .invalid(setting, value: raw.description) }
        return value
    }

    /// The raw value of the first layer that holds `key`, read as the kind allows: text first
    /// (the command line and the environment are text), then the JSON file's typed values.
    func raw(_ key: ConfigKey, kind: SettingKind) -> SettingRawValue? {
        switch kind {
        case .toggle:
            if let b = reader.bool(forKey: key) { return .boolean(b) }
            if let s = reader.string(forKey: key) { return .text(s) }
        case .list:
            if let items = reader.stringArray(forKey: key) { return .list(items) }
            if let s = reader.string(forKey: key) { return .text(s) }
        case .value:
            if let s = reader.string(forKey: key) { return .text(s) }
            // The command-line provider splits `a,b` into two values.
            if let items = reader.stringArray(forKey: key), !items.isEmpty { return .text(items.joined(separator: ",")) }
            if let n = reader.int(forKey: key) { return .integer(n) }
            if let d = reader.double(forKey: key) { return .decimal(d) }
            if let b = reader.bool(forKey: key) { return .boolean(b) }
        }
        return nil
    }
}
