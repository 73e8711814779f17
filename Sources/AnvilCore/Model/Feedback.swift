import Foundation

/// A score, value or comment attached to a run (or, for summary feedback, to a whole project).
public struct Feedback: Sendable, Hashable {
    public var id: UUID
    public var tenantId: UUID
    public var runId: UUID?
    public var traceId: UUID?
    public var sessionId: UUID?
    public var key: String
    public var score: JSONValue?
    public var value: JSONValue?
    public var comment: String?
    public var correction: JSONValue?
    public var feedbackSource: JSONValue?
    public var feedbackConfig: JSONValue?
    public var createdAt: Timestamp
    public var modifiedAt: Timestamp
    public var startTime: Timestamp?
    public var comparativeExperimentId: UUID?
    public var feedbackGroupId: UUID?
    public var extra: JSONValue?
    public var error: Bool?

    public init(id: UUID = UUID(), tenantId: UUID, key: String, createdAt: Timestamp = .now()) {
        self.id = id
        self.tenantId = tenantId
        self.key = key
        self.createdAt = createdAt
        self.modifiedAt = createdAt
    }

    /// `feedback_source.type`: "api", "model", "app", "auto_eval".
    public var sourceType: String? { feedbackSource?["type"]?.stringValue }

    /// The score as a number (booleans count as 0/1), for aggregation and filters.
    public var numericScore: Double? { score?.doubleValue }
}
