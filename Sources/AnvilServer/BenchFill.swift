import AnvilCore
import AnvilSQLite
import AnvilStorage
import Foundation
import Logging

/// Fills a data directory with a large, realistic trace store for the query benchmarks
/// (`anvil bench-fill`, hidden; driven by `bench/query_scale.py`).
///
/// The store is written through the same code the ingest worker uses: projects through
/// ``ProjectStore/projectNamed(_:tenantId:)``, runs as complete `post` updates through
/// ``TraceStore/write(runs:feedback:tenantId:)``, one transaction per batch, so every derived column
/// (status, usage, roll-ups, thread ids) is what ingest would have produced. Only HTTP decoding and
/// the durable queue are skipped; the ingest benchmarks measure those.
///
/// The data: `projects` projects with Zipf-distributed sizes (project 0 is the largest), traces in
/// start-time order spread over the last `days` days, of four shapes (chain + 2 LLM calls; a single
/// LLM call; an agent with LLM, tool and retriever steps; a RAG pipeline), user/session/tier
/// metadata on roots, token usage on LLM runs, 3% failed roots, and `bigTraces` traces of exactly
/// 1,000 runs in project 0. Deterministic for a given seed. A manifest (`bench-fill.json`) records
/// the tenant, the projects and their sizes, the big traces and the time range.
public struct BenchFill: Sendable {
    public var dataDir: String
    public var runs: Int
    public var projects: Int
    public var days: Int
    public var batchRuns: Int
    public var bigTraces: Int
    public var seed: UInt64

    public init(dataDir: String, runs: Int, projects: Int, days: Int = 30, batchRuns: Int = 5000, bigTraces: Int = 5, seed: UInt64 = 42) {
        self.dataDir = dataDir
        self.runs = runs
        self.projects = projects
        self.days = days
        self.batchRuns = batchRuns
        self.bigTraces = bigTraces
        self.seed = seed
    }

    public func run(logger: Logger) async throws {
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let metadata = try SQLiteMetadataStore(path: dataDir + "/metadata.sqlite", logger: logger)
        let traces = try SQLiteTraceStore(path: dataDir + "/traces.sqlite", logger: logger)
        let workspace = try await metadata.bootstrapDefaultWorkspace()
        let tenant = workspace.id

        var projectIds: [UUID] = []
        for i in 0..<projects {
            projectIds.append(try await metadata.projectNamed(Self.projectName(i), tenantId: tenant).id)
        }
        // Zipf(1) project weights as a cumulative table.
        var cumulative: [Double] = []
        var total = 0.0
        for i in 0..<projects {
            total += 1 / Double(i + 1)
            cumulative.append(total)
        }

        var rng = SplitMix64(seed: seed)
        let now = Timestamp.now().microseconds
        let span = Int64(days) * 86_400_000_000
        let first = now - span
        let averageRunsPerTrace = 3.4
        let expectedTraces = max(1, Int(Double(runs) / averageRunsPerTrace))
        let step = max(1, span / Int64(expectedTraces))
        // Big traces at evenly spaced points of the fill.
        let bigEvery = bigTraces > 0 ? max(1, runs / (bigTraces + 1)) : Int.max
        var bigTraceIds: [String] = []
        var runsPerProject = [Int](repeating: 0, count: projects)

        var written = 0
        var clock = first
        var batch: [RunUpdate] = []
        batch.reserveCapacity(batchRuns + 1000)
        let started = Date()
        var nextBig = bigEvery
        while written + batch.count < runs {
            clock += Int64.random(in: step / 2...step * 3 / 2, using: &rng)
            let start = Timestamp(microseconds: min(clock, now - 60_000_000))
            var project = Self.pick(cumulative, total: total, rng: &rng)
            var traceRuns: [RunUpdate]
            if written + batch.count >= nextBig && bigTraceIds.count < bigTraces {
                project = 0
                traceRuns = Self.bigTrace(start: start, project: projectIds[project], rng: &rng)
                bigTraceIds.append(traceRuns[0].id.lowercased)
                nextBig += bigEvery
            } else {
                traceRuns = Self.trace(start: start, project: projectIds[project], rng: &rng)
            }
            runsPerProject[project] += traceRuns.count
            batch += traceRuns
            if batch.count >= batchRuns {
                try await traces.write(runs: batch, feedback: [], tenantId: tenant)
                written += batch.count
                batch.removeAll(keepingCapacity: true)
                if written % (batchRuns * 100) < batchRuns {
                    let rate = Double(written) / Date().timeIntervalSince(started)
                    logger.notice("bench fill progress", metadata: ["runs.written": "\(written)", "runs.per_second": "\(Int(rate))"])
                }
            }
        }
        if !batch.isEmpty {
            try await traces.write(runs: batch, feedback: [], tenantId: tenant)
            written += batch.count
        }
        let seconds = Date().timeIntervalSince(started)
        let manifest: [String: Any] = [
            "tenant_id": tenant.lowercased, "runs": written, "seconds": seconds, "runs_per_second": Double(written) / seconds,
            "first_start_us": Int(first), "last_start_us": Int(clock), "days": days, "seed": Int(truncatingIfNeeded: seed),
            "projects": (0..<projects).map { i -> [String: Any] in
                ["name": Self.projectName(i), "id": projectIds[i].lowercased, "runs": runsPerProject[i]]
            },
            "big_traces": bigTraceIds,
        ]
        let data = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: dataDir + "/bench-fill.json"))
        logger.notice("bench fill done", metadata: ["runs.written": "\(written)", "seconds": "\(Int(seconds))"])
    }

    static func projectName(_ i: Int) -> String { "bench-p" + String(1_000_000 + i).dropFirst() }

    static func pick(_ cumulative: [Double], total: Double, rng: inout SplitMix64) -> Int {
        let x = Double.random(in: 0..<total, using: &rng)
        var lo = 0
        var hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// Run ids for a reproducible fill.
extension SplitMix64 {
    /// A version-7 UUID for an instant (48-bit Unix milliseconds, then random bits), the run ids
    /// the LangSmith SDK generates (`uuid7`). Time-ordered ids keep primary-key inserts near the
    /// B-tree's right edge, as they are in production.
    mutating func uuid7(at time: Timestamp) -> UUID {
        var b = uuid().uuid
        let ms = UInt64(max(0, time.microseconds / 1_000))
        withUnsafeMutableBytes(of: &b) { b in
            for i in 0..<6 { b[i] = UInt8(truncatingIfNeeded: ms >> (8 * UInt64(5 - i))) }
            b[6] = (b[6] & 0x0F) | 0x70
        }
        return UUID(uuid: b)
    }

    /// A random version-4 UUID.
    mutating func uuid() -> UUID {
        let a = next()
        let b = next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * UInt64(i)))
            bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (8 * UInt64(i)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
