package import Shared

/// A chat message as the gateway keeps it: the message plus when it arrived.
package struct ChatEntry: Sendable, Hashable {
    /// The speaking player's name; nil for the server console.
    package var player: String?
    /// The message text.
    package var message: String
    /// The game tick of the packet.
    package var tick: UInt64
    /// When the gateway received it, in Unix milliseconds.
    package var receivedAt: Int64
    /// Where it came from: the mod's `chat` packet or the console's `[CHAT]` line.
    package var source: ChatSource
    /// Whether the same message from the other source was already folded into this one.
    var matched = false

    /// Creates a chat entry.
    package init(player: String?, message: String, tick: UInt64, receivedAt: Int64, source: ChatSource = .mod) {
        self.player = player
        self.message = message
        self.tick = tick
        self.receivedAt = receivedAt
        self.source = source
    }
}

/// The two ways a chat message reaches the gateway.
package enum ChatSource: String, Sendable, Hashable {
    /// A `chat` packet printed by the mod.
    case mod
    /// A `[CHAT]` console line, as a ``ServerEvent`` from PacketIngest.
    case console
}

/// The latest `session_start` of a server.
package struct SessionInfo: Sendable, Hashable {
    /// The mod version the server runs.
    package var modVersion: String
    /// The game version the server runs.
    package var gameVersion: String
    /// The game tick of the packet.
    package var tick: UInt64
    /// When the gateway received it, in Unix milliseconds.
    package var receivedAt: Int64

    /// Creates session information.
    package init(modVersion: String, gameVersion: String, tick: UInt64, receivedAt: Int64) {
        self.modVersion = modVersion
        self.gameVersion = gameVersion
        self.tick = tick
        self.receivedAt = receivedAt
    }
}

/// A change to a server's live state, as ``LiveState/apply(_:receivedAt:)`` reports it and the
/// WebSocket clients receive it.
package enum LiveEvent: Sendable, Hashable {
    /// A player's full state (position, surface, online flag, …).
    case player(PlayerState)
    /// A chat message.
    case chat(ChatEntry)
    /// A surface was created, changed or (with `deleted`) removed.
    case surface(SurfaceState)
    /// The mod was (re)loaded on the server.
    case sessionStart(SessionInfo)
    /// The server started or stopped (``LiveState/status``).
    case status(ServerStatus, at: Int64)
    /// A console event worth showing: join, leave, kick, ban, saving, sequence gap.
    case notice(ServerEvent)
    /// A chart tag was added or modified.
    case tag(ChartTag)
    /// Chart tags of `surface` were removed (one `chart_tag_removed`, or those a `chart_tags`
    /// full set no longer lists).
    case tagsRemoved(surface: String, [Int])
    /// A train stop was built, renamed or moved.
    case station(TrainStop)
    /// A train stop no longer exists.
    case stationRemoved(TrainStopRemoved)
    /// A train moved or changed state.
    case train(TrainState)
    /// A train no longer exists.
    case trainRemoved(TrainRemoved)
    /// A space platform changed.
    case platform(SpacePlatformState)
    /// A space platform no longer exists.
    case platformRemoved(SpacePlatformRemoved)
}

/// Whether the game server runs, as its events tell (staleness is judged separately, at read
/// time, from ``LiveState/lastActivityAt``).
package enum ServerStatus: String, Sendable, Hashable {
    /// Nothing known yet.
    case unknown
    /// Started (or sending packets and never seen stopping).
    case online
    /// Announced its shutdown.
    case offline
}

