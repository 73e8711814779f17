import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

/// The annotation queue store contract (queues, their runs, review state), run against every backend.
@Suite("AnnotationQueueStore contract")
struct AnnotationQueueStoreContractTests {
    let tenant = UUID()
    let otherTenant = UUID()
    let reviewer = UUID()

    func queue(_ name: String, tenant: UUID? = nil, at seconds: Double = 0, id: UUID = UUID()) -> AnnotationQueue {
        AnnotationQueue(id: id, tenantId: tenant ?? self.tenant, name: name, createdAt: Fixtures.time(seconds))
    }

    func entry(_ queue: AnnotationQueue, run: UUID = UUID(), at seconds: Double) -> AnnotationQueueRun {
        AnnotationQueueRun(queueId: queue.id, tenantId: queue.tenantId, runId: run, addedAt: Fixtures.time(seconds))
    }

    @Test("queue create, read, update, delete; every field survives storage", arguments: StoreFactory.allCases)
    func crud(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        var q = AnnotationQueue(
            tenantId: tenant, name: "review", description: "look closely", rubricInstructions: "be fair",
            rubricItems: [
                AnnotationQueueRubricItem(feedbackKey: "correctness", description: "is it right?", isRequired: true),
                AnnotationQueueRubricItem(feedbackKey: "tone", valueDescriptions: ["1": "polite"], scoreDescriptions: ["0": "rude"]),
            ],
            defaultDatasetId: UUID(), numReviewersPerItem: 2, metadata: ["team": "ml", "n": 3], createdAt: Fixtures.time(1))
        try await store.createAnnotationQueue(q)
        #expect(try await store.annotationQueue(id: q.id, tenantId: tenant) == q)
        #expect(try await store.annotationQueue(id: q.id, tenantId: otherTenant) == nil)

        q.name = "renamed"
        q.description = nil
        q.rubricItems = []
        q.metadata = nil
        q.numReviewersPerItem = nil
        q.updatedAt = Fixtures.time(5)
        try await store.updateAnnotationQueue(q)
        #expect(try await store.annotationQueue(id: q.id, tenantId: tenant) == q)

        var foreign = q
        foreign.tenantId = otherTenant
        let notMine = await #expect(throws: StoreError.self) { try await store.updateAnnotationQueue(foreign) }
        #expect(notMine?.code == .notFound)
        var missing = q
        missing.id = UUID()
        let gone = await #expect(throws: StoreError.self) { try await store.updateAnnotationQueue(missing) }
        #expect(gone?.code == .notFound)

        #expect(try await store.deleteAnnotationQueue(id: q.id, tenantId: otherTenant) == false)
        #expect(try await store.deleteAnnotationQueue(id: q.id, tenantId: tenant))
        #expect(try await store.deleteAnnotationQueue(id: q.id, tenantId: tenant) == false)
        #expect(try await store.annotationQueue(id: q.id, tenantId: tenant) == nil)
    }

    @Test("names are unique per workspace; ids are unique", arguments: StoreFactory.allCases)
    func uniqueness(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        let a = queue("shared")
        try await store.createAnnotationQueue(a)
        let dupName = await #expect(throws: StoreError.self) { try await store.createAnnotationQueue(queue("shared")) }
        #expect(dupName?.code == .conflict)
        let dupId = await #expect(throws: StoreError.self) { try await store.createAnnotationQueue(queue("other", id: a.id)) }
        #expect(dupId?.code == .conflict)
        try await store.createAnnotationQueue(queue("shared", tenant: otherTenant))

        var b = queue("b")
        try await store.createAnnotationQueue(b)
        b.name = "shared"
        let rename = await #expect(throws: StoreError.self) { try await store.updateAnnotationQueue(b) }
        #expect(rename?.code == .conflict)
        #expect(try await store.annotationQueue(id: b.id, tenantId: tenant)?.name == "b")
    }

