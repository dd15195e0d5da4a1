#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 network in CIDR notation, e.g. `10.0.0.0/8`, `::1/128` or a bare address.
package struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// Network address bytes (4 or 16), already masked.
    package let network: [UInt8]
    /// Prefix length in bits.
    package let prefixLength: Int

    /// Parses `a.b.c.d/n`, `x:y::z/n` or a bare address (a host network); nil when malformed.
    package init?(_ text: String) {
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
    package func contains(_ address: String) -> Bool {
        guard var bytes = Self.addressBytes(address) else { return false }
        if bytes.count == 16, network.count == 4, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF,
            bytes[11] == 0xFF
        {
            bytes = Array(bytes[12...])
        }
        guard bytes.count == network.count else { return false }
        return Self.mask(bytes, prefixLength) == network
    }

    package var description: String { "\(network.map(String.init).joined(separator: "."))/\(prefixLength)" }

    /// The 4 or 16 bytes of an IP address in text form (a zone suffix `%eth0` is ignored), parsed by
    /// `inet_pton` as NIO's `SocketAddress(ipAddress:port:)` does.
    package static func addressBytes(_ text: String) -> [UInt8]? {
        let host = text.split(separator: "%").first.map(String.init) ?? text
        guard !host.isEmpty else { return nil }
        if host.contains(":") {
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, host, &v6) == 1 else { return nil }
            return withUnsafeBytes(of: v6) { Array($0) }
        }
        var v4 = in_addr()
        guard inet_pton(AF_INET, host, &v4) == 1 else { return nil }
        return withUnsafeBytes(of: v4) { Array($0) }
    }

    private static func mask(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        bytes.enumerated().map { i, b in
            let keep = max(0, min(8, length - i * 8))
            return keep == 8 ? b : b & ~(0xFF >> UInt8(keep))
        }
    }
}

extension StringProtocol {
    /// The string without leading and trailing characters of `set`.
    package func trimmedOf(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
