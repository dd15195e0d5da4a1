import Kafka
import Synchronization
import TestSupport
import Testing
import Logging
import KafkaModel

@Suite("KafkaProducer against the broker", .needs(.broker))
struct ProducerTests {
    @Test("round trip with keys and headers")
    func roundTripWithKeysAndHeaders() async throws {
        let topic = TestKafka.unique("roundtrip")
        try await TestKafka.createTopic(topic, partitions: 2)
        let producer = try TestKafka.producer("rt-producer")
        let sent = [
            ProducerMessage(
                topic: topic, key: "alpha".bytes, value: "one".bytes,
                headers: [KafkaHeader(key: "schema", string: "v1"), KafkaHeader(key: "empty", value: nil)]),
            ProducerMessage(topic: topic, key: nil, value: "two".bytes, headers: [KafkaHeader(key: "bin", value: [0, 255, 7])]),
            ProducerMessage(topic: topic, key: "alpha".bytes, value: [], headers: []),
        ]
        var reports: [DeliveryReport] = []
        for message in sent { reports.append(try await producer.send(message)) }
        #expect(reports.allSatisfy { $0.topic == topic && $0.offset >= 0 })
        #expect(reports[0].partition == reports[2].partition, "same key, same partition")
        await producer.shutdown()

        let consumer = try TestKafka.consumer(group: TestKafka.unique("rt-group"), topic: topic)
        let received = try await TestKafka.consume(consumer, count: 3)
        await consumer.shutdown()
        #expect(received.count == 3)
        let one = try #require(received.first { $0.value.text == "one" })
        #expect(one.key == "alpha".bytes)
        #expect(one.header("schema")?.text == "v1")
        #expect(one.headers.contains(KafkaHeader(key: "empty", value: nil)))
        #expect(one.timestamp != nil)
        #expect(one.partition == reports[0].partition && one.offset == reports[0].offset)
        let two = try #require(received.first { $0.value.text == "two" })
        #expect(two.key == nil)
        #expect(two.header("bin") == [0, 255, 7])
        let three = try #require(received.first { $0.value.isEmpty })
        #expect(three.key == "alpha".bytes && three.headers.isEmpty)
    }

    @Test("a delivery failure is thrown as a KafkaError")
    func deliveryFailureIsThrown() async throws {
        _ = try TestKafka.bootstrap()
        let configuration = ProducerConfiguration(
            client: KafkaClientConfiguration(bootstrapServers: "127.0.0.1:1", clientID: "closed-port"),
            messageTimeout: .milliseconds(1500), shutdownFlushTimeout: .milliseconds(100))
        var logger = TestKafka.logger
        logger.logLevel = .critical
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(ProducerMessage(topic: "nowhere", value: "x".bytes))
        }
        #expect(error?.code == .delivery)
        #expect(error?.rdKafkaCode == -192, "Local: Message timed out, got \(String(describing: error))")
        #expect(error?.topic == "nowhere")
        #expect(error?.isRetriable == true)
        await producer.shutdown()
        await #expect(throws: KafkaError.self) { try await producer.send(ProducerMessage(topic: "t", value: [])) }
    }

    @Test("back-pressure: a tiny local queue waits instead of dropping")
    func backPressureNeverDrops() async throws {
        let topic = TestKafka.unique("backpressure")
        try await TestKafka.createTopic(topic, partitions: 1)
        let producer = try TestKafka.producer("bp-producer") { $0.maxQueuedMessages = 5; $0.linger = .milliseconds(1) }
        let total = 3000
        let delivered = Locked<(ok: Int, failed: Int, offsets: [Int64])>((0, 0, []))
        for message in TestKafka.messages(topic: topic, count: total) {
            try await producer.enqueue(message) { result in
                delivered.withLock { state in
                    switch result {
                    case .success(let report):
                        state.ok += 1
                        state.offsets.append(report.offset)
                    case .failure: state.failed += 1
                    }
                }
            }
        }
        try await producer.flush(timeout: .seconds(30))
        let (ok, failed, offsets) = delivered.withLock { ($0.ok, $0.failed, $0.offsets) }
        #expect(ok == total && failed == 0)
        #expect(offsets == offsets.sorted(), "delivery reports arrive in produce order per partition")
        await producer.shutdown()

        let consumer = try TestKafka.consumer(group: TestKafka.unique("bp-group"), topic: topic)
        let received = try await TestKafka.consume(consumer, count: total)
        await consumer.shutdown()
        #expect(Set(received.map { $0.value.text }).count == total)
    }

    @Test("batch send returns results in input order")
    func batchSend() async throws {
        let topic = TestKafka.unique("batch")
        try await TestKafka.createTopic(topic, partitions: 2)
        let producer = try TestKafka.producer("batch-producer")
        let messages = (0..<400).map { ProducerMessage(topic: topic, value: "b\($0)".bytes, partition: Int32($0 % 2)) }
        let results = await producer.send(messages)
        await producer.shutdown()
        #expect(results.count == messages.count)
        let reports = results.compactMap { try? $0.get() }
        #expect(reports.count == messages.count)
        for (index, report) in reports.enumerated() { #expect(report.partition == Int32(index % 2)) }
        for partition in [Int32(0), 1] {
            let offsets = reports.filter { $0.partition == partition }.map(\.offset)
            #expect(offsets == Array(offsets[0]..<offsets[0] + Int64(offsets.count)), "contiguous, in input order")
        }
    }

    @Test("as a Service, graceful shutdown flushes and later sends fail with .shutdown")
    func serviceShutdown() async throws {
        let topic = TestKafka.unique("service")
        try await TestKafka.createTopic(topic, partitions: 1)
        let producer = try TestKafka.producer("svc-producer") { $0.linger = .milliseconds(200) }
        let delivered = Locked(0)
        for message in TestKafka.messages(topic: topic, count: 100) {
            try await producer.enqueue(message) { if case .success = $0 { delivered.withLock { $0 += 1 } } }
        }
        let runner = Task { try await producer.run() }
        runner.cancel()  // no ServiceGroup here: cancellation is the shutdown trigger
        try await runner.value
        #expect(delivered.withLock { $0 } == 100, "run() flushed before returning")
        let error = await #expect(throws: KafkaError.self) { try await producer.send(TestKafka.messages(topic: topic, count: 1)[0]) }
        #expect(error?.code == .shutdown)
    }
}
