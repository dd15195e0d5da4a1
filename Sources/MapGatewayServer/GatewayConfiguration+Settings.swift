import Foundation
package import MapGatewayCore
import Observability
package import Settings

extension GatewayConfiguration {
    /// Reads the gateway's settings (``GatewaySettings``), including the token and users files (file
    /// IO, hence here and not beside ``GatewayConfiguration`` in MapGatewayCore).
    /// - Throws: ``ServiceConfigError`` naming the key and the bad value (or the unreadable file).
    package init(config: some SettingValues) throws(ServiceConfigError) {
        typealias S = GatewaySettings
        var token: String?
        if let path = try config.value(S.tokenFile) {
            let text = try Self.read(path, for: S.tokenFile).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw ServiceConfigError(S.tokenFile, .unreadable(value: path, reason: "it is empty")) }
            token = text
        }
        var users: [String: PasswordHash] = [:]
        if let path = try config.value(S.usersFile) {
            do {
                users = try ViewerAuth.parseUsers(try Self.read(path, for: S.usersFile))
            } catch {
                throw ServiceConfigError(S.usersFile, .unreadable(value: path, reason: "\(error)"))
            }
        }
        var proxies: [CIDR] = []
        for text in try config.value(S.trustedProxies) {
            guard let cidr = CIDR(text) else { throw .invalid(S.trustedProxies, value: text) }
            proxies.append(cidr)
        }
        let basePath = try config.value(S.basePath)
        guard Self.normalizedBasePath(basePath) != "/" || basePath.allSatisfy({ $0 == "/" }) else {
            throw .invalid(S.basePath, value: basePath)
        }
        let frameAncestors = try config.value(S.frameAncestors)
        guard SecurityHeaders.isValidFrameAncestors(frameAncestors) else { throw .invalid(S.frameAncestors, value: frameAncestors) }
        self.init(
            host: try config.value(S.host), port: try config.value(S.port), leafletDirectory: try config.value(S.leafletDir),
            wsQueueDepth: try config.value(S.wsQueueDepth), playerFrameMillis: try config.value(S.playerFrameMillis),
            listenBacklog: try config.value(S.listenBacklog), staleAfterSeconds: try config.value(S.staleAfterSeconds),
            basePath: basePath, auth: ViewerAuth(token: token, users: users),
            cors: CORSSettings(allowedOrigins: try config.value(S.corsOrigins)), trustedProxies: proxies,
            maxPipelinedTiles: try config.value(S.maxPipelinedTiles), frameAncestors: frameAncestors,
            headerTimeoutSeconds: try config.value(S.headerTimeoutSeconds),
            idleTimeoutSeconds: try config.value(S.idleTimeoutSeconds), maxConnections: try config.value(S.maxConnections),
            authConcurrency: try config.value(S.authConcurrency),
            liveLimits: LiveLimits(
                maxServers: try config.value(S.maxServers), maxPlayersPerServer: try config.value(S.maxPlayersPerServer),
                maxSurfacesPerServer: try config.value(S.maxSurfacesPerServer),
                maxTagsPerServer: try config.value(S.maxTagsPerServer),
                maxStationsPerServer: try config.value(S.maxStationsPerServer),
                maxTrainsPerServer: try config.value(S.maxTrainsPerServer),
                maxPlatformsPerServer: try config.value(S.maxPlatformsPerServer)))
        metricsOnOwnPort = try config.value(CommonSettings.metricsPort) != 0
    }

    /// The text of the file at `path`, which `setting` names.
    private static func read(_ path: String, for setting: Setting<String?>) throws(ServiceConfigError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ServiceConfigError(setting, .unreadable(value: path, reason: error.localizedDescription))
        }
    }
}
