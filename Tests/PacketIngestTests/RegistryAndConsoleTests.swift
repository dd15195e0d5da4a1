import Foundation
import Logging
import ServiceLifecycle
import Shared
import Testing

import PacketIngestCore
import PacketIngestService

@Suite struct ServerRegistryTests {
    @Test func parsesIdsSecretsAndComments() throws {
        let text = """
            # servers of the demo cluster
            demo   s3cret with spaces   # trailing comment
            \tnauvis-1\tabc#not-a-comment

            eu.2 x
            """
        let r = try ServerRegistry.parse(text)
        #expect(r.count == 3)
        let line = Array("KAFKATORIO/1 chat 1 1 {}".utf8)
        let id = RecordIdentity(kind: .raw, fingerprint: 1, offset: 2)
        func signature(_ secret: String, _ server: String) -> String {
            ProvenanceSigner(secret: secret, server: server).signature(id, value: line)
        }
        #expect(r.signers["demo"]?.verify(id, value: line, signature: signature("s3cret with spaces", "demo")) == true)
        #expect(r.signers["nauvis-1"]?.verify(id, value: line, signature: signature("abc#not-a-comment", "nauvis-1")) == true)
        #expect(r.signers["demo"]?.verify(id, value: line, signature: signature("s3cret with spaces", "nauvis-1")) == false)
        #expect(r.signers["eu.2"] != nil)
    }

    @Test func rejectsBrokenFilesNamingTheLine() {
        #expect(throws: ServerRegistryError(line: 2, message: "expected '<server-id> <secret>'")) { try ServerRegistry.parse("a x\nb\n") }
        #expect(throws: ServerRegistryError.self) { try ServerRegistry.parse("bad/id secret") }
        #expect(throws: ServerRegistryError(line: 2, message: "server a is listed twice")) { try ServerRegistry.parse("a x\na y") }
    }

    @Test(.timeLimit(.minutes(1))) func reloadsOnChangeAndKeepsThePreviousRegistryWhenBroken() async throws {
        let dir = try scratchDirectory("registry")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("servers")
        try "one secret1\n".write(to: file, atomically: true, encoding: .utf8)
        let watcher = try RegistryWatcher(path: file.path, interval: .milliseconds(50), logger: Logger(label: "test"))
        #expect(watcher.store.current.count == 1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await watcher.run() }
            func waitFor(_ condition: @escaping () -> Bool) async throws -> Bool {
                for _ in 0..<200 where !condition() { try await Task.sleep(for: .milliseconds(50)) }
                return condition()
            }
            try "one secret1\ntwo secret2\n".write(to: file, atomically: true, encoding: .utf8)
            #expect(try await waitFor { watcher.store.current.signers["two"] != nil })
            try "one secret1\nthree\n".write(to: file, atomically: true, encoding: .utf8)  // broken: no secret
            try await Task.sleep(for: .milliseconds(300))
            #expect(Set(watcher.store.current.signers.keys) == ["one", "two"])
            try "four secret4\n".write(to: file, atomically: true, encoding: .utf8)
            #expect(try await waitFor { Set(watcher.store.current.signers.keys) == ["four"] })
            group.cancelAll()
        }
    }
}

@Suite struct ConsoleParserTests {
    /// Lines from ../shared/research/factorio.md §6, verbatim.
    @Test func recognisesRealServerLines() {
        let cases: [(String, ConsoleEvent?)] = [
            ("2019-01-20 10:30:04 [JOIN] User joined the game", ConsoleEvent(kind: .join, player: "User")),
            ("2019-01-20 10:30:07 [CHAT] User: chat message", ConsoleEvent(kind: .chat, player: "User", message: "chat message")),
            ("2025-02-02 11:53:37 [CHAT] <server>: hello world", ConsoleEvent(kind: .chat, player: "<server>", message: "hello world")),
            ("2019-01-20 10:30:21 [LEAVE] User left the game", ConsoleEvent(kind: .leave, player: "User")),
            ("2019-01-20 15:46:34 [KICK] User was kicked by <server>. Reason: unspecified.", ConsoleEvent(kind: .kick, player: "User", message: "unspecified")),
            ("2019-01-20 15:47:50 [BAN] User was banned by <server>. Reason: unspecified.", ConsoleEvent(kind: .ban, player: "User", message: "unspecified")),
            ("6.161 Hosting game at IP ADDR:({0.0.0.0:34197})", ConsoleEvent(kind: .serverStarted, message: "Hosting game at IP ADDR:({0.0.0.0:34197})")),
            ("244.416 Info MainLoop.cpp:357: Saving map as /factorio/saves/_autosave1.zip", ConsoleEvent(kind: .saving, message: "Saving map as /factorio/saves/_autosave1.zip")),
            ("4802.763 Info AppManager.cpp:287: Saving to _autosave4 (blocking).", ConsoleEvent(kind: .saving, message: "Saving to _autosave4 (blocking).")),
            ("245.996 Info ServerMultiplayerManager.cpp:142: Quitting multiplayer connection.", ConsoleEvent(kind: .serverStopped, message: "Quitting multiplayer connection.")),
            ("1641.421 Goodbye", ConsoleEvent(kind: .serverStopped, message: "Goodbye")),
            ("2019-01-20 10:30:14 [COMMAND] User (command): blah", nil),
            ("2019-01-20 15:48:28 [UNBANNED] User was unbanned by <server>.", nil),
            ("4202.780 Info AppManagerStates.cpp:1802: Saving finished", nil),
            ("   1.306 Info RemoteCommandProcessor.cpp:131: Starting RCON interface at port 4000", nil),
            (" 344.683 Script =(command):1: test", nil),
            ("Error while running event level::on_nth_tick(1)", nil),
            ("2019-01-20 10:30:07 [CHAT] no separator", nil),
            ("", nil),
        ]
        for (line, expected) in cases { #expect(ConsoleParser.parse(line) == expected, "\(line)") }
    }
}
