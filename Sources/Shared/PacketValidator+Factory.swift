extension PacketValidator {
    /// Longest tag text and train stop name in UTF-8 bytes (any characters).
    public static let maxLabelBytes = 1024
    /// Most tag numbers in one `chart_tags` set.
    public static let maxChartTags = 10_000
    /// Most carriages in one `train`.
    public static let maxCarriages = 1000
    /// Largest train speed magnitude, in tiles per tick (the game's fastest train is below 2).
    public static let maxTrainSpeed = 1000.0
    /// Largest platform speed magnitude.
    public static let maxPlatformSpeed = 1_000_000.0

    /// The rules of the factory families (chart tags, train stops, trains, space platforms).
    static func factory(_ payload: Payload) throws(PacketError) {
        switch payload {
        case .chartTag(let p):
            try uint32(p.tag, "tag")
            try surface(p.surface, "surface")
            try name(p.force, "force")
            try position(p.x, "x")
            try position(p.y, "y")
            try label(p.text, "text")
            if let i = p.icon {
                try check(SignalID.types.contains(i.type), "icon.type", "not a signal type")
                try name(i.name, "icon.name")
            }
            if let v = p.lastUser { try name(v, "last_user") }
        case .chartTagRemoved(let p):
            try uint32(p.tag, "tag")
            try surface(p.surface, "surface")
            try name(p.force, "force")
        case .chartTags(let p):
            try surface(p.surface, "surface")
            try name(p.force, "force")
            try check(p.tags.count <= maxChartTags, "tags", "more than \(maxChartTags) tags")
            for (i, t) in p.tags.enumerated() { try uint32(t, "tags[\(i)]") }
        case .trainStop(let p):
            try check(p.unit >= 1 && p.unit <= maxSafeInteger, "unit")
            try label(p.backerName, "backer_name")
            try position(p.x, "x")
            try position(p.y, "y")
            try check(p.direction >= 0 && p.direction <= 15, "direction", "direction not in 0...15")
            try surface(p.surface, "surface")
            try name(p.force, "force")
        case .trainStopRemoved(let p):
            try check(p.unit >= 1 && p.unit <= maxSafeInteger, "unit")
            try surface(p.surface, "surface")
        case .train(let p):
            try train(p)
        case .trainRemoved(let p):
            try uint32(p.id, "id")
            try surface(p.surface, "surface")
        case .spacePlatform(let p):
            try spacePlatform(p)
        case .spacePlatformRemoved(let p):
            try uint32(p.index, "index")
        default:
            return
        }
    }

    static func train(_ p: TrainState) throws(PacketError) {
        try uint32(p.id, "id")
        try surface(p.surface, "surface")
        try name(p.force, "force")
        try name(p.state, "state")
        try check(p.speed.magnitude <= maxTrainSpeed, "speed")
        try check(!p.carriages.isEmpty && p.carriages.count <= maxCarriages, "carriages",
            "needs 1...\(maxCarriages) carriages")
        for (i, c) in p.carriages.enumerated() {
            try position(c.x, "carriages[\(i * 3)]")
            try position(c.y, "carriages[\(i * 3 + 1)]")
            try check(c.orientation >= 0 && c.orientation <= 1, "carriages[\(i * 3 + 2)]", "orientation not in 0...1")
        }
        if let v = p.stop { try label(v, "stop") }
        if let v = p.stopUnit { try check(v >= 1 && v <= maxSafeInteger, "stop_unit") }
        if let v = p.nextStop { try label(v, "next_stop") }
        if let v = p.nextStopUnit { try check(v >= 1 && v <= maxSafeInteger, "next_stop_unit") }
    }

    static func spacePlatform(_ p: SpacePlatformState) throws(PacketError) {
        try uint32(p.index, "index")
        try name(p.name, "name")
        try surface(p.surface, "surface")
        try name(p.force, "force")
        try name(p.state, "state")
        if let v = p.location { try name(v, "location") }
        if let v = p.from { try name(v, "from") }
        if let v = p.to { try name(v, "to") }
        try check((p.from == nil) == (p.to == nil), "from", "from and to come together")
        try check(p.location == nil || p.from == nil, "location", "at a location and travelling at once")
        if let v = p.progress {
            try check(p.from != nil, "progress", "progress without a connection")
            try check(v >= 0 && v <= 1, "progress")
        }
        try check(p.speed.magnitude <= maxPlatformSpeed, "speed")
        if let h = p.hub {
            try position(h.x, "hub[0]")
            try position(h.y, "hub[1]")
        }
    }

    /// Tag texts and stop names: 0…``maxLabelBytes`` UTF-8 bytes, any characters.
    static func label(_ s: String, _ path: @autoclosure () -> String) throws(PacketError) {
        try check(s.utf8.count <= maxLabelBytes, path(), "longer than \(maxLabelBytes) bytes")
    }

    static func uint32(_ v: Int, _ path: @autoclosure () -> String) throws(PacketError) {
        try check(v >= 0 && v <= Int(UInt32.max), path())
    }
}
