// swift-tools-version:6.2
// Kafkatorio: a live web map of Factorio servers, built on Kafka.
import PackageDescription

/// Settings every Swift target of ours shares: Swift 6 language mode (strict concurrency), `any`
/// spelled out for existentials, and the two upcoming features that make the graph honest: every
/// module a file uses must be imported by that file (MemberImportVisibility), and an import is
/// internal unless marked `package`/`public` (InternalImportsByDefault).
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let log = Target.Dependency.product(name: "Logging", package: "swift-log")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let configuration = Target.Dependency.product(name: "Configuration", package: "swift-configuration")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")
let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let hummingbirdTesting = Target.Dependency.product(name: "HummingbirdTesting", package: "hummingbird")
let hummingbirdWS = Target.Dependency.product(name: "HummingbirdWebSocket", package: "hummingbird-websocket")
let hummingbirdWSTesting = Target.Dependency.product(name: "HummingbirdWSTesting", package: "hummingbird-websocket")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
let httpTypes = Target.Dependency.product(name: "HTTPTypes", package: "swift-http-types")
let unixSignals = Target.Dependency.product(name: "UnixSignals", package: "swift-service-lifecycle")
let collections = Target.Dependency.product(name: "Collections", package: "swift-collections")

let package = Package(
    name: "Kafkatorio",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "LogPipe", targets: ["LogPipe"]),
        .executable(name: "PacketIngest", targets: ["PacketIngest"]),
        .executable(name: "TileRenderer", targets: ["TileRenderer"]),
        .executable(name: "MapGateway", targets: ["MapGateway"]),
        .executable(name: "KafkatorioBench", targets: ["KafkatorioBench"]),
        .library(name: "Shared", targets: ["Shared"]),
        .library(name: "Kafka", targets: ["Kafka", "KafkaModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(
            url: "https://github.com/apple/swift-configuration.git", from: "1.0.0",
            traits: [.defaults, "JSON", "CommandLineArguments"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.5.0", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.2.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
    ],
    targets: [
        // MARK: C libraries (system, found with pkg-config)
        .systemLibrary(
            name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(
            name: "CLibDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(
            name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CRocksDB", pkgConfig: "rocksdb", providers: [.apt(["librocksdb-dev"])]),

        // MARK: Libraries
        /// The one way to run blocking work off the cooperative pool (a serial task/serial executor).
        .target(name: "Blocking", swiftSettings: swiftSettings),
        /// Kafka's plain values (records, headers, partitions, client settings, the rebalance inbox,
        /// backoff): what pure cores publish and read, with no librdkafka.
        .target(name: "KafkaModel", dependencies: [metrics], swiftSettings: swiftSettings),
        /// The one wrapper around librdkafka: nothing else imports CRdKafka.
        .target(
            name: "Kafka", dependencies: ["CRdKafka", "KafkaModel", "Blocking", log, metrics, lifecycle],
            swiftSettings: swiftSettings),
        /// The one wrapper around libsystemd's sd-journal: nothing else imports CSystemd.
        .target(name: "Journal", dependencies: ["CSystemd"], swiftSettings: swiftSettings),
        /// The one wrapper around RocksDB (persistent local state stores): nothing else imports CRocksDB.
        .target(name: "LocalStore", dependencies: ["CRocksDB"], swiftSettings: swiftSettings),
        /// Packet model v1, line format, codecs, topic names, line signatures and hex shared by every binary.
        .target(name: "Shared", dependencies: ["CLibDeflate", crypto], swiftSettings: swiftSettings),
        /// Palette PNG encoding (hand-written container + libdeflate) and a strict decoder.
        .target(name: "PalettePNG", dependencies: ["CLibDeflate"], swiftSettings: swiftSettings),
        /// Every setting declared once (key, flag, default, help, parse), the one configuration
        /// error, and the values a configuration struct is built from (``SettingValues``); pure.
        .target(name: "Settings", dependencies: ["Shared", "KafkaModel"], swiftSettings: swiftSettings),
        /// Metrics and health: the Prometheus registry, `HealthStatus`, the `/metrics` + `/healthz` server.
        .target(
            name: "Observability", dependencies: [log, metrics, prometheus, lifecycle, hummingbird],
            swiftSettings: swiftSettings),
        /// What the four executables share: the layered configuration reader (command line,
        /// environment, JSON file), `--help` from the setting declarations, the service runner.
        .target(
            name: "ServiceSupport",
            dependencies: [
                "Kafka", "KafkaModel", "Observability", "Settings", "Shared", log, metrics, lifecycle, configuration, prometheus,
                argumentParser, hummingbird, .product(name: "SystemPackage", package: "swift-system"),
             unixSignals],
            swiftSettings: swiftSettings),

        // MARK: Service cores (pure logic + Kafka wiring, unit-tested)
        .target(
            name: "LogPipeCore",
            dependencies: ["KafkaModel", "Settings", "Shared", .product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: swiftSettings),
        /// LogPipe's IO: file and stdin readers, the checkpoint file, the producer loop (a Service).
        .target(
            name: "LogPipeService",
            dependencies: ["LogPipeCore", "Blocking", "Journal", "Kafka", "KafkaModel", "Settings", "Shared", "Observability", log, metrics, lifecycle],
            swiftSettings: swiftSettings),
        /// PacketIngest's pure logic: authenticate, deduplicate, validate, route (no IO).
        .target(
            name: "PacketIngestCore", dependencies: ["KafkaModel", "Settings", "Shared"],
            swiftSettings: swiftSettings),
        /// PacketIngest's IO: the consumer/producer loop, the Kafka clients, the registry file watcher.
        .target(
            name: "PacketIngestService",
            dependencies: [
                "PacketIngestCore", "Blocking", "Kafka", "KafkaModel", "Settings", "Shared", "Observability", log, metrics,
                lifecycle,
            ],
            swiftSettings: swiftSettings),
        /// TileRenderer's pure logic: map state, rasterizing, pyramid, the detail loop's state machine.
        .target(
            name: "TileRendererCore", dependencies: ["KafkaModel", "Settings", "Shared", "PalettePNG"],
            swiftSettings: swiftSettings),
        /// TileRenderer's IO: the detail and pyramid workers (Kafka, BlockingExecutor, metrics, lifecycle).
        .target(
            name: "TileRendererService",
            dependencies: ["TileRendererCore", "Kafka", "KafkaModel", "Blocking", "Shared", "LocalStore", log, metrics, lifecycle],
            swiftSettings: swiftSettings),
        /// MapGateway's pure logic: configuration, live state, tile addresses and records, the fast
        /// path's state machine and parser, viewer auth, and the page's files (no HTTP server, NIO or Kafka).
        .target(
            name: "MapGatewayCore", dependencies: ["Shared", "Settings", metrics, crypto],
            // The web page (HTML, ES modules, CSS), compiled into the binary: nothing to install beside it.
            resources: [.embedInCode("Web")],
            swiftSettings: swiftSettings),
        /// MapGateway's IO: Hummingbird/NIO routes and servers, the tile fast path, the Kafka feed.
        .target(
            name: "MapGatewayServer",
            dependencies: [
                "MapGatewayCore", "Kafka", "KafkaModel", "LocalStore", "Settings", "Shared", "Observability", log, metrics, lifecycle,
                hummingbird, hummingbirdWS,
                prometheus, .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"), .product(name: "HummingbirdCore", package: "hummingbird"),
             httpTypes, "Blocking", .product(name: "NIOHTTPTypes", package: "swift-nio-extras")],
            swiftSettings: swiftSettings),

        // MARK: Executables (thin: parse configuration, run a ServiceGroup)
        .executableTarget(
            name: "LogPipe",
            dependencies: [
                "LogPipeCore", "LogPipeService", "ServiceSupport", "Observability", "Settings", "Kafka", "KafkaModel", "Shared", argumentParser,
                lifecycle, log,
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "PacketIngest",
            dependencies: [
                "PacketIngestCore", "PacketIngestService", "ServiceSupport", "Observability", "Settings", "Kafka", "KafkaModel", argumentParser,
                lifecycle, log,
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "TileRenderer",
            dependencies: [
                "TileRendererCore", "TileRendererService", "ServiceSupport", "Observability", "Settings", "Kafka", "KafkaModel", "Shared",
                "LocalStore", argumentParser, log, lifecycle,
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "MapGateway",
            dependencies: [
                "MapGatewayCore", "MapGatewayServer", "ServiceSupport", "Observability", "Settings", "Kafka", "KafkaModel", "Shared",
                argumentParser, log,
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "KafkatorioBench",
            dependencies: [
                "Shared", "PalettePNG", "TileRendererCore", "MapGatewayCore", "MapGatewayServer", "Kafka", "KafkaModel",
                "Settings", "ServiceSupport", "Observability", "TestSupport", argumentParser, hummingbird, log,
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),

        // MARK: Test support (tests and KafkatorioBench; not shipped)
        /// What tests and benchmarks share: the seeded generator, zlib compression, the broker/binary
        /// environment and its skip trait (`.needs(.broker)`), free ports, child processes, and the
        /// JSONDecoder reference codec of the packet line.
        .target(name: "TestSupport", dependencies: ["Shared", "CLibDeflate"], swiftSettings: swiftSettings),

        // MARK: Tests
        .testTarget(name: "TestSupportTests", dependencies: ["TestSupport", "Shared"], swiftSettings: swiftSettings),
        .testTarget(name: "BlockingTests", dependencies: ["Blocking"], swiftSettings: swiftSettings),
        .testTarget(name: "LocalStoreTests", dependencies: ["LocalStore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SharedTests", dependencies: ["Shared", "TestSupport", crypto],
            swiftSettings: swiftSettings),
        .testTarget(name: "ServiceSupportTests", dependencies: ["ServiceSupport", "Settings"], swiftSettings: swiftSettings),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "TestSupport", lifecycle, log, "KafkaModel", metrics], swiftSettings: swiftSettings),
        .testTarget(name: "PalettePNGTests", dependencies: ["PalettePNG", "TestSupport", "CLibDeflate"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TileRendererTests",
            dependencies: [
                "TileRendererCore", "PalettePNG", "Shared", "ServiceSupport", "Settings", "Kafka", "KafkaModel", "TileRendererService",
                "LocalStore", log,
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PacketIngestTests",
            dependencies: [
                "PacketIngestCore", "PacketIngestService", "Shared", "Kafka", "KafkaModel", "Settings", "ServiceSupport",
                "TestSupport", lifecycle, log,
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "LogPipeTests",
            dependencies: [
                "LogPipeCore", "LogPipeService", "Shared", "Kafka", "KafkaModel", "Settings", "ServiceSupport", "TestSupport",
                log, "Journal",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "MapGatewayTests",
            dependencies: [
                "MapGatewayCore", "MapGatewayServer", "Shared", "Settings", "ServiceSupport", "KafkaModel", "TestSupport", hummingbird, hummingbirdTesting,
                hummingbirdWS,
                hummingbirdWSTesting, prometheus, log, .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
             httpTypes],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Shared", "PalettePNG", "Kafka", "KafkaModel", "TestSupport", log,
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            swiftSettings: swiftSettings),
    ]
)
