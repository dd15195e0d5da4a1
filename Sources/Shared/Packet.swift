/// One packet from a game server: the envelope (tick, sequence number, type) and its payload.
///
/// Every payload carries *absolute* state, never an increment, so applying a packet twice
/// changes nothing. The schema is documented in `docs/packets.md`; the line format is
/// ``PacketLine``.
public struct Packet: Sendable, Hashable {
    /// The game's map tick when the packet was made (`game.tick`).
    public var tick: UInt64
    /// The per-server monotonic sequence number assigned by the mod's emitter.
    public var seq: UInt64
    /// The payload; its case determines the packet type.
    public var payload: Payload

    public init(tick: UInt64, seq: UInt64, payload: Payload) {
        self.tick = tick
        self.seq = seq
        self.payload = payload
    }

    /// The type of this packet, derived from its payload.
    public var type: PacketType { payload.type }
}

/// The packet types of schema version 1, with their wire names.
public enum PacketType: String, Sendable, Hashable, CaseIterable {
    case sessionStart = "session_start"
    case prototypes = "prototypes"
    case surface = "surface"
    case chunkTerrain = "chunk_terrain"
    case chunkBuildings = "chunk_buildings"
    case chunkResources = "chunk_resources"
    case chunkDeleted = "chunk_deleted"
    case tiles = "tiles"
    case buildings = "buildings"
    case buildingRemoved = "building_removed"
    case player = "player"
    case chat = "chat"
    case chartTag = "chart_tag"
    case chartTagRemoved = "chart_tag_removed"
    case chartTags = "chart_tags"
    case trainStop = "train_stop"
    case trainStopRemoved = "train_stop_removed"
    case train = "train"
    case trainRemoved = "train_removed"
    case spacePlatform = "space_platform"
    case spacePlatformRemoved = "space_platform_removed"
}

/// The payload of a packet, one case per ``PacketType``.
public enum Payload: Sendable, Hashable {
    case sessionStart(SessionStart)
    case prototypes(Prototypes)
    case surface(SurfaceState)
    case chunkTerrain(ChunkTerrain)
    case chunkBuildings(ChunkBuildings)
    case chunkResources(ChunkResources)
    case chunkDeleted(ChunkDeleted)
    case tiles(TileChanges)
    case buildings(BuildingsUpsert)
    case buildingRemoved(BuildingsRemoved)
    case player(PlayerState)
    case chat(ChatMessage)
    case chartTag(ChartTag)
    case chartTagRemoved(ChartTagRemoved)
    case chartTags(ChartTagSet)
    case trainStop(TrainStop)
    case trainStopRemoved(TrainStopRemoved)
    case train(TrainState)
    case trainRemoved(TrainRemoved)
    case spacePlatform(SpacePlatformState)
    case spacePlatformRemoved(SpacePlatformRemoved)

    /// The wire type of this payload.
    public var type: PacketType {
        switch self {
        case .sessionStart: .sessionStart
        case .prototypes: .prototypes
        case .surface: .surface
        case .chunkTerrain: .chunkTerrain
        case .chunkBuildings: .chunkBuildings
        case .chunkResources: .chunkResources
        case .chunkDeleted: .chunkDeleted
        case .tiles: .tiles
        case .buildings: .buildings
        case .buildingRemoved: .buildingRemoved
        case .player: .player
        case .chat: .chat
        case .chartTag: .chartTag
        case .chartTagRemoved: .chartTagRemoved
        case .chartTags: .chartTags
        case .trainStop: .trainStop
        case .trainStopRemoved: .trainStopRemoved
        case .train: .train
        case .trainRemoved: .trainRemoved
        case .spacePlatform: .spacePlatform
        case .spacePlatformRemoved: .spacePlatformRemoved
        }
    }

    /// The surface this payload belongs to, for the payloads that belong to one.
    public var surface: String? {
        switch self {
        case .sessionStart, .prototypes, .chat, .spacePlatformRemoved: nil
        case .surface(let p): p.name
        case .chunkTerrain(let p): p.surface
        case .chunkBuildings(let p): p.surface
        case .chunkResources(let p): p.surface
        case .chunkDeleted(let p): p.surface
        case .tiles(let p): p.surface
        case .buildings(let p): p.surface
        case .buildingRemoved(let p): p.surface
        case .player(let p): p.surface
        case .chartTag(let p): p.surface
        case .chartTagRemoved(let p): p.surface
        case .chartTags(let p): p.surface
        case .trainStop(let p): p.surface
        case .trainStopRemoved(let p): p.surface
        case .train(let p): p.surface
        case .trainRemoved(let p): p.surface
        case .spacePlatform(let p): p.surface
        }
    }
}
