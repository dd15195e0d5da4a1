import ArgumentParser

/// `KafkatorioBench`: micro-benchmarks of Kafkatorio's hot paths, one subcommand each.
@main
struct KafkatorioBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "KafkatorioBench",
        abstract: "Benchmarks of Kafkatorio's hot paths (build with -c release).",
        subcommands: [
            CodecBenchmark.self, PNGBenchmark.self, RendererBenchmark.self, IngestLoad.self, TilesWrite.self,
            GatewayServe.self, WSClients.self, SnapshotBenchmark.self, InspectGridBenchmark.self, HistoryBenchmark.self,
        ])
}

