/// The one configuration error of the services: a value that is not valid, a flag nobody
/// declared, a combination that makes no sense, or a file that cannot be read. Its message names
/// the setting (key, flag and environment variable) and the bad value.
package struct ServiceConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    package enum Problem: Sendable, Hashable {
        /// `value` is not what the setting accepts (`expected`).
        case invalid(value: String, expected: String)
        /// A command-line argument that no setting of this command declares.
        case unknownFlag(String)
        /// A flag that takes a value was given without one.
        case missingValue
        /// A file named by the setting cannot be used (`value` is its path).
        case unreadable(value: String, reason: String)
        /// The setting conflicts with others or is required: the reason says which.
        case conflict(String)
    }

    /// The setting's dotted key, or nil for an argument that names no setting.
    package var key: String?
    /// The setting's flag (without dashes), when it has one.
    package var flag: String?
    /// What went wrong.
    package var problem: Problem

    package init(key: String?, flag: String?, problem: Problem) {
        self.key = key
        self.flag = flag
        self.problem = problem
    }

    /// An error about `setting`.
    package init<V>(_ setting: Setting<V>, _ problem: Problem) {
        self.init(key: setting.key, flag: setting.flag, problem: problem)
    }

    /// A value of `setting` that is not valid.
    package static func invalid<V>(_ setting: Setting<V>, value: String) -> ServiceConfigError {
        ServiceConfigError(setting, .invalid(value: value, expected: setting.expected))
    }

    /// `--flag / key / ENV`: what is being talked about.
    package var subject: String {
        guard let key else { return flag.map { "--\($0)" } ?? "configuration" }
        let env = SettingNames.environmentName(of: key)
        return (flag.map { "--\($0) / " } ?? "") + "\(key) / \(env)"
    }

    package var description: String {
        switch problem {
        case .invalid(let value, let expected):
            "\(subject): '\(value)' is not valid; expected \(expected)"
        case .unknownFlag(let argument):
            "unknown option '\(argument)' (see --help)"
        case .missingValue:
            "\(subject): the flag needs a value"
        case .unreadable(let value, let reason):
            "\(subject): cannot use '\(value)': \(reason)"
        case .conflict(let reason):
            "\(subject): \(reason)"
        }
    }
}
