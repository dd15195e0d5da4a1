package import KafkaModel
package import Shared

/// Where and how the renderer writes tile versions to `tile-history` (issue 16): for each tile
/// record delivered to `tiles`, a record keyed `<tile key>/<bucket>` (bucket = publish unix ms
/// divided by the history interval) in the partition the tiles record went to, with the same
/// value and the headers `server`, `hash`, `time` (unix ms). Inspect grids are not history.
package struct TileHistoryRecords: Sendable, Hashable {
    /// The `tile-history` topic.
    package var topic: String
    /// The `tiles` topic (only its records have versions).
    package var tilesTopic: String
    /// Milliseconds of one history interval (``HistorySettings/interval``).
    package var intervalMs: Int64

    package init(topics: Topics, intervalMs: Int64) {
        topic = topics.tileHistory
        tilesTopic = topics.tiles
        self.intervalMs = max(1, intervalMs)
    }

    /// The bucket of a version published at `ms`.
    package func bucket(_ ms: Int64) -> Int64 { ms >= 0 ? ms / intervalMs : (ms - intervalMs + 1) / intervalMs }

    /// The history record of `record` delivered to `partition` at `now` (unix ms); nil for
    /// records that are not tiles (inspect grids, other topics).
    package func record(of record: ProducerMessage, partition: Int32, now: Int64) -> ProducerMessage? {
        guard record.topic == tilesTopic, let key = record.keyString, TileKey(string: key) != nil else { return nil }
        var headers = record.headers.filter { $0.key == RecordHeader.server || $0.key == RecordHeader.contentHash }
        headers.append(KafkaHeader(key: RecordHeader.time, string: String(now)))
        return ProducerMessage(
            topic: topic, key: Array("\(key)/\(bucket(now))".utf8), value: record.value, headers: headers, partition: partition)
    }
}
