package import Shared
import Settings

/// What a registered but hostile game server may grow in PacketIngest's state, per server (and per
/// input topic for fingerprints). A line that would exceed a cap is dead-lettered
/// `server_cap_exceeded` (the detail names the cap and its setting): a new fingerprint over the
/// cap changes no state at all; a packet naming a surface or player over the cap raises its log
/// file's high-water mark (like any line the codec rejects) but adds no member.
///
/// The counts are derived from state that survives a restart: fingerprints are the keys of the
/// dedup high-water marks (restored from `ingest-dedup`); surfaces and player indices are
/// membership records in `ingest-dedup` (``MemberKey``), written once per new member.
package struct ServerCaps: Sendable, Hashable {
    /// Most log-file fingerprints per server and input topic (one dedup key each, kept forever).
    package var fingerprints: Int
    /// Most distinct surface names per server (a deleted surface frees its slot).
    package var surfaces: Int
    /// Most distinct player indices per server.
    package var players: Int
    /// Most distinct map objects of each kind per server (chart tags, train stops, trains, space
    /// platforms: a removal frees its slot).
    package var mapObjects: Int

    package init(
        fingerprints: Int = PacketIngestSettings.maxFingerprints.defaultValue,
        surfaces: Int = PacketIngestSettings.maxSurfaces.defaultValue,
        players: Int = PacketIngestSettings.maxPlayers.defaultValue,
        mapObjects: Int = PacketIngestSettings.maxMapObjects.defaultValue
    ) {
        self.fingerprints = fingerprints
        self.surfaces = surfaces
        self.players = players
        self.mapObjects = mapObjects
    }

    /// The limit of `cap`.
    package func limit(_ cap: ServerCap) -> Int {
        switch cap {
        case .fingerprints: fingerprints
        case .surfaces: surfaces
        case .players: players
        case .tags, .stations, .trains, .platforms: mapObjects
        }
    }
}

/// One of the ``ServerCaps``.
package enum ServerCap: String, Error, Sendable, Hashable, CaseIterable {
    case fingerprints, surfaces, players, tags, stations, trains, platforms

    /// The setting that configures it.
    package var settingKey: String {
        switch self {
        case .fingerprints: PacketIngestSettings.maxFingerprints.key
        case .surfaces: PacketIngestSettings.maxSurfaces.key
        case .players: PacketIngestSettings.maxPlayers.key
        case .tags, .stations, .trains, .platforms: PacketIngestSettings.maxMapObjects.key
        }
    }

    /// What it counts, for messages.
    package var noun: String {
        switch self {
        case .fingerprints: "log-file fingerprints"
        case .surfaces: "surfaces"
        case .players: "player indices"
        case .tags: "chart tags"
        case .stations: "train stops"
        case .trains: "trains"
        case .platforms: "space platforms"
        }
    }
}

/// A kind of map object the per-server caps count, by its game id (``ServerCaps/mapObjects``).
package enum MapObjectKind: String, Sendable, Hashable, CaseIterable {
    case tag, station, train, platform

    /// The cap that counts this kind.
    package var cap: ServerCap {
        switch self {
        case .tag: .tags
        case .station: .stations
        case .train: .trains
        case .platform: .platforms
        }
    }
}

/// The key of a membership record in the state topic (raw partitions' state only):
/// `surface/<server>/<name>`, `player/<server>/<index>`, or `<kind>/<server>/<id>` of a map object
/// (`tag/…`, `station/…`, `train/…`, `platform/…`); value `1` (member) or empty (removed: a deleted
/// surface, a removed object).
package enum MemberKey: Sendable, Hashable {
    case surface(server: String, name: String)
    case player(server: String, index: Int)
    case object(server: String, kind: MapObjectKind, id: UInt64)

    /// The record key.
    package var string: String {
        switch self {
        case .surface(let server, let name): "surface/\(server)/\(name)"
        case .player(let server, let index): "player/\(server)/\(index)"
        case .object(let server, let kind, let id): "\(kind.rawValue)/\(server)/\(id)"
        }
    }

    /// Parses ``string``: a valid server id, a valid surface name, a player index in 0…2^32−1
    /// (the contract's range) or a map object's id (0…2^64−1); nil otherwise.
    package init?(string: String) {
        let parts = string.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, Identifier.isValidServerID(String(parts[1])) else { return nil }
        let server = String(parts[1])
        switch parts[0] {
        case "surface":
            let name = String(parts[2])
            guard Identifier.isValidSurfaceName(name) else { return nil }
            self = .surface(server: server, name: name)
        case "player":
            guard let index = PartitionState.decimal(ArraySlice(parts[2].utf8), max: UInt64(UInt32.max)) else {
                return nil
            }
            self = .player(server: server, index: Int(index))
        default:
            guard let kind = MapObjectKind(rawValue: String(parts[0])),
                let id = PartitionState.decimal(ArraySlice(parts[2].utf8), max: UInt64.max)
            else { return nil }
            self = .object(server: server, kind: kind, id: id)
        }
    }
}

