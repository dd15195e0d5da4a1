/// The Kafka topics the four services talk through. Every name has a configurable prefix, so
/// several deployments can share one cluster. `docs/architecture.md` lists keys, values,
/// partition counts and configs.
public struct Topics: Sendable, Hashable {
    /// Prefix of every topic name, e.g. "kafkatorio".
    public var prefix: String

    public init(prefix: String = "kafkatorio") { self.prefix = prefix }

    /// LogPipe → PacketIngest: raw packet lines, key = server id, value = the line's bytes.
    public var raw: String { "\(prefix).raw" }
    /// LogPipe → PacketIngest: engine and console lines (`[JOIN]`, `[CHAT]`, …), key = server id.
    public var console: String { "\(prefix).console" }
    /// PacketIngest → TileRenderer: map changes, key = ``MapKey`` (server/surface/region).
    public var map: String { "\(prefix).map" }
    /// PacketIngest → MapGateway: players, chat, surfaces, session starts; key = server id.
    public var live: String { "\(prefix).live" }
    /// PacketIngest → MapGateway: `train` and `train_removed` (sampled positions, the busiest live
    /// state), key = server id, short retention (`docs/architecture.md`).
    public var trains: String { "\(prefix).trains" }
    /// PacketIngest → TileRenderer: prototype packets, key = server id.
    public var prototypes: String { "\(prefix).prototypes" }
    /// TileRenderer → MapGateway: PNG tiles, key = ``TileKey``.
    public var tiles: String { "\(prefix).tiles" }
    /// TileRenderer → MapGateway: every published tile version, key `<TileKey>/<bucket>`
    /// (bucket = publish unix ms / history interval ms), in the partition of the tile's `tiles`
    /// record; value PNG (empty: removed), headers `server`, `hash`, `time`, `tick`.
    public var tileHistory: String { "\(prefix).tile-history" }
    /// PacketIngest → MapGateway: every `player` packet again, key = server id, partitioned like
    /// ``live``, kept for the history retention: the source of player trails.
    public var playerHistory: String { "\(prefix).player-history" }
    /// TileRenderer's state store (changelog): key `c/<server>/<surface>/<cx>/<cy>` (a chunk's
    /// absolute state) or `s/…/<rx>/<ry>` (buildings of another region reaching into it),
    /// partitioned like ``map`` (the partition of the chunk's region).
    public var rendererState: String { "\(prefix).renderer-state" }
    /// TileRenderer's pyramid stage: tile images (PNG) at z ≤ 0, keyed by tile, in the
    /// partition of their bucket (the ancestor three levels up).
    public var pyramid: String { "\(prefix).pyramid" }
    /// TileRenderer commands (re-render) and their progress reports, JSON.
    public var rendererControl: String { "\(prefix).renderer-control" }
    /// PacketIngest: rejected input with the reason in a header, key = server id.
    public var deadLetter: String { "\(prefix).deadletter" }
    /// PacketIngest's dedup state: key `<input topic>/<server>/<fingerprint>`, value the high-water
    /// offset (and last packet `seq`); partition n holds the state of input partition n.
    public var ingestDedup: String { "\(prefix).ingest-dedup" }
}

/// Names of the Kafka record headers used across topics.
public enum RecordHeader {
    /// The server id (added by LogPipe; the mod never names its server).
    public static let server = "server"
    /// `fingerprint:offset` of the line in its source file: the deduplication key.
    public static let source = "source"
    /// The LogPipe version that shipped the line.
    public static let logPipeVersion = "logpipe-version"
    /// The packet type of a routed packet.
    public static let packetType = "type"
    /// Why a record went to the dead-letter topic.
    public static let reason = "reason"
    /// Monotonic version of a tile (TileRenderer).
    public static let version = "version"
    /// ``ContentHash/fnv1a64(_:)`` of a tile's bytes in lower-case hex (TileRenderer computes it
    /// once; MapGateway's ETag is made from it, see ``ContentHash/fromHeader(_:)``).
    public static let contentHash = "hash"
    /// Unix milliseconds at which a tile version was published (`tile-history`).
    public static let time = "time"
    /// The game tick of a tile version, when the renderer knows it (`tile-history`).
    public static let tick = "tick"
    /// `<provenance format>:<lowercase hex HMAC-SHA256>`, keyed with the server's secret, of the
    /// record's identity and value (``ProvenanceSigner``; added by LogPipe, verified by
    /// PacketIngest; 64 hex digits without a prefix: format 1).
    public static let signature = "signature"
}

