import AnvilCore
import AnvilStorage
import Foundation

extension SQLiteTraceStore {
    static func upsertFeedback(_ conn: SQLiteConnection, _ f: Feedback) throws {
        try conn.run(FeedbackRow.upsertSQL, FeedbackRow.values(f))
    }

    public func feedback(id: UUID, tenantId: UUID) async throws -> Feedback? {
        try await db.read { conn in
            var out: Feedback?
            try conn.query(
                "SELECT \(FeedbackRow.selectList(alias: "f")) FROM feedback f WHERE f.id = ? AND f.tenant_id = ?",
                [.uuid(id), .uuid(tenantId)]
            ) { row in out = FeedbackRow.decode(row) }
            return out
        }
    }

    public func listFeedback(_ q: FeedbackQuery) async throws -> [Feedback] {
        var conditions = ["f.tenant_id = ?"]
        var bindings: [SQLiteValue] = [.uuid(q.tenantId)]
        func list(_ expr: String, _ values: [SQLiteValue]) {
            if values.isEmpty {
                conditions.append("0")
            } else {
                conditions.append("\(expr) IN (\(Self.placeholders(values.count)))")
                bindings += values
            }
        }
        if let runs = q.runIds { list("f.run_id", runs.map { .uuid($0) }) }
        if let keys = q.keys { list("f.key", keys.map { .text($0) }) }
        if let sources = q.sources { list("f.source_type", sources.map { .text($0) }) }
        if let sessions = q.sessionIds {
            list("COALESCE(f.session_id, (SELECT r.session_id FROM runs r WHERE r.id = f.run_id))", sessions.map { .uuid($0) })
        }
        if let c = q.hasComment { conditions.append(c ? "f.comment IS NOT NULL" : "f.comment IS NULL") }
        if let s = q.hasScore { conditions.append(s ? "f.score_json IS NOT NULL" : "f.score_json IS NULL") }
        if let min = q.minCreatedAt { conditions.append("f.created_at >= ?"); bindings.append(.time(min)) }
        if let max = q.maxCreatedAt { conditions.append("f.created_at <= ?"); bindings.append(.time(max)) }
        if let ce = q.comparativeExperimentId { conditions.append("f.comparative_experiment_id = ?"); bindings.append(.uuid(ce)) }
        let sql = """
            SELECT \(FeedbackRow.selectList(alias: "f")) FROM feedback f WHERE \(conditions.joined(separator: " AND "))
            ORDER BY f.created_at DESC, f.id DESC LIMIT \(max(0, q.limit)) OFFSET \(max(0, q.offset))
            """
        let finalBindings = bindings
        return try await db.read { conn in
            var out: [Feedback] = []
            try conn.query(sql, finalBindings) { row in out.append(FeedbackRow.decode(row)) }
            return out
        }
    }

    public func deleteFeedback(id: UUID, tenantId: UUID) async throws -> Bool {
        try await db.write { conn in
            try conn.run("DELETE FROM feedback WHERE id = ? AND tenant_id = ?", [.uuid(id), .uuid(tenantId)]) > 0
        }
    }
}
