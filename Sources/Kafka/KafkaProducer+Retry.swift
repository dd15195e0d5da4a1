public import Logging
public import KafkaModel

extension KafkaProducer {
    /// Sends `messages` and waits until every one is acknowledged, re-sending the failed ones after
    /// an exponential ``Backoff`` (100 ms doubling to 10 s by default). Never drops a message: it
    /// returns only when all are delivered, or throws `CancellationError` if the task is cancelled
    /// while backing off (the caller then must not advance its position).
    public func sendUntilDelivered(
        _ messages: [ProducerMessage], logger: Logger, backoff: Backoff = Backoff()
    ) async throws {
        var pending = messages
        var backoff = backoff
        while !pending.isEmpty {
            let results = await send(pending)
            var failed: [ProducerMessage] = []
            for (message, result) in zip(pending, results) {
                if case .failure(let error) = result {
                    failed.append(message)
                    logger.error(
                        "delivery failed; will retry",
                        metadata: ["topic": "\(message.topic)", "error": "\(error)", "pending": "\(pending.count)"])
                }
            }
            pending = failed
            if !pending.isEmpty { try await Task.sleep(for: backoff.next()) }
        }
    }
}
