import AnvilCore
import Foundation

/// Presigned feedback tokens.
public protocol FeedbackTokenStore: Sendable {
    /// Stores every token or none; throws `StoreError.conflict` when an id is taken.
    func createFeedbackTokens(_ tokens: [FeedbackToken]) async throws
    /// A token by its id in whatever workspace owns it: the id is the credential, so this is the
    /// one lookup that is not scoped by a tenant id the caller already holds.
    func feedbackToken(id: UUID) async throws -> FeedbackToken?
    /// The run's tokens in the workspace, oldest first.
    func listFeedbackTokens(runId: UUID, tenantId: UUID, offset: Int, limit: Int) async throws -> [FeedbackToken]
}
