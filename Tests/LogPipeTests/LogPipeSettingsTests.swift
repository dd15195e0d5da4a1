import Foundation
import ServiceSupport
import Testing

import LogPipeCore
import Settings

/// LogPipe's configuration built from swift-configuration's layers (no broker).
@Suite struct LogPipeSettingsTests {
    func load(_ arguments: [String], env: [String: String] = [:]) async throws -> ServiceConfig {
        try await ServiceConfig.load(arguments: arguments, settings: LogPipeSettings.command, environment: env)
    }

    @Test func flagBeatsEnvironmentBeatsFileBeatsDefault() async throws {
        let file = NSTemporaryDirectory() + "logpipe-\(UUID().uuidString).json"
        try #"{"logpipe": {"maxLineBytes": 3000, "console": "drop", "serverId": "from-file", "file": "/f"}}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let env = ["CONFIG_FILE": file, "LOGPIPE_MAX_LINE_BYTES": "2000", "LOGPIPE_SERVER_ID": "from-env"]
        let flag = try LogPipeConfiguration(config: try await load(["--max-line-bytes", "1024"], env: env))
        #expect(flag.maxLineBytes == 1024)
        #expect(flag.serverID == "from-env")
        #expect(flag.shipConsole == false)
        #expect(flag.input == .file("/f"))
        let environment = try LogPipeConfiguration(config: try await load([], env: env))
        #expect(environment.maxLineBytes == 2000)
        let fromFile = try LogPipeConfiguration(config: try await load(["--config", file]))
        #expect(fromFile.maxLineBytes == 3000)
        #expect(fromFile.serverID == "from-file")
        let defaults = try LogPipeConfiguration(config: try await load(["--stdin", "--server-id", "s"]))
        let plain = LogPipeConfiguration(input: .stdin, serverID: "s")
        #expect(defaults.input == .stdin)
        #expect(defaults.maxLineBytes == 524_288 && plain.maxLineBytes == 524_288)
        #expect(defaults.batchLines == 2048 && plain.batchLines == 2048)
        #expect(defaults.maxInFlightLines == 20_000 && defaults.maxInFlightBytes == 32 << 20)
        #expect(defaults.stallTimeout == .seconds(20) && plain.stallTimeout == .seconds(20))
        #expect(defaults.compression == "lz4" && defaults.linger == .milliseconds(5))
        #expect(defaults.shipConsole && !defaults.startAtEnd && !defaults.exitAtEnd && defaults.checkpointPath == nil)
    }

    @Test func everyFlagReachesItsField() async throws {
        let c = try LogPipeConfiguration(
            config: try await load([
                "--file", "/log", "--server-id", "srv", "--checkpoint", "/ck", "--start-at", "end", "--secret-file", "/s",
                "--console", "drop", "--stall-timeout", "2.5", "--compression", "zstd", "--linger-ms", "0",
                "--batch-lines", "7", "--max-in-flight-lines", "8", "--max-in-flight-bytes", "4096", "--exit-at-end",
            ]))
        #expect(c.input == .file("/log") && c.serverID == "srv" && c.checkpointPath == "/ck" && c.startAtEnd)
        #expect(c.secretFile == "/s" && !c.shipConsole && c.stallTimeout == .milliseconds(2500))
        #expect(c.compression == "zstd" && c.linger == .zero && c.batchLines == 7)
        #expect(c.maxInFlightLines == 8 && c.maxInFlightBytes == 4096 && c.exitAtEnd)
    }

