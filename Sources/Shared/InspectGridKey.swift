/// The address of a chunk's interactivity grid (issue 15): what is at each game tile of one
/// detail tile, published by TileRenderer to the `tiles` topic beside the chunk's PNGs under the
/// key `server/surface/inspect/3/x/y` and served by MapGateway at
/// `/tiles/{server}/{surface}/inspect/3/{x}/{y}.json`. The format is in `docs/gateway.md`.
public struct InspectGridKey: Sendable, Hashable {
    /// The key's layer part: not a ``MapLayer`` (no PNG, no lower zooms).
    public static let layer = "inspect"
    public var server: String
    public var surface: String
    /// The chunk (= detail tile) coordinates.
    public var x: Int
    public var y: Int

    public init(server: String, surface: String, x: Int, y: Int) {
        self.server = server
        self.surface = surface
        self.x = x
        self.y = y
    }

    /// `server/surface/inspect/3/x/y`: the `tiles` key.
    public var string: String { "\(server)/\(surface)/\(Self.layer)/\(TileKey.detailZoom)/\(x)/\(y)" }

    /// Parses ``string``; nil if `text` is not six parts with layer `inspect` and z 3 (ids and
    /// coordinates are not range-checked here: the gateway checks them as it checks tile keys).
    public init?(string text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[2] == Self.layer, parts[3] == "\(TileKey.detailZoom)",
            let x = Int(parts[4]), let y = Int(parts[5]), !parts[0].isEmpty, !parts[1].isEmpty
        else { return nil }
        self.init(server: String(parts[0]), surface: String(parts[1]), x: x, y: y)
    }
}
