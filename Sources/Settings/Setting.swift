/// One setting of a service, declared once: its configuration key, its command-line flag, its
/// default, its help and how its text parses. Everything else is derived from the declaration:
/// the environment variable (``environmentName``), the help line (``SettingsHelp``), the check
/// of the command line (``SettingArguments``) and the typed read (``SettingValues/value(_:)``).
///
/// Keys are dotted and camel-cased (`kafka.bootstrap`, `logpipe.maxLineBytes`); the environment
/// spelling is upper snake case (`KAFKA_BOOTSTRAP`, `LOGPIPE_MAX_LINE_BYTES`); in the JSON file
/// they nest (`{"logpipe": {"maxLineBytes": 65536}}`).
package struct Setting<Value: Sendable>: Sendable {
    /// The dotted configuration key.
    package let key: String
    /// The command-line flag without its dashes (`metrics-port`).
    package let flag: String
    /// The value used when no layer sets the key.
    package let defaultValue: Value
    /// One line for `--help` and the docs.
    package let help: String
    /// How ``defaultValue`` reads in the help ("none" for an absent optional).
    package let defaultText: String
    /// What a valid value looks like, for error messages and help ("an integer 0...65535").
    package let expected: String
    /// How the value is read from a layer.
    package let kind: SettingKind
    /// Turns a layer's raw value into a value, or nil when it is not a valid value.
    let decode: @Sendable (SettingRawValue) -> Value?

    /// Declares a setting; the static constructors (`.string`, `.int`, …) are the usual way.
    package init(
        key: String, flag: String, defaultValue: Value, help: String, defaultText: String, expected: String,
        kind: SettingKind, decode: @escaping @Sendable (SettingRawValue) -> Value?
    ) {
        self.key = key
        self.flag = flag
        self.defaultValue = defaultValue
        self.help = help
        self.defaultText = defaultText
        self.expected = expected
        self.kind = kind
        self.decode = decode
    }

    /// The environment variable of this setting (`metrics.port` → `METRICS_PORT`).
    package var environmentName: String { SettingNames.environmentName(of: key) }

    /// The value a raw layer value stands for, or nil when it is not valid.
    package func parse(_ raw: SettingRawValue) -> Value? { decode(raw) }

    /// This setting without its value type, for help and the command-line check.
    package var erased: AnySetting {
        let decode = decode
        return AnySetting(
            key: key, flag: flag, help: help, defaultText: defaultText, expected: expected, kind: kind,
            accepts: { decode($0) != nil })
    }
}

/// How a setting is read from a configuration layer.
package enum SettingKind: Sendable, Hashable {
    /// A string, integer or decimal given as one value.
    case value
    /// A Boolean that a bare flag turns on (`--stdin`).
    case toggle
    /// A comma-separated list (or a JSON array).
    case list
}

/// A value as one configuration layer holds it, before it is checked.
package enum SettingRawValue: Sendable, Hashable, CustomStringConvertible {
    case text(String)
    case integer(Int)
    case decimal(Double)
    case boolean(Bool)
    case list([String])

    /// The value as the user wrote it, for error messages.
    package var description: String {
        switch self {
        case .text(let s): s
        case .integer(let n): "\(n)"
        case .decimal(let d): "\(d)"
        case .boolean(let b): "\(b)"
        case .list(let items): items.joined(separator: ",")
        }
    }

    /// The value as text (numbers and Booleans spelled out).
    var text: String {
        if case .list(let items) = self { return items.joined(separator: ",") }
        return description
    }
}

/// A setting without its value type: what `--help`, the command-line check and the check of
/// every layer at start-up need.
package struct AnySetting: Sendable {
    package let key: String
    package let flag: String
    package let help: String
    package let defaultText: String
    package let expected: String
    package let kind: SettingKind
    /// Whether a raw value is valid for this setting.
    package let accepts: @Sendable (SettingRawValue) -> Bool

    /// The environment variable of this setting.
    package var environmentName: String { SettingNames.environmentName(of: key) }
}

/// Name derivations shared by every setting.
package enum SettingNames {
    /// The environment variable that holds a dotted key: `kafka.topicPrefix` → `KAFKA_TOPIC_PREFIX`
    /// (the spelling swift-configuration's `EnvironmentVariablesProvider` looks up).
    package static func environmentName(of key: String) -> String {
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
