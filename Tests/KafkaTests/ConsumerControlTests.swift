import Kafka
import ServiceLifecycle
import TestSupport
import Testing
import KafkaModel

@Suite("KafkaConsumer seek, pause/resume, lifecycle", .needs(.broker))
struct ConsumerControlTests {
    @Test("seek rewinds an assigned partition")
    func seek() async throws {
        let topic = TestKafka.unique("seek")
        try await TestKafka.createTopic(topic, partitions: 1)
        let producer = try TestKafka.producer("seek-producer")
        _ = await producer.send(TestKafka.messages(topic: topic, count: 10))
        await producer.shutdown()
        let consumer = try TestKafka.consumer(group: TestKafka.unique("seek-g"), topic: topic)
        let all = try await TestKafka.consume(consumer, count: 10)
        #expect(all.map(\.offset) == Array(0..<10))
        try await consumer.seek(TopicPartition(topic: topic, partition: 0), to: 3)
        let replay = try await TestKafka.consume(consumer, count: 7)
        #expect(replay.map(\.offset) == Array(3..<10))
        #expect(replay.first?.value.text == "m-3")
        await consumer.shutdown()
    }

    @Test("pause stops delivery, resume continues")
    func pauseResume() async throws {
        let topic = TestKafka.unique("pause")
        try await TestKafka.createTopic(topic, partitions: 1)
        let producer = try TestKafka.producer("pause-producer")
        _ = await producer.send(TestKafka.messages(topic: topic, count: 5, prefix: "before"))
        let consumer = try TestKafka.consumer(group: TestKafka.unique("pause-g"), topic: topic)
        #expect(try await TestKafka.consume(consumer, count: 5).count == 5)
        let partition = TopicPartition(topic: topic, partition: 0)
        try consumer.pause([partition])
        _ = await producer.send(TestKafka.messages(topic: topic, count: 5, prefix: "after"))
        let whilePaused = try await TestKafka.consume(consumer, count: 1, within: .seconds(2))
        #expect(whilePaused.isEmpty, "nothing is delivered while paused")
        try consumer.resume([partition])
        let afterResume = try await TestKafka.consume(consumer, count: 5)
        #expect(afterResume.map { $0.value.text } == (0..<5).map { "after-\($0)" })
        await producer.shutdown()
        await consumer.shutdown()
    }

    @Test("partition EOF is reported in pollBatch")
    func partitionEOF() async throws {
        let topic = TestKafka.unique("eof")
        try await TestKafka.createTopic(topic, partitions: 1)
        let producer = try TestKafka.producer("eof-producer")
        _ = await producer.send(TestKafka.messages(topic: topic, count: 3))
        await producer.shutdown()
        let configuration = ConsumerConfiguration(
            client: try TestKafka.client("eof-consumer"), groupID: TestKafka.unique("eof-g"), topics: [topic],
            partitionEOF: true)
        let consumer = try KafkaConsumer(configuration: configuration, logger: TestKafka.logger)
        var messages = 0
        var eof: [TopicPartition] = []
        let end = ContinuousClock.now + .seconds(30)
        while eof.isEmpty && ContinuousClock.now < end {
            let batch = try await consumer.pollBatch(maxMessages: 100, timeout: .milliseconds(200))
            messages += batch.messages.count
            eof += batch.eofPartitions
        }
        #expect(messages == 3)
        #expect(eof == [TopicPartition(topic: topic, partition: 0)])
        await consumer.shutdown()
    }

    @Test("in a ServiceGroup, graceful shutdown commits stored offsets and closes")
    func serviceGroupShutdown() async throws {
        let topic = TestKafka.unique("svc")
        let group = TestKafka.unique("svc-g")
        try await TestKafka.createTopic(topic, partitions: 1)
        let producer = try TestKafka.producer("svc-producer")
        _ = await producer.send(TestKafka.messages(topic: topic, count: 20))
        let consumer = try TestKafka.consumer(group: group, topic: topic)
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [producer, consumer], logger: TestKafka.logger))
        let running = Task { try await serviceGroup.run() }
        let received = try await TestKafka.consume(consumer, count: 20)
        #expect(received.count == 20)
        await serviceGroup.triggerGracefulShutdown()
        try await running.value
        let error = await #expect(throws: KafkaError.self) { try await consumer.poll(maxMessages: 1, timeout: .zero) }
        #expect(error?.code == .shutdown)
        // A new member of the same group starts after the committed offsets: nothing to read.
        let next = try TestKafka.consumer(group: group, topic: topic)
        let committed = try await next.committedOffsets([TopicPartition(topic: topic, partition: 0)])
        #expect(committed[TopicPartition(topic: topic, partition: 0)] == 20)
        await next.shutdown()
    }
}
