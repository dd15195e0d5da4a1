import Foundation
import NIOCore
import NIOEmbedded
import Shared
import Testing

import MapGatewayCore
@testable import MapGatewayServer

/// Issue 17, bounded resources: a client that pipelines tile GETs and never reads cannot grow
/// what the gateway buffers for it. An embedded channel stands in for the connection, with
/// ``StuckSocket`` in front of the fast path as a socket whose peer does not read.
@Suite struct TileFastPathBoundsTests {
    let tiles = TileStore()
    /// A small tile keeps the test quick: the bounds are in answers and bytes, whatever their size.
    let png = TestPNG.checker(size: 16)
    let request = "GET /tiles/srv/nauvis/terrain/3/2/-3.png HTTP/1.1\r\nHost: x\r\n\r\n"
    static let requests = 1000

    init() { tiles.put(key: Fixture.key(x: 2, y: -3), png: png, version: 1) }

    /// A socket whose peer does not read: it holds every write and its promise (nothing leaves),
    /// makes the channel unwritable once more than `highWater` bytes are held (as NIO's socket
    /// channels do at their high-water mark), and counts the reads asked of it.
    final class StuckSocket: ChannelDuplexHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let channel: EmbeddedChannel
        let highWater: Int
        var held: [(ByteBuffer, EventLoopPromise<Void>?)] = []
        var heldBytes = 0
        var mostHeldBytes = 0
        var reads = 0
        var context: ChannelHandlerContext?

        init(channel: EmbeddedChannel, highWater: Int) {
            self.channel = channel
            self.highWater = highWater
        }

        func handlerAdded(context: ChannelHandlerContext) { self.context = context }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            let bytes = unwrapOutboundIn(data)
            held.append((bytes, promise))
            heldBytes += bytes.readableBytes
            mostHeldBytes = max(mostHeldBytes, heldBytes)
            if heldBytes > highWater, channel.isWritable {
                channel.isWritable = false
                context.fireChannelWritabilityChanged()
            }
        }

        func flush(context: ChannelHandlerContext) {}

        func read(context: ChannelHandlerContext) { reads += 1 }

        /// The peer reads everything held so far: it leaves (in order) and the channel is writable.
        func drain() {
            guard let context else { return }
            let out = held
            held = []
            heldBytes = 0
            for (bytes, promise) in out { context.write(wrapOutboundOut(bytes), promise: promise) }
            context.flush()
            if !channel.isWritable {
                channel.isWritable = true
                context.fireChannelWritabilityChanged()
            }
        }
    }

    /// The connection: `StuckSocket`, the fast path, a sink that must receive nothing.
    func connection(highWater: Int, maxPipelined: Int) throws -> (EmbeddedChannel, StuckSocket) {
        let channel = EmbeddedChannel()
        let socket = StuckSocket(channel: channel, highWater: highWater)
        try channel.pipeline.syncOperations.addHandlers([
            socket,
            TileFastPath(tiles: tiles, metrics: nil, basePath: "/", serverName: "gw", maxPipelined: maxPipelined),
        ])
        return (channel, socket)
    }

    /// The client's side: `requests` pipelined GETs in reads of 4 KiB, each delivered only when a
    /// read reached the socket (as `autoRead` does: one read asked for, one read done).
    struct Client {
        var chunks: [ByteBuffer]
        var readsServed = 0

        init(_ text: String) {
            let bytes = Array(text.utf8)
            chunks = stride(from: 0, to: bytes.count, by: 4096).map {
                ByteBuffer(bytes: bytes[$0..<min($0 + 4096, bytes.count)])
            }.reversed()
        }

        /// Delivers chunks while the server asks for reads; returns how many it delivered.
        @discardableResult
        mutating func send(to channel: EmbeddedChannel, _ socket: StuckSocket) throws -> Int {
            var sent = 0
            while readsServed < socket.reads, let chunk = chunks.popLast() {
                readsServed += 1
                try channel.writeInbound(chunk)
                channel.pipeline.read()  // autoRead: the next read is asked for after each one
                sent += 1
            }
            return sent
        }
    }

    /// Serves the whole pipelined stream, draining the socket whenever the client stalls; returns
    /// the responses' status codes in order.
    func serveToTheEnd(_ channel: EmbeddedChannel, _ socket: StuckSocket, _ client: inout Client) throws -> [String] {
        var out = ByteBuffer()
        while true {
            try client.send(to: channel, socket)
            socket.drain()
            while var part = try channel.readOutbound(as: ByteBuffer.self) { out.writeBuffer(&part) }
            if client.chunks.isEmpty, socket.held.isEmpty { break }
        }
        let text = String(decoding: out.readableBytesView.map { UInt16($0) }, as: UTF16.self)
        return text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
    }

    /// The size of one answer, measured on a connection of its own.
    func responseBytes() throws -> Int {
        let (channel, socket) = try connection(highWater: .max, maxPipelined: 16)
        try channel.writeInbound(ByteBuffer(string: request))
        return socket.heldBytes
    }

    /// The channel's writability bounds the output: once more than the high-water mark is held the
    /// fast path neither answers nor reads, so the client stalls; when the peer reads, the rest is
    /// answered, all of it, in order.
    @Test func anUnwritableChannelStopsAnsweringAndReading() throws {
        let highWater = 16 * 1024
        let responseBytes = try responseBytes()
        let (channel, socket) = try connection(highWater: highWater, maxPipelined: 1_000_000)
        var client = Client(String(repeating: request, count: Self.requests))
        channel.pipeline.read()
        try client.send(to: channel, socket)
        #expect(!channel.isWritable)
        #expect(socket.mostHeldBytes <= highWater + responseBytes, "\(socket.mostHeldBytes) bytes held")
        #expect(client.chunks.count > 0, "the fast path kept reading")
        #expect(try client.send(to: channel, socket) == 0)
        #expect(try serveToTheEnd(channel, socket, &client) == Array(repeating: "200", count: Self.requests))
        #expect(socket.mostHeldBytes <= highWater + responseBytes)
    }

    /// The pipelining cap bounds the output even where writability would not (a high-water mark
    /// far above it): at most `maxPipelined` answers are out before the fast path waits for them.
    @Test func thePipeliningCapStopsAnsweringAndReading() throws {
        let maxPipelined = 4
        let responseBytes = try responseBytes()
        let (channel, socket) = try connection(highWater: .max, maxPipelined: maxPipelined)
        var client = Client(String(repeating: request, count: Self.requests))
        channel.pipeline.read()
        try client.send(to: channel, socket)
        #expect(channel.isWritable)
        #expect(socket.mostHeldBytes == maxPipelined * responseBytes, "\(socket.mostHeldBytes) bytes held")
        #expect(client.chunks.count > 0, "the fast path kept reading")
        #expect(try serveToTheEnd(channel, socket, &client) == Array(repeating: "200", count: Self.requests))
        #expect(socket.mostHeldBytes <= maxPipelined * responseBytes)
    }
}
