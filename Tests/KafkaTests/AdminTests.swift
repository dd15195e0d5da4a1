import Kafka
import TestSupport
import Testing
import KafkaModel

@Suite("KafkaAdmin against the broker", .needs(.broker))
struct AdminTests {
    @Test("creating a topic twice succeeds and honours the partition count")
    func idempotentCreate() async throws {
        let admin = try KafkaAdmin(configuration: TestKafka.client("admin-test"), logger: TestKafka.logger)
        let name = TestKafka.unique("admin")
        let missing = TestKafka.unique("missing")
        let spec = TopicSpec(name: name, partitions: 3, configs: ["retention.ms": "3600000"])
        try await admin.createTopics([spec])
        try await admin.createTopics([spec])
        let counts = try await admin.partitionCounts([name, missing])
        #expect(counts == [name: 3])
        try await admin.deleteTopics([name])
        try await admin.deleteTopics([missing])
    }

    @Test("an invalid topic spec is a typed admin error")
    func invalidSpec() async throws {
        let admin = try KafkaAdmin(configuration: TestKafka.client("admin-bad"), logger: TestKafka.logger)
        let error = await #expect(throws: KafkaError.self) {
            try await admin.createTopics([TopicSpec(name: TestKafka.unique("bad"), partitions: -5)])
        }
        #expect(error?.code == .admin)
    }

    @Test("a bad configuration property is a typed configuration error")
    func badConfiguration() throws {
        let configuration = ProducerConfiguration(
            client: try TestKafka.client("bad-config", properties: ["no.such.property": "1"]))
        let error = #expect(throws: KafkaError.self) { try KafkaProducer(configuration: configuration, logger: TestKafka.logger) }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("no.such.property") == true)
    }
}
