package import PalettePNG
package import Shared

/// The tile renderer's core: map state, colour tables and a PNG encoder, owned by one worker.
///
/// Feed every packet of the worker's partitions to ``apply(_:server:)`` in order, then
/// ``render(_:)`` the returned keys (coalescing as it likes). Not `Sendable`: it holds a
/// libdeflate compressor; keep one per worker (e.g. inside an actor).
package final class TileRenderer {
    /// The map state (readable for metrics and tests).
    package private(set) var state = MapState()
    private let encoder: PNGEncoderContext

    /// A renderer whose PNGs are compressed at `level` (1...12; 6 = project default).
    package init(level: Int32 = 6) throws(PNGError) {
        encoder = try PNGEncoderContext(level: level)
    }

    /// Applies a packet from `server`; returns the detail-zoom tiles to re-render (see
    /// ``MapState/apply(_:server:)``). Re-applying a packet returns an empty set.
    package func apply(_ packet: Packet, server: String) -> Set<TileKey> {
        state.apply(packet, server: server)
    }

    /// The PNG of tile `key` (zoom ``TileLevels/regionZoom``…``TileKey/detailZoom``; lower
    /// levels are the pyramid stage's), or nil when it has no content on its layer: publish a
    /// deletion (tombstone) for it.
    package func render(_ key: TileKey) throws(PNGError) -> [UInt8]? {
        guard key.z >= TileLevels.regionZoom, key.z <= TileKey.detailZoom else { return nil }
        var images = TileImages(state: state)
        guard let image = images.image(key) else { return nil }
        return try encoder.encode(image)
    }
}

@available(*, unavailable, message: "holds a libdeflate compressor; use one renderer per worker")
extension TileRenderer: Sendable {}
