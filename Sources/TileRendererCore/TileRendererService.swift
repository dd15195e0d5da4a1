import Dispatch
import Kafka
import Logging
import ServiceLifecycle
import Shared

/// Settings of the TileRenderer service.
public struct TileRendererConfiguration: Sendable {
    /// Dirty tiles are collected for this long before they are rendered together (0 renders
    /// after every poll).
    public var coalesceWindow: Duration
    /// Most map records handled per poll.
    public var batchSize: Int
    /// libdeflate compression level of the PNGs.
    public var compressionLevel: Int32

    public init(coalesceWindow: Duration = .milliseconds(500), batchSize: Int = 2000, compressionLevel: Int32 = 6) {
        self.coalesceWindow = coalesceWindow
        self.batchSize = batchSize
        self.compressionLevel = compressionLevel
    }
}

/// Builds map state from the `map` topic (partitions shared by the worker group) and the
/// `prototypes` topic (read whole by every worker), renders the tiles that became dirty and
/// publishes them to the `tiles` topic, keyed by ``TileKey``, with `version` and `hash` headers.
///
/// A tile whose bytes did not change is not published again. A tile that has no content any
/// more is published with an empty value (the gateway drops it). Offsets are not committed:
/// each worker rebuilds the state of its partitions by replaying `map` from the beginning when
/// it gets them (the changelog-topic restore replaces this in the TileRenderer issue).
public final class TileRendererService: Service, Sendable {
    private let mapConsumer: KafkaConsumer
    private let prototypeConsumer: KafkaConsumer
    private let producer: KafkaProducer
    private let topics: Topics
    private let configuration: TileRendererConfiguration
    private let logger: Logger
    private let engine: RenderEngine

    public init(
        mapConsumer: KafkaConsumer, prototypeConsumer: KafkaConsumer, producer: KafkaProducer, topics: Topics,
        configuration: TileRendererConfiguration, logger: Logger
    ) throws {
        self.mapConsumer = mapConsumer
        self.prototypeConsumer = prototypeConsumer
        self.producer = producer
        self.topics = topics
        self.configuration = configuration
        self.logger = logger
        self.engine = try RenderEngine(level: configuration.compressionLevel)
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await self.loop()
            }
        } catch is CancellationError {
            // Graceful shutdown.
        }
    }

    private func loop() async throws {
        var dirtySince: ContinuousClock.Instant?
        var published = 0
        var unchanged = 0
        while !Task.isCancelled {
            let prototypes = try await prototypeConsumer.poll(maxMessages: 1000, timeout: .milliseconds(0))
            let map = try await mapConsumer.poll(
                maxMessages: configuration.batchSize, timeout: prototypes.isEmpty ? .milliseconds(100) : .zero)
            let packets = (prototypes + map).compactMap { self.decode($0) }
            if !packets.isEmpty {
                let dirtyCount = await engine.apply(packets)
                if dirtyCount > 0, dirtySince == nil { dirtySince = .now }
            }
            guard let since = dirtySince, ContinuousClock.now - since >= configuration.coalesceWindow else { continue }
            dirtySince = nil
            let rendered = await engine.renderDirty()
            unchanged += rendered.unchanged
            let messages = rendered.tiles.map { tile in
                ProducerMessage(
                    topic: topics.tiles, key: Array(tile.key.string.utf8), value: tile.png,
                    headers: [
                        KafkaHeader(key: RecordHeader.server, string: tile.key.server),
                        KafkaHeader(key: RecordHeader.version, string: String(tile.version)),
                        KafkaHeader(key: RecordHeader.contentHash, string: tile.hash),
                    ])
            }
            for (message, result) in zip(messages, await producer.send(messages)) {
                if case .failure(let error) = result {
                    logger.error("tile publish failed", metadata: ["key": "\(message.topic)", "error": "\(error)"])
                    await engine.forget(keyString: String(decoding: message.key ?? [], as: UTF8.self))
                } else {
                    published += 1
                }
            }
            logger.debug("tiles published", metadata: ["published": "\(published)", "unchanged": "\(unchanged)"])
        }
    }

    private func decode(_ message: ConsumerMessage) -> (String, Packet)? {
        guard let server = message.headerString(RecordHeader.server) else {
            logger.warning("record without server header", metadata: ["topic": "\(message.topic)", "offset": "\(message.offset)"])
            return nil
        }
        do {
            return (server, try PacketLine.decode(message.value))
        } catch {
            logger.error(
                "undecodable record", metadata: ["topic": "\(message.topic)", "offset": "\(message.offset)", "error": "\(error)"])
            return nil
        }
    }
}

/// A rendered tile ready to publish.
struct RenderedTile: Sendable {
    var key: TileKey
    var png: [UInt8]
    var version: UInt64
    var hash: String
}

/// The renderer and its bookkeeping, confined to one serial queue: rendering is CPU work that
/// must not occupy the cooperative pool.
final class RenderEngine: @unchecked Sendable {
    // Every stored property is touched only on `queue`.
    private let queue = DispatchQueue(label: "tile-renderer.engine")
    private let renderer: TileRenderer
    private var dirty: Set<TileKey> = []
    private var publishedHash: [TileKey: UInt64] = [:]
    private var lastVersion: UInt64 = 0

    init(level: Int32) throws {
        renderer = try TileRenderer(level: level)
    }

    /// Applies packets in order; returns how many tiles are dirty now.
    func apply(_ packets: [(String, Packet)]) async -> Int {
        await onQueue {
            for (server, packet) in packets {
                self.dirty.formUnion(self.renderer.apply(packet, server: server))
            }
            return self.dirty.count
        }
    }

    /// Renders every dirty tile; tiles whose bytes are unchanged are skipped.
    func renderDirty() async -> (tiles: [RenderedTile], unchanged: Int) {
        await onQueue {
            var out: [RenderedTile] = []
            var unchanged = 0
            for key in self.dirty.sorted(by: { $0.string < $1.string }) {
                let png = (try? self.renderer.render(key)) ?? nil
                let bytes = png ?? []
                let hash = ContentHash.fnv1a64(bytes)
                if self.publishedHash[key] == hash || (png == nil && self.publishedHash[key] == nil) {
                    unchanged += 1
                    continue
                }
                self.publishedHash[key] = png == nil ? nil : hash
                self.lastVersion = max(self.lastVersion + 1, UInt64(WallClock.nowMillis()))
                out.append(
                    RenderedTile(key: key, png: bytes, version: self.lastVersion, hash: String(hash, radix: 16)))
            }
            self.dirty.removeAll(keepingCapacity: true)
            return (out, unchanged)
        }
    }

    /// Forgets that a tile was published (its publish failed), so the next render sends it again.
    func forget(keyString: String) async {
        await onQueue {
            if let key = TileKey(string: keyString) {
                self.publishedHash[key] = nil
                self.dirty.insert(key)
            }
        }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in queue.async { c.resume(returning: body()) } }
    }
}

