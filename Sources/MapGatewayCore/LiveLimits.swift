package import Shared
import Settings

/// Bounds on what the gateway keeps from the `live` topic: a registered but hostile (or broken)
/// game server cannot grow the gateway's memory without bound, nor make a value it serves trap.
/// Records beyond a cap, or with a value out of range, are ignored whole (``LiveRejection``);
/// everything else is applied as before.
package struct LiveLimits: Sendable, Hashable {
    /// Game servers whose live state is kept.
    package var maxServers: Int
    /// Players kept per server (by `LuaPlayer.index`).
    package var maxPlayersPerServer: Int
    /// Surfaces kept per server (by name).
    package var maxSurfacesPerServer: Int
    /// Chart tags kept per server (by tag number).
    package var maxTagsPerServer: Int
    /// Train stops kept per server (by unit number).
    package var maxStationsPerServer: Int
    /// Trains kept per server (by id).
    package var maxTrainsPerServer: Int
    /// Space platforms kept per server (by index).
    package var maxPlatformsPerServer: Int

    /// The largest player index accepted (`LuaPlayer.index` starts at 1).
    package static let maxPlayerIndex = 1 << 20
    /// The largest absolute player coordinate accepted, in game tiles: the map's edge
    /// (±1,000,000) rounded up as for tiles (``TileRequestLimits/maxAbsChunk`` chunks of 32).
    package static let maxAbsPosition = Double(TileRequestLimits.maxAbsChunk * 32)
    /// Times accepted (Unix milliseconds): the epoch to the end of year 9999.
    package static let timeRange: ClosedRange<Int64> = 0...253_402_300_799_999

    /// Limits with the settings' defaults.
    package init(
        maxServers: Int = GatewaySettings.maxServers.defaultValue,
        maxPlayersPerServer: Int = GatewaySettings.maxPlayersPerServer.defaultValue,
        maxSurfacesPerServer: Int = GatewaySettings.maxSurfacesPerServer.defaultValue,
        maxTagsPerServer: Int = GatewaySettings.maxTagsPerServer.defaultValue,
        maxStationsPerServer: Int = GatewaySettings.maxStationsPerServer.defaultValue,
        maxTrainsPerServer: Int = GatewaySettings.maxTrainsPerServer.defaultValue,
        maxPlatformsPerServer: Int = GatewaySettings.maxPlatformsPerServer.defaultValue
    ) {
        self.maxServers = max(1, maxServers)
        self.maxPlayersPerServer = max(1, maxPlayersPerServer)
        self.maxSurfacesPerServer = max(1, maxSurfacesPerServer)
        self.maxTagsPerServer = max(1, maxTagsPerServer)
        self.maxStationsPerServer = max(1, maxStationsPerServer)
        self.maxTrainsPerServer = max(1, maxTrainsPerServer)
        self.maxPlatformsPerServer = max(1, maxPlatformsPerServer)
    }

    /// Why `packet` cannot be applied to `state`, or nil when it can.
    package func check(_ packet: Packet, against state: LiveState) -> LiveRejection? {
        switch packet.payload {
        case .player(let player):
            guard (1...Self.maxPlayerIndex).contains(player.index) else { return .playerIndex }
            guard player.x.isFinite, player.y.isFinite, abs(player.x) <= Self.maxAbsPosition,
                abs(player.y) <= Self.maxAbsPosition
            else { return .playerPosition }
            if state.players[player.index] == nil, state.players.count >= maxPlayersPerServer { return .players }
        case .surface(let surface):
            if !surface.deleted, state.surfaces[surface.name] == nil, state.surfaces.count >= maxSurfacesPerServer {
                return .surfaces
            }
        case .chartTag(let tag):
            if state.factory.tags[tag.tag] == nil, state.factory.tags.count >= maxTagsPerServer { return .tags }
        case .trainStop(let stop):
            if state.factory.stations[stop.unit] == nil, state.factory.stations.count >= maxStationsPerServer {
                return .stations
            }
        case .train(let train):
            if state.factory.trains[train.id] == nil, state.factory.trains.count >= maxTrainsPerServer { return .trains }
        case .spacePlatform(let platform):
            if state.factory.platforms[platform.index] == nil, state.factory.platforms.count >= maxPlatformsPerServer {
                return .platforms
            }
        default:
            break
        }
        return nil
    }

    /// Why `event` cannot be applied, or nil when it can.
    package static func check(_ event: ServerEvent) -> LiveRejection? {
        guard Identifier.isValidServerID(event.server) else { return .server }
        return timeRange.contains(event.time) ? nil : .time
    }
}

/// Why a record of the `live` topic was ignored (the `reason` of
/// `kafkatorio_gateway_live_rejected_total`).
package enum LiveRejection: String, Sendable, Hashable, CaseIterable, Error {
    /// A player index outside `1...LiveLimits.maxPlayerIndex`.
    case playerIndex = "player_index"
    /// A player position that is not finite or lies beyond the map's edge.
    case playerPosition = "player_position"
    /// A new player beyond ``LiveLimits/maxPlayersPerServer``.
    case players
    /// A new surface beyond ``LiveLimits/maxSurfacesPerServer``.
    case surfaces
    /// A new chart tag beyond ``LiveLimits/maxTagsPerServer``.
    case tags
    /// A new train stop beyond ``LiveLimits/maxStationsPerServer``.
    case stations
    /// A new train beyond ``LiveLimits/maxTrainsPerServer``.
    case trains
    /// A new space platform beyond ``LiveLimits/maxPlatformsPerServer``.
    case platforms
    /// A new server beyond ``LiveLimits/maxServers``.
    case servers
    /// A server id that is not valid.
    case server
    /// A time (event time or record timestamp) outside ``LiveLimits/timeRange``.
    case time
}
