import AnvilCore
import Foundation

/// Maps ``Feedback`` to and from the `feedback` table.
enum FeedbackRow {
    static let columns = [
        "id", "tenant_id", "run_id", "trace_id", "session_id", "key", "score", "score_json", "value", "comment",
        "correction", "feedback_source", "source_type", "feedback_config", "created_at", "modified_at",
        "start_time", "comparative_experiment_id", "feedback_group_id", "extra", "error",
    ]

    /// The order rows are aggregated in (as the memory store does), so comment lists and float
    /// sums in `FeedbackStats` are the same on every backend.
    static let aggregateOrder = "ORDER BY f.created_at, f.id"

    static func selectList(alias: String) -> String {
        columns.map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    static let upsertSQL: String = {
        let updates = columns.filter { $0 != "id" && $0 != "tenant_id" }.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        return "INSERT INTO feedback (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", "))) ON CONFLICT(id) DO UPDATE SET \(updates) WHERE feedback.tenant_id = excluded.tenant_id"
    }()

    static func values(_ f: Feedback) -> [SQLiteValue] {
        [
            .uuid(f.id), .uuid(f.tenantId), .uuid(f.runId), .uuid(f.traceId), .uuid(f.sessionId), .text(f.key),
            .double(f.numericScore), .json(f.score), .json(f.value), .text(f.comment), .json(f.correction),
            .json(f.feedbackSource), .text(f.sourceType), .json(f.feedbackConfig), .time(f.createdAt),
            .time(f.modifiedAt), .time(f.startTime), .uuid(f.comparativeExperimentId), .uuid(f.feedbackGroupId),
            .json(f.extra), f.error.map { .int($0 ? 1 : 0) } ?? .null,
        ]
    }

    static func decode(_ row: SQLiteRow) -> Feedback {
        func json(_ i: Int) -> JSONValue? { row.bytes(i).flatMap { try? JSON.parse($0) } }
        var f = Feedback(
            id: row.uuid(0) ?? UUID(), tenantId: row.uuid(1) ?? UUID(), key: row.string(5) ?? "",
            createdAt: Timestamp(microseconds: row.int(14) ?? 0))
        f.runId = row.uuid(2)
        f.traceId = row.uuid(3)
        f.sessionId = row.uuid(4)
        f.score = json(7)
        f.value = json(8)
        f.comment = row.string(9)
        f.correction = json(10)
        f.feedbackSource = json(11)
        f.feedbackConfig = json(13)
        f.modifiedAt = Timestamp(microseconds: row.int(15) ?? 0)
        f.startTime = row.int(16).map(Timestamp.init(microseconds:))
        f.comparativeExperimentId = row.uuid(17)
        f.feedbackGroupId = row.uuid(18)
        f.extra = json(19)
        f.error = row.int(20).map { $0 != 0 }
        return f
    }
}
