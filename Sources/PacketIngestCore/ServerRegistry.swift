package import Shared
import Synchronization

/// The game servers PacketIngest accepts lines from: server id → the secret LogPipe signs with.
///
/// File format (`--servers`, `INGEST_SERVERS_FILE`): one `<server-id> <secret>` per line, separated
/// by spaces or tabs; `#` starts a comment (whole line, or after whitespace); blank lines are ignored.
/// The secret is the rest of the line after the id, without surrounding whitespace (so it may not
/// contain `#` after whitespace, but may contain inner spaces).
package struct ServerRegistry: Sendable {
    /// Verifiers by server id.
    package let signers: [String: LineSigner]

    package init(secrets: [String: String]) {
        signers = secrets.mapValues { LineSigner(secret: $0) }
    }

    /// The number of servers.
    package var count: Int { signers.count }

    /// Parses the registry file's text.
    /// - Throws: ``ServerRegistryError`` naming the first bad line (invalid id, missing secret,
    ///   duplicate id).
    package static func parse(_ text: String) throws(ServerRegistryError) -> ServerRegistry {
        var secrets: [String: String] = [:]
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            var line = Substring(rawLine)
            if let hash = commentStart(line) { line = line[..<hash] }
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty { continue }
            let lineNumber = index + 1
            guard let split = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
                throw ServerRegistryError(line: lineNumber, message: "expected '<server-id> <secret>'")
            }
            let id = String(trimmed[..<split])
            let secret = String(trimmed[split...].trimmingWhitespace())
            guard Identifier.isValidServerID(id) else {
                throw ServerRegistryError(line: lineNumber, message: "invalid server id (1-64 of A-Z a-z 0-9 . _ -)")
            }
            guard !secret.isEmpty else { throw ServerRegistryError(line: lineNumber, message: "missing secret") }
            guard secrets[id] == nil else {
                throw ServerRegistryError(line: lineNumber, message: "server \(id) is listed twice")
            }
            secrets[id] = secret
        }
        return ServerRegistry(secrets: secrets)
    }

    /// `#` at the start of the line or after whitespace.
    private static func commentStart(_ line: Substring) -> Substring.Index? {
        var previousIsSpace = true
        for i in line.indices {
            let c = line[i]
            if c == "#" && previousIsSpace { return i }
            previousIsSpace = c == " " || c == "\t"
        }
        return nil
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}

/// A registry file that cannot be used.
package struct ServerRegistryError: Error, Sendable, CustomStringConvertible, Equatable {
    /// 1-based line number (0: the file as a whole).
    package var line: Int
    package var message: String
    package init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
    package var description: String { line > 0 ? "line \(line): \(message)" : message }
}

/// How PacketIngest authenticates lines.
package enum Authenticator: Sendable {
    /// Every line must carry a valid `signature` from a server of the registry.
    case registry(RegistryStore)
    /// No registry (`--allow-unsigned`): any well-formed server id is accepted, signatures are not
    /// checked. For demos and tests only.
    case unsigned

    /// Nil if the line is authentic, else why not.
    package func check(server: String?, value: [UInt8], signature: String?) -> IngestRejection? {
        guard let server, Identifier.isValidServerID(server) else {
            return .unknownServer("missing or malformed server header")
        }
        switch self {
        case .unsigned:
            return nil
        case .registry(let store):
            guard let signer = store.current.signers[server] else {
                return .unknownServer("server \(server) is not in the registry")
            }
            guard let signature, !signature.isEmpty else { return .missingSignature }
            return signer.verify(value, signature: signature) ? nil : .badSignature
        }
    }
}

/// The current registry, swapped atomically when the file is reloaded.
package final class RegistryStore: Sendable {
    private let state: Mutex<ServerRegistry>

    package init(_ registry: ServerRegistry) { state = Mutex(registry) }

    /// The registry in force.
    package var current: ServerRegistry { state.withLock { $0 } }

    /// Replaces the registry.
    package func replace(_ registry: ServerRegistry) { state.withLock { $0 = registry } }
}
