extension PacketEncoder {
    /// The payload keys of the factory families, in the order of `docs/packets.md`.
    mutating func chartTag(_ p: ChartTag) {
        key("tag", first: true); int(p.tag)
        key("surface"); string(p.surface)
        key("force"); string(p.force)
        key("x"); number(p.x)
        key("y"); number(p.y)
        key("text"); string(p.text)
        if let i = p.icon {
            key("icon"); byte(UInt8(ascii: "{"))
            key("type", first: true); string(i.type)
            key("name"); string(i.name)
            byte(UInt8(ascii: "}"))
        }
        if let v = p.lastUser { key("last_user"); string(v) }
    }

    mutating func chartTagRemoved(_ p: ChartTagRemoved) {
        key("tag", first: true); int(p.tag)
        key("surface"); string(p.surface)
        key("force"); string(p.force)
    }

    mutating func chartTags(_ p: ChartTagSet) {
        key("surface", first: true); string(p.surface)
        key("force"); string(p.force)
        key("tags"); list(p.tags) { w, v in w.int(v) }
    }

    mutating func trainStop(_ p: TrainStop) {
        key("unit", first: true); uint(p.unit)
        key("backer_name"); string(p.backerName)
        key("x"); number(p.x)
        key("y"); number(p.y)
        key("direction"); int(p.direction)
        key("surface"); string(p.surface)
        key("force"); string(p.force)
    }

    mutating func trainStopRemoved(_ p: TrainStopRemoved) {
        key("unit", first: true); uint(p.unit)
        key("surface"); string(p.surface)
    }

    mutating func train(_ p: TrainState) {
        key("id", first: true); int(p.id)
        key("surface"); string(p.surface)
        key("force"); string(p.force)
        key("state"); string(p.state)
        key("manual"); raw(p.manual ? "true" : "false")
        key("speed"); number(p.speed)
        key("carriages")
        list(p.carriages) { w, c in w.number(c.x); w.comma(); w.number(c.y); w.comma(); w.number(c.orientation) }
        if let v = p.stop { key("stop"); string(v) }
        if let v = p.stopUnit { key("stop_unit"); uint(v) }
        if let v = p.nextStop { key("next_stop"); string(v) }
        if let v = p.nextStopUnit { key("next_stop_unit"); uint(v) }
    }

    mutating func trainRemoved(_ p: TrainRemoved) {
        key("id", first: true); int(p.id)
        key("surface"); string(p.surface)
    }

    mutating func spacePlatform(_ p: SpacePlatformState) {
        key("index", first: true); int(p.index)
        key("name"); string(p.name)
        key("surface"); string(p.surface)
        key("force"); string(p.force)
        key("state"); string(p.state)
        if let v = p.location { key("location"); string(v) }
        if let v = p.from { key("from"); string(v) }
        if let v = p.to { key("to"); string(v) }
        if let v = p.progress { key("progress"); number(v) }
        key("speed"); number(p.speed)
        if let h = p.hub {
            key("hub"); byte(UInt8(ascii: "[")); number(h.x); comma(); number(h.y); byte(UInt8(ascii: "]"))
        }
    }
}
