package import MapGatewayCore
package import NIOCore
import Shared

/// JSON encodings of the WebSocket messages and of the live parts of the REST API.
///
/// Messages (all objects with a `"type"`; live ones carry `at`, the gateway's Unix-millisecond
/// time when it encoded the message, so clients can measure delivery latency):
/// - `snapshot`: `server`, `players`, `surfaces`, `chat`, `session`, `status` (object as below),
///   `tags`, `stations`, `trains`, `platforms` (sent first on connect)
/// - `players`: `server`, `players` (array of player objects: each changed player's latest state
///   since the previous `players` message; `at` is when the oldest of those updates arrived)
/// - `chat`: `server`, `player`, `message`, `tick`, `receivedAt`, `source` (`mod`|`console`);
///   the same message from both sources within 10 s is sent once
/// - `surface`: `server` + the surface object (`deleted: true` when removed)
/// - `session_start`: `server`, `modVersion`, `gameVersion`, `tick`, `receivedAt`
/// - `status`: `server`, `status` (`online`|`offline`|`stale`|`unknown`), `since`,
///   `lastActivityAt`, `playersOnline`, `missingLines` (on change and every few seconds)
/// - `notice`: `server`, `kind` (join|leave|kick|ban|saving|sequence_gap), `player`, `message`,
///   `time`, `missing`
/// - `tile`: `server`, `surface`, `layer`, `z`, `x`, `y`, `version`, `removed`
/// - the factory messages (`tag`, `tags_removed`, `station`, `station_removed`, `trains`,
///   `train_removed`, `platform`, `platform_removed`): see `LiveMessages+Factory.swift`
package enum LiveMessages {
    static func event(_ event: LiveEvent, state: LiveState, now: Int64, staleAfterSeconds: Int) -> ByteBuffer {
        let server = state.server
        if case .status = event { return status(state, now: now, staleAfterSeconds: staleAfterSeconds) }
        if let factory = factoryEvent(event, server: server, now: now) { return factory }
        var w = JSONWriter()
        w.beginObject()
        switch event {
        case .player(let p):
            return players(server: server, [p], at: now)
        case .chat(let c):
            w.field("type", "chat")
            w.field("server", server)
            writeChatFields(&w, c)
        case .surface(let s):
            w.field("type", "surface")
            w.field("server", server)
            writeSurfaceFields(&w, s)
        case .sessionStart(let s):
            w.field("type", "session_start")
            w.field("server", server)
            writeSessionFields(&w, s)
        case .notice(let e):
            w.field("type", "notice")
            w.field("server", server)
            w.field("kind", e.kind.rawValue)
            w.field("player", e.player)
            w.field("message", e.message)
            w.key("time")
            w.int(Int(e.time))
            w.key("missing")
            if let m = e.missing { w.int(Int(m)) } else { w.null() }
        case .status, .tag, .tagsRemoved, .station, .stationRemoved, .train, .trainRemoved, .platform,
            .platformRemoved:
            break  // written above
        }
        w.key("at")
        w.int(Int(now))
        w.endObject()
        return w.buffer
    }

    /// A `players` message: the latest state of each player in `players`.
    static func players(server: String, _ players: [PlayerState], at: Int64) -> ByteBuffer {
        frame("players", server: server, players, bytesEach: 160, at: at, writePlayerFields)
    }

    /// A framed message (`players`, `trains`): `type`, `server`, the array under the name
    /// `type`, `at` (when the frame's oldest update arrived).
    static func frame<T>(
        _ type: String, server: String, _ values: [T], bytesEach: Int, at: Int64,
        _ fields: (inout JSONWriter, T) -> Void
    ) -> ByteBuffer {
        var w = JSONWriter(capacity: 64 + bytesEach * values.count)
        w.beginObject()
        w.field("type", type)
        w.field("server", server)
        w.key(type)
        writeArray(&w, values, fields)
        w.key("at")
        w.int(Int(at))
        w.endObject()
        return w.buffer
    }

    static func status(_ state: LiveState, now: Int64, staleAfterSeconds: Int) -> ByteBuffer {
        var w = JSONWriter(capacity: 200)
        w.beginObject()
        w.field("type", "status")
        w.field("server", state.server)
        writeStatusFields(&w, state, now: now, staleAfterSeconds: staleAfterSeconds)
        w.key("at")
        w.int(Int(now))
        w.endObject()
        return w.buffer
    }

    static func writeStatusFields(_ w: inout JSONWriter, _ state: LiveState, now: Int64, staleAfterSeconds: Int) {
        w.field("status", state.displayStatus(now: now, staleAfterSeconds: staleAfterSeconds))
        w.key("since")
        if let t = state.statusSince { w.int(Int(t)) } else { w.null() }
        w.key("lastActivityAt")
        if let t = state.lastActivityAt { w.int(Int(t)) } else { w.null() }
        w.field("playersOnline", state.onlinePlayers.count)
        w.key("missingLines")
        w.int(Int(state.missingLines))
    }

    static func tile(_ key: TileKey, version: UInt64, removed: Bool) -> ByteBuffer {
        var w = JSONWriter(capacity: 160)
        w.beginObject()
        w.field("type", "tile")
        w.field("server", key.server)
        w.field("surface", key.surface)
        w.field("layer", key.layer.rawValue)
        w.field("z", key.z)
        w.field("x", key.x)
        w.field("y", key.y)
        w.field("version", version)
        w.field("removed", removed)
        w.endObject()
        return w.buffer
    }

    package static func snapshot(_ state: LiveState, now: Int64, staleAfterSeconds: Int) -> ByteBuffer {
        var w = JSONWriter(capacity: 1024)
        w.beginObject()
        w.field("type", "snapshot")
        w.field("server", state.server)
        w.key("players")
        writePlayers(&w, state.sortedPlayers)
        w.key("surfaces")
        writeArray(&w, state.sortedSurfaces, writeSurfaceFields)
        w.key("chat")
        writeArray(&w, state.chat, writeChatFields)
        w.key("session")
        if let session = state.session {
            w.beginObject()
            writeSessionFields(&w, session)
            w.endObject()
        } else {
            w.null()
        }
        w.key("status")
        w.beginObject()
        writeStatusFields(&w, state, now: now, staleAfterSeconds: staleAfterSeconds)
        w.endObject()
        writeFactorySnapshot(&w, state.factory)
        w.endObject()
        return w.buffer
    }

    // MARK: Fields

    static func writePlayers(_ w: inout JSONWriter, _ players: [PlayerState]) {
        writeArray(&w, players, writePlayerFields)
    }

    static func writePlayerFields(_ w: inout JSONWriter, _ p: PlayerState) {
        w.field("index", p.index)
        w.field("name", p.name)
        w.field("surface", p.surface)
        w.field("x", p.x)
        w.field("y", p.y)
        w.field("color", cssColor(p.color))
        w.field("online", p.online)
        w.field("afk", p.afk)
    }

    static func writeSurfaceFields(_ w: inout JSONWriter, _ s: SurfaceState) {
        w.field("name", s.name)
        w.field("index", s.index)
        w.field("planet", s.planet)
        w.field("platform", s.platform)
        w.key("daytime")
        if let d = s.daytime { w.double(d) } else { w.null() }
        w.field("deleted", s.deleted)
    }

    static func writeChatFields(_ w: inout JSONWriter, _ c: ChatEntry) {
        w.field("player", c.player)
        w.field("message", c.message)
        w.field("tick", c.tick)
        w.key("receivedAt")
        w.int(Int(c.receivedAt))
        w.field("source", c.source.rawValue)
    }

    static func writeSessionFields(_ w: inout JSONWriter, _ s: SessionInfo) {
        w.field("modVersion", s.modVersion)
        w.field("gameVersion", s.gameVersion)
        w.field("tick", s.tick)
        w.key("receivedAt")
        w.int(Int(s.receivedAt))
    }

    /// `#rrggbb` of a game colour (alpha dropped: markers are always opaque).
    static func cssColor(_ c: GameColor) -> String {
        let rgba = c.rgba8
        func hex(_ v: UInt8) -> String {
            let s = String(v, radix: 16)
            return s.count == 1 ? "0" + s : s
        }
        return "#" + hex(rgba.r) + hex(rgba.g) + hex(rgba.b)
    }
}
