import Synchronization

/// Rebalance events collected by a consumer's rebalance callback and taken by the loop that owns
/// the consumer, which applies them between polls (restores the state of assigned partitions,
/// drops that of revoked ones). The one inbox of the kind: PacketIngest and both TileRenderer
/// roles use it.
///
/// The callback runs on the consumer's blocking executor inside a poll; the loop runs anywhere:
/// events are kept in arrival order under a lock.
public final class RebalanceInbox: Sendable {
    private let events = Mutex<[RebalanceEvent]>([])

    /// An empty inbox.
    public init() {}

    /// Records an event (pass this as the consumer's `onRebalance` handler).
    public func post(_ event: RebalanceEvent) { events.withLock { $0.append(event) } }

    /// The events posted since the last call, oldest first, emptying the inbox.
    public func take() -> [RebalanceEvent] {
        events.withLock { events in
            defer { events = [] }
            return events
        }
    }
}
