// The payload types of the factory families (chart tags, train stops, trains, space platforms),
// compatible additions to schema v1 (`docs/packets.md` §2, "The factory"). Every payload is
// absolute state: applying it twice is the same as applying it once.

/// A signal icon (`SignalID`): `type` is one of ``SignalID/types`` (the mod writes `item` when
/// the game reads nil, which it does for items), `name` the prototype name.
public struct SignalID: Sendable, Hashable {
    /// The signal types of Factorio 2.0 (`SignalIDType`).
    public static let types: Set<String> = [
        "item", "fluid", "virtual", "entity", "recipe", "space-location", "asteroid-chunk", "quality",
    ]
    public var type: String
    public var name: String
    public init(type: String, name: String) {
        self.type = type
        self.name = name
    }
}

/// `chart_tag`: one map tag as it is now (added or modified), keyed by `tag` (the game's
/// `tag_number`, unique per game); `surface` and `force` say where it is and who sees it.
public struct ChartTag: Sendable, Hashable {
    /// `tag`: `LuaCustomChartTag.tag_number`.
    public var tag: Int
    public var surface: String
    /// `force`: the name of the force the tag belongs to.
    public var force: String
    /// `x`, `y`: map position in tiles.
    public var x: Double
    public var y: Double
    /// `text`: 0…1024 UTF-8 bytes, any characters (game text: show as text, never as HTML).
    public var text: String
    /// `icon`: the tag's icon, if it has one.
    public var icon: SignalID?
    /// `last_user`: the name of the player who last edited the tag, if known.
    public var lastUser: String?
    public init(
        tag: Int, surface: String, force: String, x: Double, y: Double, text: String, icon: SignalID? = nil,
        lastUser: String? = nil
    ) {
        self.tag = tag
        self.surface = surface
        self.force = force
        self.x = x
        self.y = y
        self.text = text
        self.icon = icon
        self.lastUser = lastUser
    }
}

/// `chart_tag_removed`: the tag no longer exists.
public struct ChartTagRemoved: Sendable, Hashable {
    public var tag: Int
    public var surface: String
    public var force: String
    public init(tag: Int, surface: String, force: String) {
        self.tag = tag
        self.surface = surface
        self.force = force
    }
}

/// `chart_tags`: the complete set of tag numbers of one surface and force (the full sync): the
/// consumer removes every tag of that surface and force that is not listed.
public struct ChartTagSet: Sendable, Hashable {
    public var surface: String
    public var force: String
    /// `tags`: tag numbers, in any order.
    public var tags: [Int]
    public init(surface: String, force: String, tags: [Int]) {
        self.surface = surface
        self.force = force
        self.tags = tags
    }
}

/// `train_stop`: one train stop (station) as it is now, keyed by its unit number.
public struct TrainStop: Sendable, Hashable {
    /// `unit`: the stop's `unit_number`.
    public var unit: UInt64
    /// `backer_name`: the station name, 0…1024 UTF-8 bytes, any characters (may hold rich text
    /// such as `[item=iron-plate]`; show it as text).
    public var backerName: String
    public var x: Double
    public var y: Double
    /// `direction`: 0…15 (north = 0, east = 4, …).
    public var direction: Int
    public var surface: String
    public var force: String
    public init(unit: UInt64, backerName: String, x: Double, y: Double, direction: Int, surface: String, force: String) {
        self.unit = unit
        self.backerName = backerName
        self.x = x
        self.y = y
        self.direction = direction
        self.surface = surface
        self.force = force
    }
}

/// `train_stop_removed`: the stop no longer exists.
public struct TrainStopRemoved: Sendable, Hashable {
    public var unit: UInt64
    public var surface: String
    public init(unit: UInt64, surface: String) {
        self.unit = unit
        self.surface = surface
    }
}

/// One carriage of a train: centre position in tiles and `orientation` (0 = north, 0.25 = east,
/// 0…1, as `LuaEntity.orientation`).
public struct Carriage: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public var orientation: Double
    public init(x: Double, y: Double, orientation: Double) {
        self.x = x
        self.y = y
        self.orientation = orientation
    }
}

