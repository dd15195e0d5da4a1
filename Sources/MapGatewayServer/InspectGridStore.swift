package import Hummingbird
package import NIOCore
package import Shared
import Synchronization

/// The chunks' interactivity grids the gateway serves for click-to-inspect (issue 15): the JSON
/// the renderer publishes on `tiles` under ``InspectGridKey`` (see `docs/gateway.md`), kept as it
/// came, with a strong ETag, served at `/tiles/{server}/{surface}/inspect/3/{x}/{y}.json`.
/// Thread-safe; every operation takes one short lock.
package final class InspectGridStore: Sendable {
    /// A stored grid: its JSON bytes, the renderer's version and the headers of a 200 and a 304.
    package struct Stored: Sendable, Hashable {
        package var bytes: ByteBuffer
        package var version: UInt64
        package var eTag: String
        package var okHeaders: HTTPFields
        package var notModifiedHeaders: HTTPFields
    }

    private struct State {
        var grids: [InspectGridKey: Stored] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())

    /// An empty store.
    package init() {}

    /// Stores `json` as grid `key` at `version` unless a newer version is stored; returns
    /// whether it is now served. `contentHash`: the renderer's hash (the `hash` header), nil
    /// hashes here.
    @discardableResult
    package func put(key: InspectGridKey, json: [UInt8], contentHash: UInt64?, version: UInt64) -> Bool {
        let eTag = ContentHash.strongETag(hash: contentHash ?? ContentHash.fnv1a64(json))
        let notModified = TileAnswers.notModifiedHeaders(eTag: eTag)
        var ok = notModified
        ok[.contentType] = "application/json; charset=utf-8"
        let stored = Stored(bytes: ByteBuffer(bytes: json), version: version, eTag: eTag, okHeaders: ok, notModifiedHeaders: notModified)
        return state.withLock { state in
            if let old = state.grids[key] {
                if old.version > version { return false }
                state.bytes -= old.bytes.readableBytes
            }
            state.grids[key] = stored
            state.bytes += json.count
            return true
        }
    }

    /// Removes grid `key`; returns whether it existed.
    @discardableResult
    package func remove(key: InspectGridKey) -> Bool {
        state.withLock { state in
            guard let old = state.grids.removeValue(forKey: key) else { return false }
            state.bytes -= old.bytes.readableBytes
            return true
        }
    }

    /// The stored grid `key`, if any.
    package func get(_ key: InspectGridKey) -> Stored? { state.withLock { $0.grids[key] } }

    /// Grids stored, and their JSON bytes in all.
    package var count: Int { state.withLock { $0.grids.count } }
    package var byteCount: Int { state.withLock { $0.bytes } }
}
