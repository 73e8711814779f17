import AnvilCore
import Foundation

/// Writes a presigned feedback token in LangSmith's `FeedbackIngestTokenSchema` shape.
enum FeedbackTokenJSON {
    /// `origin` is `scheme://host[:port]` as the client reached the server, or "" for a relative URL.
    static func write(_ t: FeedbackToken, origin: String, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(t.id.lowercased)
        w.key("url"); w.string("\(origin)/api/v1/feedback/tokens/\(t.id.lowercased)")
        w.key("expires_at"); w.string(t.expiresAt.iso8601)
        w.key("feedback_key"); w.string(t.feedbackKey)
        w.key("run_id"); w.string(t.runId.lowercased)
        w.key("created_at"); w.string(t.createdAt.iso8601)
        w.endObject()
    }
}