/// The key of a map-change record: server, surface and a region of 8×8 chunks, so that one
/// partition holds every packet of the tiles a worker owns, in order.
public struct MapKey: Sendable, Hashable {
    /// Chunks per region side.
    public static let regionChunks = 8
    public var server: String
    public var surface: String
    public var regionX: Int
    public var regionY: Int

    public init(server: String, surface: String, regionX: Int, regionY: Int) {
        self.server = server
        self.surface = surface
        self.regionX = regionX
        self.regionY = regionY
    }

    /// The region key of a chunk.
    public init(server: String, surface: String, chunkX: Int, chunkY: Int) {
        self.init(server: server, surface: surface, regionX: chunkX >> 3, regionY: chunkY >> 3)
    }

    /// `server/surface/rx/ry`.
    public var string: String { "\(server)/\(surface)/\(regionX)/\(regionY)" }
}

/// Map layers, each its own transparent tile set.
public enum MapLayer: String, Sendable, Hashable, CaseIterable {
    case terrain
    case resources
    case buildings
}

/// The address of a rendered map tile. Zoom follows Leaflet's `CRS.Simple` with one map unit
/// per game tile: at ``detailZoom`` one 256 px tile is one chunk (8 px per game tile), and each
/// lower zoom halves the scale.
public struct TileKey: Sendable, Hashable {
    /// The most detailed zoom level: tile (x, y) is chunk (x, y).
    public static let detailZoom = 3
    /// The least detailed zoom level any tile can have: one tile then spans 2^16 chunks per
    /// side, more than the game's 2,000,000-tile map limit. The renderer stops earlier, at the
    /// level where a surface's explored area fits in one tile.
    public static let minZoom = detailZoom - 16
    /// Chunks per tile side at zoom `z` (1 at ``detailZoom``, doubling per level below it).
    public static func chunksPerTile(atZoom z: Int) -> Int { 1 << (detailZoom - z) }
    public var server: String
    public var surface: String
    public var layer: MapLayer
    public var z: Int
    public var x: Int
    public var y: Int

    public init(server: String, surface: String, layer: MapLayer, z: Int, x: Int, y: Int) {
        self.server = server
        self.surface = surface
        self.layer = layer
        self.z = z
        self.x = x
        self.y = y
    }

    /// `server/surface/layer/z/x/y`, the Kafka key and the gateway's path below `/tiles/`.
    public var string: String { "\(server)/\(surface)/\(layer.rawValue)/\(z)/\(x)/\(y)" }

    /// Parses ``string``; nil if it is not six well-formed parts.
    public init?(string: String) {
        let parts = string.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 6, let layer = MapLayer(rawValue: String(parts[2])),
            let z = Int(parts[3]), let x = Int(parts[4]), let y = Int(parts[5]),
            !parts[0].isEmpty, !parts[1].isEmpty
        else { return nil }
        self.init(server: String(parts[0]), surface: String(parts[1]), layer: layer, z: z, x: x, y: y)
    }
}

/// Rules for identifiers that appear in keys and URLs (server ids, surface names).
public enum Identifier {
    /// Whether `s` is a valid server id: 1–64 characters of `A-Z a-z 0-9 . _ -`.
    public static func isValidServerID(_ s: String) -> Bool {
        guard (1...64).contains(s.utf8.count) else { return false }
        return s.utf8.allSatisfy { isSafe($0) }
    }

    /// Whether `s` is usable as a surface name in keys and URLs: 1–200 bytes, no `/`, no
    /// control characters, not "." or "..".
    public static func isValidSurfaceName(_ s: String) -> Bool {
        guard (1...200).contains(s.utf8.count), s != ".", s != ".." else { return false }
        return s.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "\\") }
    }

    @inline(__always) static func isSafe(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F
            || c == 0x2D
    }
}
