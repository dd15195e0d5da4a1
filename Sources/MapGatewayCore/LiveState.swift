import Shared

/// A chat message as the gateway keeps it: the message plus when it arrived.
public struct ChatEntry: Sendable, Hashable {
    /// The speaking player's name; nil for the server console.
    public var player: String?
    /// The message text.
    public var message: String
    /// The game tick of the packet.
    public var tick: UInt64
    /// When the gateway received it, in Unix milliseconds.
    public var receivedAt: Int64
    /// Where it came from: the mod's `chat` packet or the console's `[CHAT]` line.
    public var source: ChatSource
    /// Whether the same message from the other source was already folded into this one.
    var matched = false

    /// Creates a chat entry.
    public init(player: String?, message: String, tick: UInt64, receivedAt: Int64, source: ChatSource = .mod) {
        self.player = player
        self.message = message
        self.tick = tick
        self.receivedAt = receivedAt
        self.source = source
    }
}

/// The two ways a chat message reaches the gateway.
public enum ChatSource: String, Sendable, Hashable {
    /// A `chat` packet printed by the mod.
    case mod
    /// A `[CHAT]` console line, as a ``ServerEvent`` from PacketIngest.
    case console
}

/// The latest `session_start` of a server.
public struct SessionInfo: Sendable, Hashable {
    /// The mod version the server runs.
    public var modVersion: String
    /// The game version the server runs.
    public var gameVersion: String
    /// The game tick of the packet.
    public var tick: UInt64
    /// When the gateway received it, in Unix milliseconds.
    public var receivedAt: Int64

    /// Creates session information.
    public init(modVersion: String, gameVersion: String, tick: UInt64, receivedAt: Int64) {
        self.modVersion = modVersion
        self.gameVersion = gameVersion
        self.tick = tick
        self.receivedAt = receivedAt
    }
}

/// A change to a server's live state, as ``LiveState/apply(_:receivedAt:)`` reports it and the
/// WebSocket clients receive it.
public enum LiveEvent: Sendable, Hashable {
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
}

/// Whether the game server runs, as its events tell (staleness is judged separately, at read
/// time, from ``LiveState/lastActivityAt``).
public enum ServerStatus: String, Sendable, Hashable {
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
public struct LiveState: Sendable, Hashable {
    /// How many chat messages are kept by default.
    public static let defaultChatCapacity = 50

    /// The server id.
    public let server: String
    /// The latest state of every player seen, by `LuaPlayer.index`.
    public internal(set) var players: [Int: PlayerState] = [:]
    /// The existing surfaces, by name.
    public private(set) var surfaces: [String: SurfaceState] = [:]
    /// The most recent chat messages, oldest first.
    public internal(set) var chat: [ChatEntry] = []
    /// The latest session start, if one was seen.
    public private(set) var session: SessionInfo?
    /// When the last live packet arrived, in Unix milliseconds.
    public private(set) var lastPacketAt: Int64?
    /// The highest game tick seen.
    public private(set) var lastTick: UInt64 = 0
    /// Started/stopped, from server events and session starts.
    public internal(set) var status: ServerStatus = .unknown
    /// When ``status`` last changed, in Unix milliseconds.
    public internal(set) var statusSince: Int64?
    /// When the last packet or server event arrived, in Unix milliseconds.
    public internal(set) var lastActivityAt: Int64?
    /// Sequence gaps reported for this server (lines the pipeline never received).
    public internal(set) var missingLines: Int64 = 0
    /// How many chat messages are kept.
    public let chatCapacity: Int

    /// Creates the empty state of `server`.
    public init(server: String, chatCapacity: Int = LiveState.defaultChatCapacity) {
        self.server = server
        self.chatCapacity = max(1, chatCapacity)
    }

    /// Applies one packet; returns the event to broadcast, or nil for packet types that are not
    /// live state (map and prototype packets are the renderer's business).
    @discardableResult
    public mutating func apply(_ packet: Packet, receivedAt: Int64) -> LiveEvent? {
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
    public var onlinePlayers: [PlayerState] {
        players.values.filter(\.online).sorted { $0.index < $1.index }
    }

    /// Every known player, sorted by index.
    public var sortedPlayers: [PlayerState] {
        players.values.sorted { $0.index < $1.index }
    }

    /// Existing surfaces, sorted by name.
    public var sortedSurfaces: [SurfaceState] {
        surfaces.values.sorted { $0.name < $1.name }
    }
}
