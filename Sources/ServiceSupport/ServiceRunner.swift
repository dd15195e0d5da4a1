import Logging
import ServiceLifecycle

/// Process-wide set-up shared by the four executables.
public enum ServiceRunner {
    /// Bootstraps swift-log once at ``CommonSettings/logLevel``.
    /// - Throws: ``ServiceConfigError`` for a level swift-log does not know.
    public static func bootstrapLogging(config: ServiceConfig, label: String) throws(ServiceConfigError) -> Logger {
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
    public static func run(
        _ services: [any Service], logger: Logger, gracePeriod: Duration = .seconds(30)
    ) async throws {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = gracePeriod
        try await ServiceGroup(configuration: configuration).run()
    }
}
