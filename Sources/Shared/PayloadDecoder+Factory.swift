extension PayloadDecoder {
    // MARK: Chart tags

    static let chartTagKeys = KeyTable(["tag", "surface", "force", "x", "y", "text", "icon?", "last_user?"])
    static let signalKeys = KeyTable(["type", "name"])

    static func chartTag(_ s: inout JSONScanner) throws(PacketError) -> ChartTag {
        var st = try s.beginObject("payload")
        var v = ChartTag(tag: 0, surface: "", force: "", x: 0, y: 0, text: "")
        while let k = try s.nextKey(chartTagKeys, &st) {
            switch k {
            case 0: v.tag = try s.integer("tag")
            case 1: v.surface = try s.string("surface")
            case 2: v.force = try s.string("force")
            case 3: v.x = try s.double("x")
            case 4: v.y = try s.double("y")
            case 5: v.text = try s.string("text")
            case 6: if !s.consumeNull() { v.icon = try signal(&s, "icon") }
            case 7: if !s.consumeNull() { v.lastUser = try s.string("last_user") }
            default: try s.skipValue()
            }
        }
        try chartTagKeys.checkRequired(st.seen, "")
        return v
    }

    /// `{"type", "name"}`.
    static func signal(_ s: inout JSONScanner, _ path: StaticString) throws(PacketError) -> SignalID {
        var st = try s.beginObject("\(path)")
        var v = SignalID(type: "", name: "")
        while let k = try s.nextKey(signalKeys, &st) {
            switch k {
            case 0: v.type = try s.string("\(path).type")
            case 1: v.name = try s.string("\(path).name")
            default: try s.skipValue()
            }
        }
        try signalKeys.checkRequired(st.seen, "\(path)")
        return v
    }

    static let chartTagRemovedKeys = KeyTable(["tag", "surface", "force"])

    static func chartTagRemoved(_ s: inout JSONScanner) throws(PacketError) -> ChartTagRemoved {
        var st = try s.beginObject("payload")
        var v = ChartTagRemoved(tag: 0, surface: "", force: "")
        while let k = try s.nextKey(chartTagRemovedKeys, &st) {
            switch k {
            case 0: v.tag = try s.integer("tag")
            case 1: v.surface = try s.string("surface")
            case 2: v.force = try s.string("force")
            default: try s.skipValue()
            }
        }
        try chartTagRemovedKeys.checkRequired(st.seen, "")
        return v
    }

    static let chartTagsKeys = KeyTable(["surface", "force", "tags"])

    static func chartTags(_ s: inout JSONScanner) throws(PacketError) -> ChartTagSet {
        var st = try s.beginObject("payload")
        var v = ChartTagSet(surface: "", force: "", tags: [])
        while let k = try s.nextKey(chartTagsKeys, &st) {
            switch k {
            case 0: v.surface = try s.string("surface")
            case 1: v.force = try s.string("force")
            case 2: v.tags = try integers(&s, "tags")
            default: try s.skipValue()
            }
        }
        try chartTagsKeys.checkRequired(st.seen, "")
        return v
    }

    // MARK: Train stops

    static let trainStopKeys = KeyTable(["unit", "backer_name", "x", "y", "direction", "surface", "force"])

    static func trainStop(_ s: inout JSONScanner) throws(PacketError) -> TrainStop {
        var st = try s.beginObject("payload")
        var v = TrainStop(unit: 0, backerName: "", x: 0, y: 0, direction: 0, surface: "", force: "")
        while let k = try s.nextKey(trainStopKeys, &st) {
            switch k {
            case 0: v.unit = try unit(try s.double("unit"), "unit")
            case 1: v.backerName = try s.string("backer_name")
            case 2: v.x = try s.double("x")
            case 3: v.y = try s.double("y")
            case 4: v.direction = try s.integer("direction")
            case 5: v.surface = try s.string("surface")
            case 6: v.force = try s.string("force")
            default: try s.skipValue()
            }
        }
        try trainStopKeys.checkRequired(st.seen, "")
        return v
    }

    static let trainStopRemovedKeys = KeyTable(["unit", "surface"])

    static func trainStopRemoved(_ s: inout JSONScanner) throws(PacketError) -> TrainStopRemoved {
        var st = try s.beginObject("payload")
        var v = TrainStopRemoved(unit: 0, surface: "")
        while let k = try s.nextKey(trainStopRemovedKeys, &st) {
            switch k {
            case 0: v.unit = try unit(try s.double("unit"), "unit")
            case 1: v.surface = try s.string("surface")
            default: try s.skipValue()
            }
        }
        try trainStopRemovedKeys.checkRequired(st.seen, "")
        return v
    }

    // MARK: Trains

    static let trainKeys = KeyTable([
        "id", "surface", "force", "state", "manual", "speed", "carriages", "stop?", "stop_unit?", "next_stop?",
        "next_stop_unit?",
    ])

    static func train(_ s: inout JSONScanner) throws(PacketError) -> TrainState {
        var st = try s.beginObject("payload")
        var v = TrainState(id: 0, surface: "", force: "", state: "", manual: false, speed: 0, carriages: [])
        var flat = [Double]()
        while let k = try s.nextKey(trainKeys, &st) {
            switch k {
            case 0: v.id = try s.integer("id")
            case 1: v.surface = try s.string("surface")
            case 2: v.force = try s.string("force")
            case 3: v.state = try s.string("state")
            case 4: v.manual = try s.bool("manual")
            case 5: v.speed = try s.double("speed")
            case 6: flat = try numbers(&s, "carriages")
            case 7: if !s.consumeNull() { v.stop = try s.string("stop") }
            case 8: if !s.consumeNull() { v.stopUnit = try unit(try s.double("stop_unit"), "stop_unit") }
            case 9: if !s.consumeNull() { v.nextStop = try s.string("next_stop") }
            case 10: if !s.consumeNull() { v.nextStopUnit = try unit(try s.double("next_stop_unit"), "next_stop_unit") }
            default: try s.skipValue()
            }
        }
        try trainKeys.checkRequired(st.seen, "")
        v.carriages = try tuples(flat, stride: 3, "carriages") { i in
            Carriage(x: flat[i], y: flat[i + 1], orientation: flat[i + 2])
        }
        return v
    }

    static let trainRemovedKeys = KeyTable(["id", "surface"])

    static func trainRemoved(_ s: inout JSONScanner) throws(PacketError) -> TrainRemoved {
        var st = try s.beginObject("payload")
        var v = TrainRemoved(id: 0, surface: "")
        while let k = try s.nextKey(trainRemovedKeys, &st) {
            switch k {
            case 0: v.id = try s.integer("id")
            case 1: v.surface = try s.string("surface")
            default: try s.skipValue()
            }
        }
        try trainRemovedKeys.checkRequired(st.seen, "")
        return v
    }

    // MARK: Space platforms

    static let spacePlatformKeys = KeyTable([
        "index", "name", "surface", "force", "state", "location?", "from?", "to?", "progress?", "speed", "hub?",
    ])

    static func spacePlatform(_ s: inout JSONScanner) throws(PacketError) -> SpacePlatformState {
        var st = try s.beginObject("payload")
        var v = SpacePlatformState(index: 0, name: "", surface: "", force: "", state: "", speed: 0)
        while let k = try s.nextKey(spacePlatformKeys, &st) {
            switch k {
            case 0: v.index = try s.integer("index")
            case 1: v.name = try s.string("name")
            case 2: v.surface = try s.string("surface")
            case 3: v.force = try s.string("force")
            case 4: v.state = try s.string("state")
            case 5: if !s.consumeNull() { v.location = try s.string("location") }
            case 6: if !s.consumeNull() { v.from = try s.string("from") }
            case 7: if !s.consumeNull() { v.to = try s.string("to") }
            case 8: if !s.consumeNull() { v.progress = try s.double("progress") }
            case 9: v.speed = try s.double("speed")
            case 10:
                guard !s.consumeNull() else { continue }
                let xy = try numbers(&s, "hub")
                guard xy.count == 2 else { throw s.fail(.outOfRange, "hub: expected [x, y]") }
                v.hub = MapPoint(x: xy[0], y: xy[1])
            default: try s.skipValue()
            }
        }
        try spacePlatformKeys.checkRequired(st.seen, "")
        return v
    }

    static let spacePlatformRemovedKeys = KeyTable(["index"])

    static func spacePlatformRemoved(_ s: inout JSONScanner) throws(PacketError) -> SpacePlatformRemoved {
        var st = try s.beginObject("payload")
        var v = SpacePlatformRemoved(index: 0)
        while let k = try s.nextKey(spacePlatformRemovedKeys, &st) {
            switch k {
            case 0: v.index = try s.integer("index")
            default: try s.skipValue()
            }
        }
        try spacePlatformRemovedKeys.checkRequired(st.seen, "")
        return v
    }
}
