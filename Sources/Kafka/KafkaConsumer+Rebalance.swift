import CRdKafka
import Logging
import Synchronization
import KafkaModel

/// What the rebalance callback needs besides the client context.
final class RebalanceContext: Sendable {
    /// The user's handler, called synchronously inside the callback.
    let handler: (@Sendable (RebalanceEvent) -> Void)?
    /// Partitions revoked or lost since the poll loop last looked: messages of these partitions that a
    /// poll collected before the revoke must not reach the caller (the new owner reads them again from
    /// the committed offset, so delivering them here would duplicate them).
    private let revokedSinceCheck = Mutex<Set<TopicPartition>>([])

    /// Creates a rebalance context.
    init(handler: (@Sendable (RebalanceEvent) -> Void)?) {
        self.handler = handler
    }

    /// Records partitions that were just revoked or lost.
    func noteRevoked(_ partitions: [TopicPartition]) {
        revokedSinceCheck.withLock { $0.formUnion(partitions) }
    }

    /// The partitions revoked since the last call, clearing the record.
    func takeRevoked() -> Set<TopicPartition> {
        revokedSinceCheck.withLock { set in
            defer { set.removeAll() }
            return set
        }
    }
}

/// `rebalance_cb`: runs synchronously on the thread that polls the consumer (the consumer's executor,
/// or `rd_kafka_consumer_close` on the same queue), so it may block briefly.
///
/// - Assign: apply (incremental for the COOPERATIVE protocol, full otherwise), then `.assigned`.
/// - Revoke: `.revoked` first (the handler may flush state and store offsets), then a synchronous commit of
///   the stored offsets, then unassign. When the assignment was lost, `.lost` and no commit.
func kafkaRebalanceCallback(
    _ rk: OpaquePointer?, _ err: rd_kafka_resp_err_t,
    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let rk, let context = ClientContext.from(opaque) else { return }
    let logger = context.logger
    let handler = context.rebalance?.handler
    let cooperative = string(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
    let topicPartitions = TopicPartitionList.partitions(partitions)
    let metadata: Logger.Metadata = [
        "partitions": "\(topicPartitions.map(\.description).joined(separator: ","))",
        "protocol": "\(cooperative ? "cooperative" : "eager")",
    ]
    switch err {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        logger.info("partitions assigned", metadata: metadata)
        applyAssignment(rk, partitions, incremental: cooperative, assign: true, logger: logger)
        handler?(.assigned(topicPartitions))
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
        let lost = rd_kafka_assignment_lost(rk) != 0
        logger.info(lost ? "partitions lost" : "partitions revoked", metadata: metadata)
        context.rebalance?.noteRevoked(topicPartitions)
        handler?(lost ? .lost(topicPartitions) : .revoked(topicPartitions))
        if !lost { commitStoredOffsets(rk, logger: logger, reason: "revoke") }
        applyAssignment(rk, partitions, incremental: cooperative, assign: false, logger: logger)
    default:
        logger.error(
            "rebalance error", metadata: metadata.merging(["error": "\(String(cString: rd_kafka_err2str(err)))"]) { $1 })
        if !cooperative { rd_kafka_assign(rk, nil) }
    }
}

/// Applies an assign or unassign for the current protocol, logging failures (they cannot be thrown here).
private func applyAssignment(
    _ rk: OpaquePointer, _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
    incremental: Bool, assign: Bool, logger: Logger
) {
    if incremental {
        let error = assign ? rd_kafka_incremental_assign(rk, partitions) : rd_kafka_incremental_unassign(rk, partitions)
        if let error {
            let kafkaError = KafkaError.consuming(error, .rebalance, context: assign ? "incremental assign" : "incremental unassign")
            logger.error("rebalance failed", metadata: ["error": "\(kafkaError)"])
        }
    } else {
        let err = rd_kafka_assign(rk, assign ? partitions : nil)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.error(
                "rebalance failed", metadata: ["error": "\(KafkaError.rdKafka(.rebalance, err, context: "assign"))"])
        }
    }
}

/// Synchronously commits the stored offsets of the current assignment. "No offset" is not an error.
@discardableResult
func commitStoredOffsets(_ rk: OpaquePointer, logger: Logger, reason: String) -> KafkaError? {
    let err = rd_kafka_commit(rk, nil, 0)
    if err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET { return nil }
    let error = KafkaError.rdKafka(.commit, err, context: "commit (\(reason))")
    logger.warning("offset commit failed", metadata: ["error": "\(error)"])
    return error
}
