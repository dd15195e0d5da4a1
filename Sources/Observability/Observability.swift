package import Hummingbird
package import Logging
import Metrics
package import Prometheus
import ServiceLifecycle

/// Metrics and health for the services: one Prometheus registry bootstrapped as the process's
/// metrics backend, and a small HTTP server with `/metrics` and `/healthz`.
package enum Observability {
    /// Bootstraps swift-metrics with a Prometheus registry (once per process) and returns it.
    package static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    /// The Prometheus text exposition of `registry`.
    package static func exposition(_ registry: PrometheusCollectorRegistry) -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// The answer of a health check: healthy or not, with a one-line reason for operators.
package struct HealthStatus: Sendable, Equatable {
    package var healthy: Bool
    package var detail: String

    package init(healthy: Bool, detail: String) {
        self.healthy = healthy
        self.detail = detail
    }

    package static let ok = HealthStatus(healthy: true, detail: "ok")
}

/// An HTTP server with `GET /metrics` (Prometheus text format) and `GET /healthz` (200 with
/// "ok", or 503 with the reason), for services that have no HTTP server of their own.
package struct ObservabilityServer: Service {
    package var host: String
    package var port: Int
    package var registry: PrometheusCollectorRegistry
    package var health: @Sendable () async -> HealthStatus
    package var logger: Logger

    /// - Parameters:
    ///   - port: 0 picks a free port (tests); `onBound` reports it.
    package init(
        host: String, port: Int, registry: PrometheusCollectorRegistry, logger: Logger,
        health: @escaping @Sendable () async -> HealthStatus = { .ok }
    ) {
        self.host = host
        self.port = port
        self.registry = registry
        self.health = health
        self.logger = logger
    }

    /// The router, for tests and for services that embed the two routes in their own server
    /// (`metrics: false`: only `/healthz`, when `/metrics` is served on a port of its own).
    package static func addRoutes(
        to router: Router<some RequestContext>, registry: PrometheusCollectorRegistry, metrics: Bool = true,
        health: @escaping @Sendable () async -> HealthStatus
    ) {
        if metrics { addMetricsRoute(to: router, registry: registry) }
        router.get("healthz") { _, _ -> Response in
            let status = await health()
            return Response(
                status: status.healthy ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: status.detail + "\n")))
        }
    }

    private static func addMetricsRoute(to router: Router<some RequestContext>, registry: PrometheusCollectorRegistry) {
        router.get("metrics") { _, _ -> Response in
            let body = Observability.exposition(registry)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    package func run() async throws {
        let router = Router()
        Self.addRoutes(to: router, registry: registry, health: health)
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
        // `run()`, not `runService()`: the server is one service of the caller's ServiceGroup,
        // which owns the signal handlers and shuts it down gracefully with the others.
        try await app.run()
    }
}
