#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HummingbirdCore
import Logging
import NIOCore
import Shared

/// Answers tile requests (`GET|HEAD <base>tiles/{server}/{surface}/{layer}/{z}/{x}/{y}.png`) at the
/// front of the connection's channel pipeline, from the bytes, on the connection's event loop. A
/// map view asks for dozens of tiles at once and they are the gateway's hottest path; the full
/// HTTP stack (parser, two header conversions, a task per request, router, encoder) costs more per
/// tile than the tile itself. `scripts/bench-gateway.sh` measures it against nginx serving the
/// same files.
///
/// The answers are those of ``TileRoutes`` (200 with the stored ETag and `no-cache`, 304 on a
/// matching `If-None-Match`, 404 for a tile that does not exist) plus the `Date` and `Server`
/// headers Hummingbird adds. Only the plainest requests are answered here: `HTTP/1.1`, `GET` or
/// `HEAD`, a tile path, CRLF line ends, no body, no `Upgrade` or `Expect`. The first request on a
/// connection that is anything else (another path, a WebSocket upgrade, an odd header, a head over
/// 8 KiB) switches the connection to the normal stack for good, handing it that request's bytes
/// untouched, so responses always leave in request order and the normal parser judges everything
/// unusual. Installed only when no viewer auth, CORS or trusted proxy is configured (those live in
/// the router's middleware).
final class TileFastPath: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The longest request head answered here.
    static let maxHeadBytes = 8192

    private let tiles: TileStore
    private let metrics: GatewayMetrics?
    /// `<base path>tiles/`, e.g. `/tiles/` or `/map/tiles/`.
    private let prefix: String
    private let serverName: String
    /// Bytes read but not yet answered (an incomplete request head).
    private var pending: ByteBuffer?
    /// Everything now goes to the normal stack.
    private var passThrough = false
    /// A graceful shutdown began: close as soon as no request is half read.
    private var quiescing = false
    /// `Date: …\r\nServer: …\r\n` for the current second.
    private var trailer: (second: time_t, bytes: ByteBuffer)?

    init(tiles: TileStore, metrics: GatewayMetrics?, basePath: String, serverName: String) {
        self.tiles = tiles
        self.metrics = metrics
        self.prefix = basePath + "tiles/"
        self.serverName = serverName
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !passThrough else { return context.fireChannelRead(data) }
        var input = unwrapInboundIn(data)
        if var earlier = pending {
            earlier.writeBuffer(&input)
            input = earlier
        }
        pending = nil
        var answered = false
        while input.readableBytes > 0 {
            guard let request = Self.parseHead(input) else {
                // No complete head yet: wait for more, unless it is already too long.
                if input.readableBytes > Self.maxHeadBytes { break }
                pending = input
                if answered { context.flush() }
                return
            }
            guard case .tile(let head) = request, let key = TileFastPath.tileKey(head.target, prefix: prefix) else { break }
            answer(head, key: key, context: context)
            input.moveReaderIndex(forwardBy: head.length)
            answered = true
        }
        if answered { context.flush() }
        if input.readableBytes > 0 {
            // The first request that is not a plain tile request: the normal stack takes over.
            passThrough = true
            context.fireChannelRead(wrapInboundOut(input))
        } else if quiescing {
            closeQuietly(context)
        }
    }

    /// The server is shutting down gracefully: a connection only this handler served is closed
    /// between requests (the normal stack closes its own connections).
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !passThrough {
            quiescing = true
            if pending == nil { closeQuietly(context) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// A connection that only this handler served ended (the client closed or reset it): the
    /// normal stack, still waiting for a first request, learns that no request will come, rather
    /// than reporting the close as an error.
    func channelInactive(context: ChannelHandlerContext) {
        if !passThrough { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
        context.fireChannelInactive()
    }

    /// Closes a connection the normal stack has not seen a request on. It is told that the input
    /// ended (which is what it amounts to for it: no request will reach it), so it closes the
    /// channel and ends its wait for the first request without reporting an error.
    /// Waits until the responses already written have left (an empty write completes after them).
    private func closeQuietly(_ context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer())).assumeIsolated().whenComplete { _ in
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
    }

    /// A parsed request head: what this handler needs of it.
    struct Head: Equatable {
        var target: String
        var isHead: Bool
        var ifNoneMatch: String?
        /// Bytes of the head, including the blank line.
        var length: Int
    }

    enum Parsed: Equatable {
        case tile(Head)
        /// Complete, but not a request this handler answers.
        case other
    }

    /// Parses the request head at the start of `buffer`; nil if it is not complete yet.
    static func parseHead(_ buffer: ByteBuffer) -> Parsed? {
        buffer.withUnsafeReadableBytes { raw -> Parsed? in
            guard let base = raw.baseAddress, raw.count >= 4 else { return nil }
            guard let length = Self.headLength(raw) else { return nil }
            let bytes = UnsafeRawBufferPointer(start: base, count: length - 2)  // every line, with its CRLF
            var lines = HeadLines(bytes)
            guard let requestLine = lines.next() else { return .other }
            let isHead: Bool
            let afterMethod: Int
            if requestLine.starts(with: "GET ".utf8) {
                (isHead, afterMethod) = (false, 4)
            } else if requestLine.starts(with: "HEAD ".utf8) {
                (isHead, afterMethod) = (true, 5)
            } else {
                return .other
            }
            let version = " HTTP/1.1".utf8
            guard requestLine.count > afterMethod + version.count, requestLine.suffix(version.count).elementsEqual(version)
            else { return .other }
            let targetBytes = requestLine[(requestLine.startIndex + afterMethod)..<(requestLine.endIndex - version.count)]
            guard !targetBytes.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) else { return .other }
            var head = Head(
                target: String(decoding: targetBytes, as: UTF8.self), isHead: isHead, ifNoneMatch: nil, length: length)
            while let line = lines.next() {
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                    line.first != UInt8(ascii: " "), line.first != UInt8(ascii: "\t")
                else { return .other }  // obs-fold, or not a header line
                let name = line[..<colon]
                let value = trimmed(line[(colon + 1)...])
                if equalsIgnoringCase(name, "content-length") {
                    guard value.elementsEqual("0".utf8) else { return .other }
                } else if equalsIgnoringCase(name, "transfer-encoding") || equalsIgnoringCase(name, "upgrade")
                    || equalsIgnoringCase(name, "expect")
                {
                    return .other
                } else if equalsIgnoringCase(name, "if-none-match") {
                    guard head.ifNoneMatch == nil else { return .other }
                    head.ifNoneMatch = String(decoding: value, as: UTF8.self)
                } else if equalsIgnoringCase(name, "connection") {
                    let tokens = String(decoding: value, as: UTF8.self).lowercased().split(separator: ",")
                        .map { $0.trimmingCharacters(in: " \t") }
                    // A closing request goes to the normal stack, which closes the connection after it.
                    if tokens.contains("upgrade") || tokens.contains("close") { return .other }
                }
            }
            return lines.malformed ? .other : .tile(head)
        }
    }

    /// The length of the head at the start of `raw` up to and including its blank line, if complete.
    static func headLength(_ raw: UnsafeRawBufferPointer) -> Int? {
        guard let base = raw.baseAddress else { return nil }
        var i = 0
        while i + 3 < raw.count {
            guard let cr = memchr(base + i, 0x0D, raw.count - 3 - i) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(cr))
            if raw[at + 1] == 0x0A && raw[at + 2] == 0x0D && raw[at + 3] == 0x0A { return at + 4 }
            i = at + 1
        }
        return nil
    }

    /// Writes the response to a tile request (not flushed).
    private func answer(_ head: Head, key: TileKey, context: ChannelHandlerContext) {
        let parts: (head: ByteBuffer, body: ByteBuffer?)
        if let tile = tiles.get(key) {
            if let tags = head.ifNoneMatch, ConditionalRequest.ifNoneMatchMatches([.ifNoneMatch: tags], eTag: tile.eTag) {
                metrics?.tileNotModified.increment()
                parts = (tile.rawNotModifiedHead, nil)
            } else {
                metrics?.tileHits.increment()
                parts = (tile.rawOKHead, tile.bytes)
            }
        } else {
            metrics?.tileMisses.increment()
            parts = (Self.notFoundHead, Self.notFoundBody)
        }
        context.write(wrapOutboundOut(parts.head), promise: nil)
        context.write(wrapOutboundOut(currentTrailer()), promise: nil)
        context.write(wrapOutboundOut(Self.end), promise: nil)
        if let body = parts.body, !head.isHead { context.write(wrapOutboundOut(body), promise: nil) }
    }

    private func currentTrailer() -> ByteBuffer {
        let now = time(nil)
        if let trailer, trailer.second == now { return trailer.bytes }
        let bytes = ByteBuffer(string: "Date: \(HTTPDate.format(now))\r\nServer: \(serverName)\r\n")
        trailer = (now, bytes)
        return bytes
    }

    private static let end = ByteBuffer(string: "\r\n")
    private static let notFoundBody = ByteBuffer(string: "no such tile\n")
    private static let notFoundHead = ByteBuffer(
        string: "HTTP/1.1 404 Not Found\r\nCache-Control: no-cache\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: \(notFoundBody.readableBytes)\r\n")

    /// The tile of a request target `<prefix>{server}/{surface}/{layer}/{z}/{x}/{y}.png[?query]`,
    /// validated as ``TileRoutes`` does; nil for anything else.
    static func tileKey(_ target: String, prefix: String) -> TileKey? {
        var rest = Substring(target)
        guard rest.utf8.starts(with: prefix.utf8) else { return nil }
        rest = rest.dropFirst(prefix.count)
        if let query = rest.utf8.firstIndex(of: UInt8(ascii: "?")) { rest = rest[..<query] }
        guard rest.utf8.count > 4, rest.utf8.suffix(4).elementsEqual(".png".utf8) else { return nil }
        rest = rest.dropLast(4)
        var parts: [Substring] = []
        parts.reserveCapacity(6)
        while let slash = rest.utf8.firstIndex(of: UInt8(ascii: "/")) {
            guard parts.count < 5 else { return nil }
            parts.append(rest[..<slash])
            rest = rest[rest.utf8.index(after: slash)...]
        }
        parts.append(rest)
        guard parts.count == 6 else { return nil }
        return try? TileKey.fromURLComponents(
            server: String(parts[0]), surface: String(parts[1]), layer: String(parts[2]), z: String(parts[3]),
            x: String(parts[4]), y: String(parts[5]))
    }

    private static func trimmed(_ s: UnsafeRawBufferPointer.SubSequence) -> UnsafeRawBufferPointer.SubSequence {
        var s = s
        while let f = s.first, f == 0x20 || f == 0x09 { s = s.dropFirst() }
        while let l = s.last, l == 0x20 || l == 0x09 { s = s.dropLast() }
        return s
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer.SubSequence, _ lower: StaticString) -> Bool {
        guard bytes.count == lower.utf8CodeUnitCount else { return false }
        return lower.withUTF8Buffer { l in
            zip(bytes, l).allSatisfy { a, b in (a >= 0x41 && a <= 0x5A ? a | 0x20 : a) == b }
        }
    }
}

