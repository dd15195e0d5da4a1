package import Settings

/// PacketIngest's settings, each declared once (key, flag, default, help).
package enum PacketIngestSettings {
    package static let group = Setting.optionalString(
        "ingest.group", flag: "group", defaultText: "<topic prefix>.packet-ingest", help: "Consumer group id.")
    package static let serversFile = Setting.optionalString(
        "ingest.serversFile", flag: "servers", defaultText: "none, required unless --allow-unsigned",
        help: "Server registry file: '<server-id> <secret>' per line, reloaded when it changes.")
    package static let allowUnsigned = Setting.toggle(
        "ingest.allowUnsigned", flag: "allow-unsigned",
        help: "Without a registry: accept unsigned lines from any server id (demos and tests only).")
    package static let batchSize = Setting.int(
        "ingest.batchSize", flag: "batch-size", default: 5000, range: 1...1_000_000, help: "Most lines per batch.")
    package static let maxFingerprints = Setting.int(
        "ingest.maxFingerprintsPerServer", flag: "max-fingerprints-per-server", default: 10_000, range: 1...10_000_000,
        help: "Most log-file fingerprints (dedup keys) per server and input topic; beyond: server_cap_exceeded.")
    package static let maxSurfaces = Setting.int(
        "ingest.maxSurfacesPerServer", flag: "max-surfaces-per-server", default: 1_000, range: 1...10_000_000,
        help: "Most distinct surfaces per server; beyond: server_cap_exceeded.")
    package static let maxPlayers = Setting.int(
        "ingest.maxPlayersPerServer", flag: "max-players-per-server", default: 10_000, range: 1...10_000_000,
        help: "Most distinct player indices per server; beyond: server_cap_exceeded.")
    package static let maxMapObjects = Setting.int(
        "ingest.maxMapObjectsPerServer", flag: "max-map-objects-per-server", default: 100_000, range: 1...10_000_000,
        help: "Most distinct chart tags, train stops, trains and space platforms per server, each kind counted apart; beyond: server_cap_exceeded.")

    /// Every PacketIngest setting, in help order.
    package static let all: [AnySetting] = [
        group.erased, serversFile.erased, allowUnsigned.erased, batchSize.erased, maxFingerprints.erased,
        maxSurfaces.erased, maxPlayers.erased, maxMapObjects.erased,
    ]
    /// Every setting of the PacketIngest command: its own and the common ones.
    package static let command: [AnySetting] = all + CommonSettings.service

    /// How lines are authenticated.
    package enum Authentication: Sendable, Hashable {
        /// Against the registry file at this path.
        case registry(path: String)
        /// Not at all (`--allow-unsigned`).
        case unsigned
    }

    /// The authentication the settings ask for.
    /// - Throws: ``ServiceConfigError`` when there is neither a registry nor `--allow-unsigned`.
    package static func authentication(_ config: some SettingValues) throws(ServiceConfigError) -> Authentication {
        if let path = try config.value(serversFile) { return .registry(path: path) }
        guard try config.value(allowUnsigned) else {
            throw ServiceConfigError(
                serversFile, .conflict("a server registry is required; --allow-unsigned skips authentication"))
        }
        return .unsigned
    }
}
