import Crypto

/// HMAC-SHA256 with a secret keyed once: the primitive under ``ProvenanceSigner``, which signs a
/// shipped record's identity together with its line (the `signature` record header). The secret
/// never enters Kafka.
///
/// HMAC (RFC 2104) is computed here over swift-crypto's `SHA256`, with the inner and outer hash
/// states keyed once at init: a line costs its own hash blocks plus one outer block. swift-crypto's
/// generic `HMAC<SHA256>.authenticationCode(for:using:)` re-derived the padded key for every line
/// and went through unspecialised generic code: 2.3 µs a line, more than librdkafka's whole cost
/// per record. The golden tests compare this with `HMAC<SHA256>`.
public struct LineSigner: Sendable {
    /// SHA-256 after absorbing the key XOR ipad / XOR opad.
    private let inner: SHA256
    private let outer: SHA256

    /// - Parameter secret: the server's secret, as text (UTF-8 bytes are the key).
    public init(secret: String) {
        var key = Array(secret.utf8)
        if key.count > SHA256.blockByteCount { key = Array(SHA256.hash(data: key)) }
        key += repeatElement(0, count: SHA256.blockByteCount - key.count)
        var inner = SHA256()
        inner.update(data: key.map { $0 ^ 0x36 })
        var outer = SHA256()
        outer.update(data: key.map { $0 ^ 0x5c })
        self.inner = inner
        self.outer = outer
    }

    private init(inner: SHA256, outer: SHA256) {
        self.inner = inner
        self.outer = outer
    }

    /// This signer with `prefix` absorbed into its inner hash: its MAC of `bytes` is then the HMAC
    /// of `prefix + bytes` (``ProvenanceSigner`` absorbs the fields that are the same for every
    /// record of a server once).
    func absorbing(_ prefix: [UInt8]) -> LineSigner {
        var inner = inner
        inner.update(data: prefix)
        return LineSigner(inner: inner, outer: outer)
    }

    /// The MAC of `head` followed by `bytes`, from the keyed states (`head` may be empty).
    func mac(head: UnsafeRawBufferPointer, raw bytes: UnsafeRawBufferPointer) -> SHA256.Digest {
        var hash = inner
        if !head.isEmpty { hash.update(bufferPointer: head) }
        hash.update(bufferPointer: bytes)
        let innerDigest = hash.finalize()
        var outerHash = outer
        innerDigest.withUnsafeBytes { outerHash.update(bufferPointer: $0) }
        return outerHash.finalize()
    }

    /// MAC of `bytes`, from the keyed states.
    private func mac(raw bytes: UnsafeRawBufferPointer) -> SHA256.Digest {
        mac(head: UnsafeRawBufferPointer(start: nil, count: 0), raw: bytes)
    }

    private func mac(_ bytes: some Collection<UInt8>) -> SHA256.Digest {
        if let mac = bytes.withContiguousStorageIfAvailable({ mac(raw: UnsafeRawBufferPointer($0)) }) { return mac }
        return Array(bytes).withUnsafeBytes { mac(raw: $0) }
    }

    /// Whether `digest` equals the bytes of `hex`, compared in constant time.
    static func matches(_ digest: SHA256.Digest, hex: String) -> Bool {
        guard let expected = Hex.decode(hex), expected.count == SHA256.byteCount else { return false }
        return digest.withUnsafeBytes { computed in
            // Constant time: every byte is compared whatever the first difference.
            zip(computed, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }

    /// Lowercase hex HMAC-SHA256 of `bytes` (64 characters).
    public func signature(of bytes: some Collection<UInt8>) -> String {
        Hex.encode(mac(bytes))
    }

    /// Appends the lowercase hex HMAC-SHA256 of `bytes` to `out` (no intermediate string or copy
    /// of the line: the hot path of LogPipe).
    public func appendSignature(of bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        bytes.withUnsafeBytes { mac(raw: $0) }.withUnsafeBytes { Hex.append($0, to: &out) }
    }

    /// Whether `hex` is the signature of `bytes`, compared in constant time.
    public func verify(_ bytes: some Collection<UInt8>, signature hex: String) -> Bool {
        Self.matches(mac(bytes), hex: hex)
    }
}
