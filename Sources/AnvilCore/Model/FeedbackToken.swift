import Foundation

/// A presigned feedback URL's token: whoever holds its id may leave feedback with one key on one
/// run until it expires, without an API key. The id is the secret (a random UUID, as LangSmith's).
public struct FeedbackToken: Sendable, Hashable {
    public var id: UUID
    public var tenantId: UUID
    public var runId: UUID
    public var feedbackKey: String
    /// The config the token was created with (already registered for the key when it had none).
    public var feedbackConfig: FeedbackConfig?
    /// When set, every use writes this one feedback (a later use replaces the earlier score);
    /// otherwise each use creates a new feedback.
    public var feedbackId: UUID?
    public var createdAt: Timestamp
    public var expiresAt: Timestamp

    public init(
        id: UUID = UUID(), tenantId: UUID, runId: UUID, feedbackKey: String, feedbackConfig: FeedbackConfig? = nil,
        feedbackId: UUID? = nil, createdAt: Timestamp = .now(), expiresAt: Timestamp
    ) {
        self.id = id
        self.tenantId = tenantId
        self.runId = runId
        self.feedbackKey = feedbackKey
        self.feedbackConfig = feedbackConfig
        self.feedbackId = feedbackId
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    public func isExpired(at now: Timestamp) -> Bool { !(now < expiresAt) }
}
