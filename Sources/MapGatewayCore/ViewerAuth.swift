import Crypto
import Shared
import Synchronization

/// Optional viewer authentication: a shared token and/or named users with password hashes.
///
/// A request is let in with any of: `Authorization: Bearer <token>`, `?token=<token>`,
/// `Authorization: Basic` of a configured user, or the session cookie the gateway set after one
/// of those succeeded (so tiles, API calls and the WebSocket of a page opened with `?token=`
/// need nothing more). The cookie is `<viewer>.<HMAC-SHA256 of the viewer>` keyed with a hash
/// of the whole credential set: every replica with the same configuration accepts it, and
/// changing any credential revokes all cookies.
package struct ViewerAuth: Sendable {
    /// The cookie's name.
    package static let cookieName = "kafkatorio_viewer"

    /// The shared token, if any.
    package let token: String?
    /// Users by name.
    package let users: [String: PasswordHash]
    private let cookieKey: SymmetricKey
    /// Basic credentials already verified (SHA-256 of the header value → user), so the
    /// deliberately slow hash runs once per credential, not once per tile.
    private let verified = VerifiedCache()

    /// Whether any credential is configured (otherwise everyone may view).
    package var enabled: Bool { token != nil || !users.isEmpty }

    package init(token: String?, users: [String: PasswordHash]) {
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.users = users
        var material = "kafkatorio-viewer-cookie\n\(self.token ?? "")\n"
        for (name, hash) in users.sorted(by: { $0.key < $1.key }) { material += "\(name) \(hash.encoded)\n" }
        self.cookieKey = SymmetricKey(data: SHA256.hash(data: Array(material.utf8)))
    }

    /// What a request's credentials say, without the slow password hash: a viewer (token,
    /// cookie, or a Basic credential verified before), a Basic credential to verify
    /// (``verify(_:)``, which the server runs off the cooperative pool), or no viewer.
    /// `authorization`: its `Authorization` header; `queryToken`: its `token` query parameter;
    /// `cookie`: the value of its ``cookieName`` cookie (`ViewerAuth+Request.swift` in
    /// MapGatewayServer reads them from a request).
    package func authenticate(authorization: String?, queryToken: String?, cookie: String?) -> AuthOutcome {
        var presented = false
        if let auth = authorization {
            presented = true
            if auth.hasPrefix("Bearer "), let token, Self.equal(String(auth.dropFirst(7)), token) {
                return .viewer("token", setCookie: true)
            }
            if auth.hasPrefix("Basic "), !users.isEmpty {
                let encoded = String(auth.dropFirst(6))
                let digest = Hex.encode(SHA256.hash(data: Array(encoded.utf8)))
                if let user = verified.cache.withLock({ $0[digest] }) { return .viewer(user, setCookie: true) }
                if let decoded = Base64.decode(encoded), let colon = decoded.firstIndex(of: UInt8(ascii: ":")) {
                    return .password(
                        BasicCredential(
                            digest: digest, name: String(decoding: decoded[..<colon], as: UTF8.self),
                            password: String(decoding: decoded[(colon + 1)...], as: UTF8.self)))
                }
            }
        }
        if let given = queryToken {
            presented = true
            if let token, Self.equal(given, token) { return .viewer("token", setCookie: true) }
        }
        if let cookie, let viewer = cookieViewer(cookie) {
            return .viewer(viewer, setCookie: false)
        }
        return .denied(presentedCredential: presented)
    }

    /// The PBKDF2 iterations every password check costs: the most of any user's hash, so a check
    /// costs the same whether the name exists, the password is wrong, or it is right.
    package var checkIterations: Int { users.values.map(\.iterations).max() ?? 0 }

    /// Checks a Basic credential with the slow hash (CPU for ``checkIterations`` HMACs whatever the
    /// name: an unknown name is checked against a dummy hash with the same cost, and a user whose
    /// hash has fewer iterations pays the rest on the dummy), and remembers a verified one.
    package func verify(_ credential: BasicCredential) -> PasswordCheck {
        let cost = checkIterations
        let password = Array(credential.password.utf8)
        var user: String?
        var spent = 0
        if let hash = users[credential.name] {
            let key = PasswordHash.pbkdf2(password: password, salt: hash.salt, iterations: hash.iterations)
            spent = hash.iterations
            if Hex.constantTimeEqual(key, hash.key) { user = credential.name }
        }
        if cost > spent {
            let key = PasswordHash.pbkdf2(password: password, salt: Self.dummySalt, iterations: cost - spent)
            _ = Hex.constantTimeEqual(key, Self.dummyKey)
            spent = cost
        }
        if let user {
            verified.cache.withLock { cache in
                if cache.count > 1000 { cache.removeAll() }
                cache[credential.digest] = user
            }
        }
        return PasswordCheck(user: user, iterations: spent)
    }

    private static let dummySalt = Array("kafkatorio-no-such-user".utf8)
    private static let dummyKey = [UInt8](repeating: 0, count: 32)

    /// The cookie value for `viewer`.
    package func cookieValue(viewer: String) -> String {
        viewer + "." + Hex.encode(HMAC<SHA256>.authenticationCode(for: Array(viewer.utf8), using: cookieKey))
    }

    private func cookieViewer(_ value: String) -> String? {
        guard let dot = value.lastIndex(of: ".") else { return nil }
        let viewer = String(value[..<dot])
        guard viewer == "token" ? token != nil : users[viewer] != nil else { return nil }
        return Self.equal(value, cookieValue(viewer: viewer)) ? viewer : nil
    }

    private static func equal(_ a: String, _ b: String) -> Bool {
        Hex.constantTimeEqual(Array(SHA256.hash(data: Array(a.utf8))), Array(SHA256.hash(data: Array(b.utf8))))
    }
}

