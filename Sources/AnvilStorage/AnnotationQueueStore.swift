import AnvilCore
import Foundation

/// What `GET /annotation-queues` filters on. Newest queue first.
public struct AnnotationQueueQuery: Sendable, Hashable {
    public var tenantId: UUID
    public var ids: [UUID]?
    public var name: String?
    /// Case-insensitive substring of the name.
    public var nameContains: String?
    public var offset = 0
    public var limit = 100

    public init(tenantId: UUID) { self.tenantId = tenantId }
}

/// Annotation queues and the runs in them.
public protocol AnnotationQueueStore: Sendable {
    /// Throws `StoreError.conflict` when the id, or the name in the workspace, is taken.
    func createAnnotationQueue(_ queue: AnnotationQueue) async throws
    func annotationQueue(id: UUID, tenantId: UUID) async throws -> AnnotationQueue?
    func listAnnotationQueues(_ query: AnnotationQueueQuery) async throws -> [AnnotationQueue]
    /// Throws `StoreError.notFound` for an unknown queue, `.conflict` for a taken name.
    func updateAnnotationQueue(_ queue: AnnotationQueue) async throws
    /// Removes the queue and every run entry in it.
    func deleteAnnotationQueue(id: UUID, tenantId: UUID) async throws -> Bool
    /// The queues a run is in.
    func annotationQueues(containingRun runId: UUID, tenantId: UUID) async throws -> [AnnotationQueue]

    /// Adds runs to the queue (which must exist in the workspace). A run already in the queue keeps
    /// its entry, so adding twice changes nothing; returns the stored entry of every given run.
    func addAnnotationQueueRuns(_ runs: [AnnotationQueueRun], queueId: UUID, tenantId: UUID) async throws -> [AnnotationQueueRun]
    /// Entries in queue order (`added_at`, then id), optionally only those in one review state.
    func annotationQueueRuns(
        queueId: UUID, tenantId: UUID, status: AnnotationQueueRun.Status?, offset: Int, limit: Int
    ) async throws -> [AnnotationQueueRun]
    /// The entry whose queue-run id, or else whose run id, is `id`.
    func annotationQueueRun(queueId: UUID, tenantId: UUID, id: UUID) async throws -> AnnotationQueueRun?
    /// The entry with this queue-run id, in whichever of the workspace's queues holds it.
    func annotationQueueRun(entryId: UUID, tenantId: UUID) async throws -> AnnotationQueueRun?
    /// Saves an entry's review state and `added_at`; throws `StoreError.notFound` when it is gone.
    func updateAnnotationQueueRun(_ run: AnnotationQueueRun) async throws
    /// Removes the entries of these runs; returns how many there were.
    func removeAnnotationQueueRuns(runIds: [UUID], queueId: UUID, tenantId: UUID) async throws -> Int
    /// How many entries each queue holds in one review state (all entries when `status` is nil).
    func annotationQueueSizes(queueIds: [UUID], tenantId: UUID, status: AnnotationQueueRun.Status?) async throws -> [UUID: Int]
}
