import Foundation
import ServiceSupport
import Testing

import MapGatewayCore
import MapGatewayServer
import Settings

/// The gateway's configuration built from swift-configuration's layers (no broker, no socket).
@Suite struct GatewaySettingsTests {
    func load(_ arguments: [String], env: [String: String] = [:]) async throws -> GatewayConfiguration {
        try GatewayConfiguration(
            config: try await ServiceConfig.load(arguments: arguments, settings: GatewaySettings.command, environment: env))
    }

    @Test func flagBeatsEnvironmentBeatsFileBeatsDefault() async throws {
        let file = NSTemporaryDirectory() + "gateway-\(UUID().uuidString).json"
        try #"{"gateway": {"port": 8300, "basePath": "/map/", "corsOrigins": ["https://a.example"], "wsQueueDepth": 9}}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let env = ["CONFIG_FILE": file, "GATEWAY_PORT": "8200", "GATEWAY_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"]
        let flag = try await load(["--port", "8100", "--host", "0.0.0.0"], env: env)
        #expect(flag.port == 8100 && flag.host == "0.0.0.0")
        #expect(flag.basePath == "/map/" && flag.wsQueueDepth == 9)
        #expect(flag.cors.allowedOrigins == ["https://a.example"])
        #expect(flag.trustedProxies == [CIDR("10.0.0.0/8"), CIDR("127.0.0.1")].compactMap { $0 })
        #expect(try await load([], env: env).port == 8200)
        #expect(try await load(["--config", file]).port == 8300)
        let d = try await load([])
        let plain = GatewayConfiguration()
        #expect(d.host == "127.0.0.1" && plain.host == "127.0.0.1")
        #expect(d.port == 8080 && plain.port == 8080)
        #expect(d.leafletDirectory == plain.leafletDirectory && d.basePath == "/")
        #expect(d.wsQueueDepth == 256 && d.playerFrameMillis == 100 && d.listenBacklog == 1024 && d.staleAfterSeconds == 60)
        #expect(!d.auth.enabled && d.cors.allowedOrigins.isEmpty && d.trustedProxies.isEmpty)
    }

    @Test func wrongValuesAndFilesNameTheKey() async throws {
        let port = await #expect(throws: ServiceConfigError.self) { try await load(["--port", "80000"]) }
        #expect(port?.description == "--port / gateway.port / GATEWAY_PORT: '80000' is not valid; expected an integer 0...65535")
        let proxy = await #expect(throws: ServiceConfigError.self) { try await load(["--trusted-proxies", "10.0.0.0/8,banana"]) }
        #expect(proxy?.problem == .invalid(value: "banana", expected: "a comma-separated list"))
        let base = await #expect(throws: ServiceConfigError.self) { try await load(["--base-path", "/a b/"]) }
        #expect(base?.key == "gateway.basePath")
        let token = await #expect(throws: ServiceConfigError.self) { try await load(["--token-file", "/nonexistent/token"]) }
        #expect(token?.key == "gateway.tokenFile")
        let metrics = await #expect(throws: ServiceConfigError.self) { try await load(["--metrics-port", "70000"]) }
        #expect(metrics?.key == "metrics.port")
    }

    @Test func metricsPortMovesMetricsOffTheGatewayPort() async throws {
        #expect(try await load([]).metricsOnOwnPort == false)
        #expect(try await load(["--metrics-port", "9105"]).metricsOnOwnPort == true)
        #expect(try await load([], env: ["METRICS_PORT": "9105"]).metricsOnOwnPort == true)
        #expect(try await load([], env: ["METRICS_PORT": "0"]).metricsOnOwnPort == false)
    }

    @Test func tokenFileIsReadAndTrimmed() async throws {
        let path = NSTemporaryDirectory() + "token-\(UUID().uuidString)"
        try "  s3cret\n".write(toFile: path, atomically: true, encoding: .utf8)
        let c = try await load(["--token-file", path])
        #expect(c.auth.enabled && c.auth.token == "s3cret")
    }

    @Test func helpShowsTheDefaults() {
        let help = SettingsHelp.text([("MapGateway settings", GatewaySettings.command)])
        #expect(help.contains("--host <value>    default: 127.0.0.1"))
        #expect(help.contains("--port <value>    default: 8080"))
        #expect(help.contains("--leaflet-dir <value>    default: /usr/share/javascript/leaflet"))
    }
}
