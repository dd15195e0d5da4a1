/// Writes the canonical form of a packet line: `KAFKATORIO/1 <type> <tick> <seq> <json>` with
/// a plain JSON payload whose keys come in the order `docs/packets.md` lists them; optional keys
/// are omitted when absent (`deleted` when false); colours always have 4 channels; palettes
/// (`names`, `forces`) list names in order of first use. Numbers: integral values within ±2^53
/// print as integers (`12`, never `12.0`; `-0` prints as `0`); others print in Swift's shortest
/// round-tripping form (`0.5`, `1e-05`).
package struct PacketEncoder {
    package var out: [UInt8] = []

    package init() { out.reserveCapacity(256) }

    mutating func packet(_ p: Packet) {
        raw(PacketLine.tag)
        int(PacketLine.version)
        byte(0x20)
        raw(p.type.rawValue)
        byte(0x20)
        uint(p.tick)
        byte(0x20)
        uint(p.seq)
        byte(0x20)
        payload(p.payload)
    }

    mutating func payload(_ payload: Payload) {
        byte(UInt8(ascii: "{"))
        switch payload {
        case .sessionStart(let p):
            key("mod_version", first: true); string(p.modVersion)
            key("game_version"); string(p.gameVersion)
        case .prototypes(let p):
            key("tiles", first: true)
            list(p.tiles) { w, t in
                w.byte(UInt8(ascii: "{"))
                w.key("name", first: true); w.string(t.name)
                w.key("color"); w.color(t.color)
                w.byte(UInt8(ascii: "}"))
            }
            key("entities")
            list(p.entities) { w, e in w.entityPrototype(e) }
        case .surface(let p):
            key("index", first: true); int(p.index)
            key("name"); string(p.name)
            if let v = p.planet { key("planet"); string(v) }
            if let v = p.platform { key("platform"); string(v) }
            if let v = p.daytime { key("daytime"); number(v) }
            if p.deleted { key("deleted"); raw("true") }
        case .chunkTerrain(let p):
            chunkHeader(p.surface, p.cx, p.cy, nil)
            key("palette"); list(p.palette) { w, s in w.string(s) }
            key("runs"); list(p.runs) { w, v in w.int(v) }
        case .chunkBuildings(let p):
            chunkHeader(p.surface, p.cx, p.cy, p.area)
            buildings(p.buildings)
        case .chunkResources(let p):
            chunkHeader(p.surface, p.cx, p.cy, p.area)
            var names = Palette()
            let idx = p.cells.map { names.index($0.name) }
            key("names"); list(names.names) { w, s in w.string(s) }
            key("cells")
            list(Array(p.cells.indices)) { w, i in
                let c = p.cells[i]
                w.int(c.dx); w.comma(); w.int(c.dy); w.comma(); w.int(idx[i]); w.comma(); w.uint(c.amount)
            }
        case .chunkDeleted(let p):
            key("surface", first: true); string(p.surface)
            key("chunks"); list(p.chunks) { w, c in w.int(c.x); w.comma(); w.int(c.y) }
        case .tiles(let p):
            key("surface", first: true); string(p.surface)
            var names = Palette()
            let idx = p.cells.map { names.index($0.name) }
            key("names"); list(names.names) { w, s in w.string(s) }
            key("cells")
            list(Array(p.cells.indices)) { w, i in
                let c = p.cells[i]
                w.int(c.x); w.comma(); w.int(c.y); w.comma(); w.int(idx[i])
            }
        case .buildings(let p):
            key("surface", first: true); string(p.surface)
            buildings(p.buildings)
        case .buildingRemoved(let p):
            key("surface", first: true); string(p.surface)
            key("removed"); list(p.removed) { w, r in w.uint(r.unit); w.comma(); w.number(r.x); w.comma(); w.number(r.y) }
        case .player(let p):
            key("index", first: true); int(p.index)
            key("name"); string(p.name)
            key("surface"); string(p.surface)
            key("x"); number(p.x)
            key("y"); number(p.y)
            key("color"); color(p.color)
            key("online"); raw(p.online ? "true" : "false")
            key("afk"); raw(p.afk ? "true" : "false")
        case .chat(let p):
            if let v = p.player { key("player", first: true); string(v); key("message") } else {
                key("message", first: true)
            }
            string(p.message)
        case .chartTag(let p): chartTag(p)
        case .chartTagRemoved(let p): chartTagRemoved(p)
        case .chartTags(let p): chartTags(p)
        case .trainStop(let p): trainStop(p)
        case .trainStopRemoved(let p): trainStopRemoved(p)
        case .train(let p): train(p)
        case .trainRemoved(let p): trainRemoved(p)
        case .spacePlatform(let p): spacePlatform(p)
        case .spacePlatformRemoved(let p): key("index", first: true); int(p.index)
        }
        byte(UInt8(ascii: "}"))
    }

    // MARK: Pieces

    mutating func chunkHeader(_ surface: String, _ cx: Int, _ cy: Int, _ area: TileArea?) {
        key("surface", first: true); string(surface)
        key("cx"); int(cx)
        key("cy"); int(cy)
        if let a = area {
            key("area"); byte(UInt8(ascii: "["))
            int(a.x0); comma(); int(a.y0); comma(); int(a.x1); comma(); int(a.y1)
            byte(UInt8(ascii: "]"))
        }
    }

    mutating func buildings(_ list: [Building]) {
        var names = Palette(), forces = Palette()
        let idx = list.map { (names.index($0.name), forces.index($0.force)) }
        key("names"); self.list(names.names) { w, s in w.string(s) }
        key("forces"); self.list(forces.names) { w, s in w.string(s) }
        key("entities")
        self.list(Array(list.indices)) { w, i in
            let b = list[i]
            w.uint(b.unit); w.comma(); w.int(idx[i].0); w.comma(); w.number(b.x); w.comma(); w.number(b.y)
            w.comma(); w.int(b.direction); w.comma(); w.int(idx[i].1)
        }
    }

    mutating func entityPrototype(_ e: EntityPrototype) {
        byte(UInt8(ascii: "{"))
        key("name", first: true); string(e.name)
        key("type"); string(e.type)
        if let c = e.mapColor { key("color"); color(c) }
        if let c = e.friendlyColor { key("friendly_color"); color(c) }
        if let c = e.enemyColor { key("enemy_color"); color(c) }
        key("box"); list(e.collisionBox) { w, v in w.number(v) }
        key("w"); int(e.tileWidth)
        key("h"); int(e.tileHeight)
        byte(UInt8(ascii: "}"))
    }

    mutating func color(_ c: GameColor) {
        byte(UInt8(ascii: "["))
        number(c.r); comma(); number(c.g); comma(); number(c.b); comma(); number(c.a)
        byte(UInt8(ascii: "]"))
    }

    package mutating func list<T>(_ items: [T], _ each: (inout PacketEncoder, T) -> Void) {
        byte(UInt8(ascii: "["))
        for (i, v) in items.enumerated() {
            if i > 0 { comma() }
            each(&self, v)
        }
        byte(UInt8(ascii: "]"))
    }

    // MARK: Scalars

    @inline(__always) package mutating func byte(_ b: UInt8) { out.append(b) }
    @inline(__always) package mutating func comma() { out.append(UInt8(ascii: ",")) }
    @inline(__always) package mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { out.append(contentsOf: $0) }
    }
    @inline(__always) package mutating func raw(_ s: String) { out.append(contentsOf: s.utf8) }

    package mutating func key(_ k: StaticString, first: Bool = false) {
        if !first { comma() }
        byte(UInt8(ascii: "\""))
        raw(k)
        byte(UInt8(ascii: "\""))
        byte(UInt8(ascii: ":"))
    }

    package mutating func uint(_ v: UInt64) {
        if v < 10 {
            out.append(UInt8(ascii: "0") + UInt8(v))
            return
        }
        var x = v
        let start = out.count
        while x > 0 {
            out.append(UInt8(ascii: "0") + UInt8(x % 10))
            x /= 10
        }
        out[start...].reverse()
    }

    package mutating func int(_ v: Int) {
        if v < 0 { byte(UInt8(ascii: "-")) }
        uint(UInt64(v.magnitude))
    }

    /// Integral doubles within ±2^53 as integers, others in shortest round-trip form.
    package mutating func number(_ v: Double) {
        if v == v.rounded(.towardZero), v.magnitude <= Double(maxSafeInteger) {
            if v < 0 { byte(UInt8(ascii: "-")) }
            uint(UInt64(v.magnitude))
        } else {
            raw(v.description)
        }
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\n`, `\t`, … or `\u00XX`.
    package mutating func string(_ s: String) {
        byte(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            case 0..<0x20:
                raw("\\u00")
                byte(hexDigits[Int(c >> 4)])
                byte(hexDigits[Int(c & 0xF)])
            default: byte(c)
            }
        }
        byte(UInt8(ascii: "\""))
    }
}

/// Names in order of first use → index.
struct Palette {
    var names: [String] = []
    var indices: [String: Int] = [:]
    mutating func index(_ name: String) -> Int {
        if let i = indices[name] { return i }
        names.append(name)
        indices[name] = names.count - 1
        return names.count - 1
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
