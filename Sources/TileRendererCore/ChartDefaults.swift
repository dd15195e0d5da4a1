package import PalettePNG
package import Shared

/// The game's chart defaults (`data.raw["utility-constants"].default.chart` in Factorio 2.0.77),
/// used for entities whose prototype defines no map colour of its own.
///
/// The values are copied from `chart_defaults` in `prototypes-2.0.json` in the game's own
/// ranges, so they round exactly as the game's `*_255` values do.
package enum ChartDefaults {
    /// `default_friendly_color`: most friendly buildings.
    package static let friendly = RGBA(GameColor(r: 0, g: 0.38, b: 0.57))
    /// `default_enemy_color`: enemy buildings without an enemy colour.
    package static let enemy = RGBA(GameColor(r: 1, g: 0.1, b: 0.1))
    /// `rail_color`, `elevated_rail_color`, `rail_ramp_color` by entity type.
    package static let railColorByType: [String: RGBA] = {
        let rail = RGBA(GameColor(r: 0.55, g: 0.55, b: 0.55))
        let elevated = RGBA(GameColor(r: 0.73, g: 0.73, b: 0.73))
        var table: [String: RGBA] = ["rail-ramp": RGBA(GameColor(r: 0.65, g: 0.65, b: 0.65))]
        for t in ["straight-rail", "curved-rail-a", "curved-rail-b", "half-diagonal-rail", "legacy-straight-rail", "legacy-curved-rail"] {
            table[t] = rail
        }
        for t in ["elevated-straight-rail", "elevated-curved-rail-a", "elevated-curved-rail-b", "elevated-half-diagonal-rail"] {
            table[t] = elevated
        }
        return table
    }()
    /// `default_color_by_type`: used for either force (only trees in 2.0.77).
    package static let colorByType: [String: RGBA] = ["tree": RGBA(GameColor(r: 0.19, g: 0.39, b: 0.19, a: 0.4))]
    /// `default_friendly_color_by_type`.
    package static let friendlyColorByType: [String: RGBA] = {
        let raw: [String: (Double, Double, Double)] = [
            "accumulator": (0.48, 0.48, 0.48), "ammo-turret": (202, 167, 24), "beacon": (7, 68, 104),
            "cargo-bay": (78, 146, 198), "cargo-landing-pad": (103, 178, 235), "electric-turret": (0.85, 0.18, 0.18),
            "fluid-turret": (0.92, 0.46, 0.1), "fusion-generator": (0, 127, 160), "fusion-reactor": (140, 160, 20),
            "gate": (0.5, 0.5, 0.5), "generator": (0, 127, 160), "heat-pipe": (58, 130, 172), "pipe": (69, 130, 165),
            "pipe-to-ground": (25, 103, 150), "pump": (109, 154, 181), "roboport": (211, 207, 136),
            "solar-panel": (0.12, 0.13, 0.14), "space-platform-hub": (103, 178, 235), "splitter": (1, 0.82, 0),
            "storage-tank": (131, 166, 188), "transport-belt": (0.8, 0.63, 0.28), "underground-belt": (0.44, 0.36, 0),
            "wall": (0.8, 0.85, 0.8),
        ]
        return raw.mapValues { RGBA(GameColor(r: $0.0, g: $0.1, b: $0.2)) }
    }()
}

extension RGBA {
    /// The opaque 8-bit colour of a game colour. Alpha is dropped: the game's map colours are
    /// pre-multiplied and drawn opaque on the chart (as the `*_255` values in the prototype dump).
    package init(_ color: GameColor) {
        let c = color.rgba8
        self.init(r: c.r, g: c.g, b: c.b, a: 255)
    }

    /// This colour with r, g and b scaled by `factor` (for outlines), alpha unchanged.
    package func scaled(_ factor: Double) -> RGBA {
        func s(_ v: UInt8) -> UInt8 { UInt8(max(0, min(255, (Double(v) * factor).rounded(.down)))) }
        return RGBA(r: s(r), g: s(g), b: s(b), a: a)
    }
}
