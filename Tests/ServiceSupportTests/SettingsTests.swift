import Foundation
import ServiceSupport
import Testing
import Settings

/// A JSON configuration file in a fresh temporary directory; its path.
func configFile(_ json: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("config.json").path
    try json.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// The layered configuration of the common settings, from these arguments and environment.
func common(_ arguments: [String], env: [String: String] = [:]) async throws(ServiceConfigError) -> ServiceConfig {
    try await ServiceConfig.load(arguments: arguments, settings: CommonSettings.service, environment: env)
}

/// The configuration error `body` throws, or nil (also for any other error).
func configError(_ body: () async throws -> Void) async -> ServiceConfigError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? ServiceConfigError
    }
}

@Suite struct SettingsLayerTests {
    @Test func flagBeatsEnvironmentBeatsFileBeatsDefault() async throws {
        let file = try configFile(#"{"metrics": {"port": 9300, "host": "10.0.0.1"}, "kafka": {"topicPrefix": "file"}}"#)
        let env = ["CONFIG_FILE": file, "METRICS_PORT": "9200", "KAFKA_TOPIC_PREFIX": "env"]
        let all = try await common(["--metrics-port", "9100"], env: env)
        #expect(try all.value(CommonSettings.metricsPort) == 9100)
        #expect(try all.value(CommonSettings.topicPrefix) == "env")
        #expect(try all.value(CommonSettings.metricsHost) == "10.0.0.1")
        let envOverFile = try await common([], env: env)
        #expect(try envOverFile.value(CommonSettings.metricsPort) == 9200)
        let fileOnly = try await common(["--config", file])
        #expect(try fileOnly.value(CommonSettings.metricsPort) == 9300)
        #expect(try fileOnly.value(CommonSettings.topicPrefix) == "file")
        let none = try await common([])
        #expect(try none.value(CommonSettings.metricsPort) == 0)
        #expect(try none.value(CommonSettings.metricsHost) == "127.0.0.1")
        #expect(try none.value(CommonSettings.kafkaBootstrap) == "127.0.0.1:9092")
    }

    @Test func flagsTakeBothSpellingsAndListsKeepTheirCommas() async throws {
        let c = try await common(["--kafka-bootstrap=a:1,b:2", "--kafka-properties", "x=1,y=2", "--log-level", "debug"])
        #expect(try c.value(CommonSettings.kafkaBootstrap) == "a:1,b:2")
        #expect(try c.value(CommonSettings.kafkaProperties) == ["x=1", "y=2"])
        let kafka = try KafkaSettings(config: c, service: "svc")
        #expect(kafka.properties == ["x": "1", "y": "2"])
        #expect(kafka.clientID == "svc")
        let file = try configFile(#"{"kafka": {"properties": ["a=b"], "bootstrap": "h:9"}}"#)
        let f = try await common(["--config", file])
        #expect(try f.value(CommonSettings.kafkaProperties) == ["a=b"])
        #expect(try f.value(CommonSettings.kafkaBootstrap) == "h:9")
    }

    @Test func aWrongValueNamesTheKeyAndTheValue() async throws {
        let flag = await configError { _ = try await common(["--metrics-port", "http"]) }
        #expect(flag?.key == "metrics.port")
        #expect(flag?.description == "--metrics-port / metrics.port / METRICS_PORT: 'http' is not valid; expected an integer 0...65535")
        let env = await configError { _ = try await common([], env: ["LOG_LEVEL": "loud"]) }
        #expect(env?.key == "log.level")
        #expect(env?.description.contains("'loud'") == true)
        let file = try configFile(#"{"kafka": {"partitions": {"map": 0}}}"#)
        let inFile = await configError { _ = try await common(["--config", file]) }
        #expect(inFile?.key == "kafka.partitions.map")
        #expect(inFile?.problem == .invalid(value: "0", expected: "an integer 1...10000"))
        let property = await configError { _ = try KafkaSettings(config: try await common(["--kafka-properties", "novalue"]), service: "s") }
        #expect(property?.key == "kafka.properties")
    }

    @Test func anUnknownFlagOrAMissingValueIsAnError() async throws {
        let unknown = await configError { _ = try await common(["--metrics-prot", "9"]) }
        #expect(unknown?.problem == .unknownFlag("--metrics-prot"))
        let stray = await configError { _ = try await common(["9100"]) }
        #expect(stray?.problem == .unknownFlag("9100"))
        let missing = await configError { _ = try await common(["--metrics-port", "--log-level", "info"]) }
        #expect(missing?.key == "metrics.port")
        #expect(missing?.problem == .missingValue)
        let file = await configError { _ = try await common(["--config", "/nonexistent/kafkatorio.json"]) }
        #expect(file?.key == "configFile")
    }

    @Test func togglesAndOptionalStrings() async throws {
        let stdin = Setting.toggle("test.stdin", flag: "stdin", help: "h")
        let name = Setting.optionalString("test.name", flag: "name", help: "h")
        let settings = [stdin.erased, name.erased]
        let bare = try await ServiceConfig.load(arguments: ["--stdin"], settings: settings, environment: [:])
        #expect(try bare.value(stdin) == true)
        #expect(try bare.value(name) == nil)
        let off = try await ServiceConfig.load(arguments: ["--stdin=false", "--name="], settings: settings, environment: ["TEST_STDIN": "true"])
        #expect(try off.value(stdin) == false)
        #expect(try off.value(name) == nil)
        let env = try await ServiceConfig.load(arguments: [], settings: settings, environment: ["TEST_STDIN": "yes", "TEST_NAME": "n"])
        #expect(try env.value(stdin) == true)
        #expect(try env.value(name) == "n")
        let bad = await configError { _ = try await ServiceConfig.load(arguments: [], settings: settings, environment: ["TEST_STDIN": "maybe"]) }
        #expect(bad?.problem == .invalid(value: "maybe", expected: "true or false"))
    }

    @Test func helpShowsEverySettingWithItsDefault() {
        let help = SettingsHelp.text([("Common settings", CommonSettings.service)])
        #expect(help.contains("--metrics-port <value>    default: 0"))
        #expect(help.contains("--metrics-host <value>    default: 127.0.0.1"))
        #expect(help.contains("--kafka-bootstrap <value>    default: 127.0.0.1:9092"))
        #expect(help.contains("env METRICS_PORT, file key metrics.port"))
        for s in CommonSettings.service { #expect(help.contains("--\(s.flag)")) }
    }

    @Test func everyFlagKeyAndEnvironmentNameIsDeclaredOnce() {
        let all = CommonSettings.service
        #expect(Set(all.map(\.flag)).count == all.count)
        #expect(Set(all.map(\.key)).count == all.count)
        #expect(Set(all.map(\.environmentName)).count == all.count)
    }
}
