import Blocking
import Foundation
package import Logging
import Metrics
package import PacketIngestCore
import ServiceLifecycle
import Shared

/// Reads the server registry file and reloads it without a restart: every `interval` it reads the
/// file (on its own `BlockingExecutor`, off the cooperative pool) and, when the content hash changed, parses it and swaps it into the
/// ``RegistryStore``. A file that cannot be read or parsed keeps the previous registry in force
/// and logs an error (and counts `ingest_registry_reloads_total{result="error"}`).
package final class RegistryWatcher: Service, Sendable {
    package let path: String
    package let store: RegistryStore
    private let interval: Duration
    private let logger: Logger
    private let executor = BlockingExecutor(label: "ingest.registry")
    private let loadedHash: UInt64

    /// Loads the file once; throws if it is unusable at start-up (no previous registry to keep).
    package init(path: String, interval: Duration = .seconds(2), logger: Logger) throws {
        self.path = path
        self.interval = interval
        self.logger = logger
        let (registry, hash) = try Self.load(path)
        store = RegistryStore(registry)
        loadedHash = hash
        logger.info("server registry loaded", metadata: ["file": "\(path)", "servers": "\(registry.count)"])
        Gauge(label: "ingest_registry_servers").record(registry.count)
    }

    /// Reads and parses the file: the registry and the content hash.
    static func load(_ path: String) throws -> (ServerRegistry, UInt64) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServerRegistryError(line: 0, message: "cannot read server registry \(path)")
        }
        let bytes = [UInt8](data)
        let registry = try ServerRegistry.parse(String(decoding: bytes, as: UTF8.self))
        return (registry, ContentHash.fnv1a64(bytes))
    }

    package func run() async throws {
        // The watcher holds nothing that needs flushing: it stops at once on graceful shutdown.
        do {
            try await cancelWhenGracefulShutdown { try await self.watch() }
        } catch is CancellationError {}
    }

    private func watch() async throws {
        var lastHash = loadedHash
        let reloads = { (result: String) in Counter(label: "ingest_registry_reloads_total", dimensions: [("result", result)]) }
        var lastError: String?
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            do {
                let (registry, hash) = try await read()
                lastError = nil
                guard hash != lastHash else { continue }
                lastHash = hash
                store.replace(registry)
                reloads("ok").increment()
                Gauge(label: "ingest_registry_servers").record(registry.count)
                logger.notice("server registry reloaded", metadata: ["file": "\(path)", "servers": "\(registry.count)"])
            } catch {
                let text = "\(error)"
                if text != lastError {
                    // Log each distinct problem once; the previous registry stays in force.
                    reloads("error").increment()
                    logger.error(
                        "server registry not reloaded; keeping the previous one",
                        metadata: ["file": "\(path)", "error": "\(text)"])
                    lastError = text
                }
            }
        }
    }

    private func read() async throws -> (ServerRegistry, UInt64) {
        let path = path
        return try await executor.run { try Self.load(path) }
    }
}
