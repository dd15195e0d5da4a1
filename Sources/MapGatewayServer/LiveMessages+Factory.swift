import MapGatewayCore
import NIOCore
import Shared

/// JSON encodings of the factory objects (issue 15): chart tags, train stops, trains and space
/// platforms, for the WebSocket messages and the REST API (`docs/gateway.md`). Game text (tag
/// text, station names, platform names) is written as JSON strings, escaped: it is data.
///
/// Messages (each with `type`, `server` and `at`):
/// - `tag`: the tag object; `tags_removed`: `surface`, `tags` (tag numbers)
/// - `station`: the station object; `station_removed`: `unit`, `surface`
/// - `trains`: `trains` (each changed train's latest state, framed like `players`);
///   `train_removed`: `id`, `surface`
/// - `platform`: the platform object; `platform_removed`: `index`
extension LiveMessages {
    /// The message of a factory event, or nil when `event` is not one.
    static func factoryEvent(_ event: LiveEvent, server: String, now: Int64) -> ByteBuffer? {
        var w = JSONWriter()
        w.beginObject()
        switch event {
        case .tag(let t):
            w.field("type", "tag")
            w.field("server", server)
            writeTagFields(&w, t)
        case .tagsRemoved(let surface, let tags):
            w.field("type", "tags_removed")
            w.field("server", server)
            w.field("surface", surface)
            w.key("tags")
            w.beginArray()
            for tag in tags { w.int(tag) }
            w.endArray()
        case .station(let s):
            w.field("type", "station")
            w.field("server", server)
            writeStationFields(&w, s)
        case .stationRemoved(let r):
            w.field("type", "station_removed")
            w.field("server", server)
            w.field("unit", r.unit)
            w.field("surface", r.surface)
        case .train(let t):
            return trains(server: server, [t], at: now)
        case .trainRemoved(let r):
            w.field("type", "train_removed")
            w.field("server", server)
            w.field("id", r.id)
            w.field("surface", r.surface)
        case .platform(let p):
            w.field("type", "platform")
            w.field("server", server)
            writePlatformFields(&w, p)
        case .platformRemoved(let r):
            w.field("type", "platform_removed")
            w.field("server", server)
            w.field("index", r.index)
        default:
            return nil
        }
        w.key("at")
        w.int(Int(now))
        w.endObject()
        return w.buffer
    }

    /// A `trains` message: the latest state of each train in `trains`.
    static func trains(server: String, _ trains: [TrainState], at: Int64) -> ByteBuffer {
        frame("trains", server: server, trains, bytesEach: 330, at: at, writeTrainFields)
    }

    /// The snapshot's factory fields: `tags`, `stations`, `trains`, `platforms` (every surface).
    static func writeFactorySnapshot(_ w: inout JSONWriter, _ f: FactoryState) {
        w.key("tags")
        writeArray(&w, f.sortedTags, writeTagFields)
        w.key("stations")
        writeArray(&w, f.sortedStations, writeStationFields)
        w.key("trains")
        writeArray(&w, f.sortedTrains, writeTrainFields)
        w.key("platforms")
        writeArray(&w, f.sortedPlatforms, writePlatformFields)
    }

    /// An array of objects, each written by `fields`.
    static func writeArray<T>(_ w: inout JSONWriter, _ values: [T], _ fields: (inout JSONWriter, T) -> Void) {
        w.beginArray()
        for v in values {
            w.beginObject()
            fields(&w, v)
            w.endObject()
        }
        w.endArray()
    }

    // MARK: Fields

    /// `tag`, `surface`, `force`, `x`, `y`, `text`, `icon` (`{type, name}` | null), `lastUser`.
    static func writeTagFields(_ w: inout JSONWriter, _ t: ChartTag) {
        w.field("tag", t.tag)
        w.field("surface", t.surface)
        w.field("force", t.force)
        w.field("x", t.x)
        w.field("y", t.y)
        w.field("text", t.text)
        w.key("icon")
        if let icon = t.icon {
            w.beginObject()
            w.field("type", icon.type)
            w.field("name", icon.name)
            w.endObject()
        } else {
            w.null()
        }
        w.field("lastUser", t.lastUser)
    }

    /// `unit`, `name` (the backer name), `x`, `y`, `direction`, `surface`, `force`.
    static func writeStationFields(_ w: inout JSONWriter, _ s: TrainStop) {
        w.field("unit", s.unit)
        w.field("name", s.backerName)
        w.field("x", s.x)
        w.field("y", s.y)
        w.field("direction", s.direction)
        w.field("surface", s.surface)
        w.field("force", s.force)
    }

    /// `id`, `surface`, `force`, `state`, `manual`, `speed`, `carriages` (`[{x, y, orientation}]`,
    /// front to back), `stop`, `stopUnit`, `nextStop`, `nextStopUnit`.
    static func writeTrainFields(_ w: inout JSONWriter, _ t: TrainState) {
        w.field("id", t.id)
        w.field("surface", t.surface)
        w.field("force", t.force)
        w.field("state", t.state)
        w.field("manual", t.manual)
        w.field("speed", t.speed)
        w.key("carriages")
        writeArray(&w, t.carriages) { w, c in
            w.field("x", c.x)
            w.field("y", c.y)
            w.field("orientation", c.orientation)
        }
        w.field("stop", t.stop)
        w.key("stopUnit")
        if let u = t.stopUnit { w.uint(u) } else { w.null() }
        w.field("nextStop", t.nextStop)
        w.key("nextStopUnit")
        if let u = t.nextStopUnit { w.uint(u) } else { w.null() }
    }

    /// `index`, `name`, `surface`, `force`, `state`, `location`, `from`, `to`, `progress`, `speed`,
    /// `hub` (`{x, y}` | null).
    static func writePlatformFields(_ w: inout JSONWriter, _ p: SpacePlatformState) {
        w.field("index", p.index)
        w.field("name", p.name)
        w.field("surface", p.surface)
        w.field("force", p.force)
        w.field("state", p.state)
        w.field("location", p.location)
        w.field("from", p.from)
        w.field("to", p.to)
        w.key("progress")
        if let v = p.progress { w.double(v) } else { w.null() }
        w.field("speed", p.speed)
        w.key("hub")
        if let hub = p.hub {
            w.beginObject()
            w.field("x", hub.x)
            w.field("y", hub.y)
            w.endObject()
        } else {
            w.null()
        }
    }
}
