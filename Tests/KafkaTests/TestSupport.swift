import Foundation
import Kafka
import Logging
import Synchronization
import TestSupport
import Testing
import KafkaModel

/// Shared helpers for the broker-backed tests: bootstrap address, unique names, clients, polling loops.
enum TestKafka {
    /// The broker address from `KAFKA_BOOTSTRAP`; throws (failing the test) if it is unset.
    static func bootstrap() throws -> String { try TestEnvironment.bootstrap() }

    /// A quiet logger (warnings and up, or `KAFKA_TEST_LOG_LEVEL`) so librdkafka noise stays out of the
    /// test output.
    static let logger: Logger = {
        var logger = Logger(label: "kafka-tests")
        logger.logLevel =
            ProcessInfo.processInfo.environment["KAFKA_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }()

    /// A name unique to this run and call, e.g. `kt-roundtrip-3f9a1c2b`.
    static func unique(_ prefix: String) -> String {
        "kt-\(prefix)-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }

    /// A client configuration for the test broker.
    static func client(_ id: String, properties: [String: String] = [:]) throws -> KafkaClientConfiguration {
        KafkaClientConfiguration(bootstrapServers: try bootstrap(), clientID: id, properties: properties)
    }

    /// Creates `name` with `partitions` partitions.
    static func createTopic(_ name: String, partitions: Int) async throws {
        let admin = try KafkaAdmin(configuration: client("admin-\(name)"), logger: logger)
        try await admin.createTopics([TopicSpec(name: name, partitions: partitions)])
    }

    /// A producer with test-friendly defaults.
    static func producer(_ id: String, tweak: (inout ProducerConfiguration) -> Void = { _ in }) throws -> KafkaProducer {
        var configuration = ProducerConfiguration(client: try client(id))
        tweak(&configuration)
        return try KafkaProducer(configuration: configuration, logger: logger)
    }

    /// A group consumer with a short session timeout (Tansu delays the first join by half of it).
    static func consumer(
        group: String, topic: String, strategy: AssignmentStrategy = .eager,
        onRebalance: (@Sendable (RebalanceEvent) -> Void)? = nil
    ) throws -> KafkaConsumer {
        var clientConfiguration = try client("\(group)-\(UInt16.random(in: 0...UInt16.max))")
        if let debug = ProcessInfo.processInfo.environment["KAFKA_TEST_DEBUG"] { clientConfiguration.properties["debug"] = debug }
        let configuration = ConsumerConfiguration(
            client: clientConfiguration, groupID: group, topics: [topic],
            strategy: strategy, sessionTimeout: .seconds(6), autoCommitInterval: .milliseconds(500))
        return try KafkaConsumer(configuration: configuration, logger: logger, onRebalance: onRebalance)
    }

    /// Polls until `count` messages arrived (storing each as processed) or `deadline` passes.
    static func consume(
        _ consumer: KafkaConsumer, count: Int, within deadline: Duration = .seconds(30)
    ) async throws -> [ConsumerMessage] {
        var received: [ConsumerMessage] = []
        let end = ContinuousClock.now + deadline
        while received.count < count && ContinuousClock.now < end {
            let batch = try await consumer.poll(maxMessages: 500, timeout: .milliseconds(200))
            try consumer.store(batch)
            received += batch
        }
        return received
    }

    /// Messages `prefix-0` … `prefix-(count-1)` with keys `k<i % 8>`.
    static func messages(topic: String, count: Int, prefix: String = "m") -> [ProducerMessage] {
        (0..<count).map { ProducerMessage(topic: topic, key: Array("k\($0 % 8)".utf8), value: Array("\(prefix)-\($0)".utf8)) }
    }
}

/// A lock-protected box for state shared with callbacks.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    /// Runs `body` with exclusive access.
    func withLock<R>(_ body: (inout sending Value) -> sending R) -> R {
        mutex.withLock(body)
    }
}

extension String {
    /// The UTF-8 bytes.
    var bytes: [UInt8] { Array(utf8) }
}

extension Array where Element == UInt8 {
    /// The bytes decoded as UTF-8.
    var text: String { String(decoding: self, as: UTF8.self) }
}
