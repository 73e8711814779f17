import AnvilCore
import AnvilStorage
import Foundation

extension SQLiteMetadataStore: AnnotationQueueStore {
    static let queueColumns = """
        id, tenant_id, name, description, rubric_instructions, rubric_items, default_dataset_id, num_reviewers_per_item, \
        metadata, created_at, updated_at
        """

    static func decodeQueue(_ row: SQLiteRow) -> AnnotationQueue {
        // Rubric items were validated on the way in; any that no longer parse are dropped.
        let items = (row.bytes(5).flatMap { try? JSON.parse($0) }?.arrayValue ?? []).enumerated().compactMap { i, item in
            try? AnnotationQueueRubricItem(json: item, at: i)
        }
        return AnnotationQueue(
            id: row.uuid(0)!, tenantId: row.uuid(1)!, name: row.string(2) ?? "", description: row.string(3),
            rubricInstructions: row.string(4), rubricItems: items, defaultDatasetId: row.uuid(6),
            numReviewersPerItem: row.int(7).map { Int($0) }, metadata: row.bytes(8).flatMap { try? JSON.parse($0) }?.objectValue,
            createdAt: Timestamp(microseconds: row.int(9) ?? 0), updatedAt: Timestamp(microseconds: row.int(10) ?? 0))
    }

    static func queueValues(_ q: AnnotationQueue) -> [SQLiteValue] {
        [.uuid(q.id), .uuid(q.tenantId), .text(q.name), .text(q.description), .text(q.rubricInstructions),
         .json(JSONValue.array(q.rubricItems.map(\.json))), .uuid(q.defaultDatasetId), .int(q.numReviewersPerItem.map(Int64.init)),
         .json(q.metadata.map(JSONValue.object)), .time(q.createdAt), .time(q.updatedAt)]
    }

    func queues(_ sql: String, _ bindings: [SQLiteValue]) async throws -> [AnnotationQueue] {
        try await db.read { conn in
            var out: [AnnotationQueue] = []
            try conn.query(sql, bindings) { row in out.append(Self.decodeQueue(row)) }
            return out
        }
    }

    public func createAnnotationQueue(_ queue: AnnotationQueue) async throws {
        try await db.write { conn in
            do {
                try conn.run("INSERT INTO annotation_queues (\(Self.queueColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", Self.queueValues(queue))
            } catch let e as SQLiteError where e.isConstraintViolation {
                throw StoreError(.conflict, "an annotation queue named '\(queue.name)' (or with id \(queue.id.lowercased)) already exists")
            }
        }
    }

    public func annotationQueue(id: UUID, tenantId: UUID) async throws -> AnnotationQueue? {
        try await queues("SELECT \(Self.queueColumns) FROM annotation_queues WHERE id = ? AND tenant_id = ?", [.uuid(id), .uuid(tenantId)]).first
    }

    public func listAnnotationQueues(_ q: AnnotationQueueQuery) async throws -> [AnnotationQueue] {
        var conditions = ["tenant_id = ?"]
        var bindings: [SQLiteValue] = [.uuid(q.tenantId)]
        if let ids = q.ids {
            conditions.append(ids.isEmpty ? "0" : "id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ", ")))")
            bindings += ids.map { .uuid($0) }
        }
        if let name = q.name { conditions.append("name = ?"); bindings.append(.text(name)) }
        if let part = q.nameContains { conditions.append("instr(lower(name), lower(?)) > 0"); bindings.append(.text(part)) }
        return try await queues(
            """
            SELECT \(Self.queueColumns) FROM annotation_queues WHERE \(conditions.joined(separator: " AND "))
            ORDER BY created_at DESC, id DESC LIMIT \(max(0, q.limit)) OFFSET \(max(0, q.offset))
            """,
            bindings)
    }

