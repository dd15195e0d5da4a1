package import KafkaModel
package import Shared

/// The input of PacketIngest: one raw line with what LogPipe attached to it.
package struct RawLine: Sendable {
    /// The line's bytes (no newline).
    package var bytes: [UInt8]
    /// The `server` header, if present.
    package var server: String?
    /// The `source` header (`fingerprint:offset`), if present.
    package var source: String?

    package init(bytes: [UInt8], server: String?, source: String?) {
        self.bytes = bytes
        self.server = server
        self.source = source
    }
}

/// Why an input line went to the dead-letter topic. Besides the codec's reasons
/// (``RejectReason``), PacketIngest adds the authentication and provenance reasons below
/// (`docs/packets.md` §3).
package enum IngestRejection: Error, Sendable, Hashable {
    /// No valid `server` header, or a server that is not in the registry.
    case unknownServer(String)
    /// The server is registered but the record has no `signature` header.
    case missingSignature
    /// The `signature` header is not the provenance signature of the record (server, topic kind,
    /// source position, value) with the server's secret.
    case badSignature
    /// No valid `source` header (`<hex fingerprint>:<offset>`), so the line cannot be deduplicated.
    case badSource
    /// The record's `provenance` format is not the one this PacketIngest accepts (the detail
    /// names both and which side to upgrade).
    case unsupportedProvenance(String)
    /// The record is not on the input partition its server's key maps to (a replay on another
    /// partition, whose dedup state does not know it).
    case wrongPartition(String)
    /// Accepting the line would exceed a per-server cap (the detail names it and its setting).
    case serverCapExceeded(String)
    /// The codec rejected the line.
    case packet(PacketError)

    /// The stable reason code written to the `reason` header.
    package var reason: String {
        switch self {
        case .unknownServer: "unknown_server"
        case .missingSignature: "missing_signature"
        case .badSignature: "bad_signature"
        case .badSource: "bad_source"
        case .unsupportedProvenance: "unsupported_provenance"
        case .wrongPartition: "wrong_partition"
        case .serverCapExceeded: "server_cap_exceeded"
        case .packet(let e): e.reason.rawValue
        }
    }

    /// A human-readable detail.
    package var detail: String {
        switch self {
        case .unknownServer(let detail): detail
        case .missingSignature: "no signature header"
        case .badSignature:
            "signature does not match the record (server, topic, source, line) signed with the server's secret"
        case .badSource: "missing or malformed source header (expected <hex fingerprint>:<offset>)"
        case .unsupportedProvenance(let detail), .wrongPartition(let detail), .serverCapExceeded(let detail): detail
        case .packet(let e): e.description
        }
    }
}

