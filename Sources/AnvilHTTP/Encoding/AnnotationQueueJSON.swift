import AnvilCore
import Foundation

/// Writes annotation queues in LangSmith's `AnnotationQueueSchemaWithRubric`/`…WithSize` shapes.
enum AnnotationQueueJSON {
    /// `configs` are the registered configs of the rubric's keys (embedded in each rubric item, so
    /// a review screen needs no second request); `totalRuns` is every run in the queue.
    static func write(_ q: AnnotationQueue, totalRuns: Int?, configs: [String: FeedbackKeyConfig], into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(q.id.lowercased)
        w.key("name"); w.string(q.name)
        w.key("description"); w.string(q.description)
        w.key("tenant_id"); w.string(q.tenantId.lowercased)
        w.key("created_at"); w.string(q.createdAt.iso8601)
        w.key("updated_at"); w.string(q.updatedAt.iso8601)
        w.key("queue_type"); w.string("single")
        w.key("default_dataset"); w.string(q.defaultDatasetId?.lowercased)
        w.key("num_reviewers_per_item"); w.int(q.numReviewersPerItem.map(Int64.init))
        // No reservations and no reviewer assignment until there are users (issue 7).
        w.key("enable_reservations"); w.bool(false)
        w.key("reservation_minutes"); w.null()
        w.key("reviewer_access_mode"); w.string("any")
        w.key("assigned_reviewers"); w.beginArray(); w.endArray()
        w.key("source_rule_id"); w.null()
        w.key("run_rule_id"); w.null()
        w.key("metadata"); if let m = q.metadata { w.value(.object(m)) } else { w.null() }
        w.key("rubric_instructions"); w.string(q.rubricInstructions)
        w.key("rubric_items")
        w.beginArray()
        for item in q.rubricItems {
            guard case .object(var o) = item.json else { continue }
            o["feedback_config"] = configs[item.feedbackKey].map(FeedbackConfigJSON.value) ?? .null
            w.value(.object(o))
        }
        w.endArray()
        if let totalRuns {
            w.key("total_runs"); w.int(totalRuns)
            w.key("run_count"); w.int(totalRuns)
        }
        w.endObject()
    }
}
