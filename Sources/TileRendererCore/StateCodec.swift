package import Shared

/// Why a state-topic record could not be read.
package struct StateRecordError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong.
    package var reason: String
    package var description: String { "state record: \(reason)" }
}

/// Little-endian binary writer for state records.
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8((v >> (8 * UInt64(i))) & 0xFF)) } }
    mutating func i32(_ v: Int) { u32(UInt32(bitPattern: Int32(clamping: v))) }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        u32(UInt32(utf8.count))
        bytes += utf8
    }
}

/// Little-endian binary reader for state records; every read is bounds-checked.
struct ByteReader {
    let bytes: [UInt8]
    var at = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var atEnd: Bool { at == bytes.count }
    mutating func take(_ n: Int) throws(StateRecordError) -> ArraySlice<UInt8> {
        guard n >= 0, bytes.count - at >= n else { throw StateRecordError(reason: "truncated at byte \(at)") }
        defer { at += n }
        return bytes[at..<(at + n)]
    }
    mutating func u8() throws(StateRecordError) -> UInt8 { try take(1).first! }
    mutating func u16() throws(StateRecordError) -> UInt16 {
        let s = try take(2)
        return UInt16(s[s.startIndex]) | UInt16(s[s.startIndex + 1]) << 8
    }
    mutating func u32() throws(StateRecordError) -> UInt32 {
        var v: UInt32 = 0
        for (i, b) in try take(4).enumerated() { v |= UInt32(b) << (8 * UInt32(i)) }
        return v
    }
    mutating func u64() throws(StateRecordError) -> UInt64 {
        var v: UInt64 = 0
        for (i, b) in try take(8).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }
    mutating func i32() throws(StateRecordError) -> Int { Int(Int32(bitPattern: try u32())) }
    mutating func f64() throws(StateRecordError) -> Double { Double(bitPattern: try u64()) }
    mutating func count(max: Int) throws(StateRecordError) -> Int {
        let n = Int(try u32())
        guard n <= max else { throw StateRecordError(reason: "count \(n) above \(max)") }
        return n
    }
    mutating func string() throws(StateRecordError) -> String {
        let n = try count(max: 1 << 16)
        return String(decoding: try take(n), as: UTF8.self)
    }
    /// A name as ingest admits them (``PacketValidator/isValidName(_:)``: 1–200 bytes, no control character).
    mutating func name(_ what: String) throws(StateRecordError) -> String {
        let s = try string()
        guard PacketValidator.isValidName(s) else { throw StateRecordError(reason: "\(what) not a valid name") }
        return s
    }
}

/// The absolute state of one chunk as the state (changelog) topic stores it: terrain by tile
/// name, resource tiles, and the buildings whose position lies in the chunk.
///
/// Binary, version 1: `u8 1`; terrain flag `u8`, then (names: u32 n, n strings; runs: u32 r,
/// r × (u16 length, u16 name index or 0xFFFF = unknown)); resources: u32 n × (u16 index,
/// string name, u64 amount); buildings: u32 n × (u64 unit, string name, f64 x, f64 y,
/// u8 direction, string force). Strings are u32 length + UTF-8.
package struct ChunkRecord: Sendable, Hashable {
    /// 1024 tile names (nil = unknown tile), or nil when the chunk has no terrain.
    package var terrain: [String?]?
    /// Resource tiles by local index `dy * 32 + dx`.
    package var resources: [Int: ResourceState]
    /// Buildings positioned in the chunk, by unit.
    package var buildings: [Building]

    package init(terrain: [String?]?, resources: [Int: ResourceState], buildings: [Building]) {
        self.terrain = terrain
        self.resources = resources
        self.buildings = buildings
    }

    /// The record's bytes.
    package func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.u8(1)
        if let terrain {
            w.u8(1)
            var names: [String] = [], index: [String: UInt16] = [:]
            var runs: [(UInt16, UInt16)] = []
            for name in terrain {
                let id: UInt16 = name.map { n in index[n] ?? { names.append(n); index[n] = UInt16(names.count - 1); return UInt16(names.count - 1) }() } ?? 0xFFFF
                if let last = runs.last, last.1 == id, last.0 < .max { runs[runs.count - 1].0 += 1 } else { runs.append((1, id)) }
            }
            w.u32(UInt32(names.count))
            for n in names { w.string(n) }
            w.u32(UInt32(runs.count))
            for (length, id) in runs { w.u16(length); w.u16(id) }
        } else {
            w.u8(0)
        }
        w.u32(UInt32(resources.count))
        for i in resources.keys.sorted() {
            w.u16(UInt16(i)); w.string(resources[i]!.name); w.u64(resources[i]!.amount)
        }
        w.u32(UInt32(buildings.count))
        for b in buildings.sorted(by: { $0.unit < $1.unit }) { Self.write(b, &w) }
        return w.bytes
    }

    /// Decodes ``encoded()``.
    package init(decoding bytes: [UInt8]) throws(StateRecordError) {
        var r = ByteReader(bytes)
        guard try r.u8() == 1 else { throw StateRecordError(reason: "unknown chunk record version") }
        if try r.u8() == 1 {
            let n = try r.count(max: MapGeometry.tilesPerChunk)
            var names: [String] = []
            for _ in 0..<n { names.append(try r.name("terrain name")) }
            let runCount = try r.count(max: MapGeometry.tilesPerChunk)
            var tiles: [String?] = []
            for _ in 0..<runCount {
                let length = Int(try r.u16()), id = Int(try r.u16())
                guard id == 0xFFFF || id < names.count else { throw StateRecordError(reason: "terrain name index \(id)") }
                guard tiles.count + length <= MapGeometry.tilesPerChunk else { throw StateRecordError(reason: "terrain of more than 1024 tiles") }
                tiles += repeatElement(id == 0xFFFF ? nil : names[id], count: length)
            }
            guard tiles.count == MapGeometry.tilesPerChunk else { throw StateRecordError(reason: "terrain of \(tiles.count) tiles") }
            terrain = tiles
        } else {
            terrain = nil
        }
        resources = [:]
        for _ in 0..<(try r.count(max: MapGeometry.tilesPerChunk)) {
            let i = Int(try r.u16())
            guard i < MapGeometry.tilesPerChunk else { throw StateRecordError(reason: "resource index \(i)") }
            resources[i] = ResourceState(name: try r.name("resource name"), amount: try r.u64())
        }
        buildings = []
        for _ in 0..<(try r.count(max: 1 << 20)) { buildings.append(try Self.read(&r)) }
        guard r.atEnd else { throw StateRecordError(reason: "trailing bytes") }
    }

    static func write(_ b: Building, _ w: inout ByteWriter) {
        w.u64(b.unit); w.string(b.name); w.f64(b.x); w.f64(b.y); w.u8(UInt8(clamping: b.direction)); w.string(b.force)
    }

    static func read(_ r: inout ByteReader) throws(StateRecordError) -> Building {
        let unit = try r.u64(), name = try r.string(), x = try r.f64(), y = try r.f64(), dir = Int(try r.u8())
        let b = Building(unit: unit, name: name, x: x, y: y, direction: dir, force: try r.string())
        guard RecordBounds.building(b) else { throw StateRecordError(reason: "building \(unit) out of range") }
        return b
    }
}

