import Kafka
import TestSupport
import Testing
import KafkaModel

@Suite("KafkaProducer batch enqueue against the broker", .needs(.broker))
struct BatchEnqueueTests {
    /// Enqueues `messages` as one batch and waits for its single report.
    func enqueue(_ producer: KafkaProducer, _ messages: [ProducerMessage]) async -> (BatchDeliveryReport, Int) {
        let calls = Locked(0)
        let report = await withCheckedContinuation { (continuation: CheckedContinuation<BatchDeliveryReport, Never>) in
            Task {
                await producer.enqueue(batch: messages) { report in
                    calls.withLock { $0 += 1 }
                    continuation.resume(returning: report)
                }
            }
        }
        try? await Task.sleep(for: .milliseconds(50))  // a second call would show up here
        return (report, calls.withLock { $0 })
    }

    @Test("one report for the whole batch; a refused message fails alone; everything else arrives")
    func oneReportPerBatch() async throws {
        let topic = TestKafka.unique("batchq")
        try await TestKafka.createTopic(topic, partitions: 3)
        // A tiny local queue forces waits for space in the middle of the batch.
        let producer = try TestKafka.producer("batchq-producer") { $0.maxQueuedMessages = 50; $0.linger = .milliseconds(1) }
        var messages = TestKafka.messages(topic: topic, count: 2000, prefix: "bq")
        messages[700] = ProducerMessage(topic: topic, value: [UInt8](repeating: 1, count: 2_000_000))  // over message.max.bytes
        let (report, calls) = await enqueue(producer, messages)
        #expect(calls == 1)
        #expect(report.count == 2000)
        #expect(Array(report.failures.keys) == [700])
        #expect(report.error(at: 700)?.code == .produce)
        #expect(report.error(at: 0) == nil)
        #expect(producer.pendingDeliveries == 0)
        await producer.shutdown()

        let consumer = try TestKafka.consumer(group: TestKafka.unique("batchq-group"), topic: topic)
        let received = try await TestKafka.consume(consumer, count: 1999)
        await consumer.shutdown()
        #expect(Set(received.map { $0.value.text }) == Set((0..<2000).filter { $0 != 700 }.map { "bq-\($0)" }))
    }

    @Test("an empty batch reports at once; a batch after shutdown fails every message with .shutdown")
    func emptyAndAfterShutdown() async throws {
        let producer = try TestKafka.producer("batchq-shutdown")
        let (empty, emptyCalls) = await enqueue(producer, [])
        #expect(empty.count == 0 && empty.failures.isEmpty && emptyCalls == 1)
        await producer.shutdown()
        let (report, calls) = await enqueue(producer, TestKafka.messages(topic: "unused", count: 3))
        #expect(calls == 1 && report.count == 3)
        #expect(report.failures.count == 3 && report.failures.values.allSatisfy { $0.code == .shutdown })
    }
}
