import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOEmbedded
import NIOPosix
import Shared
import Testing

import MapGatewayCore
@testable import MapGatewayServer

/// ``TileFastPath`` on its own (an embedded channel: what it answers, what it passes on, byte for
/// byte) and in the real server (a raw socket: pipelined requests keep their order).
@Suite struct TileFastPathTests {
    let tiles = TileStore()
    let png = TestPNG.checker()
    let tilePath = "/tiles/srv/nauvis/terrain/3/2/-3.png"

    init() { tiles.put(key: Fixture.key(x: 2, y: -3), png: png, version: 1) }

    /// Collects what the fast path passes on to the normal stack.
    final class Sink: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        var passed = ByteBuffer()
        var events: [String] = []
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var b = unwrapInboundIn(data)
            passed.writeBuffer(&b)
        }
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) { events.append("\(event)") }
    }

    func channel(basePath: String = "/") throws -> (EmbeddedChannel, Sink) {
        let sink = Sink()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([
            TileFastPath(tiles: tiles, metrics: nil, basePath: basePath, serverName: "gw", maxPipelined: 16), sink,
        ])
        return (channel, sink)
    }

    /// Everything the channel wrote, as text (latin-1 keeps the PNG bytes one character each).
    func written(_ channel: EmbeddedChannel) throws -> String {
        var out = ByteBuffer()
        while var part = try channel.readOutbound(as: ByteBuffer.self) { out.writeBuffer(&part) }
        return String(decoding: out.readableBytesView.map { UInt16($0) }, as: UTF16.self)
    }

    func get(_ path: String, _ headers: String = "") -> String { "GET \(path) HTTP/1.1\r\nHost: x\r\n\(headers)\r\n" }

    @Test func answersATileWithTheRouterHeaders() throws {
        let (channel, sink) = try channel()
        try channel.writeInbound(ByteBuffer(string: get(tilePath)))
        let out = try written(channel)
        let eTag = ContentHash.strongETag(png)
        #expect(
            out.hasPrefix(
                "HTTP/1.1 200 OK\r\nETag: \(eTag)\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n"
                    + "Content-Type: image/png\r\n"))
        #expect(out.contains("\r\nContent-Length: \(png.count)\r\n") && out.contains("\r\nServer: gw\r\n"))
        #expect(out.range(of: #"\r\nDate: [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\r\n"#, options: .regularExpression) != nil)
        #expect(out.hasSuffix("\r\n\r\n" + String(decoding: png.map { UInt16($0) }, as: UTF16.self)))
        #expect(sink.passed.readableBytes == 0)
    }

    @Test func headConditionalAndMissing() throws {
        let (channel, _) = try channel()
        let eTag = ContentHash.strongETag(png)
        try channel.writeInbound(ByteBuffer(string: "HEAD \(tilePath) HTTP/1.1\r\nHost: x\r\n\r\n"))
        let head = try written(channel)
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n") && head.hasSuffix("\r\n\r\n") && head.contains("Content-Length: \(png.count)"))
        try channel.writeInbound(ByteBuffer(string: get(tilePath, "if-none-match: \"0000\", W/\(eTag)\r\n")))
        let notModified = try written(channel)
        #expect(notModified.hasPrefix("HTTP/1.1 304 Not Modified\r\nETag: \(eTag)\r\n") && notModified.hasSuffix("\r\n\r\n"))
        #expect(notModified.contains("\r\nX-Content-Type-Options: nosniff\r\n"))
        try channel.writeInbound(ByteBuffer(string: get("/tiles/srv/nauvis/terrain/3/9/9.png?v=3")))
        let missing = try written(channel)
        #expect(missing.hasPrefix("HTTP/1.1 404 Not Found\r\n") && missing.hasSuffix("\r\n\r\nno such tile\n"))
        #expect(missing.contains("\r\nX-Content-Type-Options: nosniff\r\n"))
    }

    /// Several requests in one read, and one request over three reads, are all answered in order.
    @Test func pipelinedAndSplitRequests() throws {
        let (channel, sink) = try channel()
        try channel.writeInbound(ByteBuffer(string: get(tilePath) + get("/tiles/srv/nauvis/terrain/3/0/0.png") + get(tilePath)))
        let out = try written(channel)
        #expect(out.components(separatedBy: "HTTP/1.1 ").map { String($0.prefix(3)) } == ["", "200", "404", "200"])
        let request = get(tilePath)
        for part in [request.prefix(10), request.dropFirst(10).prefix(20), request.dropFirst(30)] {
            try channel.writeInbound(ByteBuffer(string: String(part)))
        }
        #expect(try written(channel).hasPrefix("HTTP/1.1 200 OK"))
        #expect(sink.passed.readableBytes == 0)
    }

    /// The first request the fast path does not answer goes on untouched, and so does everything
    /// after it on that connection (even plain tile requests), so responses keep their order; the
    /// fast path leaves the pipeline.
    @Test func anythingElseSwitchesTheConnectionToTheNormalStack() throws {
        let (channel, sink) = try channel()
        let rest = get("/api/servers") + get(tilePath)
        try channel.writeInbound(ByteBuffer(string: get(tilePath) + rest))
        #expect(try written(channel).hasPrefix("HTTP/1.1 200 OK"))
        #expect(String(buffer: sink.passed) == rest)
        #expect(throws: ChannelPipelineError.notFound) { try channel.pipeline.syncOperations.handler(type: TileFastPath.self) }
        try channel.writeInbound(ByteBuffer(string: get(tilePath)))
        #expect(try written(channel).isEmpty)
        #expect(String(buffer: sink.passed) == rest + get(tilePath))
    }

    @Test(arguments: [
        "POST /tiles/srv/nauvis/terrain/3/2/-3.png HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab",
        "GET /tiles/srv/nauvis/terrain/3/2/-3.png HTTP/1.0\r\nHost: x\r\n\r\n",
        "GET /tiles/srv/nauvis/terrain/3/2/-3.png HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /tiles/srv/nauvis/terrain/3/2/-3.png HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        "GET /tiles/srv/nauvis/terrain/3/2/-3.png HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET /tiles/srv/nauvis/terrain/3/2/-3.png HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
        "GET /tiles/srv/nauvis/terrain/3/2/-3.png HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
        "GET /tiles/srv/nauvis/terrain/3/2/-3.png HTTP/1.1\r\nHost: x\nX: y\r\n\r\n",
        "GET /tiles/srv/nauvis/terrain/3/2/-3.png HTTP/1.1\r\nHost: a\rb\r\n\r\n",
        "GET /tiles/srv/nauvis/terrain/3/2/-3.png HTTP/1.1\r\nIf-None-Match: a\r\nIf-None-Match: b\r\n\r\n",
        "GET /tiles/srv/nauvis/terrain/99/2/-3.png HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /tiles/a/..%2F..%2Fetc/terrain/3/0/0.png HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /tiles/srv/nauvis/terrain/3/2/-3.png/x HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET  /tiles/srv/nauvis/terrain/3/2/-3.png HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /ws?server=srv HTTP/1.1\r\nHost: x\r\n\r\n",
    ])
    func unusualRequestsGoToTheNormalStackUntouched(request: String) throws {
        let (channel, sink) = try channel()
        try channel.writeInbound(ByteBuffer(string: request))
        #expect(try written(channel).isEmpty, "\(request)")
        #expect(String(buffer: sink.passed) == request)
    }

    @Test func anOverlongHeadGoesToTheNormalStack() throws {
        let (channel, sink) = try channel()
        let request = "GET \(tilePath) HTTP/1.1\r\nX-Long: " + String(repeating: "a", count: TileFastPathMachine.maxHeadBytes)
        try channel.writeInbound(ByteBuffer(string: request))
        #expect(try written(channel).isEmpty)
        #expect(String(buffer: sink.passed) == request)
    }

    @Test func basePathIsPartOfThePrefix() throws {
        let (channel, sink) = try channel(basePath: "/map/")
        try channel.writeInbound(ByteBuffer(string: get("/map" + tilePath)))
        #expect(try written(channel).hasPrefix("HTTP/1.1 200 OK"))
        try channel.writeInbound(ByteBuffer(string: get(tilePath)))
        #expect(String(buffer: sink.passed) == get(tilePath))
    }

    /// At a graceful shutdown an idle fast-path connection is closed through the normal stack
    /// (told that the input ended), not left open for the client to close.
    @Test func quiesceClosesAnIdleConnection() throws {
        let (channel, sink) = try channel()
        try channel.writeInbound(ByteBuffer(string: get(tilePath)))
        _ = try written(channel)
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        channel.embeddedEventLoop.run()
        #expect(sink.events == ["\(ChannelEvent.inputClosed)"])
    }

    /// The real server: a tile, `/healthz` (normal stack) and a tile again, written at once on one
    /// connection, come back in order; the normal stack closes after `Connection: close`.
    @Test(.timeLimit(.minutes(1))) func realSocketKeepsTheOrder() async throws {
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: tiles, liveHub: LiveHub(), logger: Fixture.logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let requests =
                get(tilePath) + get("/healthz") + get("/tiles/srv/nauvis/terrain/3/5/5.png", "Connection: close\r\n")
            let reply = try await exchange(port: port, requests)
            let statuses = reply.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
            #expect(statuses == ["200", "200", "404"], "\(reply.prefix(600))")
            #expect(reply.contains("ok: 1 tiles"))
        }
    }

    /// The same requests answered by the fast path (a fresh connection) and by the router (a
    /// connection whose first request, `/healthz`, handed it to the normal stack) give the same
    /// bytes, `Date` values aside: 200, 304, HEAD, 404.
    @Test(.timeLimit(.minutes(1))) func theFastPathAnswersByteForByteWhatTheRouterAnswers() async throws {
        let app = try buildApplication(
            configuration: Fixture.configuration(), tileStore: tiles, liveHub: LiveHub(), logger: Fixture.logger)
        let eTag = ContentHash.strongETag(png)
        let tileRequests =
            get(tilePath) + get(tilePath, "If-None-Match: \(eTag)\r\n") + "HEAD \(tilePath) HTTP/1.1\r\nHost: x\r\n\r\n"
            + get("/tiles/srv/nauvis/terrain/3/5/5.png") + get("/healthz", "Connection: close\r\n")
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let fast = try await exchange(port: port, tileRequests)
            let routed = try await exchange(port: port, get("/healthz") + tileRequests)
            let healthz = try #require(routed.range(of: "HTTP/1.1 200 OK", range: routed.index(after: routed.startIndex)..<routed.endIndex))
            #expect(fast.components(separatedBy: "HTTP/1.1 ").map { String($0.prefix(3)) } == ["", "200", "304", "200", "404", "200"])
            #expect(fast == String(routed[healthz.lowerBound...]))
        }
    }

    /// Writes `requests` on a new connection and returns everything read until the server closes,
    /// as latin-1 text with every `Date` value replaced by `-`.
    func exchange(port: Int, _ requests: String) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let reply = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: requests))
            var all = ByteBuffer()
            for try await var part in inbound { all.writeBuffer(&part) }
            return all
        }
        let text = String(decoding: reply.readableBytesView.map { UInt16($0) }, as: UTF16.self)
        return text.replacingOccurrences(of: #"\r\nDate: [^\r]*\r\n"#, with: "\r\nDate: -\r\n", options: .regularExpression)
    }
}
