import Foundation
import Shared
import TestSupport
import Testing

/// The one skip condition of the broker and process tests, and the shared helpers' contracts.
@Suite struct TestEnvironmentTests {
    static let broker = ["KAFKA_BOOTSTRAP": "127.0.0.1:9092"]
    static let services = broker.merging(["KAFKATORIO_BIN_DIR": "/bin"]) { a, _ in a }

    @Test func withoutABrokerTheTestsAreSkippedAndTheReasonNamesWhatIsMissing() {
        for env in [[:], ["KAFKA_BOOTSTRAP": ""], ["KAFKATORIO_REQUIRE_BROKER": "0"]] {
            #expect(!TestEnvironment.runs(.broker, environment: env))
            #expect(!TestEnvironment.runs(.services, environment: env))
            #expect(TestEnvironment.skipReason(.broker, environment: env).contains("KAFKA_BOOTSTRAP not set"))
            #expect(
                TestEnvironment.skipReason(.services, environment: env)
                    .contains("KAFKA_BOOTSTRAP and KAFKATORIO_BIN_DIR not set"))
        }
        #expect(throws: SetupError.self) { try TestEnvironment.bootstrap(environment: [:]) }
    }

    @Test func aBrokerAloneRunsTheBrokerTestsButNotTheProcessTests() throws {
        #expect(TestEnvironment.runs(.broker, environment: Self.broker))
        #expect(!TestEnvironment.runs(.services, environment: Self.broker))
        #expect(TestEnvironment.skipReason(.services, environment: Self.broker).contains(": KAFKATORIO_BIN_DIR not set"))
        #expect(TestEnvironment.runs(.services, environment: Self.services))
        #expect(try TestEnvironment.bootstrap(environment: Self.broker) == "127.0.0.1:9092")
        #expect(try TestEnvironment.binDir(environment: Self.services).path == "/bin")
    }

    @Test func requiringTheBrokerRunsTheTestsSoAMissingBrokerFailsThem() {
        let env = ["KAFKATORIO_REQUIRE_BROKER": "1"]
        #expect(TestEnvironment.runs(.broker, environment: env))
        #expect(TestEnvironment.runs(.services, environment: env))
        let error = #expect(throws: SetupError.self) { try TestEnvironment.bootstrap(environment: env) }
        #expect(error?.description.contains("KAFKA_BOOTSTRAP is not set (KAFKATORIO_REQUIRE_BROKER=1") == true)
    }

    @Test func theRootDefaultsToTheRepositoryThisWasBuiltFrom() {
        #expect(TestEnvironment.root(environment: ["KAFKATORIO_ROOT": "/x"]).path == "/x")
        let root = TestEnvironment.root(environment: [:])
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path))
    }

    @Test func splitMix64MatchesTheReferenceSequence() {
        // The first outputs of the reference C implementation (Vigna) for seed 0.
        var rng = SplitMix64(state: 0)
        let first: UInt64 = 0xE220_A839_7B1D_CDAF, second: UInt64 = 0x6E78_9E6A_A1B9_65F4
        #expect(rng.next() == first)
        #expect(rng.next() == second)
        var unit = SplitMix64(state: 0)
        #expect(unit.unit() == Double(first >> 11) / Double(UInt64(1) << 53))
    }

    @Test func zlibCompressRoundTripsThroughTheServicesInflater() throws {
        let text = Array(String(repeating: "KAFKATORIO/1 chat 1 1 {\"message\":\"zip\"}\n", count: 100).utf8)
        for level: Int32 in [1, 6, 12] {
            let packed = zlibCompress(text, level: level)
            #expect(packed.count < text.count / 10)
            #expect(try Inflate.inflate(packed, limit: text.count) == text)
        }
    }

    @Test func aFreePortIsAnUnprivilegedPortTheKernelChose() throws {
        #expect((1024...65535).contains(try TestEnvironment.freePort()))
    }
}
