import Foundation
import ServiceSupport
import Testing
import TileRendererCore
import Settings

/// The renderer worker's configuration built from swift-configuration's layers (no broker).
@Suite struct TileRendererSettingsTests {
    func load(_ arguments: [String], env: [String: String] = [:]) async throws -> ServiceConfig {
        try await ServiceConfig.load(arguments: arguments, settings: TileRendererSettings.command, environment: env)
    }

    @Test func flagBeatsEnvironmentBeatsFileBeatsDefault() async throws {
        let file = NSTemporaryDirectory() + "renderer-\(UUID().uuidString).json"
        try #"{"renderer": {"coalesceMs": 300, "role": "pyramid", "workerId": "w-file"}}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let env = ["CONFIG_FILE": file, "RENDERER_COALESCE_MS": "200", "METRICS_PORT": "9104"]
        let flag = try await load(["--coalesce-ms", "100", "--role", "detail"], env: env)
        let c = try TileRendererConfiguration(config: flag, defaultWorkerID: "host-1")
        #expect(c.coalesceWindow == .milliseconds(100))
        #expect(c.workerID == "w-file")
        #expect(try flag.value(TileRendererSettings.role) == "detail")
        #expect(try flag.value(CommonSettings.metricsPort) == 9104)
        let environment = try TileRendererConfiguration(config: try await load([], env: env), defaultWorkerID: "h")
        #expect(environment.coalesceWindow == .milliseconds(200))
        let fromFile = try await load(["--config", file])
        #expect(try TileRendererConfiguration(config: fromFile, defaultWorkerID: "h").coalesceWindow == .milliseconds(300))
        #expect(try fromFile.value(TileRendererSettings.role) == "pyramid")
        let defaults = try await load([])
        let d = try TileRendererConfiguration(config: defaults, defaultWorkerID: "host-1")
        #expect(d.coalesceWindow == .seconds(1) && d.workerID == "host-1")
        #expect(try defaults.value(TileRendererSettings.role) == "all")
        #expect(try defaults.value(TileRendererSettings.group) == nil)
        #expect(try defaults.value(CommonSettings.metricsPort) == 0)
    }

    /// One detail worker by default; 0 is one per core; never more than the `map` partitions;
    /// named apart in progress reports only when there are several.
    @Test func detailWorkersAreOnePerCoreWithZeroUpToThePartitions() async throws {
        let d = try TileRendererConfiguration(config: try await load([]), defaultWorkerID: "host-1")
        #expect(d.detailWorkers == 1 && d.detailWorkerCount(cores: 2, mapPartitions: 8) == 1)
        let auto = try TileRendererConfiguration(config: try await load([], env: ["RENDERER_DETAIL_WORKERS": "0"]), defaultWorkerID: "h")
        #expect(auto.detailWorkerCount(cores: 2, mapPartitions: 8) == 2)
        #expect(auto.detailWorkerCount(cores: 16, mapPartitions: 8) == 8)
        #expect(auto.detailWorkerCount(cores: 0, mapPartitions: 8) == 1)
        let three = try TileRendererConfiguration(config: try await load(["--detail-workers", "3"]), defaultWorkerID: "host-1")
        #expect(three.detailWorkerCount(cores: 2, mapPartitions: 8) == 3)
        #expect(three.detailWorkerCount(cores: 2, mapPartitions: 1) == 1)
        #expect(three.detailWorkerID(1, of: 3) == "host-1/1")
        #expect(d.detailWorkerID(0, of: 1) == "host-1")
        let bad = await #expect(throws: ServiceConfigError.self) { try await load(["--detail-workers", "65"]) }
        #expect(bad?.key == "renderer.detailWorkers")
    }

    @Test func wrongValuesAndUnknownFlagsNameTheKey() async throws {
        let role = await #expect(throws: ServiceConfigError.self) { try await load(["--role", "painter"]) }
        #expect(role?.problem == .invalid(value: "painter", expected: "one of all, detail, pyramid"))
        #expect(role?.key == "renderer.role")
        // -1 used to mean "off"; the port is now 0...65535 with 0 = off, as in every service.
        let port = await #expect(throws: ServiceConfigError.self) { try await load(["--metrics-port", "-1"]) }
        #expect(port?.key == "metrics.port")
        let typo = await #expect(throws: ServiceConfigError.self) { try await load(["--coalesce", "5"]) }
        #expect(typo?.problem == .unknownFlag("--coalesce"))
    }

    @Test func helpShowsTheDefaults() {
        let help = SettingsHelp.text([("TileRenderer settings", TileRendererSettings.command)])
        #expect(help.contains("--coalesce-ms <value>    default: 1000"))
        #expect(help.contains("--role <value>    default: all"))
        #expect(help.contains("--metrics-port <value>    default: 0"))
    }
}
