import AnvilCore
import Foundation

/// Builds `Feedback` rows with sensible defaults.
public enum FeedbackBuilder {
    /// Feedback on a run (score, value and comment optional).
    public static func on(
        _ runId: UUID, key: String, score: JSONValue? = nil, value: JSONValue? = nil, comment: String? = nil,
        tenantId: UUID, sessionId: UUID? = nil, source: String? = nil, id: UUID = UUID(),
        createdAt: Timestamp = Fixtures.epoch
    ) -> Feedback {
        var f = Feedback(id: id, tenantId: tenantId, key: key, createdAt: createdAt)
        f.runId = runId
        f.sessionId = sessionId
        f.score = score
        f.value = value
        f.comment = comment
        f.feedbackSource = source.map { ["type": .string($0)] }
        return f
    }

    /// Feedback on a whole project (summary evaluators): no run.
    public static func onProject(
        _ projectId: UUID, key: String, score: JSONValue? = nil, value: JSONValue? = nil, tenantId: UUID,
        id: UUID = UUID(), createdAt: Timestamp = Fixtures.epoch
    ) -> Feedback {
        var f = Feedback(id: id, tenantId: tenantId, key: key, createdAt: createdAt)
        f.sessionId = projectId
        f.score = score
        f.value = value
        return f
    }
}
