import CRdKafka
import FoundationEssentials
import Logging
import Metrics
import Synchronization

/// `stats_cb`: librdkafka's statistics JSON (every `statistics.interval.ms`) into swift-metrics.
/// Served by whichever thread polls the client (our poll threads). Returns 0 so librdkafka frees the JSON.
func kafkaStatisticsCallback(
    _ rk: OpaquePointer?, _ json: UnsafeMutablePointer<CChar>?, _ length: Int, _ opaque: UnsafeMutableRawPointer?
) -> Int32 {
    guard let json, let context = ClientContext.from(opaque) else { return 0 }
    context.statistics.report(Data(bytes: json, count: length))
    return 0
}

/// Publishes the interesting part of librdkafka statistics as metrics labelled with `client_id`:
/// `kafka_messages_queued`, `kafka_messages_queued_bytes` (gauges), `kafka_tx_messages_total`,
/// `kafka_rx_messages_total` (counters, fed with deltas) and `kafka_consumer_lag{topic,partition}` (gauge).
final class StatisticsReporter: Sendable {
    private let clientID: String
    private let logger: Logger
    private let factory: (any MetricsFactory)?
    private let totals = Mutex<(tx: Int64, rx: Int64)>((0, 0))

    /// Creates a reporter for one client; `factory` nil means `MetricsSystem.factory` at report time.
    init(clientID: String, logger: Logger, factory: (any MetricsFactory)?) {
        self.clientID = clientID
        self.logger = logger
        self.factory = factory
    }

    /// Decodes one statistics document and updates the metrics.
    func report(_ json: Data) {
        let stats: RDKafkaStatistics
        do {
            stats = try JSONDecoder().decode(RDKafkaStatistics.self, from: json)
        } catch {
            logger.debug("undecodable librdkafka statistics", metadata: ["error": "\(error)"])
            return
        }
        let client = [("client_id", clientID)]
        let factory = factory ?? MetricsSystem.factory
        Gauge(label: "kafka_messages_queued", dimensions: client, factory: factory).record(stats.msgCount ?? 0)
        Gauge(label: "kafka_messages_queued_bytes", dimensions: client, factory: factory).record(stats.msgSize ?? 0)
        let (txDelta, rxDelta) = totals.withLock { totals in
            let tx = stats.txMessages ?? totals.tx
            let rx = stats.rxMessages ?? totals.rx
            defer { totals = (tx, rx) }
            return (max(0, tx - totals.tx), max(0, rx - totals.rx))
        }
        if txDelta > 0 { Counter(label: "kafka_tx_messages_total", dimensions: client, factory: factory).increment(by: txDelta) }
        if rxDelta > 0 { Counter(label: "kafka_rx_messages_total", dimensions: client, factory: factory).increment(by: rxDelta) }
        for (topic, topicStats) in stats.topics ?? [:] {
            for partition in (topicStats.partitions ?? [:]).values where partition.partition >= 0 {
                guard let lag = partition.consumerLag, lag >= 0 else { continue }
                Gauge(
                    label: "kafka_consumer_lag",
                    dimensions: client + [("topic", topic), ("partition", "\(partition.partition)")], factory: factory
                ).record(lag)
            }
        }
    }
}

/// The subset of librdkafka's STATISTICS.md document we use.
struct RDKafkaStatistics: Decodable {
    /// Messages in the producer queues.
    var msgCount: Int64?
    /// Bytes in the producer queues.
    var msgSize: Int64?
    /// Messages sent to brokers (cumulative).
    var txMessages: Int64?
    /// Messages received from brokers (cumulative).
    var rxMessages: Int64?
    /// Per-topic statistics.
    var topics: [String: Topic]?

    /// Per-topic statistics.
    struct Topic: Decodable {
        /// Per-partition statistics, keyed by partition number as text.
        var partitions: [String: Partition]?
    }

    /// Per-partition statistics.
    struct Partition: Decodable {
        /// The partition (-1 is librdkafka's internal unassigned partition).
        var partition: Int32
        /// Consumer lag, -1 when unknown.
        var consumerLag: Int64?

        enum CodingKeys: String, CodingKey {
            case partition
            case consumerLag = "consumer_lag"
        }
    }

    enum CodingKeys: String, CodingKey {
        case msgCount = "msg_cnt"
        case msgSize = "msg_size"
        case txMessages = "txmsgs"
        case rxMessages = "rxmsgs"
        case topics
    }
}