/// Buildings of one region whose footprints reach into a chunk of another region, sent by
/// the region's worker to the partition of the chunk's region so that its worker draws them.
///
/// Binary, version 1: `u8 1`, u32 n × (building as in ``ChunkRecord``, i32 x0, y0, x1, y1 footprint).
package struct SpillRecord: Sendable, Hashable {
    /// The buildings and their footprints, by unit.
    package var buildings: [PlacedBuilding]

    package init(buildings: [PlacedBuilding]) { self.buildings = buildings.sorted { $0.building.unit < $1.building.unit } }

    /// The record's bytes.
    package func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.u8(1)
        w.u32(UInt32(buildings.count))
        for p in buildings {
            ChunkRecord.write(p.building, &w)
            w.i32(p.footprint.x0); w.i32(p.footprint.y0); w.i32(p.footprint.x1); w.i32(p.footprint.y1)
        }
        return w.bytes
    }

    /// Decodes ``encoded()``.
    package init(decoding bytes: [UInt8]) throws(StateRecordError) {
        var r = ByteReader(bytes)
        guard try r.u8() == 1 else { throw StateRecordError(reason: "unknown spill record version") }
        var out: [PlacedBuilding] = []
        for _ in 0..<(try r.count(max: 1 << 20)) {
            let b = try ChunkRecord.read(&r)
            let f = TileArea(x0: try r.i32(), y0: try r.i32(), x1: try r.i32(), y1: try r.i32())
            guard RecordBounds.footprint(f) else { throw StateRecordError(reason: "footprint of building \(b.unit) out of range") }
            out.append(PlacedBuilding(building: b, footprint: f))
        }
        guard r.atEnd else { throw StateRecordError(reason: "trailing bytes") }
        buildings = out
    }
}

/// Keys of the state topic: `c/<server>/<surface>/<cx>/<cy>` for a chunk's own state and
/// `s/<server>/<surface>/<cx>/<cy>/<rx>/<ry>` for buildings of region (rx, ry) drawn in chunk
/// (cx, cy). Surface names never contain `/` (``Identifier``).
package enum StateKey: Sendable, Hashable {
    case chunk(server: String, surface: String, chunk: ChunkPosition)
    case spill(server: String, surface: String, chunk: ChunkPosition, region: ChunkPosition)

    /// The key's text.
    package var string: String {
        switch self {
        case .chunk(let s, let f, let c): "c/\(s)/\(f)/\(c.x)/\(c.y)"
        case .spill(let s, let f, let c, let r): "s/\(s)/\(f)/\(c.x)/\(c.y)/\(r.x)/\(r.y)"
        }
    }

    /// Parses ``string``.
    package init?(string: String) {
        let p = string.split(separator: "/", omittingEmptySubsequences: false)
        guard p.count >= 5, !p[1].isEmpty, !p[2].isEmpty, let cx = Int(p[3]), let cy = Int(p[4]) else { return nil }
        let chunk = ChunkPosition(x: cx, y: cy)
        switch p[0] {
        case "c" where p.count == 5: self = .chunk(server: String(p[1]), surface: String(p[2]), chunk: chunk)
        case "s" where p.count == 7:
            guard let rx = Int(p[5]), let ry = Int(p[6]) else { return nil }
            self = .spill(server: String(p[1]), surface: String(p[2]), chunk: chunk, region: ChunkPosition(x: rx, y: ry))
        default: return nil
        }
    }

    /// The map-topic key of the region holding the chunk: records go to that partition.
    package var regionKey: String {
        switch self {
        case .chunk(let s, let f, let c), .spill(let s, let f, let c, _):
            MapKey(server: s, surface: f, chunkX: c.x, chunkY: c.y).string
        }
    }
}
