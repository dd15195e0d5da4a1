package import Shared

/// Settings of the PacketIngest service.
package struct PacketIngestConfiguration: Sendable {
    /// Consumer group id; every PacketIngest instance of a deployment shares it.
    package var groupID: String
    /// Most input lines handled per batch.
    package var batchSize: Int
    /// Packet size limits.
    package var limits: PacketLimits
    /// How long restoring the dedup state of newly assigned partitions may take per attempt.
    package var restoreTimeout: Duration
    /// Per-server caps on the state a server can grow.
    package var caps: ServerCaps

    package init(
        groupID: String = "packet-ingest", batchSize: Int = 5000, limits: PacketLimits = PacketLimits(),
        restoreTimeout: Duration = .seconds(60), caps: ServerCaps = ServerCaps()
    ) {
        self.groupID = groupID
        self.batchSize = batchSize
        self.limits = limits
        self.restoreTimeout = restoreTimeout
        self.caps = caps
    }
}
