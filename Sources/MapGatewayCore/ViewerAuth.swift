import Crypto
import Shared
import Synchronization

/// A salted, iterated password hash: PBKDF2-HMAC-SHA256 with a 32-byte key, written as
/// `pbkdf2-sha256$<iterations>$<salt hex>$<key hex>` (what `scripts/hash-password.py` prints and
/// Python's `hashlib.pbkdf2_hmac("sha256", password, salt, iterations)` computes).
package struct PasswordHash: Sendable, Hashable {
    package let iterations: Int
    package let salt: [UInt8]
    package let key: [UInt8]

    /// Parses the encoded form; nil when malformed (iterations 1…10,000,000, salt ≥ 8 bytes,
    /// key 32 bytes).
    package init?(encoded: String) {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let n = Int(parts[1]), (1...10_000_000).contains(n),
            let salt = Hex.decode(parts[2]), salt.count >= 8, let key = Hex.decode(parts[3]), key.count == 32
        else { return nil }
        self.iterations = n
        self.salt = salt
        self.key = key
    }

    /// Hashes `password` with `salt` (for tests and tools).
    package init(password: String, salt: [UInt8], iterations: Int) {
        self.iterations = iterations
        self.salt = salt
        self.key = Self.pbkdf2(password: Array(password.utf8), salt: salt, iterations: iterations)
    }

    /// The encoded form.
    package var encoded: String { "pbkdf2-sha256$\(iterations)$\(Hex.encode(salt))$\(Hex.encode(key))" }

    /// Whether `password` matches, compared in constant time.
    package func verify(_ password: String) -> Bool {
        Hex.constantTimeEqual(Self.pbkdf2(password: Array(password.utf8), salt: salt, iterations: iterations), key)
    }

    /// PBKDF2 (RFC 8018) with HMAC-SHA256, one 32-byte block.
    static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var u = Array(HMAC<SHA256>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var t = u
        for _ in 1..<max(1, iterations) {
            u = Array(HMAC<SHA256>.authenticationCode(for: u, using: key))
            for i in 0..<t.count { t[i] ^= u[i] }
        }
        return t
    }
}

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

    /// The viewer a request authenticates as, and whether a cookie should be set; nil when the
    /// request carries no valid credential. `authorization`: its `Authorization` header;
    /// `queryToken`: its `token` query parameter; `cookie`: the value of its ``cookieName``
    /// cookie (`ViewerAuth+Request.swift` in MapGatewayServer reads them from a request).
    package func authenticate(authorization: String?, queryToken: String?, cookie: String?) -> (
        viewer: String, setCookie: Bool
    )? {
        if let auth = authorization {
            if auth.hasPrefix("Bearer "), let token, Self.equal(String(auth.dropFirst(7)), token) {
                return ("token", true)
            }
            if auth.hasPrefix("Basic "), let user = basicUser(String(auth.dropFirst(6))) {
                return (user, true)
            }
        }
        if let token, let given = queryToken, Self.equal(given, token) {
            return ("token", true)
        }
        if let cookie, let viewer = cookieViewer(cookie) {
            return (viewer, false)
        }
        return nil
    }

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

    private func basicUser(_ encoded: String) -> String? {
        let digest = Hex.encode(SHA256.hash(data: Array(encoded.utf8)))
        if let user = verified.cache.withLock({ $0[digest] }) { return user }
        guard let decoded = Base64.decode(encoded), let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else {
            return nil
        }
        let name = String(decoding: decoded[..<colon], as: UTF8.self)
        let password = String(decoding: decoded[(colon + 1)...], as: UTF8.self)
        guard let hash = users[name], hash.verify(password) else { return nil }
        verified.cache.withLock { cache in
            if cache.count > 1000 { cache.removeAll() }
            cache[digest] = name
        }
        return name
    }

    private static func equal(_ a: String, _ b: String) -> Bool {
        Hex.constantTimeEqual(Array(SHA256.hash(data: Array(a.utf8))), Array(SHA256.hash(data: Array(b.utf8))))
    }
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

/// A line of a users file that could not be read.
package struct UsersFileError: Error, Sendable, CustomStringConvertible {
    package var line: Int
    package var reason: String
    package var description: String { "users file line \(line): \(reason)" }
}

extension ViewerAuth {
    /// Parses a users file: one `<name> <password hash>` per line (hash as ``PasswordHash``),
    /// `#` comments and blank lines ignored. Names are 1–64 of `[A-Za-z0-9_.@-]`.
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
            guard let hash = PasswordHash(encoded: String(fields[1])) else {
                throw UsersFileError(line: i + 1, reason: "invalid hash (expected pbkdf2-sha256$iterations$salt$key)")
            }
            guard users[name] == nil else { throw UsersFileError(line: i + 1, reason: "duplicate user \(name)") }
            users[name] = hash
        }
        return users
    }
}
