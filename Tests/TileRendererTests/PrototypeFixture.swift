import Foundation
import PalettePNG
import Shared
import TileRendererCore

/// Real Factorio 2.0.77 prototype data (`Tests/Fixtures/prototypes-2.0.json`, a copy of the
/// research dump) turned into `prototypes` packets.
enum PrototypeFixture {
    struct Missing: Error {}

    // Read-only after initialisation.
    nonisolated(unsafe) static let json: [String: Any] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/prototypes-2.0.json")
        let data = try! Data(contentsOf: url)
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    static var tileEntries: [[String: Any]] { json["tiles"] as! [[String: Any]] }
    static var resourceEntries: [[String: Any]] { json["resources"] as! [[String: Any]] }
    static var entityEntries: [[String: Any]] { json["entities"] as! [[String: Any]] }

    /// The whole dump as one packet (resources as entities of type "resource").
    static let packet: Prototypes = {
        let tiles = tileEntries.map { TilePrototype(name: $0["name"] as! String, color: color($0["map_color"])!) }
        let resources = resourceEntries.map { entity($0, type: "resource") }
        let entities = entityEntries.map { entity($0, type: $0["type"] as! String) }
        return Prototypes(tiles: tiles, entities: resources + entities)
    }()

    static func entity(_ e: [String: Any], type: String) -> EntityPrototype {
        let box = (e["collision_box"] as! [[Double]]).flatMap { $0 }
        return EntityPrototype(
            name: e["name"] as! String, type: type, mapColor: color(e["map_color"]),
            friendlyColor: color(e["friendly_map_color"]), enemyColor: color(e["enemy_map_color"]),
            collisionBox: box, tileWidth: Int((box[2] - box[0]).rounded(.up)), tileHeight: Int((box[3] - box[1]).rounded(.up)))
    }

    /// A colour in either of the dump's forms (`{r,g,b,a}` or `[r,g,b(,a)]`), nil for null.
    static func color(_ v: Any?) -> GameColor? {
        if let d = v as? [String: Any] {
            func n(_ k: String, _ def: Double) -> Double { (d[k] as? NSNumber)?.doubleValue ?? def }
            return GameColor(r: n("r", 0), g: n("g", 0), b: n("b", 0), a: n("a", 1))
        }
        if let a = v as? [NSNumber] {
            let x = a.map(\.doubleValue)
            return GameColor(r: x[0], g: x[1], b: x[2], a: x.count > 3 ? x[3] : 1)
        }
        return nil
    }

    static func rgb255(_ v: Any?) -> RGBA {
        let a = (v as! [NSNumber]).map(\.uint8Value)
        return RGBA(r: a[0], g: a[1], b: a[2])
    }

    /// `map_color_255` of the tile or resource named `name`.
    static func color255(tile name: String) -> RGBA {
        rgb255((tileEntries + resourceEntries).first { $0["name"] as? String == name }!["map_color_255"])
    }

    /// The dump's guess of the chart colours of entity `name` (friendly, enemy).
    static func chartGuess(_ name: String) -> (friendly: RGBA, enemy: RGBA) {
        let g = entityEntries.first { $0["name"] as? String == name }!["chart_color_guess"] as! [String: Any]
        return (rgb255(g["friendly_255"]), rgb255(g["enemy_255"]))
    }

    /// The prototype named `name` from the packet.
    static func prototype(_ name: String) -> EntityPrototype { packet.entities.first { $0.name == name }! }
}