/// Validates raw lines and routes packets to the topics of their consumers:
///
/// - map changes (`chunk_*`, `tiles`, `buildings`, `building_removed`) → `map`, keyed by
///   server/surface/region (``MapKey``); packets that span several regions are split into one
///   packet per region, each still absolute state, so a tile worker sees every packet of the
///   regions it owns, in order;
/// - prototypes → `prototypes`, keyed by server;
/// - players, chat, surfaces, session starts, chart tags, train stops, space platforms → `live`,
///   keyed by server; players also → `player-history` (keyed by server, kept as long as the
///   history: the source of trails);
/// - trains (`train`, `train_removed`) → `trains`, keyed by server: the busiest live state (a
///   sample per moving train per second) on a topic of its own with a short retention, so a
///   gateway that reads `live` from the start does not replay a day of train positions;
/// - a deleted surface also → every partition of `map` (explicit partition, key
///   ``surfaceKey(server:surface:)``): the surface's regions are spread over all of them, and
///   on each partition the deletion is then ordered after every earlier packet of those
///   regions, so each renderer worker drops its part of the surface even if it was not running;
/// - anything invalid → `deadletter` with the reason, server, source and the raw line.
package struct PacketRouter: Sendable {
    package var topics: Topics
    package var limits: PacketLimits
    /// The partition count of `map` (a surface deletion goes to each partition).
    package var mapPartitions: Int

    /// - Parameter mapPartitions: the partition count of the `map` topic as it exists on the
    ///   broker (PacketIngestApp asks the broker); at least 1.
    package init(topics: Topics, limits: PacketLimits = PacketLimits(), mapPartitions: Int = 1) {
        self.topics = topics
        self.limits = limits
        self.mapPartitions = max(1, mapPartitions)
    }

    /// The `map` key of a surface deletion: `server/surface` (no region: it is produced to
    /// every partition explicitly).
    package static func surfaceKey(server: String, surface: String) -> String { "\(server)/\(surface)" }

    /// Routes one raw line: the records to publish, or why it is rejected (see ``deadLetter(_:rejection:input:)``).
    /// The records are the Kafka wrapper's `ProducerMessage` (a pure value; only `KafkaTypes.swift`
    /// of the wrapper is used here), published as they are.
    package func route(_ line: RawLine) -> Result<[ProducerMessage], IngestRejection> {
        guard let server = line.server, Identifier.isValidServerID(server) else {
            return .failure(.unknownServer("missing or malformed server header"))
        }
        let packet: Packet
        do {
            packet = try PacketLine.decode(line.bytes, limits: limits)
        } catch {
            return .failure(.packet(error))
        }
        return .success(records(for: packet, server: server, source: line.source))
    }

    /// Longest raw line kept whole in a dead-letter record; longer ones are cut to this many
    /// bytes and carry a `truncated` header with their original length.
    package static let maxDeadLetterBytes = 64 * 1024

    /// The dead-letter record for a rejected line: key = server id (empty if none), value = the raw
    /// line (at most ``maxDeadLetterBytes``), headers `reason`, `detail`, `server`, `source`,
    /// `input` (the topic it came from) and `truncated` (original byte count) when cut.
    package func deadLetter(_ line: RawLine, rejection: IngestRejection, input: String? = nil) -> ProducerMessage {
        var headers = [KafkaHeader(key: RecordHeader.reason, string: rejection.reason)]
        headers.append(KafkaHeader(key: "detail", string: String(rejection.detail.prefix(500))))
        if let s = line.server { headers.append(KafkaHeader(key: RecordHeader.server, string: String(s.prefix(200)))) }
        if let s = line.source { headers.append(KafkaHeader(key: RecordHeader.source, string: String(s.prefix(200)))) }
        if let input { headers.append(KafkaHeader(key: "input", string: input)) }
        var value = line.bytes
        if value.count > Self.maxDeadLetterBytes {
            headers.append(KafkaHeader(key: "truncated", string: "\(value.count)"))
            value = Array(value.prefix(Self.maxDeadLetterBytes))
        }
        let key = line.server.flatMap { Identifier.isValidServerID($0) ? $0 : nil } ?? ""
        return ProducerMessage(topic: topics.deadLetter, key: key, value: value, headers: headers)
    }

    /// The records for a valid packet.
    package func records(for packet: Packet, server: String, source: String?) -> [ProducerMessage] {
        func record(_ topic: String, _ key: String, _ p: Packet) -> ProducerMessage {
            var headers = [
                KafkaHeader(key: RecordHeader.server, string: server),
                KafkaHeader(key: RecordHeader.packetType, string: p.type.rawValue),
            ]
            if let source { headers.append(KafkaHeader(key: RecordHeader.source, string: source)) }
            return ProducerMessage(topic: topic, key: key, value: PacketLine.encode(p), headers: headers)
        }
        func mapRecord(_ surface: String, _ cx: Int, _ cy: Int, _ p: Packet) -> ProducerMessage {
            record(topics.map, MapKey(server: server, surface: surface, chunkX: cx, chunkY: cy).string, p)
        }
        switch packet.payload {
        case .surface(let s) where s.deleted:
            let key = Self.surfaceKey(server: server, surface: s.name)
            return [record(topics.live, server, packet)]
                + (0..<Int32(mapPartitions)).map { p in
                    var r = record(topics.map, key, packet)
                    r.partition = p
                    return r
                }
        case .player:
            return [record(topics.live, server, packet), record(topics.playerHistory, server, packet)]
        case .sessionStart, .chat, .surface, .chartTag, .chartTagRemoved, .chartTags, .trainStop,
            .trainStopRemoved, .spacePlatform, .spacePlatformRemoved:
            return [record(topics.live, server, packet)]
        case .train, .trainRemoved:
            return [record(topics.trains, server, packet)]
        case .prototypes:
            return [record(topics.prototypes, server, packet)]
        case .chunkTerrain(let p):
            return [mapRecord(p.surface, p.cx, p.cy, packet)]
        case .chunkBuildings(let p):
            return [mapRecord(p.surface, p.cx, p.cy, packet)]
        case .chunkResources(let p):
            return [mapRecord(p.surface, p.cx, p.cy, packet)]
        case .chunkDeleted(let p):
            return RegionSplit.split(p.chunks, by: { ($0.x, $0.y) }).map { region, chunks in
                var q = packet
                q.payload = .chunkDeleted(ChunkDeleted(surface: p.surface, chunks: chunks))
                return mapRecord(p.surface, region.x, region.y, q)
            }
        case .tiles(let p):
            return RegionSplit.split(p.cells, by: { (MapGeometry.chunk(ofTile: $0.x), MapGeometry.chunk(ofTile: $0.y)) })
                .map { region, cells in
                    var q = packet
                    q.payload = .tiles(TileChanges(surface: p.surface, cells: cells))
                    return mapRecord(p.surface, region.x, region.y, q)
                }
        case .buildings(let p):
            return RegionSplit.split(p.buildings, by: chunkOf).map { region, buildings in
                var q = packet
                q.payload = .buildings(BuildingsUpsert(surface: p.surface, buildings: buildings))
                return mapRecord(p.surface, region.x, region.y, q)
            }
        case .buildingRemoved(let p):
            return RegionSplit.split(
                p.removed, by: { (MapGeometry.chunk(ofPosition: $0.x), MapGeometry.chunk(ofPosition: $0.y)) }
            ).map { region, removed in
                var q = packet
                q.payload = .buildingRemoved(BuildingsRemoved(surface: p.surface, removed: removed))
                return mapRecord(p.surface, region.x, region.y, q)
            }
        }
    }

    private func chunkOf(_ b: Building) -> (Int, Int) {
        (MapGeometry.chunk(ofPosition: b.x), MapGeometry.chunk(ofPosition: b.y))
    }
}

/// Groups items by the map region (``MapKey/regionChunks`` chunks square) of their chunk,
/// keeping input order within each group and ordering groups by first appearance.
enum RegionSplit {
    /// Returns (a representative chunk of the region, items); the chunk maps to the region's key.
    static func split<T>(_ items: [T], by chunk: (T) -> (Int, Int)) -> [(region: ChunkPosition, items: [T])] {
        var order: [ChunkPosition] = []
        var groups: [ChunkPosition: [T]] = [:]
        for item in items {
            let (cx, cy) = chunk(item)
            let region = ChunkPosition(x: cx >> 3, y: cy >> 3)
            if groups[region] == nil { order.append(region) }
            groups[region, default: []].append(item)
        }
        return order.map { (ChunkPosition(x: $0.x << 3, y: $0.y << 3), groups[$0]!) }
    }
}
