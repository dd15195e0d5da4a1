package import Logging
package import Observability
package import Prometheus
package import Settings

extension ObservabilityServer {
    /// The metrics endpoint the settings ask for (``CommonSettings/metricsHost``,
    /// ``CommonSettings/metricsPort``), or nil when the port is 0.
    /// - Throws: ``ServiceConfigError`` for an invalid host or port.
    package static func fromSettings(
        _ config: ServiceConfig, registry: PrometheusCollectorRegistry, logger: Logger,
        health: @escaping @Sendable () async -> HealthStatus = { .ok }
    ) throws(ServiceConfigError) -> ObservabilityServer? {
        let port = try config.value(CommonSettings.metricsPort)
        guard port != 0 else { return nil }
        let host = try config.value(CommonSettings.metricsHost)
        logger.info("serving /metrics and /healthz", metadata: ["address": "\(host):\(port)"])
        return ObservabilityServer(host: host, port: port, registry: registry, logger: logger, health: health)
    }
}
