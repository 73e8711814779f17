import AnvilServer
import ArgumentParser
import Logging

/// `anvil bench-fill`: a large synthetic store for the query benchmarks (hidden; see
/// `bench/query_scale.py` and `BenchFill`).
struct BenchFillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-fill",
        abstract: "Fill a data directory with synthetic traces for benchmarks (writes through the trace store).",
        shouldDisplay: false)

    @Option(name: .customLong("data-dir"), help: "Data directory to fill (created if missing).")
    var dataDir: String

    @Option(help: "Number of runs to write.")
    var runs: Int = 10_000_000

    @Option(help: "Number of projects (Zipf-distributed sizes).")
    var projects: Int = 3_000

    @Option(help: "Days of history the start times spread over, ending now.")
    var days: Int = 30

    @Option(name: .customLong("batch-runs"), help: "Runs per store write (one transaction).")
    var batchRuns: Int = 5_000

    @Option(name: .customLong("big-traces"), help: "Traces of 1,000 runs to include in the largest project.")
    var bigTraces: Int = 5

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    func run() async throws {
        var logger = Logger(label: "anvil.bench-fill")
        logger.logLevel = .notice
        try await BenchFill(
            dataDir: dataDir, runs: runs, projects: projects, days: days, batchRuns: batchRuns, bigTraces: bigTraces, seed: seed
        ).run(logger: logger)
    }
}
