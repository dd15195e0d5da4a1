/// The fast payload decoder: pulls each payload type's fields straight from a ``JSONScanner``
/// in whatever key order they come, resolving palette indices. Range rules that can be checked
/// on the model live in ``PacketValidator``; rules that only exist on the wire (palette
/// indices, tuple lengths, colour channel counts) are checked here.
enum PayloadDecoder {
    /// Most entries in one `names`/`forces`/`palette` list.
    static let maxPaletteEntries = 4096

    /// Decodes the payload object of a packet of `type`.
    static func decode(_ type: PacketType, _ s: inout JSONScanner) throws(PacketError) -> Payload {
        switch type {
        case .sessionStart: .sessionStart(try sessionStart(&s))
        case .prototypes: .prototypes(try prototypes(&s))
        case .surface: .surface(try surface(&s))
        case .chunkTerrain: .chunkTerrain(try chunkTerrain(&s))
        case .chunkBuildings: .chunkBuildings(try chunkBuildings(&s))
        case .chunkResources: .chunkResources(try chunkResources(&s))
        case .chunkDeleted: .chunkDeleted(try chunkDeleted(&s))
        case .tiles: .tiles(try tiles(&s))
        case .buildings: .buildings(try buildings(&s))
        case .buildingRemoved: .buildingRemoved(try buildingRemoved(&s))
        case .player: .player(try player(&s))
        case .chat: .chat(try chat(&s))
        case .chartTag: .chartTag(try chartTag(&s))
        case .chartTagRemoved: .chartTagRemoved(try chartTagRemoved(&s))
        case .chartTags: .chartTags(try chartTags(&s))
        case .trainStop: .trainStop(try trainStop(&s))
        case .trainStopRemoved: .trainStopRemoved(try trainStopRemoved(&s))
        case .train: .train(try train(&s))
        case .trainRemoved: .trainRemoved(try trainRemoved(&s))
        case .spacePlatform: .spacePlatform(try spacePlatform(&s))
        case .spacePlatformRemoved: .spacePlatformRemoved(try spacePlatformRemoved(&s))
        }
    }

    // MARK: Small payloads

    static let sessionStartKeys = KeyTable(["mod_version", "game_version"])

    static func sessionStart(_ s: inout JSONScanner) throws(PacketError) -> SessionStart {
        var st = try s.beginObject("payload")
        var mod = "", game = ""
        while let k = try s.nextKey(sessionStartKeys, &st) {
            switch k {
            case 0: mod = try s.string("mod_version")
            case 1: game = try s.string("game_version")
            default: try s.skipValue()
            }
        }
        try sessionStartKeys.checkRequired(st.seen, "")
        return SessionStart(modVersion: mod, gameVersion: game)
    }

    static let surfaceKeys = KeyTable(["index", "name", "planet?", "platform?", "daytime?", "deleted?"])

    static func surface(_ s: inout JSONScanner) throws(PacketError) -> SurfaceState {
        var st = try s.beginObject("payload")
        var v = SurfaceState(index: 0, name: "")
        while let k = try s.nextKey(surfaceKeys, &st) {
            switch k {
            case 0: v.index = try s.integer("index")
            case 1: v.name = try s.string("name")
            case 2: if !s.consumeNull() { v.planet = try s.string("planet") }
            case 3: if !s.consumeNull() { v.platform = try s.string("platform") }
            case 4: if !s.consumeNull() { v.daytime = try s.double("daytime") }
            case 5: if !s.consumeNull() { v.deleted = try s.bool("deleted") }
            default: try s.skipValue()
            }
        }
        try surfaceKeys.checkRequired(st.seen, "")
        return v
    }

    static let playerKeys = KeyTable(["index", "name", "surface", "x", "y", "color", "online", "afk"])

    static func player(_ s: inout JSONScanner) throws(PacketError) -> PlayerState {
        var st = try s.beginObject("payload")
        var v = PlayerState(
            index: 0, name: "", surface: "", x: 0, y: 0, color: GameColor(r: 0, g: 0, b: 0), online: false,
            afk: false)
        while let k = try s.nextKey(playerKeys, &st) {
            switch k {
            case 0: v.index = try s.integer("index")
            case 1: v.name = try s.string("name")
            case 2: v.surface = try s.string("surface")
            case 3: v.x = try s.double("x")
            case 4: v.y = try s.double("y")
            case 5: v.color = try color(&s, "color")
            case 6: v.online = try s.bool("online")
            case 7: v.afk = try s.bool("afk")
            default: try s.skipValue()
            }
        }
        try playerKeys.checkRequired(st.seen, "")
        return v
    }

