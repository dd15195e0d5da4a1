package import PacketIngestCore
import Observability
package import Settings

// Here and not beside `PacketIngestSettings` in the core: it reads `KafkaSettings` (ServiceSupport),
// which also builds the Kafka clients.
extension PacketIngestConfiguration {
    /// Reads the group, batch size and per-server caps (``PacketIngestSettings``); the group defaults to
    /// `<topic prefix>.packet-ingest` of `kafka`.
    /// - Throws: ``ServiceConfigError`` naming the key and the bad value.
    package init(config: some SettingValues, kafka: KafkaSettings) throws(ServiceConfigError) {
        self.init(
            groupID: try config.value(PacketIngestSettings.group) ?? kafka.groupID("packet-ingest"),
            batchSize: try config.value(PacketIngestSettings.batchSize),
            caps: ServerCaps(
                fingerprints: try config.value(PacketIngestSettings.maxFingerprints),
                surfaces: try config.value(PacketIngestSettings.maxSurfaces),
                players: try config.value(PacketIngestSettings.maxPlayers),
                mapObjects: try config.value(PacketIngestSettings.maxMapObjects)))
    }
}
