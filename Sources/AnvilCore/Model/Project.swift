import Foundation

/// A tracing project (LangSmith's "tracer session"). Experiments are projects with a reference dataset.
public struct Project: Sendable, Hashable {
    public var id: UUID
    public var tenantId: UUID
    public var name: String
    public var description: String?
    public var extra: JSONValue?
    public var startTime: Timestamp
    public var endTime: Timestamp?
    public var referenceDatasetId: UUID?
    public var defaultDatasetId: UUID?

    public init(
        id: UUID = UUID(), tenantId: UUID, name: String, description: String? = nil, extra: JSONValue? = nil,
        startTime: Timestamp = .now(), endTime: Timestamp? = nil, referenceDatasetId: UUID? = nil,
        defaultDatasetId: UUID? = nil
    ) {
        self.id = id
        self.tenantId = tenantId
        self.name = name
        self.description = description
        self.extra = extra
        self.startTime = startTime
        self.endTime = endTime
        self.referenceDatasetId = referenceDatasetId
        self.defaultDatasetId = defaultDatasetId
    }

    /// `extra.metadata`, where the SDK puts a project's metadata.
    public var metadata: [String: JSONValue] { extra?["metadata"]?.objectValue ?? [:] }
}

/// Aggregates over a project's runs, as LangSmith reports them with `include_stats`.
public struct ProjectStats: Sendable, Hashable {
    public var runCount: Int = 0
    public var latencyP50: Double?
    public var latencyP99: Double?
    public var firstTokenP50: Double?
    public var firstTokenP99: Double?
    public var promptTokens: Int64 = 0
    public var completionTokens: Int64 = 0
    public var totalTokens: Int64 = 0
    public var promptCost: Double?
    public var completionCost: Double?
    public var totalCost: Double?
    public var errorRate: Double?
    public var lastRunStartTime: Timestamp?
    /// Feedback on the project's runs, by key.
    public var feedbackStats: [String: FeedbackStats] = [:]
    /// Feedback on the project itself (summary evaluators), by key.
    public var sessionFeedbackStats: [String: FeedbackStats] = [:]

    public init() {}
}

/// Per-key feedback aggregate: count, mean score and value counts, as in LangSmith's `feedback_stats`.
public struct FeedbackStats: Sendable, Hashable {
    public var n: Int = 0
    public var avg: Double?
    public var stdev: Double?
    public var errors: Int = 0
    public var values: [String: Int] = [:]
    public var comments: [String] = []

    public init() {}
}

extension FeedbackStats {
    /// Aggregates feedback rows by key.
    public static func aggregate(_ feedback: [Feedback]) -> [String: FeedbackStats] {
        var byKey: [String: [Feedback]] = [:]
        for f in feedback { byKey[f.key, default: []].append(f) }
        return byKey.mapValues { rows in
            var s = FeedbackStats()
            s.n = rows.count
            let scores = rows.compactMap(\.numericScore)
            if !scores.isEmpty {
                let mean = scores.reduce(0, +) / Double(scores.count)
                s.avg = mean
                s.stdev = (scores.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(scores.count)).squareRoot()
            }
            s.errors = rows.filter { $0.error == true }.count
            for r in rows {
                if case .string(let v)? = r.value { s.values[v, default: 0] += 1 }
            }
            s.comments = rows.compactMap(\.comment)
            return s
        }
    }
}