    @Test("list filters by ids, name, substring; newest first; paged", arguments: StoreFactory.allCases)
    func list(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        let qs = [queue("Triage", at: 1), queue("triage-2", at: 2), queue("Golden set", at: 3), queue("Triage", tenant: otherTenant, at: 4)]
        for q in qs { try await store.createAnnotationQueue(q) }
        func names(_ configure: (inout AnnotationQueueQuery) -> Void) async throws -> [String] {
            var q = AnnotationQueueQuery(tenantId: tenant)
            configure(&q)
            return try await store.listAnnotationQueues(q).map(\.name)
        }
        #expect(try await names { _ in } == ["Golden set", "triage-2", "Triage"])
        #expect(try await names { $0.ids = [qs[0].id, qs[2].id, qs[3].id] } == ["Golden set", "Triage"])
        #expect(try await names { $0.ids = [] } == [])
        #expect(try await names { $0.name = "Triage" } == ["Triage"])
        #expect(try await names { $0.name = "triage" } == [])
        #expect(try await names { $0.nameContains = "TRIAGE" } == ["triage-2", "Triage"])
        #expect(try await names { $0.limit = 1 } == ["Golden set"])
        #expect(try await names { $0.offset = 1; $0.limit = 1 } == ["triage-2"])
        #expect(try await names { $0.offset = 3 } == [])
    }

