/// The kinds of setting the services declare: each constructor fixes how the text parses, what a
/// valid value is and how the default reads in the help.
extension Setting where Value == String {
    /// A string; `oneOf`, when given, lists the only values accepted.
    package static func string(
        _ key: String, flag: String, default value: String, oneOf choices: [String]? = nil, help: String
    ) -> Setting {
        Setting(
            key: key, flag: flag, defaultValue: value, help: help, defaultText: value,
            expected: choices.map { "one of " + $0.joined(separator: ", ") } ?? "a string", kind: .value,
            decode: { raw in
                guard case .text(let s) = raw else { return nil }
                if let choices, !choices.contains(s) { return nil }
                return s
            })
    }
}

extension Setting where Value == String? {
    /// A string that has no default; `defaultText` says what its absence means. An empty value
    /// (`LOGPIPE_CHECKPOINT=`) counts as absent.
    /// `valid`, when given, checks a non-empty value (`expected` describes what it accepts).
    package static func optionalString(
        _ key: String, flag: String, defaultText: String = "none", expected: String = "a string",
        valid: (@Sendable (String) -> Bool)? = nil, help: String
    ) -> Setting {
        Setting(
            key: key, flag: flag, defaultValue: nil, help: help, defaultText: defaultText, expected: expected,
            kind: .value,
            decode: { raw -> String?? in
                guard case .text(let s) = raw else { return nil }
                if s.isEmpty { return .some(nil) }
                if let valid, !valid(s) { return nil }
                return .some(s)
            })
    }
}

extension Setting where Value == Int {
    /// An integer within `range`.
    package static func int(_ key: String, flag: String, default value: Int, range: ClosedRange<Int>, help: String) -> Setting {
        Setting(
            key: key, flag: flag, defaultValue: value, help: help, defaultText: "\(value)",
            expected: "an integer \(range.lowerBound)...\(range.upperBound)", kind: .value,
            decode: { raw in
                let n: Int?
                switch raw {
                case .text(let s): n = Int(s.trimmingSpaces)
                case .integer(let i): n = i
                case .decimal(let d): n = Int(exactly: d)
                default: n = nil
                }
                guard let n, range.contains(n) else { return nil }
                return n
            })
    }

    /// A TCP port, 0...65535.
    package static func port(_ key: String, flag: String, default value: Int, help: String) -> Setting {
        int(key, flag: flag, default: value, range: 0...65535, help: help)
    }
}

extension Setting where Value == Double {
    /// A decimal number within `range`.
    package static func double(
        _ key: String, flag: String, default value: Double, range: ClosedRange<Double>, help: String
    ) -> Setting {
        Setting(
            key: key, flag: flag, defaultValue: value, help: help, defaultText: value.settingText,
            expected: "a number \(range.lowerBound.settingText)...\(range.upperBound.settingText)", kind: .value,
            decode: { raw in
                let d: Double?
                switch raw {
                case .text(let s): d = Double(s.trimmingSpaces)
                case .integer(let i): d = Double(i)
                case .decimal(let x): d = x
                default: d = nil
                }
                guard let d, d.isFinite, range.contains(d) else { return nil }
                return d
            })
    }
}

extension Setting where Value == Bool {
    /// A Boolean, off by default; the bare flag turns it on (`--stdin`), `--stdin=false` off,
    /// the environment and the file say `true`/`false` (also `1`/`0`, `yes`/`no`).
    /// `value`: the default (true: on unless turned off with `--flag=false`).
    package static func toggle(_ key: String, flag: String, default value: Bool = false, help: String) -> Setting {
        Setting(
            key: key, flag: flag, defaultValue: value, help: help, defaultText: "\(value)", expected: "true or false",
            kind: .toggle,
            decode: { raw in
                switch raw {
                case .boolean(let b): return b
                case .integer(0): return false
                case .integer(1): return true
                case .text(let s):
                    switch s.trimmingSpaces.lowercased() {
                    case "true", "1", "yes", "on": return true
                    case "false", "0", "no", "off": return false
                    default: return nil
                    }
                default: return nil
                }
            })
    }
}

extension Setting where Value == [String] {
    /// A list, comma-separated on the command line and in the environment, a JSON array or a
    /// comma-separated string in the file; blanks around items are dropped, and so are empty items.
    package static func list(_ key: String, flag: String, defaultText: String = "none", help: String) -> Setting {
        Setting(
            key: key, flag: flag, defaultValue: [], help: help, defaultText: defaultText,
            expected: "a comma-separated list", kind: .list,
            decode: { raw in
                let items: [String]
                switch raw {
                case .list(let l): items = l
                case .text(let s): items = s.split(separator: ",").map(String.init)
                default: return nil
                }
                return items.map(\.trimmingSpaces).filter { !$0.isEmpty }
            })
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}

extension Double {
    /// `20` rather than `20.0` for whole numbers.
    var settingText: String {
        if let n = Int(exactly: self) { return "\(n)" }
        return "\(self)"
    }
}
