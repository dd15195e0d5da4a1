import HTTPTypes
import Hummingbird
import NIOCore

/// An IPv4 or IPv6 network in CIDR notation, e.g. `10.0.0.0/8`, `::1/128` or a bare address.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// Network address bytes (4 or 16), already masked.
    public let network: [UInt8]
    /// Prefix length in bits.
    public let prefixLength: Int

    /// Parses `a.b.c.d/n`, `x:y::z/n` or a bare address (a host network); nil when malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let bytes = Self.addressBytes(String(parts[0])) else { return nil }
        let bits = bytes.count * 8
        var length = bits
        if parts.count == 2 {
            guard let n = Int(parts[1]), (0...bits).contains(n) else { return nil }
            length = n
        }
        self.prefixLength = length
        self.network = Self.mask(bytes, length)
    }

    /// Whether `address` (text form) lies in this network. IPv4-mapped IPv6 addresses
    /// (`::ffff:a.b.c.d`) match IPv4 networks.
    public func contains(_ address: String) -> Bool {
        guard var bytes = Self.addressBytes(address) else { return false }
        if bytes.count == 16, network.count == 4, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF,
            bytes[11] == 0xFF
        {
            bytes = Array(bytes[12...])
        }
        guard bytes.count == network.count else { return false }
        return Self.mask(bytes, prefixLength) == network
    }

    public var description: String { "\(network.map(String.init).joined(separator: "."))/\(prefixLength)" }

    /// The 4 or 16 bytes of an IP address in text form (a zone suffix `%eth0` is ignored).
    static func addressBytes(_ text: String) -> [UInt8]? {
        let host = text.split(separator: "%").first.map(String.init) ?? text
        guard !host.isEmpty else { return nil }
        if host.contains(":") {
            guard let address = try? SocketAddress(ipAddress: host, port: 0), case .v6(let v6) = address else {
                return nil
            }
            return withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        }
        guard let address = try? SocketAddress(ipAddress: host, port: 0), case .v4(let v4) = address else {
            return nil
        }
        return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
    }

    private static func mask(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        bytes.enumerated().map { i, b in
            let keep = max(0, min(8, length - i * 8))
            return keep == 8 ? b : b & ~(0xFF >> UInt8(keep))
        }
    }
}

/// Resolves the client behind reverse proxies from `X-Forwarded-For`, `X-Forwarded-Proto` and
/// `X-Forwarded-Host`, trusting them only when the peer is in one of the configured networks.
///
/// `X-Forwarded-For` is read right to left, skipping trusted proxies: the first untrusted
/// address is the client (a client cannot spoof its way past the proxies it actually crossed).
/// Without a trusted peer every forwarded header is ignored.
public struct ForwardedHeaders: Sendable {
    /// Networks of the proxies whose headers are believed.
    public var trusted: [CIDR]

    public init(trusted: [CIDR]) {
        self.trusted = trusted
    }

    func isTrusted(_ address: String) -> Bool { trusted.contains { $0.contains(address) } }

    /// The client of a request from `peer` (text IP, nil when unknown) with `headers`, sent to
    /// `authority` (the request's `Host`).
    public func resolve(peer: String?, authority host: String?, headers: HTTPFields) -> ClientInfo {
        guard let peer, !trusted.isEmpty, isTrusted(peer) else {
            return ClientInfo(address: peer ?? "", scheme: "http", host: host, viaTrustedProxy: false)
        }
        var client = peer
        let hops = headers[values: HTTPField.Name("X-Forwarded-For")!]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmedOf(" \t") }
        for hop in hops.reversed() {
            guard CIDR.addressBytes(hop) != nil else { break }
            client = hop
            if !isTrusted(hop) { break }
        }
        var scheme = "http"
        if let proto = headers[HTTPField.Name("X-Forwarded-Proto")!]?.split(separator: ",").first?
            .trimmedOf(" \t").lowercased(), proto == "https" || proto == "http"
        {
            scheme = proto
        }
        let forwardedHost = headers[HTTPField.Name("X-Forwarded-Host")!]?.split(separator: ",").first?
            .trimmedOf(" \t")
        return ClientInfo(
            address: client, scheme: scheme, host: forwardedHost.flatMap { Self.validHost($0) } ?? host,
            viaTrustedProxy: true)
    }

    /// A host[:port] made only of hostname characters (no header injection through the Host).
    static func validHost(_ s: String) -> String? {
        guard !s.isEmpty, s.count <= 255,
            s.utf8.allSatisfy({ c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                    || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")
                    || c == UInt8(ascii: "[") || c == UInt8(ascii: "]")
            })
        else { return nil }
        return s
    }
}

extension StringProtocol {
    func trimmedOf(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
