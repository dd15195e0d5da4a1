import Crypto
import Shared

/// A salted, iterated password hash: PBKDF2-HMAC-SHA256 with a 32-byte key, written as
/// `pbkdf2-sha256$<iterations>$<salt hex>$<key hex>` (what `scripts/hash-password.py` prints and
/// Python's `hashlib.pbkdf2_hmac("sha256", password, salt, iterations)` computes).
package struct PasswordHash: Sendable, Hashable {
    /// The most iterations a users file may ask for: 5× what `scripts/hash-password.py` writes
    /// (200,000, about 0.1 s). Each check of a password costs this much CPU, so a larger count
    /// would let a few wrong passwords keep the gateway's verification threads busy.
    package static let maxIterations = 1_000_000

    package let iterations: Int
    package let salt: [UInt8]
    package let key: [UInt8]

    /// Parses the encoded form; nil when malformed (iterations 1…``maxIterations``, salt ≥ 8
    /// bytes, key 32 bytes). ``parse(_:)`` says what is wrong.
    package init?(encoded: String) {
        guard let hash = try? Self.parse(encoded) else { return nil }
        self = hash
    }

    /// Parses the encoded form.
    /// - Throws: ``UsersFileError`` (line 0) saying what is wrong, e.g. too many iterations.
    package static func parse(_ encoded: String) throws(UsersFileError) -> PasswordHash {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let n = Int(parts[1]),
            let salt = Hex.decode(parts[2]), salt.count >= 8, let key = Hex.decode(parts[3]), key.count == 32
        else { throw UsersFileError(line: 0, reason: "invalid hash (expected pbkdf2-sha256$iterations$salt$key)") }
        guard (1...maxIterations).contains(n) else {
            throw UsersFileError(line: 0, reason: "\(n) iterations: expected 1...\(maxIterations)")
        }
        return PasswordHash(iterations: n, salt: salt, key: key)
    }

    private init(iterations: Int, salt: [UInt8], key: [UInt8]) {
        self.iterations = iterations
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

    /// PBKDF2 (RFC 8018) with HMAC-SHA256, one 32-byte block: `iterations` HMACs.
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

/// A line of a users file that could not be read.
package struct UsersFileError: Error, Sendable, CustomStringConvertible {
    package var line: Int
    package var reason: String
    package var description: String { "users file line \(line): \(reason)" }
}
