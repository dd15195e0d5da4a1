import Kafka
import Metrics
import Synchronization
import TestSupport
import Testing
import KafkaModel

/// A metrics factory that remembers the last value per label and dimensions.
final class RecordingMetrics: MetricsFactory, Sendable {
    private let values = Mutex<[String: Double]>([:])

    /// `label{k=v,…}` → last recorded value (or running total for counters).
    var snapshot: [String: Double] { values.withLock { $0 } }

    private final class Handler: CounterHandler, RecorderHandler, TimerHandler, Sendable {
        let key: String
        let owner: RecordingMetrics
        let accumulate: Bool
        init(key: String, owner: RecordingMetrics, accumulate: Bool) {
            self.key = key
            self.owner = owner
            self.accumulate = accumulate
        }
        func increment(by amount: Int64) { owner.set(key, Double(amount), accumulate: true) }
        func reset() { owner.set(key, 0, accumulate: false) }
        func record(_ value: Int64) { owner.set(key, Double(value), accumulate: accumulate) }
        func record(_ value: Double) { owner.set(key, value, accumulate: accumulate) }
        func recordNanoseconds(_ duration: Int64) { owner.set(key, Double(duration), accumulate: false) }
    }

    private func set(_ key: String, _ value: Double, accumulate: Bool) {
        values.withLock { $0[key] = accumulate ? ($0[key] ?? 0) + value : value }
    }

    private func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        "\(label){\(dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ","))}"
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Handler(key: key(label, dimensions), owner: self, accumulate: true)
    }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Handler(key: key(label, dimensions), owner: self, accumulate: false)
    }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Handler(key: key(label, dimensions), owner: self, accumulate: false)
    }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}

@Suite("librdkafka statistics into swift-metrics", .needs(.broker))
struct StatisticsTests {
    @Test("producer and consumer statistics become labelled metrics")
    func statisticsBecomeMetrics() async throws {
        let topic = TestKafka.unique("stats")
        try await TestKafka.createTopic(topic, partitions: 1)
        let metrics = RecordingMetrics()
        var client = try TestKafka.client("stats-producer")
        client.statisticsInterval = .milliseconds(100)
        client.metricsFactory = metrics
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: client), logger: TestKafka.logger)
        _ = await producer.send(TestKafka.messages(topic: topic, count: 50))
        try await Task.sleep(for: .milliseconds(400))
        await producer.shutdown()
        #expect(metrics.snapshot["kafka_tx_messages_total{client_id=stats-producer}"] == 50)
        #expect(metrics.snapshot["kafka_messages_queued{client_id=stats-producer}"] != nil)

        var consumerClient = try TestKafka.client("stats-consumer")
        consumerClient.statisticsInterval = .milliseconds(100)
        consumerClient.metricsFactory = metrics
        let consumer = try KafkaConsumer(
            configuration: ConsumerConfiguration(client: consumerClient, groupID: TestKafka.unique("stats-g"), topics: [topic]),
            logger: TestKafka.logger)
        #expect(try await TestKafka.consume(consumer, count: 50).count == 50)
        let lagKey = "kafka_consumer_lag{client_id=stats-consumer,topic=\(topic),partition=0}"
        let end = ContinuousClock.now + .seconds(5)
        while metrics.snapshot[lagKey] == nil && ContinuousClock.now < end {
            _ = try await consumer.poll(maxMessages: 10, timeout: .milliseconds(100))
        }
        await consumer.shutdown()
        #expect(metrics.snapshot[lagKey] == 0)
        #expect(metrics.snapshot["kafka_rx_messages_total{client_id=stats-consumer}"] ?? 0 >= 50)
    }
}
