package import Shared

/// The factory objects of one server that the gateway keeps: chart tags, train stops, trains and
/// space platforms (issue 15), each by its game key. Every packet is absolute state: an update
/// replaces, a removal removes, a `chart_tags` full set drops the tags of its surface and force it
/// does not list, and a deleted surface takes its tags, stops and trains with it.
package struct FactoryState: Sendable, Hashable {
    /// Chart tags by `tag_number`.
    package internal(set) var tags: [Int: ChartTag] = [:]
    /// Train stops by `unit_number`.
    package internal(set) var stations: [UInt64: TrainStop] = [:]
    /// Trains by `LuaTrain.id`.
    package internal(set) var trains: [Int: TrainState] = [:]
    /// Space platforms by `LuaSpacePlatform.index`.
    package internal(set) var platforms: [Int: SpacePlatformState] = [:]

    /// Creates an empty factory state.
    package init() {}

    /// Applies one factory packet; returns the event to broadcast, or nil when `payload` is not
    /// one of the factory families or changed nothing (a removal of something unknown, a full set
    /// that drops nothing).
    mutating func apply(_ payload: Payload) -> LiveEvent? {
        switch payload {
        case .chartTag(let tag):
            tags[tag.tag] = tag
            return .tag(tag)
        case .chartTagRemoved(let removed):
            guard tags.removeValue(forKey: removed.tag) != nil else { return nil }
            return .tagsRemoved(surface: removed.surface, [removed.tag])
        case .chartTags(let set):
            let listed = Set(set.tags)
            let dropped = tags.values
                .filter { $0.surface == set.surface && $0.force == set.force && !listed.contains($0.tag) }
                .map(\.tag).sorted()
            guard !dropped.isEmpty else { return nil }
            for tag in dropped { tags[tag] = nil }
            return .tagsRemoved(surface: set.surface, dropped)
        case .trainStop(let stop):
            stations[stop.unit] = stop
            return .station(stop)
        case .trainStopRemoved(let removed):
            guard stations.removeValue(forKey: removed.unit) != nil else { return nil }
            return .stationRemoved(removed)
        case .train(let train):
            trains[train.id] = train
            return .train(train)
        case .trainRemoved(let removed):
            guard trains.removeValue(forKey: removed.id) != nil else { return nil }
            return .trainRemoved(removed)
        case .spacePlatform(let platform):
            platforms[platform.index] = platform
            return .platform(platform)
        case .spacePlatformRemoved(let removed):
            guard platforms.removeValue(forKey: removed.index) != nil else { return nil }
            return .platformRemoved(removed)
        default:
            return nil
        }
    }

    /// Drops the tags, stops and trains of a deleted surface (clients drop them on the `surface`
    /// message with `deleted: true`). Platforms stay: the `space_platform_removed` packet removes them.
    mutating func dropSurface(_ surface: String) {
        tags = tags.filter { $0.value.surface != surface }
        stations = stations.filter { $0.value.surface != surface }
        trains = trains.filter { $0.value.surface != surface }
    }

    /// The tags on `surface`, by tag number.
    package func tags(on surface: String) -> [ChartTag] {
        tags.values.filter { $0.surface == surface }.sorted { $0.tag < $1.tag }
    }

    /// The train stops on `surface`, by unit number.
    package func stations(on surface: String) -> [TrainStop] {
        stations.values.filter { $0.surface == surface }.sorted { $0.unit < $1.unit }
    }

    /// The trains on `surface`, by id.
    package func trains(on surface: String) -> [TrainState] {
        trains.values.filter { $0.surface == surface }.sorted { $0.id < $1.id }
    }

    /// Every tag, stop and train, by key (for the WebSocket snapshot).
    package var sortedTags: [ChartTag] { tags.values.sorted { $0.tag < $1.tag } }
    package var sortedStations: [TrainStop] { stations.values.sorted { $0.unit < $1.unit } }
    package var sortedTrains: [TrainState] { trains.values.sorted { $0.id < $1.id } }
    /// Every platform, by index.
    package var sortedPlatforms: [SpacePlatformState] { platforms.values.sorted { $0.index < $1.index } }
}
