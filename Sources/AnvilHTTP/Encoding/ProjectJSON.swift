import AnvilCore
import Foundation

/// Writes projects in LangSmith's `TracerSession` shape. Stats keys are always present (null when
/// not requested); `reference_dataset_id` must always be present for the SDK.
enum ProjectJSON {
    static func write(_ p: Project, stats: ProjectStats?, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(p.id.lowercased)
        w.key("tenant_id"); w.string(p.tenantId.lowercased)
        w.key("name"); w.string(p.name)
        w.key("description"); w.string(p.description)
        w.key("extra"); if let e = p.extra { w.value(e) } else { w.null() }
        w.key("start_time"); w.string(p.startTime.iso8601)
        w.key("end_time"); w.string(p.endTime?.iso8601)
        w.key("reference_dataset_id"); w.string(p.referenceDatasetId?.lowercased)
        w.key("default_dataset_id"); w.string(p.defaultDatasetId?.lowercased)
        w.key("trace_tier"); w.null()
        w.key("test_run_number"); w.null()
        w.key("run_count"); w.int(stats.map { Int64($0.runCount) })
        w.key("latency_p50"); w.double(stats?.latencyP50)
        w.key("latency_p99"); w.double(stats?.latencyP99)
        w.key("first_token_p50"); w.double(stats?.firstTokenP50)
        w.key("first_token_p99"); w.double(stats?.firstTokenP99)
        w.key("total_tokens"); w.int(stats?.totalTokens)
        w.key("prompt_tokens"); w.int(stats?.promptTokens)
        w.key("completion_tokens"); w.int(stats?.completionTokens)
        w.key("total_cost"); w.string(stats?.totalCost.map(decimalString))
        w.key("prompt_cost"); w.string(stats?.promptCost.map(decimalString))
        w.key("completion_cost"); w.string(stats?.completionCost.map(decimalString))
        w.key("error_rate"); w.double(stats?.errorRate)
        w.key("streaming_rate"); w.double(nil)
        w.key("last_run_start_time"); w.string(stats?.lastRunStartTime?.iso8601)
        w.key("last_run_start_time_live"); w.string(stats?.lastRunStartTime?.iso8601)
        w.key("feedback_stats")
        if let s = stats { FeedbackStatsJSON.write(s.feedbackStats, into: &w) } else { w.null() }
        w.key("session_feedback_stats")
        if let s = stats { FeedbackStatsJSON.write(s.sessionFeedbackStats, into: &w) } else { w.null() }
        w.key("run_facets"); if stats != nil { w.beginArray(); w.endArray() } else { w.null() }
        w.endObject()
    }
}

enum FeedbackJSON {
    static func write(_ f: Feedback, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(f.id.lowercased)
        w.key("created_at"); w.string(f.createdAt.iso8601)
        w.key("modified_at"); w.string(f.modifiedAt.iso8601)
        w.key("key"); w.string(f.key)
        w.key("score"); if let s = f.score { w.value(s) } else { w.null() }
        w.key("value"); if let v = f.value { w.value(v) } else { w.null() }
        w.key("comment"); w.string(f.comment)
        w.key("correction"); if let c = f.correction { w.value(c) } else { w.null() }
        w.key("feedback_group_id"); w.string(f.feedbackGroupId?.lowercased)
        w.key("comparative_experiment_id"); w.string(f.comparativeExperimentId?.lowercased)
        w.key("run_id"); w.string(f.runId?.lowercased)
        w.key("trace_id"); w.string(f.traceId?.lowercased)
        w.key("session_id"); w.string(f.sessionId?.lowercased)
        w.key("start_time"); w.string(f.startTime?.iso8601)
        w.key("is_root"); w.bool(f.runId != nil && f.runId == f.traceId)
        w.key("feedback_source"); if let s = f.feedbackSource { w.value(s) } else { w.null() }
        w.key("feedback_config"); if let c = f.feedbackConfig { w.value(c) } else { w.null() }
        w.key("extra"); if let e = f.extra { w.value(e) } else { w.null() }
        w.endObject()
    }
}
