import Crypto

/// The provenance format of shipped records (`docs/packets.md` §6): which header fields the
/// `signature` covers and how they are encoded. The `signature` header is `<format>:<hex MAC>`;
/// PacketIngest accepts exactly ``Provenance/version`` and dead-letters any other
/// (`unsupported_provenance`), so a LogPipe/PacketIngest mismatch is visible. (The format rides in
/// the signature header rather than a header of its own: one header less per record for
/// librdkafka, on LogPipe's hot path.)
///
/// Format 1 (LogPipe ≤ 0.2.0: 64 hex digits, no prefix) signed the line only, so the `source`
/// header that dedup trusts could be altered freely. Format 2 signs the record's identity with it.
public enum Provenance {
    /// The format this build writes and accepts.
    public static let version = 2
    /// The format of a signature without a `<format>:` prefix.
    public static let unversioned = 1

    /// A `signature` header split into its format (nil if the prefix is not a number of at most
    /// 9 digits) and its MAC's hex; no `:` means format 1.
    public static func split(_ header: String) -> (format: Int?, mac: Substring) {
        guard let colon = header.firstIndex(of: ":") else { return (unversioned, header[...]) }
        let prefix = header[..<colon]
        let format = (1...9).contains(prefix.utf8.count) && prefix.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } ? Int(prefix) : nil
        return (format, header[header.index(after: colon)...])
    }
}

/// The topic a signed record was shipped to: covered by the signature, so a line cannot be moved
/// from one topic to another (where it would move another dedup high-water mark).
public enum RecordKind: UInt8, Sendable, Hashable {
    /// Packet lines (`raw`).
    case raw = 1
    /// Engine and console lines (`console`).
    case console = 2
    /// LogPipe's oversize lines (`deadletter`).
    case deadLetter = 3
}

/// What identifies a shipped record besides its server (which a ``ProvenanceSigner`` is bound to):
/// the topic kind and the `source` position, the key PacketIngest deduplicates on.
public struct RecordIdentity: Sendable, Hashable {
    public var kind: RecordKind
    /// The fingerprint of the log file (the `source` header's hex part).
    public var fingerprint: UInt64
    /// The line's byte offset in that file (the `source` header's decimal part).
    public var offset: UInt64

    public init(kind: RecordKind, fingerprint: UInt64, offset: UInt64) {
        self.kind = kind
        self.fingerprint = fingerprint
        self.offset = offset
    }
}

/// Signs and verifies records in provenance format 2: `signature` = `2:` and the lowercase hex
/// HMAC-SHA256(secret, message), where message is (all integers unsigned big-endian):
///
/// | bytes | field |
/// |---|---|
/// | 1 | format, `0x02` |
/// | 4 | n = byte length of the server id |
/// | n | server id (ASCII) |
/// | 1 | kind: `0x01` raw, `0x02` console, `0x03` deadletter |
/// | 8 | fingerprint |
/// | 8 | offset |
/// | 4 | m = byte length of the value |
/// | m | the value (the line, as in the record) |
///
/// The first three fields are the same for every record of a server: they are absorbed into the
/// keyed hash once, so a line costs its own hash blocks plus 21 header bytes, as before plus at
/// most one block.
public struct ProvenanceSigner: Sendable {
    /// The server id the signer is bound to.
    public let server: String
    private let keyed: LineSigner

    /// - Parameters:
    ///   - signer: keyed with the server's secret.
    ///   - server: the server id the records are shipped for.
    public init(signer: LineSigner, server: String) {
        self.server = server
        keyed = signer.absorbing(Self.serverPrefix(server))
    }

    /// - Parameter secret: the server's secret, as text (UTF-8 bytes are the key).
    public init(secret: String, server: String) {
        self.init(signer: LineSigner(secret: secret), server: server)
    }

    /// Format byte, server id length and server id.
    private static func serverPrefix(_ server: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(Provenance.version)]
        appendBigEndian(UInt32(truncatingIfNeeded: server.utf8.count), to: &out)
        out.append(contentsOf: server.utf8)
        return out
    }

    private static func appendBigEndian<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
        var shift = T.bitWidth - 8
        while shift >= 0 {
            out.append(UInt8(truncatingIfNeeded: v >> shift))
            shift -= 8
        }
    }

    /// The whole signed message for `identity` and `value` (the table above), for tests and
    /// other implementations; signing does not build it.
    public static func message(server: String, identity: RecordIdentity, value: some Collection<UInt8>) -> [UInt8] {
        var out = serverPrefix(server)
        out.append(identity.kind.rawValue)
        appendBigEndian(identity.fingerprint, to: &out)
        appendBigEndian(identity.offset, to: &out)
        appendBigEndian(UInt32(truncatingIfNeeded: value.count), to: &out)
        out.append(contentsOf: value)
        return out
    }

    /// The 21 bytes after the server prefix: kind, fingerprint, offset, value length.
    private func mac(_ identity: RecordIdentity, _ value: UnsafeRawBufferPointer) -> SHA256.Digest {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21) { head in
            head[0] = identity.kind.rawValue
            for i in 0..<8 {
                head[1 + i] = UInt8(truncatingIfNeeded: identity.fingerprint >> (56 - 8 * i))
                head[9 + i] = UInt8(truncatingIfNeeded: identity.offset >> (56 - 8 * i))
            }
            let m = UInt32(truncatingIfNeeded: value.count)
            for i in 0..<4 { head[17 + i] = UInt8(truncatingIfNeeded: m >> (24 - 8 * i)) }
            return keyed.mac(head: UnsafeRawBufferPointer(head), raw: value)
        }
    }

    private func mac(_ identity: RecordIdentity, _ value: some Collection<UInt8>) -> SHA256.Digest {
        if let m = value.withContiguousStorageIfAvailable({ mac(identity, UnsafeRawBufferPointer($0)) }) { return m }
        return Array(value).withUnsafeBytes { mac(identity, $0) }
    }

    private static let prefix = Array("\(Provenance.version):".utf8)

    /// Appends the record's `signature` header value, `2:<lowercase hex>`, to `out` (LogPipe's hot
    /// path: no string, no copy of the line).
    public func appendSignature(_ identity: RecordIdentity, value: ArraySlice<UInt8>, to out: inout [UInt8]) {
        out.append(contentsOf: Self.prefix)
        value.withUnsafeBytes { mac(identity, $0) }.withUnsafeBytes { Hex.append($0, to: &out) }
    }

    /// The record's `signature` header value, `2:<lowercase hex>` (66 characters).
    public func signature(_ identity: RecordIdentity, value: some Collection<UInt8>) -> String {
        "\(Provenance.version):" + Hex.encode(mac(identity, value))
    }

    /// Whether `signature` (a whole header value, `2:<hex>`) is the record's, compared in
    /// constant time.
    public func verify(_ identity: RecordIdentity, value: some Collection<UInt8>, signature: String) -> Bool {
        let (format, mac) = Provenance.split(signature)
        return format == Provenance.version && verify(identity, value: value, mac: mac)
    }

    /// Whether `hex` is the MAC of the record (the part of the header after `2:`).
    public func verify(_ identity: RecordIdentity, value: some Collection<UInt8>, mac hex: Substring) -> Bool {
        LineSigner.matches(mac(identity, value), hex: String(hex))
    }
}
