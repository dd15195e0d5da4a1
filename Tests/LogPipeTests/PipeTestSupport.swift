import Foundation
import Kafka
import Logging
import Shared
import Synchronization
import TestSupport
import Testing
import KafkaModel

/// What the broker-backed LogPipe tests need from `make test`: the broker, the binaries, the repo.
enum PipeEnv {
    static func bootstrap() throws -> String { try TestEnvironment.bootstrap() }
    static func root() throws -> URL { TestEnvironment.root() }

    /// A run-unique name, e.g. `lp-kill-3f9a1c`.
    static func unique(_ what: String) -> String { "lp-\(what)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))" }

    static func tempDir(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static let logger: Logger = {
        var l = Logger(label: "logpipe-tests")
        l.logLevel = .critical
        return l
    }()

    /// Runs a script of the repository (broker start/stop) and returns its stdout. Spawned with
    /// posix_spawn and reaped with waitpid on a thread of its own (Foundation's Process could not
    /// reap a script whose background child lives on, and blocking waits must stay off the
    /// cooperative pool).
    @discardableResult
    static func script(_ name: String, _ args: [String]) async throws -> String {
        let path = try root().appendingPathComponent("scripts/\(name)").path
        return try await run(path, args, what: "scripts/\(name)")
    }

    /// Runs the program at `path` (stdin from the file `stdinPath`, or none) and returns its stdout;
    /// throws if it exits with another status than 0.
    @discardableResult
    static func run(_ path: String, _ args: [String], stdinPath: String? = nil, what: String? = nil) async throws -> String {
        let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("lp-script-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outPath) }
        let status: Int32 = await offPool {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            if let stdinPath { posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0) }
            let argv = ([path] + args).map { strdup($0) } + [nil]
            defer { for a in argv { free(a) } }
            // A clean signal state: the test process's threads may block SIGTERM, and a blocked
            // mask would be inherited by the broker, which then could not be stopped gracefully.
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var empty = sigset_t()
            sigemptyset(&empty)
            posix_spawnattr_setsigmask(&attributes, &empty)
            var defaults = sigset_t()
            sigemptyset(&defaults)
            sigaddset(&defaults, SIGTERM)
            sigaddset(&defaults, SIGINT)
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            var pid: pid_t = 0
            guard posix_spawn(&pid, path, &actions, &attributes, argv, environ) == 0 else { return -1 }
            var st: Int32 = 0
            while waitpid(pid, &st, 0) < 0 && errno == EINTR {}
            return (st & 0x7F) == 0 ? (st >> 8) & 0xFF : 128 + (st & 0x7F)
        }
        guard status == 0 else { throw PipeTestError("\(what ?? path) failed: \(status)") }
        let data = (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// SIGKILLs the private broker whose state directory is `state` (by its pid file): for a
    /// `defer`, no waiting, and its in-memory data is of no use any more.
    static func killBroker(_ state: String) {
        if let text = try? String(contentsOfFile: state + "/pid", encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            kill(pid, SIGKILL)
        }
    }

    /// LogPipe's `/metrics` on `port`, polled (up to 10 s) until it has `line`, and checked for
    /// every one of `expected`.
    static func expectMetrics(port: Int, after line: String, _ expected: [String]) async throws {
        var metrics = ""
        for _ in 0..<50 {
            metrics = String(decoding: try await httpGet("http://127.0.0.1:\(port)/metrics").body, as: UTF8.self)
            if metrics.contains(line) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        for expectedLine in expected { #expect(metrics.contains(expectedLine), "metrics lack \(expectedLine)") }
    }

}

struct PipeTestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

extension ServiceProcess {
    /// The real LogPipe binary as a child process (`LOG_LEVEL` from `LOGPIPE_TEST_LOG_LEVEL`, else
    /// info), its output in `logDir/<name>-<random>.log`.
    static func logPipe(_ arguments: [String], logDir: URL, name: String = "logpipe", stdin: Bool = false) throws
        -> ServiceProcess
    {
        let level = ProcessInfo.processInfo.environment["LOGPIPE_TEST_LOG_LEVEL"] ?? "info"
        return try ServiceProcess(
            "LogPipe", arguments: arguments, environment: ["LOG_LEVEL": level], logDir: logDir,
            logName: "\(name)-\(UUID().uuidString.prefix(8))", stdin: stdin)
    }
}

extension ServiceProcess {
    /// Runs LogPipe with `arguments` `rounds` times, each run ended by `end` (round, process) after a
    /// random 150…1200 ms; `end` returns whether it killed the run. Returns the number of kills.
    static func logPipeRounds(
        _ arguments: [String], logDir: URL, rounds: Int,
        end: (Int, ServiceProcess) async throws -> Bool = { _, pipe in
            await pipe.kill9()
            return true
        }
    ) async throws -> Int {
        var kills = 0
        for round in 0..<rounds {
            let pipe = try ServiceProcess.logPipe(arguments, logDir: logDir, name: "run\(round)")
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...1200)))
            if try await end(round, pipe) { kills += 1 }
        }
        return kills
    }
}

/// Appends lines to a log file like a game server does and remembers each line's offset.
final class LogWriter: @unchecked Sendable {
    let url: URL
    private let lock = Mutex<[(offset: UInt64, bytes: [UInt8])]>([])
    private var handle: FileHandle
    private var offset: UInt64

    init(_ url: URL) throws {
        self.url = url
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        handle = try FileHandle(forWritingTo: url)
        offset = handle.seekToEndOfFile()
    }

    /// Writes `lines` (each gets a newline) in one write.
    func write(_ lines: [[UInt8]]) {
        var data = [UInt8]()
        var written: [(UInt64, [UInt8])] = []
        for l in lines {
            written.append((offset + UInt64(data.count), l))
            data += l
            data.append(0x0A)
        }
        handle.write(Data(data))
        offset += UInt64(data.count)
        lock.withLock { $0 += written }
    }

    func write(_ lines: [String]) { write(lines.map { Array($0.utf8) }) }

    /// Continues in a new file at `url` (after the old one was renamed or truncated by the test).
    func reopen(truncate: Bool) throws {
        try handle.close()
        if truncate {
            guard Glibc.truncate(url.path, 0) == 0 else { throw PipeTestError("truncate failed: errno \(errno)") }
        }
        handle = try FileHandle(forWritingTo: url)
        offset = handle.seekToEndOfFile()
    }

    func close() { try? handle.close() }

    /// Every line written so far.
    var lines: [(offset: UInt64, bytes: [UInt8])] { lock.withLock { $0 } }
}

/// Realistic content: the mod's packet lines from the fixtures, engine and console lines.
enum LineMix {
    static let packets: [String] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/packets/valid.txt")
        // Split on bytes: in Swift "\r\n" is one Character, and the fixtures have a CRLF line.
        let bytes = (try? Data(contentsOf: url)).map { [UInt8]($0) } ?? []
        return bytes.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
            .filter { $0.hasPrefix("KAFKATORIO/") && $0.utf8.count < 8000 }
    }()

    /// Line `i` of a stream: mostly packets (made unique by their sequence field would change them,
    /// so uniqueness comes from the offset), some console and engine lines, a few empty lines.
    static func line(_ i: Int, tag: String) -> String {
        switch i % 10 {
        case 0: return "2026-11-24 12:00:\(String(format: "%02d", i % 60)) [CHAT] Alice: \(tag) message \(i)"
        case 1: return String(format: "%8.3f", Double(i) / 60) + " Info MainLoop.cpp:357: Saving map \(tag) \(i)"
        case 2 where i % 30 == 2: return ""
        default: return packets.isEmpty ? "KAFKATORIO/1 x \(i)" : packets[i % packets.count]
        }
    }
}

/// Reads topics with a fresh consumer group from the beginning.
final class TopicReader: Sendable {
    let consumer: KafkaConsumer
    private let seen = Mutex<[ConsumerMessage]>([])