/// The live (non-map) state of one game server: players, recent chat, surfaces and session.
///
/// A pure value type: ``LiveHub`` owns one per server behind its lock. Every packet carries
/// absolute state, so applying a packet twice is harmless.
package struct LiveState: Sendable, Hashable {
    /// How many chat messages are kept by default.
    package static let defaultChatCapacity = 50

    /// The server id.
    package let server: String
    /// The latest state of every player seen, by `LuaPlayer.index`.
    package internal(set) var players: [Int: PlayerState] = [:]
    /// The existing surfaces, by name.
    package private(set) var surfaces: [String: SurfaceState] = [:]
    /// The most recent chat messages, oldest first.
    package internal(set) var chat: [ChatEntry] = []
    /// The latest session start, if one was seen.
    package private(set) var session: SessionInfo?
    /// When the last live packet arrived, in Unix milliseconds.
    package private(set) var lastPacketAt: Int64?
    /// The highest game tick seen.
    package private(set) var lastTick: UInt64 = 0
    /// Started/stopped, from server events and session starts.
    package internal(set) var status: ServerStatus = .unknown
    /// When ``status`` last changed, in Unix milliseconds.
    package internal(set) var statusSince: Int64?
    /// When the last packet or server event arrived, in Unix milliseconds.
    package internal(set) var lastActivityAt: Int64?
    /// Sequence gaps reported for this server (lines the pipeline never received).
    package internal(set) var missingLines: Int64 = 0
    /// How many chat messages are kept.
    package let chatCapacity: Int
    /// Chart tags, train stops, trains and space platforms.
    package internal(set) var factory = FactoryState()

    /// Creates the empty state of `server`.
    package init(server: String, chatCapacity: Int = LiveState.defaultChatCapacity) {
        self.server = server
        self.chatCapacity = max(1, chatCapacity)
    }

    /// Applies one packet; returns the event to broadcast, or nil for packet types that are not
    /// live state (map and prototype packets are the renderer's business).
    @discardableResult
    package mutating func apply(_ packet: Packet, receivedAt: Int64) -> LiveEvent? {
        let event: LiveEvent
        switch packet.payload {
        case .player(let player):
            players[player.index] = player
            event = .player(player)
        case .chat(let message):
            let entry = ChatEntry(
                player: message.player, message: message.message, tick: packet.tick, receivedAt: receivedAt)
            guard let kept = addChat(entry) else {
                noteActivity(receivedAt, tick: packet.tick)
                return nil
            }
            event = .chat(kept)
        case .surface(let surface):
            if surface.deleted {
                surfaces[surface.name] = nil
                factory.dropSurface(surface.name)
            } else {
                surfaces[surface.name] = surface
            }
            event = .surface(surface)
        case .sessionStart(let start):
            let info = SessionInfo(
                modVersion: start.modVersion, gameVersion: start.gameVersion, tick: packet.tick,
                receivedAt: receivedAt)
            session = info
            setStatus(.online, at: receivedAt)
            event = .sessionStart(info)
        case .prototypes, .chunkTerrain, .chunkBuildings, .chunkResources, .chunkDeleted, .tiles, .buildings,
            .buildingRemoved:
            return nil
        case .chartTag, .chartTagRemoved, .chartTags, .trainStop, .trainStopRemoved, .train, .trainRemoved,
            .spacePlatform, .spacePlatformRemoved:
            guard let changed = factory.apply(packet.payload) else {
                noteActivity(receivedAt, tick: packet.tick)
                return nil
            }
            event = changed
        }
        lastPacketAt = max(lastPacketAt ?? receivedAt, receivedAt)
        noteActivity(receivedAt, tick: packet.tick)
        if status == .unknown { setStatus(.online, at: receivedAt) }
        return event
    }

    mutating func noteActivity(_ at: Int64, tick: UInt64) {
        lastActivityAt = max(lastActivityAt ?? at, at)
        lastTick = max(lastTick, tick)
    }

    /// Players currently online, sorted by index.
    package var onlinePlayers: [PlayerState] {
        players.values.filter(\.online).sorted { $0.index < $1.index }
    }

    /// Every known player, sorted by index.
    package var sortedPlayers: [PlayerState] {
        players.values.sorted { $0.index < $1.index }
    }

    /// Existing surfaces, sorted by name.
    package var sortedSurfaces: [SurfaceState] {
        surfaces.values.sorted { $0.name < $1.name }
    }
}
