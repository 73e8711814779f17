import AnvilCore
import Foundation

/// Writes a queue entry in LangSmith's `AnnotationQueueRunSchema` shape.
enum AnnotationQueueRunJSON {
    static func write(_ r: AnnotationQueueRun, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(r.id.lowercased)
        w.key("run_id"); w.string(r.runId.lowercased)
        w.key("queue_id"); w.string(r.queueId.lowercased)
        w.key("added_at"); w.string(r.addedAt.iso8601)
        w.key("last_reviewed_time"); w.string(r.lastReviewedTime?.iso8601)
        w.key("source_proposed_example_id"); w.string(r.sourceProposedExampleId?.lowercased)
        w.endObject()
    }

    /// The queue fields `RunSchemaWithAnnotationQueueInfo` adds to a run object.
    static func writeQueueFields(_ r: AnnotationQueueRun, into w: inout JSONWriter) {
        w.key("queue_run_id"); w.string(r.id.lowercased)
        w.key("added_at"); w.string(r.addedAt.iso8601)
        w.key("effective_added_at"); w.string(r.addedAt.iso8601)
        w.key("last_reviewed_time"); w.string(r.lastReviewedTime?.iso8601)
        w.key("completed_by"); w.stringArray(r.isCompleted ? r.reviewedBy.map { [$0.lowercased] } ?? [] : [])
        w.key("reserved_by"); w.beginArray(); w.endArray()
        w.key("source_proposed_example_id"); w.string(r.sourceProposedExampleId?.lowercased)
    }
}