    init(bootstrap: String, topics: [String]) throws {
        var client = KafkaClientConfiguration(bootstrapServers: bootstrap, clientID: PipeEnv.unique("reader"))
        client.properties["topic.metadata.refresh.interval.ms"] = "1000"
        consumer = try KafkaConsumer(
            configuration: ConsumerConfiguration(
                client: client, groupID: PipeEnv.unique("group"), topics: topics, strategy: .eager,
                sessionTimeout: .seconds(6)),
            logger: PipeEnv.logger)
    }

    /// Polls until `done(all messages so far)` or `timeout`; returns everything read.
    func read(timeout: Duration, until done: ([ConsumerMessage]) -> Bool) async throws -> [ConsumerMessage] {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if done(messages) { break }
            let batch = (try? await consumer.poll(maxMessages: 5000, timeout: .milliseconds(200))) ?? []
            seen.withLock { $0 += batch }
        }
        return messages
    }

    var messages: [ConsumerMessage] { seen.withLock { $0 } }

    func close() async { await consumer.shutdown() }
}

extension ConsumerMessage {
    var source: String { headerString("source") ?? "" }
    /// The offset part of the `source` header.
    var sourceOffset: UInt64 { UInt64(source.split(separator: ":").last ?? "") ?? .max }
}

/// The delivery check every scenario ends with: every expected line arrived at least once and,
/// after dedup by `source`, exactly once; nothing arrived that was not written.
struct DeliveryCheck {
    var missing: [String] = []
    var invented: [String] = []
    var conflicting: [String] = []
    var duplicates = 0
    var distinct = 0

    /// - Parameters:
    ///   - expected: the non-empty lines written, as values.
    ///   - messages: what the topics hold.
    init(expected: [[UInt8]], messages: [ConsumerMessage]) {
        var bySource: [String: [UInt8]] = [:]
        for m in messages {
            if let old = bySource[m.source] {
                duplicates += 1
                if old != m.value { conflicting.append(m.source) }
            } else {
                bySource[m.source] = m.value
            }
        }
        distinct = bySource.count
        var want: [[UInt8]: Int] = [:]
        for e in expected { want[e, default: 0] += 1 }
        var got: [[UInt8]: Int] = [:]
        for v in bySource.values { got[v, default: 0] += 1 }
        for (v, n) in want where got[v, default: 0] < n { missing.append(String(decoding: v.prefix(80), as: UTF8.self)) }
        for (v, n) in got where want[v, default: 0] < n { invented.append(String(decoding: v.prefix(80), as: UTF8.self)) }
    }

    var ok: Bool { missing.isEmpty && invented.isEmpty && conflicting.isEmpty }

    /// What went wrong, for an expectation's message.
    var problems: String {
        "missing \(missing.count) \(missing.prefix(3)), invented \(invented.prefix(3)), conflicting \(conflicting.prefix(3))"
    }

    /// Reads the raw and console topics of `prefix` until every expected line arrived (or 60 s)
    /// and checks them; returns the check and the records.
    static func reading(prefix: String, expected: [[UInt8]]) async throws -> (DeliveryCheck, [ConsumerMessage]) {
        let topics = Topics(prefix: prefix)
        let reader = try TopicReader(bootstrap: try PipeEnv.bootstrap(), topics: [topics.raw, topics.console])
        let messages = try await reader.read(timeout: .seconds(60)) { Set($0.map(\.source)).count >= expected.count }
        await reader.close()
        return (DeliveryCheck(expected: expected, messages: messages), messages)
    }
}
