package import Shared

extension InspectGridKey {
    /// The grid a `tiles` record key names, range-checked as a tile key (``TileRecord``): a valid
    /// server id and surface name, |x|, |y| within the map at the detail zoom. Nil when `text` is
    /// not a grid key at all (`server/surface/inspect/3/x/y`): then it is a tile key or invalid.
    /// - Throws: ``TileRecordError`` when it is a grid key out of range.
    package static func fromRecordKey(_ text: String) throws(TileRecordError) -> InspectGridKey? {
        guard let key = InspectGridKey(string: text) else { return nil }
        guard Identifier.isValidServerID(key.server) else { throw .malformed(part: "server id") }
        guard Identifier.isValidSurfaceName(key.surface) else { throw .malformed(part: "surface name") }
        let limit = TileRequestLimits.maxAbsCoordinate(atZoom: TileKey.detailZoom)
        guard abs(key.x) <= limit else { throw .outOfRange(part: "x") }
        guard abs(key.y) <= limit else { throw .outOfRange(part: "y") }
        return key
    }

    /// The grid of a URL `/tiles/{server}/{surface}/inspect/3/{x}/{y}.json` (raw, still
    /// percent-encoded components), validated as a tile URL.
    /// Throws ``GatewayError/invalidRequest(_:)`` naming the first bad component.
    package static func fromURLComponents(
        server: String, surface: String, layer: String, z: String, x: String, y: String
    ) throws(GatewayError) -> InspectGridKey {
        guard layer == Self.layer else { throw .invalidRequest("layer") }
        guard z == "\(TileKey.detailZoom)" else { throw .invalidRequest("z") }
        // The tile rules for everything else (any layer at the detail zoom has the same limits).
        let tile = try TileKey.fromURLComponents(
            server: server, surface: surface, layer: MapLayer.buildings.rawValue, z: z, x: x, y: y)
        return InspectGridKey(server: tile.server, surface: tile.surface, x: tile.x, y: tile.y)
    }
}
