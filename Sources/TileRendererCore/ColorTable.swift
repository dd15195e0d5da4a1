package import PalettePNG
package import Shared

/// The map colours and footprints of one server's prototypes, built from `prototypes` packets
/// (every entry is an upsert by name).
///
/// Colour rules (the engine's exact rule is C++; this chain reproduces the prototype dump's
/// `chart_color_guess` for all 289 entities of 2.0.77):
/// - tiles: `map_color`; unknown tile names draw in ``unknownColor``;
/// - resources (entities of type "resource"): `map_color`, else ``unknownColor``;
/// - buildings of force "enemy": `enemy_map_color` › `map_color` › rail colours ›
///   `default_color_by_type` › `default_enemy_color`;
/// - buildings of any other force: `friendly_map_color` › `map_color` › rail colours ›
///   `default_friendly_color_by_type` › `default_color_by_type` › `default_friendly_color`.
///   Unknown entity names use the defaults (and a 1×1 footprint, see ``Footprint``).
///
/// All colours are opaque: alpha from the game is dropped (see ``RGBA/init(_:)``).
package struct ColorTable: Sendable, Hashable {
    /// The colour of tiles and resources whose prototype is unknown: neutral mid-grey, so a map
    /// rendered before its prototypes arrive looks unfinished rather than wrong.
    package static let unknownColor = RGBA(r: 128, g: 128, b: 128)

    /// What a building of one prototype looks like on the map.
    package struct EntityStyle: Sendable, Hashable {
        /// Colour for buildings of friendly (non-"enemy") forces.
        package var friendly: RGBA
        /// Colour for buildings of the "enemy" force.
        package var enemy: RGBA
        /// The north-facing collision box `[left, top, right, bottom]`, relative to the position.
        package var collisionBox: [Double]
        /// Whether the prototype is a resource (drawn on the resources layer).
        package var isResource: Bool
        /// The prototype's type, e.g. "assembling-machine" (shown by click-to-inspect).
        package var type: String = ""
    }

    /// Which kinds of prototype an upsert changed.
    package struct Changes: OptionSet, Sendable, Hashable {
        package let rawValue: UInt8
        /// Creates a change set from its raw bits.
        package init(rawValue: UInt8) { self.rawValue = rawValue }
        /// A tile colour changed (terrain layer).
        package static let tiles = Changes(rawValue: 1)
        /// A resource colour changed (resources layer).
        package static let resources = Changes(rawValue: 2)
        /// A building colour or footprint changed (buildings layer).
        package static let entities = Changes(rawValue: 4)
    }

    /// Tile colours by tile name.
    package private(set) var tiles: [String: RGBA] = [:]
    /// Entity styles by entity name (buildings and resources).
    package private(set) var entities: [String: EntityStyle] = [:]

    /// An empty table (everything draws in fallback colours).
    package init() {}

    /// Upserts the prototypes of `packet`; returns what changed.
    @discardableResult
    package mutating func upsert(_ packet: Prototypes) -> Changes {
        var changes: Changes = []
        for tile in packet.tiles {
            let color = RGBA(tile.color)
            if tiles.updateValue(color, forKey: tile.name) != color { changes.insert(.tiles) }
        }
        for entity in packet.entities {
            let style = Self.style(of: entity)
            let old = entities.updateValue(style, forKey: entity.name)
            if old != style { changes.insert(style.isResource || old?.isResource == true ? .resources : .entities) }
        }
        return changes
    }

    /// The map colour of the tile named `name`.
    package func tileColor(_ name: String) -> RGBA { tiles[name] ?? Self.unknownColor }

    /// The map colour of the resource named `name`.
    package func resourceColor(_ name: String) -> RGBA { entities[name]?.friendly ?? Self.unknownColor }

    /// The fill colour of a building of prototype `name` owned by `force`.
    package func buildingColor(_ name: String, force: String) -> RGBA {
        let enemy = force == "enemy"
        guard let style = entities[name] else { return enemy ? ChartDefaults.enemy : ChartDefaults.friendly }
        return enemy ? style.enemy : style.friendly
    }

    /// The north-facing collision box of `name`, if the prototype is known.
    package func collisionBox(_ name: String) -> [Double]? { entities[name]?.collisionBox }

    /// The prototype type of entity `name`, if the prototype is known.
    package func entityType(_ name: String) -> String? { entities[name]?.type }

    /// Resolves the colours of one entity prototype with the game's chart defaults.
    package static func style(of e: EntityPrototype) -> EntityStyle {
        let map = e.mapColor.map(RGBA.init)
        let byType = ChartDefaults.colorByType[e.type]
        let friendly =
            e.friendlyColor.map(RGBA.init) ?? map ?? ChartDefaults.railColorByType[e.type]
            ?? ChartDefaults.friendlyColorByType[e.type] ?? byType ?? ChartDefaults.friendly
        let enemy = e.enemyColor.map(RGBA.init) ?? map ?? ChartDefaults.railColorByType[e.type] ?? byType ?? ChartDefaults.enemy
        let resource = e.type == "resource"
        return EntityStyle(
            friendly: resource ? (map ?? unknownColor) : friendly, enemy: resource ? (map ?? unknownColor) : enemy,
            collisionBox: e.collisionBox, isResource: resource, type: e.type)
    }
}
