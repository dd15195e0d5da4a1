import Kafka
import TestSupport
import Testing
import KafkaModel

@Suite("KafkaPartitionReader against the broker", .needs(.broker))
struct PartitionReaderTests {
    @Test("reads partitions to their current end, again and again, outside any group")
    func readsToTheEndRepeatedly() async throws {
        let topic = TestKafka.unique("reader")
        try await TestKafka.createTopic(topic, partitions: 2)
        let producer = try TestKafka.producer("reader-producer")
        let reader = try KafkaPartitionReader(client: try TestKafka.client("reader"), logger: TestKafka.logger)
        #expect(try await reader.readAll(topic: topic, partitions: [0, 1]).isEmpty)
        for r in await producer.send(TestKafka.messages(topic: topic, count: 10, prefix: "a")) { _ = try r.get() }
        let first = try await reader.readAll(topic: topic, partitions: [0, 1])
        #expect(Set(first.map { $0.value.text }) == Set((0..<10).map { "a-\($0)" }) && first.count == 10)
        for r in await producer.send(TestKafka.messages(topic: topic, count: 10, prefix: "b")) { _ = try r.get() }
        let second = try await reader.readAll(topic: topic, partitions: [0, 1])
        #expect(second.count == 20, "second read: \(second.count) records")
        let onlyOne = try await reader.readAll(topic: topic, partitions: [1])
        #expect(onlyOne.allSatisfy { $0.partition == 1 } && onlyOne.count == second.filter { $0.partition == 1 }.count)
        await reader.shutdown()
        await producer.shutdown()
    }
}
