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

    package init(
        fingerprints: Int = PacketIngestSettings.maxFingerprints.defaultValue,
        surfaces: Int = PacketIngestSettings.maxSurfaces.defaultValue,
        players: Int = PacketIngestSettings.maxPlayers.defaultValue
    ) {
        self.fingerprints = fingerprints
        self.surfaces = surfaces
        self.players = players
    }

    /// The limit of `cap`.
    package func limit(_ cap: ServerCap) -> Int {
        switch cap {
        case .fingerprints: fingerprints
        case .surfaces: surfaces
        case .players: players
        }
    }
}

/// One of the ``ServerCaps``.
package enum ServerCap: String, Error, Sendable, Hashable, CaseIterable {
    case fingerprints, surfaces, players

    /// The setting that configures it.
    package var settingKey: String {
        switch self {
        case .fingerprints: PacketIngestSettings.maxFingerprints.key
        case .surfaces: PacketIngestSettings.maxSurfaces.key
        case .players: PacketIngestSettings.maxPlayers.key
        }
    }

    /// What it counts, for messages.
    package var noun: String {
        switch self {
        case .fingerprints: "log-file fingerprints"
        case .surfaces: "surfaces"
        case .players: "player indices"
        }
    }
}

/// The key of a membership record in the state topic (raw partitions' state only):
/// `surface/<server>/<name>` or `player/<server>/<index>`; value `1` (member) or empty (removed:
/// a deleted surface).
package enum MemberKey: Sendable, Hashable {
    case surface(server: String, name: String)
    case player(server: String, index: Int)

    /// The record key.
    package var string: String {
        switch self {
        case .surface(let server, let name): "surface/\(server)/\(name)"
        case .player(let server, let index): "player/\(server)/\(index)"
        }
    }

    /// Parses ``string``: a valid server id, a valid surface name or a player index in
    /// 0…2^32−1 (the contract's range); nil otherwise.
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
            return nil
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
        }
    }
}
