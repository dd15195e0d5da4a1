import Foundation
import ServiceSupport
import Testing

import PacketIngestCore
import PacketIngestService
import Settings

/// PacketIngest's configuration built from swift-configuration's layers (no broker).
@Suite struct PacketIngestSettingsTests {
    func load(_ arguments: [String], env: [String: String] = [:]) async throws -> ServiceConfig {
        try await ServiceConfig.load(arguments: arguments, settings: PacketIngestSettings.command, environment: env)
    }

    @Test func flagBeatsEnvironmentBeatsFileBeatsDefault() async throws {
        let file = NSTemporaryDirectory() + "ingest-\(UUID().uuidString).json"
        try #"{"ingest": {"batchSize": 30, "group": "g-file"}, "metrics": {"port": 9102}}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let env = ["CONFIG_FILE": file, "INGEST_BATCH_SIZE": "20"]
        func configuration(_ c: ServiceConfig) throws -> PacketIngestConfiguration {
            try PacketIngestConfiguration(config: c, kafka: try KafkaSettings(config: c, service: "packet-ingest"))
        }
        let flag = try await load(["--batch-size", "10", "--servers", "/reg"], env: env)
        #expect(try configuration(flag).batchSize == 10)
        #expect(try configuration(flag).groupID == "g-file")
        #expect(try PacketIngestSettings.authentication(flag) == .registry(path: "/reg"))
        #expect(try flag.value(CommonSettings.metricsPort) == 9102)
        #expect(try configuration(try await load([], env: env)).batchSize == 20)
        #expect(try configuration(try await load(["--config", file])).batchSize == 30)
        let defaults = try await load(["--allow-unsigned", "--topic-prefix", "p"])
        #expect(try configuration(defaults).batchSize == 5000)
        #expect(try configuration(defaults).groupID == "p.packet-ingest")
        #expect(try PacketIngestSettings.authentication(defaults) == .unsigned)
        #expect(try defaults.value(CommonSettings.metricsPort) == 0)
    }

    @Test func wrongValuesAndUnknownFlagsNameTheKey() async throws {
        let batch = await #expect(throws: ServiceConfigError.self) { try await load(["--batch-size", "0"]) }
        #expect(batch?.key == "ingest.batchSize")
        let unsigned = await #expect(throws: ServiceConfigError.self) {
            try await load([], env: ["INGEST_ALLOW_UNSIGNED": "perhaps"])
        }
        #expect(unsigned?.problem == .invalid(value: "perhaps", expected: "true or false"))
        let none = await #expect(throws: ServiceConfigError.self) { try PacketIngestSettings.authentication(try await load([])) }
        #expect(none?.key == "ingest.serversFile")
        let typo = await #expect(throws: ServiceConfigError.self) { try await load(["--server", "/reg"]) }
        #expect(typo?.problem == .unknownFlag("--server"))
    }

    @Test func helpShowsTheDefaults() {
        let help = SettingsHelp.text([("PacketIngest settings", PacketIngestSettings.command)])
        #expect(help.contains("--batch-size <value>    default: 5000"))
        #expect(help.contains("--group <value>    default: <topic prefix>.packet-ingest"))
        #expect(help.contains("--metrics-host <value>    default: 127.0.0.1"))
    }
}
