import CRdKafka
import Logging
import Synchronization
import KafkaModel

/// Everything the C callbacks of one client need, reached through the conf opaque
/// (`Unmanaged.passUnretained`, kept alive by `RDKafkaClient`). Callbacks run on librdkafka threads and
/// on the client's executor, so all mutable state sits behind a `Mutex`.
final class ClientContext: Sendable {
    /// The client's logger; librdkafka logs go here too.
    let logger: Logger
    /// `client.id`, the `client_id` metrics label.
    let clientID: String
    /// Turns statistics JSON into metrics.
    let statistics: StatisticsReporter
    /// Pending delivery handlers (producers only).
    let deliveries: DeliveryRegistry?
    /// The consumer's rebalance handling (consumers only).
    let rebalance: RebalanceContext?
    private let fatal = Mutex<KafkaError?>(nil)

    /// Creates a context.
    init(
        configuration: KafkaClientConfiguration, logger: Logger, deliveries: DeliveryRegistry? = nil,
        rebalance: RebalanceContext? = nil
    ) {
        self.logger = logger
        self.clientID = configuration.clientID
        self.statistics = StatisticsReporter(
            clientID: configuration.clientID, logger: logger, factory: configuration.metricsFactory)
        self.deliveries = deliveries
        self.rebalance = rebalance
    }

    /// The first fatal error librdkafka reported, if any.
    var fatalError: KafkaError? { fatal.withLock { $0 } }

    /// Records a fatal error (the first one wins).
    func recordFatal(_ error: KafkaError) {
        fatal.withLock { if $0 == nil { $0 = error } }
    }

    /// The context behind a callback's opaque pointer.
    static func from(_ opaque: UnsafeMutableRawPointer?) -> ClientContext? {
        opaque.map { Unmanaged<ClientContext>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// Installs the log, error and statistics callbacks every client gets.
func installCommonCallbacks(_ conf: OpaquePointer) {
    rd_kafka_conf_set_log_cb(conf, kafkaLogCallback)
    rd_kafka_conf_set_error_cb(conf, kafkaErrorCallback)
    rd_kafka_conf_set_stats_cb(conf, kafkaStatisticsCallback)
}
