package import MapGatewayCore
package import HTTPTypes
import Hummingbird
import NIOCore

/// Resolves the client behind reverse proxies from `X-Forwarded-For`, `X-Forwarded-Proto` and
/// `X-Forwarded-Host`, trusting them only when the peer is in one of the configured networks.
///
/// `X-Forwarded-For` is read right to left, skipping trusted proxies: the first untrusted
/// address is the client (a client cannot spoof its way past the proxies it actually crossed).
/// Without a trusted peer every forwarded header is ignored.
package struct ForwardedHeaders: Sendable {
    /// Networks of the proxies whose headers are believed.
    package var trusted: [CIDR]

    package init(trusted: [CIDR]) {
        self.trusted = trusted
    }

    func isTrusted(_ address: String) -> Bool { trusted.contains { $0.contains(address) } }

    /// The client of a request from `peer` (text IP, nil when unknown) with `headers`, sent to
    /// `authority` (the request's `Host`).
    package func resolve(peer: String?, authority host: String?, headers: HTTPFields) -> ClientInfo {
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
