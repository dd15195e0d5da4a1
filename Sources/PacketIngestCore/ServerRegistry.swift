package import Shared
import Synchronization

/// The game servers PacketIngest accepts lines from: server id → the secret LogPipe signs with.
///
/// File format (`--servers`, `INGEST_SERVERS_FILE`): one `<server-id> <secret>` per line, separated
/// by spaces or tabs; `#` starts a comment (whole line, or after whitespace); blank lines are ignored.
/// The secret is the rest of the line after the id, without surrounding whitespace (so it may not
/// contain `#` after whitespace, but may contain inner spaces).
package struct ServerRegistry: Sendable {
    /// Verifiers by server id, each bound to its id.
    package let signers: [String: ProvenanceSigner]

    package init(secrets: [String: String]) {
        signers = Dictionary(uniqueKeysWithValues: secrets.map { ($0.key, ProvenanceSigner(secret: $0.value, server: $0.key)) })
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
    /// No registry (`--allow-unsigned`): any well-formed server id is accepted, signatures (and
    /// their provenance format) are not checked. For demos and tests only.
    case unsigned

    /// The record's server and position if it is authentic, else why not. Checks, in order: the
    /// server id (and that it is registered), that there is a signature, its provenance format,
    /// the `source` header, the signature over (server, topic kind, source position, value).
    /// Nothing here touches state.
    package func authenticate(_ input: IngestInput) -> Result<(server: String, source: SourcePosition), IngestRejection> {
        guard let server = input.server, Identifier.isValidServerID(server) else {
            return .failure(.unknownServer("missing or malformed server header"))
        }
        var signer: ProvenanceSigner? = nil
        if case .registry(let store) = self {
            guard let s = store.current.signers[server] else {
                return .failure(.unknownServer("server \(server) is not in the registry"))
            }
            signer = s
        }
        guard let signer else {
            guard let source = input.source.flatMap(SourcePosition.init(header:)) else { return .failure(.badSource) }
            return .success((server, source))
        }
        guard let signature = input.signature, !signature.isEmpty else { return .failure(.missingSignature) }
        let (format, mac) = Provenance.split(signature)
        if let mismatch = Self.provenanceMismatch(format, signature: signature, server: server) {
            return .failure(.unsupportedProvenance(mismatch))
        }
        guard let source = input.source.flatMap(SourcePosition.init(header:)) else { return .failure(.badSource) }
        let kind: RecordKind = input.partition.topic == .raw ? .raw : .console
        guard signer.verify(source.identity(kind), value: input.value, mac: mac) else { return .failure(.badSignature) }
        return .success((server, source))
    }

    /// Why a signature's provenance format (``Provenance/split(_:)``) is not the supported one
    /// (nil if it is).
    package static func provenanceMismatch(_ format: Int?, signature: String, server: String) -> String? {
        let accepted = Provenance.version
        guard let version = format else {
            return "signature '\(signature.prefix(20))…' has no provenance format number before ':'; this PacketIngest "
                + "accepts format \(accepted)"
        }
        if version == accepted { return nil }
        if version == Provenance.unversioned {
            return "record in provenance format 1 (a signature without a format prefix: a LogPipe of 0.2.0 or older, "
                + "which signs the line only); this PacketIngest accepts format \(accepted) only: upgrade LogPipe of "
                + "server \(server)"
        }
        let upgrade = version < accepted ? "LogPipe of server \(server)" : "PacketIngest"
        return "record in provenance format \(version); this PacketIngest accepts format \(accepted) only: upgrade \(upgrade)"
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