    @Test("adding runs is idempotent and keeps queue order; sizes count by review state", arguments: StoreFactory.allCases)
    func addAndList(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        let q = queue("q")
        try await store.createAnnotationQueue(q)
        let r1 = entry(q, at: 1), r2 = entry(q, at: 2), r3 = entry(q, at: 3)
        let stored = try await store.addAnnotationQueueRuns([r2, r1], queueId: q.id, tenantId: tenant)
        #expect(stored == [r2, r1])
        // Again, with new entry ids and times: the existing entries are kept and returned.
        let again = try await store.addAnnotationQueueRuns(
            [entry(q, run: r1.runId, at: 9), r3], queueId: q.id, tenantId: tenant)
        #expect(again == [r1, r3])
        #expect(try await store.annotationQueueRuns(queueId: q.id, tenantId: tenant, status: nil, offset: 0, limit: 10) == [r1, r2, r3])
        #expect(try await store.annotationQueueRuns(queueId: q.id, tenantId: tenant, status: nil, offset: 1, limit: 1) == [r2])
        #expect(try await store.annotationQueueRuns(queueId: q.id, tenantId: otherTenant, status: nil, offset: 0, limit: 10) == [])
        #expect(try await store.annotationQueueSizes(queueIds: [q.id], tenantId: tenant, status: nil) == [q.id: 3])
        #expect(try await store.annotationQueueSizes(queueIds: [q.id], tenantId: tenant, status: .completed) == [q.id: 0])
        #expect(try await store.annotationQueueSizes(queueIds: [], tenantId: tenant, status: nil) == [:])

        // The same run in a second queue is a separate entry.
        let q2 = queue("q2")
        try await store.createAnnotationQueue(q2)
        _ = try await store.addAnnotationQueueRuns([entry(q2, run: r1.runId, at: 5)], queueId: q2.id, tenantId: tenant)
        #expect(try await store.annotationQueueSizes(queueIds: [q.id, q2.id], tenantId: tenant, status: .needsReview) == [q.id: 3, q2.id: 1])
        #expect(Set(try await store.annotationQueues(containingRun: r1.runId, tenantId: tenant).map(\.id)) == [q.id, q2.id])
        #expect(try await store.annotationQueues(containingRun: r2.runId, tenantId: tenant).map(\.id) == [q.id])
        #expect(try await store.annotationQueues(containingRun: r1.runId, tenantId: otherTenant) == [])

        // Unknown or foreign queues refuse runs.
        let missing = await #expect(throws: StoreError.self) {
            _ = try await store.addAnnotationQueueRuns([entry(q, at: 1)], queueId: UUID(), tenantId: tenant)
        }
        #expect(missing?.code == .notFound)
        let foreign = await #expect(throws: StoreError.self) {
            _ = try await store.addAnnotationQueueRuns([entry(q, at: 1)], queueId: q.id, tenantId: otherTenant)
        }
        #expect(foreign?.code == .notFound)
    }

    @Test("reviewing moves a run from needs-review to completed and back", arguments: StoreFactory.allCases)
    func review(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        let q = queue("q")
        try await store.createAnnotationQueue(q)
        let r1 = entry(q, at: 1), r2 = entry(q, at: 2), r3 = entry(q, at: 3)
        _ = try await store.addAnnotationQueueRuns([r1, r2, r3], queueId: q.id, tenantId: tenant)

        // Found by entry id or by run id; the entry id lookup is workspace-scoped.
        #expect(try await store.annotationQueueRun(queueId: q.id, tenantId: tenant, id: r2.id) == r2)
        #expect(try await store.annotationQueueRun(queueId: q.id, tenantId: tenant, id: r2.runId) == r2)
        #expect(try await store.annotationQueueRun(queueId: q.id, tenantId: otherTenant, id: r2.id) == nil)
        #expect(try await store.annotationQueueRun(queueId: UUID(), tenantId: tenant, id: r2.id) == nil)
        #expect(try await store.annotationQueueRun(entryId: r2.id, tenantId: tenant) == r2)
        #expect(try await store.annotationQueueRun(entryId: r2.id, tenantId: otherTenant) == nil)
        #expect(try await store.annotationQueueRun(entryId: r2.runId, tenantId: tenant) == nil)

        var reviewed = r2
        reviewed.lastReviewedTime = Fixtures.time(10)
        reviewed.reviewedBy = reviewer
        try await store.updateAnnotationQueueRun(reviewed)
        #expect(try await store.annotationQueueRuns(queueId: q.id, tenantId: tenant, status: .needsReview, offset: 0, limit: 10) == [r1, r3])
        #expect(try await store.annotationQueueRuns(queueId: q.id, tenantId: tenant, status: .needsReview, offset: 1, limit: 1) == [r3])
        #expect(try await store.annotationQueueRuns(queueId: q.id, tenantId: tenant, status: .completed, offset: 0, limit: 10) == [reviewed])
        #expect(try await store.annotationQueueSizes(queueIds: [q.id], tenantId: tenant, status: .needsReview) == [q.id: 2])
        #expect(try await store.annotationQueueSizes(queueIds: [q.id], tenantId: tenant, status: .completed) == [q.id: 1])

        // Back to review, and moved to the front by its added_at.
        var reopened = reviewed
        reopened.lastReviewedTime = nil
        reopened.reviewedBy = nil
        reopened.addedAt = Fixtures.time(0)
        try await store.updateAnnotationQueueRun(reopened)
        #expect(try await store.annotationQueueRuns(queueId: q.id, tenantId: tenant, status: .needsReview, offset: 0, limit: 10) == [reopened, r1, r3])

        var foreign = reopened
        foreign.tenantId = otherTenant
        let notMine = await #expect(throws: StoreError.self) { try await store.updateAnnotationQueueRun(foreign) }
        #expect(notMine?.code == .notFound)
    }

    @Test("removing runs, and deleting a queue, drops their entries only", arguments: StoreFactory.allCases)
    func remove(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        let q = queue("q"), q2 = queue("q2")
        try await store.createAnnotationQueue(q)
        try await store.createAnnotationQueue(q2)
        let r1 = entry(q, at: 1), r2 = entry(q, at: 2), r3 = entry(q, at: 3)
        _ = try await store.addAnnotationQueueRuns([r1, r2, r3], queueId: q.id, tenantId: tenant)
        let other = entry(q2, run: r1.runId, at: 1)
        _ = try await store.addAnnotationQueueRuns([other], queueId: q2.id, tenantId: tenant)

        #expect(try await store.removeAnnotationQueueRuns(runIds: [r1.runId], queueId: q.id, tenantId: otherTenant) == 0)
        #expect(try await store.removeAnnotationQueueRuns(runIds: [r1.runId, r3.runId, UUID()], queueId: q.id, tenantId: tenant) == 2)
        #expect(try await store.removeAnnotationQueueRuns(runIds: [], queueId: q.id, tenantId: tenant) == 0)
        #expect(try await store.annotationQueueRuns(queueId: q.id, tenantId: tenant, status: nil, offset: 0, limit: 10) == [r2])
        #expect(try await store.annotationQueueRuns(queueId: q2.id, tenantId: tenant, status: nil, offset: 0, limit: 10) == [other])

        #expect(try await store.deleteAnnotationQueue(id: q.id, tenantId: tenant))
        #expect(try await store.annotationQueueRun(entryId: r2.id, tenantId: tenant) == nil)
        #expect(try await store.annotationQueueSizes(queueIds: [q.id, q2.id], tenantId: tenant, status: nil) == [q.id: 0, q2.id: 1])
        // A new queue does not inherit anything.
        let q3 = queue("q", id: UUID())
        try await store.createAnnotationQueue(q3)
        #expect(try await store.annotationQueueRuns(queueId: q3.id, tenantId: tenant, status: nil, offset: 0, limit: 10) == [])
    }
}
