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
        return Self.hex(mac)
    }

    /// Whether `hex` is the signature of `bytes`, compared in constant time.
    public func verify(_ bytes: some Collection<UInt8>, signature hex: String) -> Bool {
        guard let expected = Self.bytes(fromHex: hex), expected.count == SHA256.byteCount else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(expected, authenticating: Array(bytes), using: key)
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(fromHex hex: String) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