/// `train`: one train as it is now, keyed by `id` (`LuaTrain.id`, unique per game).
public struct TrainState: Sendable, Hashable {
    /// The `defines.train_state` names of Factorio 2.0.77. Other names are accepted (a later game
    /// version may add states); consumers show them as they are.
    public static let knownStates: Set<String> = [
        "on_the_path", "no_schedule", "no_path", "arrive_signal", "wait_signal", "arrive_station",
        "wait_station", "manual_control_stop", "manual_control", "destination_full",
    ]
    public var id: Int
    public var surface: String
    public var force: String
    /// `state`: the `defines.train_state` name, e.g. `on_the_path`.
    public var state: String
    /// `manual`: `manual_mode` (true = driven by a player, false = automatic).
    public var manual: Bool
    /// `speed`: tiles per tick, negative when the train runs backwards (towards its back end).
    public var speed: Double
    /// `carriages`: front to back (the first is `front_stock`); wire form flat `[x, y, orientation, …]`.
    public var carriages: [Carriage]
    /// `stop`, `stop_unit`: the stop the train is at (`LuaTrain.station`), if any.
    public var stop: String?
    public var stopUnit: UInt64?
    /// `next_stop`, `next_stop_unit`: where its path ends (`LuaTrain.path_end_stop`), if any.
    public var nextStop: String?
    public var nextStopUnit: UInt64?
    public init(
        id: Int, surface: String, force: String, state: String, manual: Bool, speed: Double, carriages: [Carriage],
        stop: String? = nil, stopUnit: UInt64? = nil, nextStop: String? = nil, nextStopUnit: UInt64? = nil
    ) {
        self.id = id
        self.surface = surface
        self.force = force
        self.state = state
        self.manual = manual
        self.speed = speed
        self.carriages = carriages
        self.stop = stop
        self.stopUnit = stopUnit
        self.nextStop = nextStop
        self.nextStopUnit = nextStopUnit
    }
}

/// `train_removed`: the train no longer exists (destroyed, or merged/split into new trains).
public struct TrainRemoved: Sendable, Hashable {
    public var id: Int
    /// `surface`: the surface the train was last seen on.
    public var surface: String
    public init(id: Int, surface: String) {
        self.id = id
        self.surface = surface
    }
}

/// `space_platform`: one space platform as it is now (Space Age only), keyed by `index`.
public struct SpacePlatformState: Sendable, Hashable {
    /// The `defines.space_platform_state` names of Factorio 2.0.77 (others are accepted).
    public static let knownStates: Set<String> = [
        "waiting_for_starter_pack", "starter_pack_requested", "starter_pack_on_the_way", "on_the_path",
        "waiting_for_departure", "no_schedule", "no_path", "waiting_at_station", "paused",
    ]
    /// `index`: `LuaSpacePlatform.index`.
    public var index: Int
    public var name: String
    /// `surface`: the platform's surface.
    public var surface: String
    public var force: String
    /// `state`: the `defines.space_platform_state` name.
    public var state: String
    /// `location`: the space location (planet) it is at, if it is at one.
    public var location: String?
    /// `from`, `to`: the ends of the space connection it travels, if it is travelling.
    public var from: String?
    public var to: String?
    /// `progress`: 0…1 along the connection from `from` to `to` (`distance`), if known.
    public var progress: Double?
    /// `speed`: `LuaSpacePlatform.speed`.
    public var speed: Double
    /// `hub`: the hub's position `[x, y]` on the platform surface, if the hub exists.
    public var hub: MapPoint?
    public init(
        index: Int, name: String, surface: String, force: String, state: String, location: String? = nil,
        from: String? = nil, to: String? = nil, progress: Double? = nil, speed: Double, hub: MapPoint? = nil
    ) {
        self.index = index
        self.name = name
        self.surface = surface
        self.force = force
        self.state = state
        self.location = location
        self.from = from
        self.to = to
        self.progress = progress
        self.speed = speed
        self.hub = hub
    }
}

/// A map position in tiles.
public struct MapPoint: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// `space_platform_removed`: the platform no longer exists.
public struct SpacePlatformRemoved: Sendable, Hashable {
    public var index: Int
    public init(index: Int) { self.index = index }
}