/// The CRLF-separated lines of a request head (without the final blank line). A CR not followed by
/// LF, a bare LF or any other control character but HTAB ends the iteration with ``malformed`` set.
private struct HeadLines {
    var rest: UnsafeRawBufferPointer.SubSequence
    var malformed = false
    init(_ bytes: UnsafeRawBufferPointer) { rest = bytes[...] }

    mutating func next() -> UnsafeRawBufferPointer.SubSequence? {
        guard !rest.isEmpty, !malformed else { return nil }
        guard let cr = rest.firstIndex(where: { $0 < 0x20 && $0 != 0x09 }), rest[cr] == 0x0D, cr + 1 < rest.endIndex,
            rest[cr + 1] == 0x0A
        else {
            malformed = true
            return nil
        }
        defer { rest = rest[(cr + 2)...] }
        return rest[..<cr]
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

/// Runs another child channel's setup, then puts ``TileFastPath`` in front of its pipeline.
struct TileFastPathChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner
    let makeHandler: @Sendable () -> TileFastPath

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try channel.pipeline.syncOperations.addHandler(makeHandler(), position: .first)
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// The current time as an HTTP date (RFC 9110 IMF-fixdate).
enum HTTPDate {
    /// For example `Wed, 25 Nov 2026 01:55:47 GMT`.
    static func format(_ seconds: time_t) -> String {
        var t = seconds
        var parts = tm()
        gmtime_r(&t, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
