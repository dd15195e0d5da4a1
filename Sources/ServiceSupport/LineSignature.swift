import Crypto

/// HMAC-SHA256 signatures of shipped lines (the `signature` record header): LogPipe signs with
/// its server's secret, PacketIngest verifies against its server registry. The secret never
/// enters Kafka.
public struct LineSigner: Sendable {
    private let key: SymmetricKey

    /// - Parameter secret: the server's secret, as text (UTF-8 bytes are the key).
    public init(secret: String) {
        key = SymmetricKey(data: Array(secret.utf8))
    }

    /// Lowercase hex HMAC-SHA256 of `bytes` (64 characters).
    public func signature(of bytes: some Collection<UInt8>) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(bytes), using: key)
        return Hex.encode(mac)
    }

    /// Appends the lowercase hex HMAC-SHA256 of `bytes` to `out` (no intermediate string or copy
    /// of the line: the hot path of LogPipe).
    public func appendSignature(of bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        let mac = HMAC<SHA256>.authenticationCode(for: bytes, using: key)
        let digits: StaticString = "0123456789abcdef"
        digits.withUTF8Buffer { hex in
            mac.withUnsafeBytes { raw in
                for b in raw {
                    out.append(hex[Int(b >> 4)])
                    out.append(hex[Int(b & 0xF)])
                }
            }
        }
    }

    /// Whether `hex` is the signature of `bytes`, compared in constant time.
    public func verify(_ bytes: some Collection<UInt8>, signature hex: String) -> Bool {
        guard let expected = Hex.decode(hex), expected.count == SHA256.byteCount else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(expected, authenticating: Array(bytes), using: key)
    }
}
