package import Kafka
package import Logging
package import Settings

extension KafkaSettings {
    /// Creates every topic that does not exist yet (idempotent; existing topics are left alone).
    package func ensureTopics(logger: Logger) async throws(KafkaError) {
        let admin = try KafkaAdmin(configuration: client("admin"), logger: logger)
        try await admin.createTopics(topicSpecs)
    }
}
