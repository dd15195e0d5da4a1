/// The command line checked against a command's declared settings before
/// swift-configuration's `CommandLineArgumentsProvider` reads it: that provider accepts any
/// `--name`, so a misspelled flag would otherwise be silently ignored.
package enum SettingArguments {
    /// Throws for the first argument that is not a declared `--flag`, `--flag=value` or
    /// `--flag value` (toggles may stand alone), and for a value flag given without its value.
    package static func check(_ arguments: [String], against settings: [AnySetting]) throws(ServiceConfigError) {
        var byFlag: [String: AnySetting] = [:]
        for s in settings { byFlag[s.flag] = s }
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw ServiceConfigError(key: nil, flag: nil, problem: .unknownFlag(argument))
            }
            let body = argument.dropFirst(2)
            let name = String(body.prefix { $0 != "=" })
            guard let setting = byFlag[name] else {
                throw ServiceConfigError(key: nil, flag: nil, problem: .unknownFlag("--" + name))
            }
            if body.contains("=") { continue }
            // The values that follow, up to the next flag, belong to this one.
            var values = 0
            while index < arguments.count, !arguments[index].hasPrefix("--") {
                index += 1
                values += 1
            }
            if values == 0 && setting.kind != .toggle {
                throw ServiceConfigError(key: setting.key, flag: setting.flag, problem: .missingValue)
            }
        }
    }
}

/// The settings section of `--help`, printed from the declarations so it shows the real defaults.
package enum SettingsHelp {
    /// One block per group: a title line, then per setting its flag and default, with its help,
    /// environment variable and file key indented below (lines short enough not to be re-wrapped).
    package static func text(_ groups: [(title: String, settings: [AnySetting])]) -> String {
        var out: [String] = []
        for group in groups {
            out.append("\(group.title):")
            for s in group.settings {
                let flag = s.kind == .toggle ? "--\(s.flag)" : "--\(s.flag) <value>"
                out.append("  \(flag)    default: \(s.defaultText)")
                out.append("      \(s.help)")
                out.append("      env \(s.environmentName), file key \(s.key); \(s.expected)")
            }
            out.append("")
        }
        out.append("Each setting comes from its flag, else its environment variable, else the JSON")
        out.append("file given with --config (keys nest: {\"kafka\": {\"bootstrap\": \"…\"}}),")
        out.append("else its default.")
        return out.joined(separator: "\n")
    }
}