    public func updateAnnotationQueue(_ queue: AnnotationQueue) async throws {
        try await db.write { conn in
            do {
                let changed = try conn.run(
                    """
                    UPDATE annotation_queues SET name = ?, description = ?, rubric_instructions = ?, rubric_items = ?,
                    default_dataset_id = ?, num_reviewers_per_item = ?, metadata = ?, updated_at = ? WHERE id = ? AND tenant_id = ?
                    """,
                    [.text(queue.name), .text(queue.description), .text(queue.rubricInstructions),
                     .json(JSONValue.array(queue.rubricItems.map(\.json))), .uuid(queue.defaultDatasetId),
                     .int(queue.numReviewersPerItem.map(Int64.init)), .json(queue.metadata.map(JSONValue.object)), .time(queue.updatedAt),
                     .uuid(queue.id), .uuid(queue.tenantId)])
                guard changed > 0 else { throw StoreError(.notFound, "annotation queue \(queue.id.lowercased) not found") }
            } catch let e as SQLiteError where e.isConstraintViolation {
                throw StoreError(.conflict, "an annotation queue named '\(queue.name)' already exists")
            }
        }
    }

    public func deleteAnnotationQueue(id: UUID, tenantId: UUID) async throws -> Bool {
        try await db.write { conn in
            try conn.transaction {
                guard try conn.run("DELETE FROM annotation_queues WHERE id = ? AND tenant_id = ?", [.uuid(id), .uuid(tenantId)]) > 0 else {
                    return false
                }
                try conn.run("DELETE FROM annotation_queue_runs WHERE queue_id = ? AND tenant_id = ?", [.uuid(id), .uuid(tenantId)])
                return true
            }
        }
    }

