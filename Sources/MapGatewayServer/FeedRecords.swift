import MapGatewayCore
import Metrics
package import KafkaModel
package import Logging
import Shared
import Synchronization

/// What ``GatewayFeed`` does with each record it reads: a `tiles` record into the ``TileStore``
/// (and a tile invalidation to WebSocket clients), a `live` record into the ``LiveHub``.
///
/// Every value is range-checked before use, although both topics are internal: a record that
/// fails (a tile key with a huge or non-numeric coordinate, a zoom out of range, an unknown
/// layer; an undecodable packet or server event, a time out of range, a player index or position
/// out of range, a server, player or surface beyond ``LiveLimits``) is ignored, counted and logged
/// at most once per kind every ``LogRateLimiter/intervalMillis``; nothing else is affected.
package final class FeedRecords: Sendable {
    private let tileStore: TileStore
    private let hub: LiveHub
    private let logger: Logger
    private let logLimiter = Mutex(LogRateLimiter())

    package init(tileStore: TileStore, hub: LiveHub, logger: Logger) {
        self.tileStore = tileStore
        self.hub = hub
        self.logger = logger
    }

    /// Applies one record of the tiles topic: an empty value removes the tile; the ETag is the
    /// renderer's `hash` header (see ``TileRecord``). With a disk tier this blocks on the disk
    /// (the feed uses ``apply(tiles:)``).
    package func apply(tile message: ConsumerMessage) {
        switch gridChange(message) {
        case .some(let change): return apply(grid: change)
        case .none: break
        }
        guard let record = record(message) else { return }
        if record.isRemoval {
            if tileStore.remove(key: record.key) { hub.tileRemoved(record.key) }
            return
        }
        if tileStore.put(key: record.key, png: record.png, contentHash: record.contentHash, version: record.version)
            == .stored
        {
            hub.tileUpdated(record.key, version: record.version)
        }
    }

    /// The grid change a record of the tiles topic holds: nil when it is not a grid record,
    /// `.some(nil)` when it is one out of range (counted and logged).
    private func gridChange(_ message: ConsumerMessage) -> GridChange?? {
        let key: InspectGridKey
        do {
            guard let grid = try InspectGridKey.fromRecordKey(String(decoding: message.key ?? [], as: UTF8.self)) else { return nil }
            key = grid
        } catch {
            hub.metrics?.tileRecordsRejected.increment()
            warn("tile record ignored", kind: "tile", message, reason: "\(error)")
            return .some(nil)
        }
        hub.metrics?.tileRecords.increment()
        return GridChange(
            key: key, json: message.value,
            contentHash: message.headerString(RecordHeader.contentHash).flatMap { ContentHash.fromHeader($0) },
            version: message.headerString(RecordHeader.version).flatMap { UInt64($0) } ?? 0)
    }

    /// Applies an interactivity grid change to memory (an empty JSON removes the grid).
    private func apply(grid change: GridChange?) {
        guard let change else { return }
        if change.json.isEmpty {
            tileStore.grids.remove(key: change.key)
        } else {
            tileStore.grids.put(key: change.key, json: change.json, contentHash: change.contentHash, version: change.version)
        }
    }

    /// Applies a polled batch of tiles records as one write of the tile store, with the next
    /// offset per partition the batch reaches (rejected records included: they are done with too).
    package func apply(tiles messages: [ConsumerMessage]) async {
        guard !messages.isEmpty else { return }
        var offsets: [Int32: Int64] = [:]
        for message in messages { offsets[message.partition] = max(offsets[message.partition] ?? 0, message.offset + 1) }
        var records: [TileRecord] = []
        var grids: [GridChange] = []
        for message in messages {
            if let change = gridChange(message) {
                apply(grid: change)
                if let change { grids.append(change) }
            } else if let record = record(message) {
                records.append(record)
            }
        }
        // Grids first: the tiles batch below stores the offsets past them.
        await tileStore.persistGrids(grids)
        for update in await tileStore.apply(records, offsets: offsets) {
            switch update {
            case .updated(let key, let version): hub.tileUpdated(key, version: version)
            case .removed(let key): hub.tileRemoved(key)
            }
        }
    }

    /// The tile record `message` holds; nil (counted and logged) when it is not one.
    private func record(_ message: ConsumerMessage) -> TileRecord? {
        do {
            let record = try TileRecord(
                key: message.key, value: message.value, version: message.headerString(RecordHeader.version),
                contentHash: message.headerString(RecordHeader.contentHash))
            hub.metrics?.tileRecords.increment()
            return record
        } catch {
            hub.metrics?.tileRecordsRejected.increment()
            warn("tile record ignored", kind: "tile", message, reason: "\(error)")
            return nil
        }
    }

    /// Applies one record of the live topic: a canonical packet line, or (header `type` =
    /// `event`) a ``ServerEvent``. The record timestamp is the packet's arrival time (so chat
    /// de-duplication and staleness mean the same after a replay from the beginning).
    package func apply(live message: ConsumerMessage) {
        hub.metrics?.liveRecords.increment()
        if message.headerString(RecordHeader.packetType) == ServerEvent.recordType {
            guard let event = ServerEvent.decode(message.value) else {
                return warn("undecodable server event ignored", kind: "event", message, reason: "not a server event")
            }
            if case .failure(let rejection) = hub.applyChecked(event: event) {
                warn("server event ignored", kind: "event.\(rejection.rawValue)", message, reason: rejection.rawValue)
            }
            return
        }
        guard let server = message.headerString(RecordHeader.server), Identifier.isValidServerID(server) else {
            return warn("live record ignored", kind: "live.server", message, reason: "no valid server header")
        }
        let packet: Packet
        do {
            packet = try PacketLine.decode(message.value)
        } catch {
            return warn("undecodable live record ignored", kind: "live.decode", message, reason: "\(error)")
        }
        let result = hub.applyChecked(packet, server: server, receivedAt: message.timestamp ?? WallClock.nowMillis())
        if case .failure(let rejection) = result {
            warn("live record ignored", kind: "live.\(rejection.rawValue)", message, reason: rejection.rawValue)
        }
    }

    /// Logs a warning about `message`, at most once per `kind` per interval.
    private func warn(_ text: Logger.Message, kind: String, _ message: ConsumerMessage, reason: String) {
        guard let suppressed = logLimiter.withLock({ $0.admit(kind, now: WallClock.nowMillis()) }) else { return }
        logger.warning(
            text,
            metadata: [
                "topic": "\(message.topic)", "partition": "\(message.partition)", "offset": "\(message.offset)",
                "reason": "\(reason)", "suppressed": "\(suppressed)",
            ])
    }
}
