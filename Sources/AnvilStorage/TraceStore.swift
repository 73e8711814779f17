import AnvilCore
import Foundation

/// Where runs and feedback live (ClickHouse in LangSmith; SQLite here by default).
///
/// Writes are idempotent: applying the same updates again leaves the store unchanged, so the
/// ingest queue may redeliver after a crash.
public protocol TraceStore: Sendable {
    /// Merges run updates (post/patch, any order) and upserts feedback in one transaction.
    /// Updates must already carry their resolved `sessionId` when they name a project.
    func write(runs: [RunUpdate], feedback: [Feedback], tenantId: UUID) async throws

    /// Promotes runs that have awaited their parent since before `cutoff` to roots of their own
    /// trace, marked as orphans (`Run+Lineage.swift`); at most `limit` per call. Returns how many.
    func promoteOrphans(waitingSince cutoff: Timestamp, limit: Int) async throws -> Int

    /// Runs by id (posted or not), scoped to the tenant.
    func runs(ids: [UUID], tenantId: UUID) async throws -> [Run]
    func queryRuns(_ query: RunQuery) async throws -> RunPage
    func runStats(_ query: RunQuery) async throws -> RunStats
    /// Direct children of each run, ordered by dotted order.
    func childRunIds(of parents: [UUID], tenantId: UUID) async throws -> [UUID: [UUID]]
    /// Per-run feedback aggregates by key.
    func feedbackStats(runIds: [UUID], tenantId: UUID) async throws -> [UUID: [String: FeedbackStats]]
    /// Stats for each project (root runs only, as LangSmith counts them).
    func projectStats(projectIds: [UUID], tenantId: UUID) async throws -> [UUID: ProjectStats]
    /// Removes every run and feedback row of a project.
    func deleteProjectData(projectId: UUID, tenantId: UUID) async throws

    func feedback(id: UUID, tenantId: UUID) async throws -> Feedback?
    func listFeedback(_ query: FeedbackQuery) async throws -> [Feedback]
    func deleteFeedback(id: UUID, tenantId: UUID) async throws -> Bool
}