/// What a request's credentials say (``ViewerAuth/authenticate(authorization:queryToken:cookie:)``).
package enum AuthOutcome: Sendable, Hashable {
    /// The request is let in as `viewer`; `setCookie`: it came with a token or password, so the
    /// session cookie is set.
    case viewer(String, setCookie: Bool)
    /// A Basic credential not verified before: ``ViewerAuth/verify(_:)`` decides.
    case password(BasicCredential)
    /// No valid credential. `presentedCredential`: a token or `Authorization` was given and is
    /// wrong (a failure the server counts against the client), rather than none at all.
    case denied(presentedCredential: Bool)
}

/// A user name and password from `Authorization: Basic`, not yet verified.
package struct BasicCredential: Sendable, Hashable {
    /// SHA-256 of the header's base64 value (the verified-credential cache's key).
    package var digest: String
    package var name: String
    package var password: String

    package init(digest: String, name: String, password: String) {
        self.digest = digest
        self.name = name
        self.password = password
    }
}

/// The result of ``ViewerAuth/verify(_:)``.
package struct PasswordCheck: Sendable, Hashable {
    /// The user, when the password matched.
    package var user: String?
    /// PBKDF2 iterations spent (``ViewerAuth/checkIterations`` for every credential).
    package var iterations: Int
}

/// Authorization values whose password already verified, by SHA-256 of the value.
final class VerifiedCache: Sendable {
    let cache = Mutex<[String: String]>([:])
}

/// Standard base64 decoding (RFC 4648, padding optional).
enum Base64 {
    static func decode(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        var acc: UInt32 = 0
        var bits = 0
        for c in s.utf8 {
            let v: UInt32
            switch c {
            case 0x41...0x5A: v = UInt32(c - 0x41)
            case 0x61...0x7A: v = UInt32(c - 0x61 + 26)
            case 0x30...0x39: v = UInt32(c - 0x30 + 52)
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="): continue
            default: return nil
            }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((acc >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}

extension ViewerAuth {
    /// Parses a users file: one `<name> <password hash>` per line (hash as ``PasswordHash``),
    /// `#` comments and blank lines ignored. Names are 1–64 of `[A-Za-z0-9_.@-]`.
    /// - Throws: ``UsersFileError`` naming the line; a file without any user is an error too
    ///   (line 0), never "auth off".
    package static func parseUsers(_ text: String) throws(UsersFileError) -> [String: PasswordHash] {
        var users: [String: PasswordHash] = [:]
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmedOf(" \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 2 else { throw UsersFileError(line: i + 1, reason: "expected `<name> <hash>`") }
            let name = String(fields[0])
            guard (1...64).contains(name.utf8.count),
                name.utf8.allSatisfy({ c in
                    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                        || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c == UInt8(ascii: "@")
                        || c == UInt8(ascii: "-")
                }), name != "token"
            else { throw UsersFileError(line: i + 1, reason: "invalid user name") }
            let hash: PasswordHash
            do {
                hash = try PasswordHash.parse(String(fields[1]))
            } catch {
                throw UsersFileError(line: i + 1, reason: error.reason)
            }
            guard users[name] == nil else { throw UsersFileError(line: i + 1, reason: "duplicate user \(name)") }
            users[name] = hash
        }
        guard !users.isEmpty else { throw UsersFileError(line: 0, reason: "no users (only blank lines or comments)") }
        return users
    }
}