    @Test func wrongValuesAndUnknownFlagsNameTheKey() async throws {
        let start = await #expect(throws: ServiceConfigError.self) { try await load(["--start-at", "middle"]) }
        #expect(start?.key == "logpipe.startAt")
        #expect(start?.description.contains("'middle'") == true)
        let size = await #expect(throws: ServiceConfigError.self) { try await load([], env: ["LOGPIPE_MAX_LINE_BYTES": "12"]) }
        #expect(size?.key == "logpipe.maxLineBytes")
        let id = await #expect(throws: ServiceConfigError.self) { try await load(["--server-id", "a b"]) }
        #expect(id?.problem == .invalid(value: "a b", expected: "1-64 characters of A-Z a-z 0-9 . _ -"))
        // The old spelling of the metrics port is gone: a typo or a stale flag is an error.
        let old = await #expect(throws: ServiceConfigError.self) { try await load(["--http-port", "0"]) }
        #expect(old?.problem == .unknownFlag("--http-port"))
        let both = await #expect(throws: ServiceConfigError.self) {
            try LogPipeConfiguration(config: try await load(["--stdin", "--file", "/f", "--server-id", "s"]))
        }
        #expect(both?.key == "logpipe.file")
        let noID = await #expect(throws: ServiceConfigError.self) {
            try LogPipeConfiguration(config: try await load(["--stdin"]))
        }
        #expect(noID?.key == "logpipe.serverId")
    }

    @Test func inputSelectsWhatFileIs() async throws {
        let docker = try LogPipeConfiguration(
            config: try await load(["--input", "docker-json", "--file", "/c-json.log", "--server-id", "s", "--checkpoint", "/ck"]))
        #expect(docker.input == .dockerJSON("/c-json.log", streams: .stdout) && docker.checkpointPath == "/ck")
        let both = try LogPipeConfiguration(
            config: try await load(["--file", "/c"], env: ["LOGPIPE_INPUT": "docker-json", "LOGPIPE_DOCKER_STREAMS": "stdout,stderr", "LOGPIPE_SERVER_ID": "s"]))
        #expect(both.input == .dockerJSON("/c", streams: [.stdout, .stderr]))
        for value in ["stdout", "stderr", "stdout,stderr"] { #expect(DockerStreams(setting: value).setting == value) }
        #expect(try LogPipeConfiguration(config: try await load(["--file", "/f", "--server-id", "s"])).input == .file("/f"))
        let noFile = await #expect(throws: ServiceConfigError.self) {
            try LogPipeConfiguration(config: try await load(["--input", "docker-json", "--server-id", "s"]))
        }
        #expect(noFile?.key == "logpipe.file" && noFile?.description.contains("docker inspect") == true)
        let stdin = await #expect(throws: ServiceConfigError.self) {
            try LogPipeConfiguration(config: try await load(["--input", "docker-json", "--stdin", "--file", "/f", "--server-id", "s"]))
        }
        #expect(stdin?.key == "logpipe.stdin")
        let other = await #expect(throws: ServiceConfigError.self) { try await load(["--input", "syslog"]) }
        #expect(other?.key == "logpipe.input")
        let streams = await #expect(throws: ServiceConfigError.self) { try await load(["--docker-streams", "stdin"]) }
        #expect(streams?.key == "logpipe.dockerStreams")
    }

    @Test func journaldNeedsAUnitAndNoFile() async throws {
        let c = try LogPipeConfiguration(
            config: try await load(["--input", "journald", "--unit", "factorio@test", "--server-id", "s", "--checkpoint", "/ck"]))
        #expect(c.input == .journald(unit: "factorio@test.service", directory: nil) && c.checkpointPath == "/ck")
        let dir = try LogPipeConfiguration(
            config: try await load(["--server-id", "s"], env: ["LOGPIPE_INPUT": "journald", "LOGPIPE_UNIT": "a.service", "LOGPIPE_JOURNAL_DIRECTORY": "/j"]))
        #expect(dir.input == .journald(unit: "a.service", directory: "/j"))
        let noUnit = await #expect(throws: ServiceConfigError.self) {
            try LogPipeConfiguration(config: try await load(["--input", "journald", "--server-id", "s"]))
        }
        #expect(noUnit?.key == "logpipe.unit")
        let withFile = await #expect(throws: ServiceConfigError.self) {
            try LogPipeConfiguration(config: try await load(["--input", "journald", "--unit", "u", "--file", "/f", "--server-id", "s"]))
        }
        #expect(withFile?.key == "logpipe.file")
        let wrong = await #expect(throws: ServiceConfigError.self) { try await load(["--input", "syslog"]) }
        #expect(wrong?.key == "logpipe.input")
    }

    @Test func helpShowsTheDefaults() {
        let help = SettingsHelp.text([("LogPipe settings", LogPipeSettings.command)])
        #expect(help.contains("--max-line-bytes <value>    default: 524288"))
        #expect(help.contains("--max-in-flight-lines <value>    default: 20000"))
        #expect(help.contains("--metrics-port <value>    default: 0"))
        #expect(help.contains("--stdin    default: false"))
        #expect(help.contains("--input <value>    default: file"))
        #expect(help.contains("--docker-streams <value>    default: stdout"))
        #expect(Set(LogPipeSettings.command.map(\.flag)).count == LogPipeSettings.command.count)
    }
}
