package import Logging
package import ServiceLifecycle
package import Settings
import UnixSignals

/// Process-wide set-up shared by the four executables.
package enum ServiceRunner {
    /// Bootstraps swift-log once at ``CommonSettings/logLevel``.
    /// - Throws: ``ServiceConfigError`` for a level swift-log does not know.
    package static func bootstrapLogging(config: ServiceConfig, label: String) throws(ServiceConfigError) -> Logger {
        let text = try config.value(CommonSettings.logLevel)
        guard let level = Logger.Level(rawValue: text) else { throw .invalid(CommonSettings.logLevel, value: text) }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }

    /// Runs `services` in a `ServiceGroup` that shuts down gracefully on SIGTERM and SIGINT
    /// (in reverse order of `services`), escalating to cancellation after `gracePeriod`.
    package static func run(
        _ services: [any Service], logger: Logger, gracePeriod: Duration = .seconds(30)
    ) async throws {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = gracePeriod
        try await ServiceGroup(configuration: configuration).run()
    }
}