extension Packet {
    /// The surface this packet names, if any (a player's surface too), and whether it deletes it.
    var namedSurface: (name: String, deleted: Bool)? {
        switch payload {
        case .surface(let s): (s.name, s.deleted)
        case .chunkTerrain(let p): (p.surface, false)
        case .chunkBuildings(let p): (p.surface, false)
        case .chunkResources(let p): (p.surface, false)
        case .chunkDeleted(let p): (p.surface, false)
        case .tiles(let p): (p.surface, false)
        case .buildings(let p): (p.surface, false)
        case .buildingRemoved(let p): (p.surface, false)
        case .player(let p): (p.surface, false)
        case .chartTag(let p): (p.surface, false)
        case .chartTagRemoved(let p): (p.surface, false)
        case .chartTags(let p): (p.surface, false)
        case .trainStop(let p): (p.surface, false)
        case .trainStopRemoved(let p): (p.surface, false)
        case .train(let p): (p.surface, false)
        case .trainRemoved(let p): (p.surface, false)
        case .spacePlatform(let p): (p.surface, false)
        case .sessionStart, .prototypes, .chat, .spacePlatformRemoved: nil
        }
    }

    /// The map object this packet names (by kind and game id), if any, and whether it removes it.
    var mapObject: (kind: MapObjectKind, id: UInt64, removed: Bool)? {
        switch payload {
        case .chartTag(let p): (.tag, UInt64(truncatingIfNeeded: p.tag), false)
        case .chartTagRemoved(let p): (.tag, UInt64(truncatingIfNeeded: p.tag), true)
        case .trainStop(let p): (.station, p.unit, false)
        case .trainStopRemoved(let p): (.station, p.unit, true)
        case .train(let p): (.train, UInt64(truncatingIfNeeded: p.id), false)
        case .trainRemoved(let p): (.train, UInt64(truncatingIfNeeded: p.id), true)
        case .spacePlatform(let p): (.platform, UInt64(truncatingIfNeeded: p.index), false)
        case .spacePlatformRemoved(let p): (.platform, UInt64(truncatingIfNeeded: p.index), true)
        default: nil
        }
    }

    /// The player index this packet names, if any.
    var playerIndex: Int? {
        if case .player(let p) = payload { return p.index }
        return nil
    }
}

extension PartitionState {
    /// The membership records a valid `packet` of `server` adds (or, for a surface deletion,
    /// removes), or the cap it would exceed. Nothing changes until ``admitMembers(_:)``.
    package func members(of packet: Packet, server: String, caps: ServerCaps) -> Result<[(MemberKey, Bool)], ServerCap> {
        var changes: [(MemberKey, Bool)] = []
        if let (name, deleted) = packet.namedSurface {
            let known = surfaces[server]?.contains(name) ?? false
            if deleted {
                if known { changes.append((.surface(server: server, name: name), false)) }
            } else if !known {
                guard (surfaces[server]?.count ?? 0) < caps.surfaces else { return .failure(.surfaces) }
                changes.append((.surface(server: server, name: name), true))
            }
        }
        if let index = packet.playerIndex, !(players[server]?.contains(index) ?? false) {
            guard (players[server]?.count ?? 0) < caps.players else { return .failure(.players) }
            changes.append((.player(server: server, index: index), true))
        }
        if let (kind, id, removed) = packet.mapObject {
            let known = objects[server]?[kind]?.contains(id) ?? false
            if removed {
                if known { changes.append((.object(server: server, kind: kind, id: id), false)) }
            } else if !known {
                guard (objects[server]?[kind]?.count ?? 0) < caps.mapObjects else { return .failure(kind.cap) }
                changes.append((.object(server: server, kind: kind, id: id), true))
            }
        }
        return .success(changes)
    }

    /// Applies membership changes from ``members(of:server:caps:)``.
    package mutating func admitMembers(_ changes: [(MemberKey, Bool)]) {
        for (key, present) in changes { applyMember(key, present: present) }
    }

    /// The number of distinct members of `cap` for `server` (fingerprints: on `topic`'s partition).
    package func count(_ cap: ServerCap, server: String) -> Int {
        switch cap {
        case .fingerprints: fingerprints[server] ?? 0
        case .surfaces: surfaces[server]?.count ?? 0
        case .players: players[server]?.count ?? 0
        case .tags: objects[server]?[.tag]?.count ?? 0
        case .stations: objects[server]?[.station]?.count ?? 0
        case .trains: objects[server]?[.train]?.count ?? 0
        case .platforms: objects[server]?[.platform]?.count ?? 0
        }
    }
}
