package import Shared

/// What a console or engine line says, if it is one PacketIngest turns into a ``ServerEvent``.
package struct ConsoleEvent: Sendable, Hashable {
    package var kind: ServerEvent.Kind
    package var player: String?
    package var message: String?

    package init(kind: ServerEvent.Kind, player: String? = nil, message: String? = nil) {
        self.kind = kind
        self.player = player
        self.message = message
    }
}

/// Parses the lines a Factorio server prints on stdout (see `../shared/research/factorio.md` §6):
///
/// - console lines, `YYYY-MM-DD HH:MM:SS [TAG] text`:
///   `[JOIN] User joined the game`, `[LEAVE] User left the game` (or just `[LEAVE] User`),
///   `[CHAT] User: message` (also `<server>`), `[KICK] User was kicked by X. Reason: R.`,
///   `[BAN] User was banned by X. Reason: R.`;
/// - engine lines, `<seconds> [<Level> <File.cpp:line>: ]text`:
///   `Hosting game at IP ADDR:(…)` → server started; `Saving map as …` and `Saving to … (blocking).`
///   → saving; `Quitting multiplayer connection.` and `Goodbye` → server stopped.
///
/// Everything else (commands, warnings, script logs, other tags) is not an event: nil.
package enum ConsoleParser {
    package static func parse(_ line: String) -> ConsoleEvent? {
        var s = Substring(line)
        if s.hasSuffix("\r") { s = s.dropLast() }
        if let rest = dated(s) { return tagged(rest) }
        if let rest = engine(s) { return engineEvent(rest) }
        return nil
    }

    /// The text after `YYYY-MM-DD HH:MM:SS `.
    private static func dated(_ s: Substring) -> Substring? {
        let pattern = Array("dddd-dd-dd dd:dd:dd ".utf8)
        let u = Array(s.utf8.prefix(pattern.count))
        guard u.count == pattern.count else { return nil }
        for (c, p) in zip(u, pattern) {
            if p == UInt8(ascii: "d") {
                guard c >= 0x30 && c <= 0x39 else { return nil }
            } else if c != p {
                return nil
            }
        }
        return s.dropFirst(pattern.count)
    }

    /// The text after `<spaces><digits>.<digits> ` and an optional `<Level> <File>:<line>: `.
    private static func engine(_ s: Substring) -> Substring? {
        var rest = s.drop { $0 == " " }
        let secs = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !secs.isEmpty, secs.contains("."), secs.first != ".", rest.dropFirst(secs.count).first == " " else {
            return nil
        }
        rest = rest.dropFirst(secs.count + 1)
        for level in ["Info ", "Warning ", "Error ", "Verbose "] where rest.hasPrefix(level) {
            let afterLevel = rest.dropFirst(level.count)
            if let colonSpace = afterLevel.firstRange(of: ": ") {
                let location = afterLevel[..<colonSpace.lowerBound]
                if !location.contains(" ") { return afterLevel[colonSpace.upperBound...] }
            }
        }
        return rest
    }

    private static func tagged(_ s: Substring) -> ConsoleEvent? {
        guard s.hasPrefix("["), let close = s.firstIndex(of: "]") else { return nil }
        let tag = s[s.index(after: s.startIndex)..<close]
        var text = s[s.index(after: close)...]
        guard text.first == " " else { return nil }
        text = text.dropFirst()
        switch tag {
        case "JOIN":
            let name = text.hasSuffix(" joined the game") ? text.dropLast(" joined the game".count) : text
            return name.isEmpty ? nil : ConsoleEvent(kind: .join, player: String(name))
        case "LEAVE":
            let name = text.hasSuffix(" left the game") ? text.dropLast(" left the game".count) : text
            return name.isEmpty ? nil : ConsoleEvent(kind: .leave, player: String(name))
        case "CHAT":
            guard let sep = text.firstRange(of: ": ") else { return nil }
            let name = text[..<sep.lowerBound]
            return name.isEmpty ? nil : ConsoleEvent(kind: .chat, player: String(name), message: String(text[sep.upperBound...]))
        case "KICK":
            return sanction(text, verb: " was kicked by ", kind: .kick)
        case "BAN":
            return sanction(text, verb: " was banned by ", kind: .ban)
        default:
            return nil
        }
    }

    /// `User was kicked by X. Reason: R.` → player User, message R (without the final period).
    private static func sanction(_ text: Substring, verb: String, kind: ServerEvent.Kind) -> ConsoleEvent? {
        guard let v = text.firstRange(of: verb), v.lowerBound > text.startIndex else { return nil }
        let player = String(text[..<v.lowerBound])
        var reason: String?
        if let r = text.firstRange(of: ". Reason: ") {
            var why = text[r.upperBound...]
            if why.hasSuffix(".") { why = why.dropLast() }
            reason = String(why)
        }
        return ConsoleEvent(kind: kind, player: player, message: reason)
    }

    private static func engineEvent(_ text: Substring) -> ConsoleEvent? {
        if text.hasPrefix("Hosting game at ") {
            return ConsoleEvent(kind: .serverStarted, message: String(text))
        }
        if text.hasPrefix("Saving map as ") || (text.hasPrefix("Saving to ") && text.hasSuffix("(blocking).")) {
            return ConsoleEvent(kind: .saving, message: String(text))
        }
        if text == "Quitting multiplayer connection." || text == "Goodbye" {
            return ConsoleEvent(kind: .serverStopped, message: String(text))
        }
        return nil
    }
}