    public func annotationQueues(containingRun runId: UUID, tenantId: UUID) async throws -> [AnnotationQueue] {
        let columns = Self.queueColumns.split(separator: ",").map { "q." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        return try await queues(
            """
            SELECT \(columns) FROM annotation_queues q
            WHERE q.tenant_id = ? AND EXISTS (SELECT 1 FROM annotation_queue_runs r WHERE r.tenant_id = q.tenant_id AND r.queue_id = q.id AND r.run_id = ?)
            ORDER BY q.created_at DESC, q.id DESC
            """,
            [.uuid(tenantId), .uuid(runId)])
    }

    // MARK: runs in queues

    static let queueRunColumns = "id, queue_id, tenant_id, run_id, added_at, last_reviewed_time, reviewed_by, source_proposed_example_id"

    static func decodeQueueRun(_ row: SQLiteRow) -> AnnotationQueueRun {
        AnnotationQueueRun(
            id: row.uuid(0)!, queueId: row.uuid(1)!, tenantId: row.uuid(2)!, runId: row.uuid(3)!,
            addedAt: Timestamp(microseconds: row.int(4) ?? 0), lastReviewedTime: row.int(5).map(Timestamp.init(microseconds:)),
            reviewedBy: row.uuid(6), sourceProposedExampleId: row.uuid(7))
    }

    static func statusCondition(_ status: AnnotationQueueRun.Status?) -> String {
        switch status {
        case nil: return ""
        case .needsReview?: return " AND last_reviewed_time IS NULL"
        case .completed?: return " AND last_reviewed_time IS NOT NULL"
        }
    }

    public func addAnnotationQueueRuns(_ runs: [AnnotationQueueRun], queueId: UUID, tenantId: UUID) async throws -> [AnnotationQueueRun] {
        try await db.write { conn in
            do {
                return try conn.transaction {
                    guard try conn.scalarInt("SELECT 1 FROM annotation_queues WHERE id = ? AND tenant_id = ?", [.uuid(queueId), .uuid(tenantId)]) != nil else {
                        throw StoreError(.notFound, "annotation queue \(queueId.lowercased) not found")
                    }
                    var out: [AnnotationQueueRun] = []
                    for r in runs {
                        try conn.run(
                            "INSERT INTO annotation_queue_runs (\(Self.queueRunColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (queue_id, run_id) DO NOTHING",
                            [.uuid(r.id), .uuid(queueId), .uuid(tenantId), .uuid(r.runId), .time(r.addedAt), .time(r.lastReviewedTime),
                             .uuid(r.reviewedBy), .uuid(r.sourceProposedExampleId)])
                        try conn.query(
                            "SELECT \(Self.queueRunColumns) FROM annotation_queue_runs WHERE queue_id = ? AND run_id = ?",
                            [.uuid(queueId), .uuid(r.runId)]
                        ) { row in out.append(Self.decodeQueueRun(row)) }
                    }
                    return out
                }
            } catch let e as SQLiteError where e.isConstraintViolation {
                throw StoreError(.conflict, "a queue entry with one of these ids already exists")
            }
        }
    }

    func queueRuns(_ sql: String, _ bindings: [SQLiteValue]) async throws -> [AnnotationQueueRun] {
        try await db.read { conn in
            var out: [AnnotationQueueRun] = []
            try conn.query(sql, bindings) { row in out.append(Self.decodeQueueRun(row)) }
            return out
        }
    }

    public func annotationQueueRuns(
        queueId: UUID, tenantId: UUID, status: AnnotationQueueRun.Status?, offset: Int, limit: Int
    ) async throws -> [AnnotationQueueRun] {
        try await queueRuns(
            """
            SELECT \(Self.queueRunColumns) FROM annotation_queue_runs WHERE tenant_id = ? AND queue_id = ?\(Self.statusCondition(status))
            ORDER BY added_at, id LIMIT \(max(0, limit)) OFFSET \(max(0, offset))
            """,
            [.uuid(tenantId), .uuid(queueId)])
    }

    public func annotationQueueRun(queueId: UUID, tenantId: UUID, id: UUID) async throws -> AnnotationQueueRun? {
        // The queue-run id wins over a run id that happens to be equal (both are random UUIDs).
        try await queueRuns(
            """
            SELECT \(Self.queueRunColumns) FROM annotation_queue_runs WHERE tenant_id = ? AND queue_id = ? AND (id = ? OR run_id = ?)
            ORDER BY id = ? DESC LIMIT 1
            """,
            [.uuid(tenantId), .uuid(queueId), .uuid(id), .uuid(id), .uuid(id)]).first
    }

    public func annotationQueueRun(entryId: UUID, tenantId: UUID) async throws -> AnnotationQueueRun? {
        try await queueRuns(
            "SELECT \(Self.queueRunColumns) FROM annotation_queue_runs WHERE id = ? AND tenant_id = ?", [.uuid(entryId), .uuid(tenantId)]
        ).first
    }

    public func updateAnnotationQueueRun(_ run: AnnotationQueueRun) async throws {
        try await db.write { conn in
            let changed = try conn.run(
                "UPDATE annotation_queue_runs SET added_at = ?, last_reviewed_time = ?, reviewed_by = ? WHERE id = ? AND queue_id = ? AND tenant_id = ?",
                [.time(run.addedAt), .time(run.lastReviewedTime), .uuid(run.reviewedBy), .uuid(run.id), .uuid(run.queueId), .uuid(run.tenantId)])
            guard changed > 0 else {
                throw StoreError(.notFound, "run \(run.runId.lowercased) is not in annotation queue \(run.queueId.lowercased)")
            }
        }
    }

    public func removeAnnotationQueueRuns(runIds: [UUID], queueId: UUID, tenantId: UUID) async throws -> Int {
        guard !runIds.isEmpty else { return 0 }
        return try await db.write { conn in
            try conn.run(
                "DELETE FROM annotation_queue_runs WHERE tenant_id = ? AND queue_id = ? AND run_id IN (\(Array(repeating: "?", count: runIds.count).joined(separator: ", ")))",
                [.uuid(tenantId), .uuid(queueId)] + runIds.map { .uuid($0) })
        }
    }

    public func annotationQueueSizes(queueIds: [UUID], tenantId: UUID, status: AnnotationQueueRun.Status?) async throws -> [UUID: Int] {
        guard !queueIds.isEmpty else { return [:] }
        return try await db.read { conn in
            var out: [UUID: Int] = [:]
            for id in queueIds { out[id] = 0 }
            try conn.query(
                """
                SELECT queue_id, count(*) FROM annotation_queue_runs
                WHERE tenant_id = ? AND queue_id IN (\(Array(repeating: "?", count: queueIds.count).joined(separator: ", ")))\(Self.statusCondition(status))
                GROUP BY queue_id
                """,
                [.uuid(tenantId)] + queueIds.map { .uuid($0) }
            ) { row in out[row.uuid(0)!] = Int(row.int(1) ?? 0) }
            return out
        }
    }
}
