import AnvilCore
import Foundation

extension MemoryMetadataStore: AnnotationQueueStore {
    public func createAnnotationQueue(_ queue: AnnotationQueue) async throws {
        if annotationQueues[queue.id] != nil {
            throw StoreError(.conflict, "an annotation queue with id \(queue.id.lowercased) already exists")
        }
        if annotationQueues.values.contains(where: { $0.tenantId == queue.tenantId && $0.name == queue.name }) {
            throw StoreError(.conflict, "an annotation queue named '\(queue.name)' already exists")
        }
        annotationQueues[queue.id] = queue
    }

    public func annotationQueue(id: UUID, tenantId: UUID) async throws -> AnnotationQueue? {
        annotationQueues[id].flatMap { $0.tenantId == tenantId ? $0 : nil }
    }

    public func listAnnotationQueues(_ q: AnnotationQueueQuery) async throws -> [AnnotationQueue] {
        let rows = annotationQueues.values.filter { a in
            guard a.tenantId == q.tenantId else { return false }
            if let ids = q.ids, !ids.contains(a.id) { return false }
            if let name = q.name, a.name != name { return false }
            if let part = q.nameContains, !a.name.lowercased().contains(part.lowercased()) { return false }
            return true
        }
        let sorted = rows.sorted { ($0.createdAt, $0.id.lowercased) > ($1.createdAt, $1.id.lowercased) }
        return Array(sorted.dropFirst(max(0, q.offset)).prefix(max(0, q.limit)))
    }

    public func updateAnnotationQueue(_ queue: AnnotationQueue) async throws {
        guard let existing = annotationQueues[queue.id], existing.tenantId == queue.tenantId else {
            throw StoreError(.notFound, "annotation queue \(queue.id.lowercased) not found")
        }
        if annotationQueues.values.contains(where: { $0.tenantId == queue.tenantId && $0.name == queue.name && $0.id != queue.id }) {
            throw StoreError(.conflict, "an annotation queue named '\(queue.name)' already exists")
        }
        annotationQueues[queue.id] = queue
    }

    public func deleteAnnotationQueue(id: UUID, tenantId: UUID) async throws -> Bool {
        guard let q = annotationQueues[id], q.tenantId == tenantId else { return false }
        annotationQueues[id] = nil
        for (entryId, r) in annotationQueueRuns where r.queueId == id && r.tenantId == tenantId {
            annotationQueueRuns[entryId] = nil
        }
        return true
    }

    public func annotationQueues(containingRun runId: UUID, tenantId: UUID) async throws -> [AnnotationQueue] {
        let queueIds = Set(annotationQueueRuns.values.filter { $0.tenantId == tenantId && $0.runId == runId }.map(\.queueId))
        return annotationQueues.values
            .filter { $0.tenantId == tenantId && queueIds.contains($0.id) }
            .sorted { ($0.createdAt, $0.id.lowercased) > ($1.createdAt, $1.id.lowercased) }
    }

    public func addAnnotationQueueRuns(_ runs: [AnnotationQueueRun], queueId: UUID, tenantId: UUID) async throws -> [AnnotationQueueRun] {
        guard let q = annotationQueues[queueId], q.tenantId == tenantId else {
            throw StoreError(.notFound, "annotation queue \(queueId.lowercased) not found")
        }
        // All or nothing, as one SQL transaction would be.
        for r in runs where annotationQueueRuns[r.id] != nil {
            throw StoreError(.conflict, "a queue entry with id \(r.id.lowercased) already exists")
        }
        var out: [AnnotationQueueRun] = []
        for var r in runs {
            if let existing = annotationQueueRuns.values.first(where: { $0.queueId == queueId && $0.runId == r.runId }) {
                out.append(existing)
                continue
            }
            r.queueId = queueId
            r.tenantId = tenantId
            annotationQueueRuns[r.id] = r
            out.append(r)
        }
        return out
    }

    private func entries(queueId: UUID, tenantId: UUID, status: AnnotationQueueRun.Status?) -> [AnnotationQueueRun] {
        annotationQueueRuns.values.filter { r in
            guard r.queueId == queueId && r.tenantId == tenantId else { return false }
            switch status {
            case nil: return true
            case .needsReview?: return !r.isCompleted
            case .completed?: return r.isCompleted
            }
        }
    }

    public func annotationQueueRuns(
        queueId: UUID, tenantId: UUID, status: AnnotationQueueRun.Status?, offset: Int, limit: Int
    ) async throws -> [AnnotationQueueRun] {
        let sorted = entries(queueId: queueId, tenantId: tenantId, status: status)
            .sorted { ($0.addedAt, $0.id.lowercased) < ($1.addedAt, $1.id.lowercased) }
        return Array(sorted.dropFirst(max(0, offset)).prefix(max(0, limit)))
    }

    public func annotationQueueRun(queueId: UUID, tenantId: UUID, id: UUID) async throws -> AnnotationQueueRun? {
        let mine = annotationQueueRuns.values.filter { $0.queueId == queueId && $0.tenantId == tenantId }
        return mine.first { $0.id == id } ?? mine.first { $0.runId == id }
    }

    public func annotationQueueRun(entryId: UUID, tenantId: UUID) async throws -> AnnotationQueueRun? {
        annotationQueueRuns[entryId].flatMap { $0.tenantId == tenantId ? $0 : nil }
    }

    public func updateAnnotationQueueRun(_ run: AnnotationQueueRun) async throws {
        guard var existing = annotationQueueRuns[run.id], existing.tenantId == run.tenantId, existing.queueId == run.queueId else {
            throw StoreError(.notFound, "run \(run.runId.lowercased) is not in annotation queue \(run.queueId.lowercased)")
        }
        existing.addedAt = run.addedAt
        existing.lastReviewedTime = run.lastReviewedTime
        existing.reviewedBy = run.reviewedBy
        annotationQueueRuns[run.id] = existing
    }

    public func removeAnnotationQueueRuns(runIds: [UUID], queueId: UUID, tenantId: UUID) async throws -> Int {
        let ids = Set(runIds)
        var removed = 0
        for (entryId, r) in annotationQueueRuns where r.queueId == queueId && r.tenantId == tenantId && ids.contains(r.runId) {
            annotationQueueRuns[entryId] = nil
            removed += 1
        }
        return removed
    }

    public func annotationQueueSizes(queueIds: [UUID], tenantId: UUID, status: AnnotationQueueRun.Status?) async throws -> [UUID: Int] {
        var out: [UUID: Int] = [:]
        for id in queueIds { out[id] = entries(queueId: id, tenantId: tenantId, status: status).count }
        return out
    }
}
