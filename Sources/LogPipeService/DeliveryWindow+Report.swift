package import Kafka
package import LogPipeCore

extension DeliveryWindow {
    /// Records the delivery report of a batch sent by producer `generation`: line `seqs[i]` is
    /// message `i` of `report` (see ``DeliveryWindow/complete(_:generation:failures:)``).
    package func complete(_ seqs: [UInt64], generation: UInt64, report: BatchDeliveryReport) {
        complete(seqs, generation: generation, failures: report.failures.mapValues { "\($0)" })
    }
}
