import FoundationEssentials
import Shared

/// The reference decoding of the factory families (chart tags, train stops, trains, platforms).
extension ReferenceWire {
    static func factory(_ type: PacketType, _ json: Data, _ d: JSONDecoder) throws -> Payload {
        switch type {
        case .chartTag:
            let w = try d.decode(ChartTagW.self, from: json)
            return .chartTag(
                ChartTag(tag: try int(w.tag), surface: w.surface, force: w.force, x: w.x, y: w.y, text: w.text,
                    icon: w.icon.map { SignalID(type: $0.type, name: $0.name) }, lastUser: w.last_user))
        case .chartTagRemoved:
            let w = try d.decode(ChartTagRemovedW.self, from: json)
            return .chartTagRemoved(ChartTagRemoved(tag: try int(w.tag), surface: w.surface, force: w.force))
        case .chartTags:
            let w = try d.decode(ChartTagsW.self, from: json)
            return .chartTags(ChartTagSet(surface: w.surface, force: w.force, tags: try w.tags.v.map(int)))
        case .trainStop:
            let w = try d.decode(TrainStopW.self, from: json)
            return .trainStop(
                TrainStop(unit: try unit(w.unit), backerName: w.backer_name, x: w.x, y: w.y,
                    direction: try int(w.direction), surface: w.surface, force: w.force))
        case .trainStopRemoved:
            let w = try d.decode(TrainStopRemovedW.self, from: json)
            return .trainStopRemoved(TrainStopRemoved(unit: try unit(w.unit), surface: w.surface))
        case .train:
            let w = try d.decode(TrainW.self, from: json)
            let f = w.carriages.v
            guard f.count % 3 == 0 else { throw Failure(description: "carriages") }
            return .train(
                TrainState(id: try int(w.id), surface: w.surface, force: w.force, state: w.state, manual: w.manual,
                    speed: w.speed,
                    carriages: stride(from: 0, to: f.count, by: 3).map {
                        Carriage(x: f[$0], y: f[$0 + 1], orientation: f[$0 + 2])
                    }, stop: w.stop, stopUnit: try w.stop_unit.map(unit), nextStop: w.next_stop,
                    nextStopUnit: try w.next_stop_unit.map(unit)))
        case .trainRemoved:
            let w = try d.decode(TrainRemovedW.self, from: json)
            return .trainRemoved(TrainRemoved(id: try int(w.id), surface: w.surface))
        case .spacePlatform:
            let w = try d.decode(SpacePlatformW.self, from: json)
            let hub = try w.hub.map { h -> MapPoint in
                guard h.v.count == 2 else { throw Failure(description: "hub") }
                return MapPoint(x: h.v[0], y: h.v[1])
            }
            return .spacePlatform(
                SpacePlatformState(index: try int(w.index), name: w.name, surface: w.surface, force: w.force,
                    state: w.state, location: w.location, from: w.from, to: w.to, progress: w.progress,
                    speed: w.speed, hub: hub))
        case .spacePlatformRemoved:
            let w = try d.decode(SpacePlatformRemovedW.self, from: json)
            return .spacePlatformRemoved(SpacePlatformRemoved(index: try int(w.index)))
        default:
            throw Failure(description: "not a factory type: \(type.rawValue)")
        }
    }
}

// swift-format-ignore: AlwaysUseLowerCamelCase
struct SignalW: Decodable { var type: String; var name: String }
struct ChartTagW: Decodable {
    var tag: Double; var surface: String; var force: String; var x: Double; var y: Double; var text: String
    var icon: SignalW?; var last_user: String?
}
struct ChartTagRemovedW: Decodable { var tag: Double; var surface: String; var force: String }
struct ChartTagsW: Decodable { var surface: String; var force: String; var tags: Flex<Double> }
struct TrainStopW: Decodable {
    var unit: Double; var backer_name: String; var x: Double; var y: Double; var direction: Double
    var surface: String; var force: String
}
struct TrainStopRemovedW: Decodable { var unit: Double; var surface: String }
struct TrainW: Decodable {
    var id: Double; var surface: String; var force: String; var state: String; var manual: Bool; var speed: Double
    var carriages: Flex<Double>; var stop: String?; var stop_unit: Double?; var next_stop: String?
    var next_stop_unit: Double?
}
struct TrainRemovedW: Decodable { var id: Double; var surface: String }
struct SpacePlatformW: Decodable {
    var index: Double; var name: String; var surface: String; var force: String; var state: String
    var location: String?; var from: String?; var to: String?; var progress: Double?; var speed: Double
    var hub: Flex<Double>?
}
struct SpacePlatformRemovedW: Decodable { var index: Double }
