import Configuration
import SystemPackage

/// Layered configuration for a Kafkatorio service: command-line flags override environment
/// variables, which override an optional JSON configuration file, which overrides defaults.
///
/// Keys are dotted and camel-cased (`kafka.bootstrap`, `kafka.topicPrefix`); the environment
/// spelling is upper snake case (`KAFKA_BOOTSTRAP`, `KAFKA_TOPIC_PREFIX`); in the JSON file they
/// nest (`{"kafka": {"bootstrap": "…"}}`).
public struct ServiceConfig: Sendable {
    /// The reader every setting is read from.
    public let reader: ConfigReader

    /// Wraps an existing reader (tests).
    public init(reader: ConfigReader) { self.reader = reader }

    /// Builds the layered reader.
    /// - Parameters:
    ///   - flags: values given on the command line, keyed by dotted config key; nil values are
    ///     ignored (the flag was not given).
    ///   - configFile: path of a JSON configuration file, if one was given.
    ///   - environment: the environment to read (the process environment by default).
    /// - Throws: ``ServiceConfigError`` if the file cannot be read or parsed.
    public static func load(
        flags: [String: String?], configFile: String?,
        environment: [String: String]? = nil
    ) async throws(ServiceConfigError) -> ServiceConfig {
        var flagValues: [String: String] = [:]
        for (key, value) in flags {
            if let value { flagValues[environmentName(of: key)] = value }
        }
        var providers: [any ConfigProvider] = [EnvironmentVariablesProvider(environmentVariables: flagValues)]
        if let environment {
            providers.append(EnvironmentVariablesProvider(environmentVariables: environment))
        } else {
            providers.append(EnvironmentVariablesProvider())
        }
        if let configFile {
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(configFile)))
            } catch {
                throw ServiceConfigError(message: "cannot load configuration file \(configFile): \(error)")
            }
        }
        return ServiceConfig(reader: ConfigReader(providers: providers))
    }

    /// The environment variable that holds a dotted key: `kafka.topicPrefix` → `KAFKA_TOPIC_PREFIX`.
    public static func environmentName(of key: String) -> String {
        var out = ""
        var previousLower = false
        for ch in key {
            if ch == "." || ch == "-" {
                out.append("_")
                previousLower = false
            } else if ch.isUppercase && previousLower {
                out.append("_")
                out.append(contentsOf: ch.uppercased())
                previousLower = false
            } else {
                out.append(contentsOf: ch.uppercased())
                previousLower = ch.isLowercase || ch.isNumber
            }
        }
        return out
    }
}

/// A configuration error: a file that cannot be read, or a value that makes no sense.
public struct ServiceConfigError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the key or file.
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
