import AnvilCore
import Foundation

/// One conversation: the root runs of a project that share a thread id.
public struct ThreadSummary: Sendable, Hashable {
    public var threadId: String
    public var traceCount: Int
    public var firstStartTime: Timestamp
    public var lastStartTime: Timestamp
    public var lastTraceId: UUID
    public var lastRunId: UUID
    public var lastName: String?
    /// Inputs of the first turn and outputs of the last, for previews.
    public var firstInputs: RawJSON?
    public var lastOutputs: RawJSON?
    public var totalTokens: Int64
    public var totalCost: Double?
    public var errorCount: Int

    public init(threadId: String, traceCount: Int, firstStartTime: Timestamp, lastStartTime: Timestamp, lastTraceId: UUID, lastRunId: UUID) {
        self.threadId = threadId
        self.traceCount = traceCount
        self.firstStartTime = firstStartTime
        self.lastStartTime = lastStartTime
        self.lastTraceId = lastTraceId
        self.lastRunId = lastRunId
        self.totalTokens = 0
        self.errorCount = 0
    }
}

public struct ThreadPage: Sendable {
    public var threads: [ThreadSummary]
    public var total: Int

    public init(threads: [ThreadSummary], total: Int) {
        self.threads = threads
        self.total = total
    }
}

/// Aggregates of a project's traces (root runs) in one time bucket, for the monitor charts.
public struct MonitorBucket: Sendable, Hashable {
    public var start: Timestamp
    public var traces = 0
    public var errors = 0
    public var latencyP50: Double?
    public var latencyP99: Double?
    public var promptTokens: Int64 = 0
    public var completionTokens: Int64 = 0
    public var totalTokens: Int64 = 0
    public var totalCost: Double?
    /// Feedback on the bucket's traces (any run of them), by key: count and mean score.
    public var feedback: [String: (n: Int, avg: Double?)] = [:]

    public init(start: Timestamp) { self.start = start }

    public static func == (a: MonitorBucket, b: MonitorBucket) -> Bool {
        a.start == b.start && a.traces == b.traces && a.errors == b.errors && a.latencyP50 == b.latencyP50
            && a.latencyP99 == b.latencyP99 && a.totalTokens == b.totalTokens && a.totalCost == b.totalCost
            && a.feedback.mapValues { "\($0.n)/\($0.avg ?? -1)" } == b.feedback.mapValues { "\($0.n)/\($0.avg ?? -1)" }
    }

    public func hash(into h: inout Hasher) { h.combine(start); h.combine(traces) }
}

/// Reads the web UI needs beyond LangSmith's public API.
public protocol UITraceQueries: Sendable {
    /// Every posted run of a trace in dotted order, payloads omitted, at most `limit`.
    func traceRuns(traceId: UUID, tenantId: UUID, limit: Int) async throws -> [Run]
    /// A project's threads, most recent activity first; `search` matches the thread id.
    func threads(projectId: UUID, tenantId: UUID, search: String?, limit: Int, offset: Int) async throws -> ThreadPage
    /// Root-run aggregates per bucket over `[start, end)`.
    func monitor(projectId: UUID, tenantId: UUID, start: Timestamp, end: Timestamp, bucketSeconds: Int64) async throws -> [MonitorBucket]
}
