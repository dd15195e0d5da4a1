extension PayloadDecoder {
    // MARK: Chunk snapshots

    static let chunkTerrainKeys = KeyTable(["surface", "cx", "cy", "palette", "runs"])

    static func chunkTerrain(_ s: inout JSONScanner) throws(PacketError) -> ChunkTerrain {
        var st = try s.beginObject("payload")
        var v = ChunkTerrain(surface: "", cx: 0, cy: 0, palette: [], runs: [])
        while let k = try s.nextKey(chunkTerrainKeys, &st) {
            switch k {
            case 0: v.surface = try s.string("surface")
            case 1: v.cx = try s.integer("cx")
            case 2: v.cy = try s.integer("cy")
            case 3: v.palette = try strings(&s, "palette")
            case 4: v.runs = try integers(&s, "runs")
            default: try s.skipValue()
            }
        }
        try chunkTerrainKeys.checkRequired(st.seen, "")
        return v
    }

    static let chunkBuildingsKeys = KeyTable(["surface", "cx", "cy", "area?", "names", "forces", "entities"])

    static func chunkBuildings(_ s: inout JSONScanner) throws(PacketError) -> ChunkBuildings {
        var st = try s.beginObject("payload")
        var v = ChunkBuildings(surface: "", cx: 0, cy: 0, buildings: [])
        var names = [String](), forces = [String](), flat = [Double]()
        while let k = try s.nextKey(chunkBuildingsKeys, &st) {
            switch k {
            case 0: v.surface = try s.string("surface")
            case 1: v.cx = try s.integer("cx")
            case 2: v.cy = try s.integer("cy")
            case 3: if !s.consumeNull() { v.area = try area(&s) }
            case 4: names = try strings(&s, "names")
            case 5: forces = try strings(&s, "forces")
            case 6: flat = try numbers(&s, "entities")
            default: try s.skipValue()
            }
        }
        try chunkBuildingsKeys.checkRequired(st.seen, "")
        v.buildings = try resolveBuildings(flat, names, forces)
        return v
    }

    static let chunkResourcesKeys = KeyTable(["surface", "cx", "cy", "area?", "names", "cells"])

    static func chunkResources(_ s: inout JSONScanner) throws(PacketError) -> ChunkResources {
        var st = try s.beginObject("payload")
        var v = ChunkResources(surface: "", cx: 0, cy: 0, cells: [])
        var names = [String](), flat = [Int]()
        while let k = try s.nextKey(chunkResourcesKeys, &st) {
            switch k {
            case 0: v.surface = try s.string("surface")
            case 1: v.cx = try s.integer("cx")
            case 2: v.cy = try s.integer("cy")
            case 3: if !s.consumeNull() { v.area = try area(&s) }
            case 4: names = try strings(&s, "names")
            case 5: flat = try integers(&s, "cells")
            default: try s.skipValue()
            }
        }
        try chunkResourcesKeys.checkRequired(st.seen, "")
        v.cells = try tuples(flat, stride: 4, "cells") { i throws(PacketError) in
            let n = try index(flat[i + 2], names.count, "cells[\(i + 2)]")
            guard flat[i + 3] >= 0 else { throw PacketError(.outOfRange, "cells[\(i + 3)]: negative amount") }
            return ResourceCell(dx: flat[i], dy: flat[i + 1], name: names[n], amount: UInt64(flat[i + 3]))
        }
        return v
    }

    static let chunkDeletedKeys = KeyTable(["surface", "chunks"])

    static func chunkDeleted(_ s: inout JSONScanner) throws(PacketError) -> ChunkDeleted {
        var st = try s.beginObject("payload")
        var v = ChunkDeleted(surface: "", chunks: [])
        var flat = [Int]()
        while let k = try s.nextKey(chunkDeletedKeys, &st) {
            switch k {
            case 0: v.surface = try s.string("surface")
            case 1: flat = try integers(&s, "chunks")
            default: try s.skipValue()
            }
        }
        try chunkDeletedKeys.checkRequired(st.seen, "")
        v.chunks = try tuples(flat, stride: 2, "chunks") { i in ChunkPosition(x: flat[i], y: flat[i + 1]) }
        return v
    }

    // MARK: Changes

    static let tilesKeys = KeyTable(["surface", "names", "cells"])

    static func tiles(_ s: inout JSONScanner) throws(PacketError) -> TileChanges {
        var st = try s.beginObject("payload")
        var v = TileChanges(surface: "", cells: [])
        var names = [String](), flat = [Int]()
        while let k = try s.nextKey(tilesKeys, &st) {
            switch k {
            case 0: v.surface = try s.string("surface")
            case 1: names = try strings(&s, "names")
            case 2: flat = try integers(&s, "cells")
            default: try s.skipValue()
            }
        }
        try tilesKeys.checkRequired(st.seen, "")
        v.cells = try tuples(flat, stride: 3, "cells") { i throws(PacketError) in
            TileCell(x: flat[i], y: flat[i + 1], name: names[try index(flat[i + 2], names.count, "cells[\(i + 2)]")])
        }
        return v
    }

    static let buildingsKeys = KeyTable(["surface", "names", "forces", "entities"])

    static func buildings(_ s: inout JSONScanner) throws(PacketError) -> BuildingsUpsert {
        var st = try s.beginObject("payload")
        var v = BuildingsUpsert(surface: "", buildings: [])
        var names = [String](), forces = [String](), flat = [Double]()
        while let k = try s.nextKey(buildingsKeys, &st) {
            switch k {
            case 0: v.surface = try s.string("surface")
            case 1: names = try strings(&s, "names")
            case 2: forces = try strings(&s, "forces")
            case 3: flat = try numbers(&s, "entities")
            default: try s.skipValue()
            }
        }
        try buildingsKeys.checkRequired(st.seen, "")
        v.buildings = try resolveBuildings(flat, names, forces)
        return v
    }

    static let buildingRemovedKeys = KeyTable(["surface", "removed"])

    static func buildingRemoved(_ s: inout JSONScanner) throws(PacketError) -> BuildingsRemoved {
        var st = try s.beginObject("payload")
        var v = BuildingsRemoved(surface: "", removed: [])
        var flat = [Double]()
        while let k = try s.nextKey(buildingRemovedKeys, &st) {
            switch k {
            case 0: v.surface = try s.string("surface")
            case 1: flat = try numbers(&s, "removed")
            default: try s.skipValue()
            }
        }
        try buildingRemovedKeys.checkRequired(st.seen, "")
        v.removed = try tuples(flat, stride: 3, "removed") { i throws(PacketError) in
            RemovedBuilding(unit: try unit(flat[i], "removed[\(i)]"), x: flat[i + 1], y: flat[i + 2])
        }
        return v
    }

    /// `[unit, nameIndex, x, y, direction, forceIndex, …]` → buildings.
    static func resolveBuildings(
        _ flat: [Double], _ names: [String], _ forces: [String]
    ) throws(PacketError) -> [Building] {
        try tuples(flat, stride: 6, "entities") { i throws(PacketError) in
            let u = try unit(flat[i], "entities[\(i)]")
            let n = try index(try int(flat[i + 1], "entities[\(i + 1)]"), names.count, "entities[\(i + 1)]")
            let d = try int(flat[i + 4], "entities[\(i + 4)]")
            let f = try index(try int(flat[i + 5], "entities[\(i + 5)]"), forces.count, "entities[\(i + 5)]")
            return Building(unit: u, name: names[n], x: flat[i + 2], y: flat[i + 3], direction: d, force: forces[f])
        }
    }

    /// Reads a flat wire array as `stride`-long tuples: rejects a length that is not a multiple of
    /// `stride` (`out_of_range`, naming `field`), then calls `make` with the index of each tuple's
    /// first element, in order.
    @inline(__always)
    static func tuples<T, R>(
        _ flat: [T], stride: Int, _ field: StaticString, _ make: (Int) throws(PacketError) -> R
    ) throws(PacketError) -> [R] {
        guard flat.count % stride == 0 else {
            throw PacketError(.outOfRange, "\(field): length is not a multiple of \(stride)")
        }
        var out = [R]()
        out.reserveCapacity(flat.count / stride)
        var i = 0
        while i < flat.count {
            out.append(try make(i))
            i += stride
        }
        return out
    }
}
