#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MapGatewayCore
import Metrics
import HTTPTypes
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
/// The answers are those of ``TileRoutes`` (200 with the stored ETag, `no-cache` and `nosniff`,
/// 304 on a matching `If-None-Match`, 404 for a tile that does not exist) plus the `Date` and
/// `Server` headers Hummingbird adds, byte for byte. What is answered, when the connection goes to
/// the normal stack, when reading pauses and when it closes is decided by
/// ``TileFastPathMachine``; this handler carries the decisions out: it buffers the bytes, writes
/// the answers, withholds reads during a pause, and on hand-over passes the buffered bytes on
/// untouched and removes itself from the pipeline. Installed only when no viewer auth, CORS or
/// trusted proxy is configured (those live in the router's middleware).
final class TileFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let tiles: TileStore
    private let metrics: GatewayMetrics?
    private let serverName: String
    private var machine: TileFastPathMachine
    /// Bytes read but not yet answered or handed over.
    private var pending: ByteBuffer?
    /// Inside ``step(_:)``: a flush that completes synchronously must not start another one.
    private var stepping = false
    /// A cold tile is being read from the disk tier: its answer, and every step after it, waits.
    private var loading = false
    /// `Date: …\r\nServer: …\r\n` for the current second.
    private var trailer: (second: time_t, bytes: ByteBuffer)?

    /// - Parameter maxPipelined: answers written on one connection before the handler waits for
    ///   them to leave (``GatewayConfiguration/maxPipelinedTiles``).
    init(tiles: TileStore, metrics: GatewayMetrics?, basePath: String, serverName: String, maxPipelined: Int) {
        self.tiles = tiles
        self.metrics = metrics
        self.serverName = serverName
        self.machine = TileFastPathMachine(prefix: basePath + "tiles/", maxPipelined: maxPipelined)
    }

    /// The machine's state (for tests).
    var state: TileFastPathMachine.State { machine.state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch machine.channelRead() {
        case .forward: return context.fireChannelRead(data)
        case .discard: return
        case .buffer: break
        }
        var input = unwrapInboundIn(data)
        if pending == nil || pending!.readableBytes == 0 {
            pending = input
        } else {
            pending!.writeBuffer(&input)
        }
        step(context)
    }

    func read(context: ChannelHandlerContext) {
        if machine.readRequested() == .forward { context.read() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let resume = machine.writabilityChanged(writable: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
        if resume == .step, !stepping { step(context) }
    }

    /// The server is shutting down gracefully: a connection only this handler served is closed
    /// between requests (the normal stack closes its own connections).
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
        switch machine.quiesce(hasBufferedInput: loading || (pending?.readableBytes ?? 0) > 0) {
        case .close: closeQuietly(context)
        case .later: break
        case .forward: context.fireUserInboundEventTriggered(event)
        }
    }

    /// A connection that only this handler served ended (the client closed or reset it): the
    /// normal stack, still waiting for a first request, learns that no request will come, rather
    /// than reporting the close as an error.
    func channelInactive(context: ChannelHandlerContext) {
        if machine.channelInactive() == .fireInputClosed {
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
        pending = nil
        context.fireChannelInactive()
    }

    /// Carries out the machine's steps over the buffered input until it waits, hands over or closes.
    private func step(_ context: ChannelHandlerContext) {
        guard !loading else { return }
        stepping = true
        defer { stepping = false }
        while true {
            let next: TileFastPathMachine.Step =
                if let pending { pending.withUnsafeReadableBytes { machine.next($0) } } else {
                    machine.next(UnsafeRawBufferPointer(start: nil, count: 0))
                }
            switch next {
            case .answer(let request, let consumed):
                switch tiles.lookup(request.key) {
                case .hit(let tile): answer(request, tile, context: context)
                case .absent: answer(request, nil, context: context)
                case .cold:
                    load(request, consumed: consumed, context: context)
                    return
                }
                pending!.moveReaderIndex(forwardBy: consumed)
            case .flush:
                context.flush()
            case .flushAndNotify:
                // An empty write completes once everything written before it has left.
                context.writeAndFlush(wrapOutboundOut(ByteBuffer())).assumeIsolated().whenComplete { result in
                    let success = if case .success = result { true } else { false }
                    if self.machine.flushCompleted(success: success) == .step, !self.stepping { self.step(context) }
                }
            case .read:
                context.read()
            case .wait:
                // Let the read buffer go once it is consumed (the channel may reuse it).
                if pending?.readableBytes == 0 { pending = nil }
                if case .answering = machine.state {
                    // Every request read is answered: the connection's timeouts run again.
                    let partial = (pending?.readableBytes ?? 0) > 0
                    context.triggerUserOutboundEvent(
                        ConnectionActivity.requestsAnswered(partialHeadBuffered: partial), promise: nil)
                }
                return
            case .handOver:
                if let bytes = pending {
                    pending = nil
                    context.fireChannelRead(wrapInboundOut(bytes))
                }
                context.fireChannelReadComplete()
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                return
            case .close:
                pending = nil
                closeQuietly(context)
                return
            }
        }
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

    /// Reads a cold tile from the disk tier off the event loop (``TileStore/load(_:)``), then
    /// answers it and carries on with the requests behind it, in order: until then the handler
    /// only buffers what arrives.
    private func load(_ request: TileRequest, consumed: Int, context: ChannelHandlerContext) {
        loading = true
        let tiles = self.tiles
        let key = request.key
        let promise = context.eventLoop.makePromise(of: StoredTile?.self)
        promise.completeWithTask { await tiles.load(key) }
        promise.futureResult.assumeIsolated().whenSuccess { tile in
            self.loading = false
            // The connection ended meanwhile: nothing to answer.
            guard context.channel.isActive, self.pending != nil else { return }
            self.answer(request, tile, context: context)
            self.pending!.moveReaderIndex(forwardBy: consumed)
            self.step(context)
        }
    }

    /// Writes the response to a tile request (not flushed): `tile`, or 404 when nil.
    private func answer(_ request: TileRequest, _ tile: StoredTile?, context: ChannelHandlerContext) {
        let parts: (head: ByteBuffer, body: ByteBuffer?)
        if let tile {
            if let tags = request.ifNoneMatch,
                ConditionalRequest.ifNoneMatchMatches([.ifNoneMatch: tags], eTag: tile.eTag)
            {
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
        if let body = parts.body, !request.isHead { context.write(wrapOutboundOut(body), promise: nil) }
    }

    private func currentTrailer() -> ByteBuffer {
        let now = time(nil)
        if let trailer, trailer.second == now { return trailer.bytes }
        let bytes = ByteBuffer(string: "Date: \(HTTPDate.format(now))\r\nServer: \(serverName)\r\n")
        trailer = (now, bytes)
        return bytes
    }

    private static let end = ByteBuffer(string: "\r\n")
    private static let notFoundBody = ByteBuffer(string: TileAnswers.notFoundBody)
    private static let notFoundHead = ByteBuffer(string: TileAnswers.rawNotFoundHead)
}

/// Runs another child channel's setup, then puts ``ConnectionGuard`` (the connection cap and
/// timeouts) and, when `makeFastPath` is given, ``TileFastPath`` behind it in front of its pipeline.
struct GatewayChildChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner
    let limiter: ConnectionLimiter
    let headerTimeoutSeconds: Int
    let idleTimeoutSeconds: Int
    let metrics: GatewayMetrics?
    let makeFastPath: (@Sendable () -> TileFastPath)?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let admitted = limiter.admit(channel)
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let handlers = channel.pipeline.syncOperations
            if let makeFastPath { try handlers.addHandler(makeFastPath(), position: .first) }
            try handlers.addHandler(
                ConnectionGuard(
                    headerTimeoutSeconds: headerTimeoutSeconds, idleTimeoutSeconds: idleTimeoutSeconds,
                    admitted: admitted, metrics: metrics),
                position: .first)
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
