import Foundation

/// A run's place in an annotation queue. Until issue 7 brings users, the workspace's API-key
/// principal is the only reviewer: a run "needs review" until it has been reviewed once, and is
/// "completed" after.
public struct AnnotationQueueRun: Sendable, Hashable {
    /// The queue-run id (`queue_run_id`), distinct from the run's id.
    public var id: UUID
    public var queueId: UUID
    public var tenantId: UUID
    public var runId: UUID
    public var addedAt: Timestamp
    /// When the run was reviewed; nil while it needs review.
    public var lastReviewedTime: Timestamp?
    /// The principal (today an API key id) that completed the review.
    public var reviewedBy: UUID?
    public var sourceProposedExampleId: UUID?

    public init(
        id: UUID = UUID(), queueId: UUID, tenantId: UUID, runId: UUID, addedAt: Timestamp = .now(),
        lastReviewedTime: Timestamp? = nil, reviewedBy: UUID? = nil, sourceProposedExampleId: UUID? = nil
    ) {
        self.id = id
        self.queueId = queueId
        self.tenantId = tenantId
        self.runId = runId
        self.addedAt = addedAt
        self.lastReviewedTime = lastReviewedTime
        self.reviewedBy = reviewedBy
        self.sourceProposedExampleId = sourceProposedExampleId
    }

    public var isCompleted: Bool { lastReviewedTime != nil }

    /// Review states a queue's runs are listed and counted by.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case needsReview, completed
    }
}