    static let chatKeys = KeyTable(["player?", "message"])

    static func chat(_ s: inout JSONScanner) throws(PacketError) -> ChatMessage {
        var st = try s.beginObject("payload")
        var v = ChatMessage(player: nil, message: "")
        while let k = try s.nextKey(chatKeys, &st) {
            switch k {
            case 0: if !s.consumeNull() { v.player = try s.string("player") }
            case 1: v.message = try s.string("message")
            default: try s.skipValue()
            }
        }
        try chatKeys.checkRequired(st.seen, "")
        return v
    }

    // MARK: Shared value shapes

    /// `[r, g, b]` or `[r, g, b, a]`; a missing alpha is 1 (opaque on either scale).
    static func color(_ s: inout JSONScanner, _ path: @autoclosure () -> String) throws(PacketError) -> GameColor {
        var ch = (0.0, 0.0, 0.0, 1.0)
        var n = 0
        if try s.beginArray(path()) {
            var first = true
            while try s.nextElement(&first) {
                guard n < 4 else { throw s.fail(.outOfRange, "\(path()): a colour has 3 or 4 channels") }
                let v = try s.double("\(path())[\(n)]")
                switch n {
                case 0: ch.0 = v
                case 1: ch.1 = v
                case 2: ch.2 = v
                default: ch.3 = v
                }
                n += 1
            }
        }
        guard n >= 3 else { throw s.fail(.outOfRange, "\(path()): a colour has 3 or 4 channels") }
        return GameColor(r: ch.0, g: ch.1, b: ch.2, a: ch.3)
    }

    /// An array of strings (or `{}`), at most ``maxPaletteEntries`` long.
    static func strings(_ s: inout JSONScanner, _ path: StaticString) throws(PacketError) -> [String] {
        var out = [String]()
        guard try s.beginArray("\(path)") else { return out }
        var first = true
        while try s.nextElement(&first) {
            guard out.count < maxPaletteEntries else {
                throw s.fail(.outOfRange, "\(path): more than \(maxPaletteEntries) entries")
            }
            let i = out.count
            out.append(try s.string("\(path)[\(i)]"))
        }
        return out
    }

    /// A flat array of integers (or `{}`).
    static func integers(_ s: inout JSONScanner, _ path: StaticString) throws(PacketError) -> [Int] {
        var out = [Int]()
        guard try s.beginArray("\(path)") else { return out }
        out.reserveCapacity(16)
        var first = true
        var i = 0
        while try s.nextElement(&first) {
            let index = i
            out.append(try s.integer("\(path)[\(index)]"))
            i += 1
        }
        return out
    }

    /// A flat array of finite numbers (or `{}`).
    static func numbers(_ s: inout JSONScanner, _ path: StaticString) throws(PacketError) -> [Double] {
        var out = [Double]()
        guard try s.beginArray("\(path)") else { return out }
        out.reserveCapacity(16)
        var first = true
        var i = 0
        while try s.nextElement(&first) {
            let index = i
            out.append(try s.double("\(path)[\(index)]"))
            i += 1
        }
        return out
    }

    /// `[x0, y0, x1, y1]`.
    static func area(_ s: inout JSONScanner) throws(PacketError) -> TileArea {
        let v = try integers(&s, "area")
        guard v.count == 4 else { throw s.fail(.outOfRange, "area: expected [x0, y0, x1, y1]") }
        return TileArea(x0: v[0], y0: v[1], x1: v[2], y1: v[3])
    }

    /// A wire number that must be an integer (within ±2^53).
    @inline(__always) static func int(_ v: Double, _ path: @autoclosure () -> String) throws(PacketError) -> Int {
        guard v.magnitude <= Double(maxSafeInteger) else { throw PacketError(.outOfRange, "\(path()): beyond 2^53") }
        guard v == v.rounded(.towardZero) else { throw PacketError(.wrongType, "\(path()): expected an integer") }
        return Int(v)
    }

    /// A palette index into a list of `count` entries.
    @inline(__always) static func index(
        _ v: Int, _ count: Int, _ path: @autoclosure () -> String
    ) throws(PacketError) -> Int {
        guard v >= 0 && v < count else { throw PacketError(.outOfRange, "\(path()): index \(v) not in palette") }
        return v
    }

    /// A unit number: 1 ... 2^53.
    @inline(__always) static func unit(_ v: Double, _ path: @autoclosure () -> String) throws(PacketError) -> UInt64 {
        let i = try int(v, path())
        guard i >= 1 else { throw PacketError(.outOfRange, "\(path()): unit number must be ≥ 1") }
        return UInt64(i)
    }
}
