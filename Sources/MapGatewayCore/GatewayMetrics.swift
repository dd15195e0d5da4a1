package import Metrics
import Shared

/// The gateway's metrics (Prometheus names, via swift-metrics):
/// - `kafkatorio_gateway_ws_connections` (gauge): open WebSocket clients;
/// - `kafkatorio_gateway_ws_messages_total{result="queued|dropped"}`: messages put on client
///   queues, and those a slow client lost (its oldest);
/// - `kafkatorio_gateway_tile_requests_total{result="hit|not_modified|miss|invalid"}`;
/// - `kafkatorio_gateway_records_total{topic="tiles|live"}`: Kafka records applied;
/// - `kafkatorio_gateway_server_staleness_seconds{server}` (gauge): seconds since the server's
///   last packet or event (updated every few seconds);
/// - `kafkatorio_gateway_live_rejected_total{reason}`: `live` records ignored (``LiveRejection``);
/// - `kafkatorio_gateway_tile_records_rejected_total`: `tiles` records with an invalid key, ignored;
/// - `kafkatorio_gateway_connections_closed_total{reason="refused|header_timeout|idle_timeout"}`:
///   connections over the cap, slow request heads, idle keep-alive connections;
/// - `kafkatorio_gateway_auth_throttled_total`: requests answered 429 after repeated failures.
package final class GatewayMetrics: Sendable {
    package let connections: Gauge
    package let messagesQueued: Counter
    package let messagesDropped: Counter
    package let tileHits: Counter
    package let tileNotModified: Counter
    package let tileMisses: Counter
    package let tileInvalid: Counter
    package let tileRecords: Counter
    package let liveRecords: Counter
    package let tileRecordsRejected: Counter
    package let connectionsRefused: Counter
    package let headerTimeouts: Counter
    package let idleTimeouts: Counter
    package let authThrottled: Counter
    private let liveRejections: [LiveRejection: Counter]
    private let factory: any MetricsFactory

    /// Creates the metrics with `factory` (tests pass their own registry's factory).
    package init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        connections = Gauge(label: "kafkatorio_gateway_ws_connections", dimensions: [], factory: factory)
        let messages = "kafkatorio_gateway_ws_messages_total"
        messagesQueued = Counter(label: messages, dimensions: [("result", "queued")], factory: factory)
        messagesDropped = Counter(label: messages, dimensions: [("result", "dropped")], factory: factory)
        let tiles = "kafkatorio_gateway_tile_requests_total"
        tileHits = Counter(label: tiles, dimensions: [("result", "hit")], factory: factory)
        tileNotModified = Counter(label: tiles, dimensions: [("result", "not_modified")], factory: factory)
        tileMisses = Counter(label: tiles, dimensions: [("result", "miss")], factory: factory)
        tileInvalid = Counter(label: tiles, dimensions: [("result", "invalid")], factory: factory)
        let records = "kafkatorio_gateway_records_total"
        tileRecords = Counter(label: records, dimensions: [("topic", "tiles")], factory: factory)
        liveRecords = Counter(label: records, dimensions: [("topic", "live")], factory: factory)
        tileRecordsRejected = Counter(label: "kafkatorio_gateway_tile_records_rejected_total", factory: factory)
        let closed = "kafkatorio_gateway_connections_closed_total"
        connectionsRefused = Counter(label: closed, dimensions: [("reason", "refused")], factory: factory)
        headerTimeouts = Counter(label: closed, dimensions: [("reason", "header_timeout")], factory: factory)
        idleTimeouts = Counter(label: closed, dimensions: [("reason", "idle_timeout")], factory: factory)
        authThrottled = Counter(label: "kafkatorio_gateway_auth_throttled_total", factory: factory)
        var rejections: [LiveRejection: Counter] = [:]
        for reason in LiveRejection.allCases {
            rejections[reason] = Counter(
                label: "kafkatorio_gateway_live_rejected_total", dimensions: [("reason", reason.rawValue)],
                factory: factory)
        }
        liveRejections = rejections
    }

    /// The counter of `live` records ignored for `reason`.
    package func liveRejected(_ reason: LiveRejection) -> Counter { liveRejections[reason]! }

    /// Sets the staleness gauge of every server in `states` at `now`.
    package func recordStaleness(_ states: [LiveState], tiles: [ServerTileSummary], now: Int64) {
        var last: [String: Int64] = [:]
        for s in states { if let t = s.lastActivityAt { last[s.server] = t } }
        for t in tiles { last[t.server] = max(last[t.server] ?? .min, t.lastTileUpdateAt) }
        for (server, at) in last {
            Gauge(
                label: "kafkatorio_gateway_server_staleness_seconds", dimensions: [("server", server)],
                factory: factory
            ).record(Double(max(0, now - at)) / 1000)
        }
    }
}
