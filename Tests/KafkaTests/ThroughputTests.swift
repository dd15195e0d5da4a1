import Kafka
import TestSupport
import Testing
import KafkaModel

@Suite("Throughput (prints rates; asserts only completeness)", .needs(.broker))
struct ThroughputTests {
    @Test("100k × 200 B: enqueue + acks, then poll(maxMessages: 1000)")
    func throughput() async throws {
        let topic = TestKafka.unique("throughput")
        try await TestKafka.createTopic(topic, partitions: 4)
        let producer = try TestKafka.producer("tp-producer")
        let count = 100_000
        let payload = [UInt8](repeating: 0x61, count: 200)
        let acked = Locked(0)
        let clock = ContinuousClock()
        let produceStart = clock.now
        for index in 0..<count {
            try await producer.enqueue(ProducerMessage(topic: topic, key: Array("\(index % 64)".utf8), value: payload)) {
                if case .success = $0 { acked.withLock { $0 += 1 } }
            }
        }
        let enqueueTime = clock.now - produceStart
        try await producer.flush(timeout: .seconds(60))
        let produceTime = clock.now - produceStart
        await producer.shutdown()
        #expect(acked.withLock { $0 } == count)

        let consumer = try TestKafka.consumer(group: TestKafka.unique("tp-g"), topic: topic)
        // The first poll includes the group join (about 3 s on Tansu); the rate is measured after it.
        let first = try await consumer.poll(maxMessages: 1000, timeout: .seconds(30))
        try consumer.store(first)
        let consumeStart = clock.now
        var received = first.count
        while received < count {
            let batch = try await consumer.poll(maxMessages: 1000, timeout: .seconds(5))
            if batch.isEmpty { break }
            received += batch.count
            try consumer.store(batch)
        }
        let consumeTime = clock.now - consumeStart
        await consumer.shutdown()
        #expect(received == count)
        func rate(_ duration: Duration) -> Int {
            Int(Double(count) / (Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18))
        }
        print("THROUGHPUT enqueue loop: \(enqueueTime)")
        print("THROUGHPUT produce+ack \(count) × 200 B: \(produceTime) → \(rate(produceTime)) msg/s")
        print("THROUGHPUT consume (after first batch) \(received): \(consumeTime) → \(rate(consumeTime)) msg/s")
    }
}
