extension PayloadDecoder {
    static let prototypesKeys = KeyTable(["tiles?", "entities?"])
    static let tilePrototypeKeys = KeyTable(["name", "color"])
    static let entityPrototypeKeys = KeyTable([
        "name", "type", "color?", "friendly_color?", "enemy_color?", "box", "w", "h",
    ])

    static func prototypes(_ s: inout JSONScanner) throws(PacketError) -> Prototypes {
        var st = try s.beginObject("payload")
        var v = Prototypes()
        while let k = try s.nextKey(prototypesKeys, &st) {
            switch k {
            case 0:
                guard !s.consumeNull(), try s.beginArray("tiles") else { continue }
                var first = true
                while try s.nextElement(&first) {
                    guard v.tiles.count < maxPaletteEntries else {
                        throw s.fail(.outOfRange, "tiles: more than \(maxPaletteEntries) entries")
                    }
                    v.tiles.append(try tilePrototype(&s, v.tiles.count))
                }
            case 1:
                guard !s.consumeNull(), try s.beginArray("entities") else { continue }
                var first = true
                while try s.nextElement(&first) {
                    guard v.entities.count < maxPaletteEntries else {
                        throw s.fail(.outOfRange, "entities: more than \(maxPaletteEntries) entries")
                    }
                    v.entities.append(try entityPrototype(&s, v.entities.count))
                }
            default: try s.skipValue()
            }
        }
        return v
    }

    static func tilePrototype(_ s: inout JSONScanner, _ i: Int) throws(PacketError) -> TilePrototype {
        var st = try s.beginObject("tiles[\(i)]")
        var v = TilePrototype(name: "", color: GameColor(r: 0, g: 0, b: 0))
        while let k = try s.nextKey(tilePrototypeKeys, &st) {
            switch k {
            case 0: v.name = try s.string("tiles[\(i)].name")
            case 1: v.color = try color(&s, "tiles[\(i)].color")
            default: try s.skipValue()
            }
        }
        try tilePrototypeKeys.checkRequired(st.seen, "tiles[\(i)]")
        return v
    }

    static func entityPrototype(_ s: inout JSONScanner, _ i: Int) throws(PacketError) -> EntityPrototype {
        var st = try s.beginObject("entities[\(i)]")
        var v = EntityPrototype(name: "", type: "", collisionBox: [], tileWidth: 0, tileHeight: 0)
        while let k = try s.nextKey(entityPrototypeKeys, &st) {
            switch k {
            case 0: v.name = try s.string("entities[\(i)].name")
            case 1: v.type = try s.string("entities[\(i)].type")
            case 2: if !s.consumeNull() { v.mapColor = try color(&s, "entities[\(i)].color") }
            case 3: if !s.consumeNull() { v.friendlyColor = try color(&s, "entities[\(i)].friendly_color") }
            case 4: if !s.consumeNull() { v.enemyColor = try color(&s, "entities[\(i)].enemy_color") }
            case 5:
                v.collisionBox = try numbers(&s, "box")
                guard v.collisionBox.count == 4 else {
                    throw s.fail(.outOfRange, "entities[\(i)].box: expected [left, top, right, bottom]")
                }
            case 6: v.tileWidth = try s.integer("entities[\(i)].w")
            case 7: v.tileHeight = try s.integer("entities[\(i)].h")
            default: try s.skipValue()
            }
        }
        try entityPrototypeKeys.checkRequired(st.seen, "entities[\(i)]")
        return v
    }
}
