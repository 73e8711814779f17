import AnvilCore
import Foundation

/// Per-run data that does not live on the row: computed by the handler only when selected.
struct RunExtras {
    var childRunIds: [UUID]?
    var feedbackStats: [String: FeedbackStats]?
    var shareToken: UUID?
    /// Attachment name → signed download URL.
    var attachmentURLs: [String: (url: String, mimeType: String)] = [:]
}

/// Writes runs in LangSmith's `RunSchema` shape, embedding stored payloads as raw bytes.
enum RunJSON {
    /// The SDK's default `select` (client.py `list_runs`) plus what the UI reads.
    static let defaultFields: Set<String> = [
        "app_path", "completion_cost", "completion_tokens", "dotted_order", "end_time", "error", "events", "extra",
        "feedback_stats", "first_token_time", "id", "inputs", "name", "outputs", "parent_run_id", "parent_run_ids",
        "prompt_cost", "prompt_tokens", "reference_example_id", "run_type", "s3_urls", "session_id", "start_time",
        "status", "tags", "total_cost", "total_tokens", "trace_id", "thread_id", "serialized",
        "prompt_token_details", "completion_token_details", "prompt_cost_details", "completion_cost_details",
        "child_run_ids", "direct_child_run_ids", "in_dataset", "manifest_id", "execution_order",
        "reference_dataset_id", "share_token", "trace_min_start_time", "trace_max_start_time",
    ]

    /// Fields that need a query beyond the run row.
    static let childFields: Set<String> = ["child_run_ids", "direct_child_run_ids"]

    /// `trailing` appends members of a richer schema that extends the run (e.g. a queue entry's).
    static func write(
        _ run: Run, fields: Set<String>, extras: RunExtras, into w: inout JSONWriter, trailing: (inout JSONWriter) -> Void = { _ in }
    ) {
        func want(_ f: String) -> Bool { fields.contains(f) }
        let u = run.rollupUsage
        w.beginObject()
        w.key("id"); w.string(run.id.lowercased)
        w.key("name"); w.string(run.name ?? "Unnamed")
        w.key("run_type"); w.string(run.runType ?? "chain")
        w.key("start_time"); w.string((run.startTime ?? Timestamp(microseconds: 0)).iso8601)
        w.key("trace_id"); w.string((run.traceId ?? run.id).lowercased)
        w.key("dotted_order"); w.string(run.dottedOrder ?? "")
        w.key("session_id"); w.string(run.sessionId?.lowercased)
        w.key("status"); w.string(run.status.rawValue)
        w.key("app_path"); w.string(appPath(run))
        if want("end_time") { w.key("end_time"); w.string(run.endTime?.iso8601) }
        if want("parent_run_id") { w.key("parent_run_id"); w.string(run.parentRunId?.lowercased) }
        if want("parent_run_ids") {
            w.key("parent_run_ids")
            w.stringArray(run.ancestorIds.reversed().map(\.lowercased))
        }
        if want("error") { w.key("error"); w.string(run.error) }
        if want("inputs") { w.key("inputs"); w.raw(run.inputs ?? RawJSON(validated: Array("{}".utf8))) }
        if want("outputs") { w.key("outputs"); w.raw(run.outputs) }
        if want("inputs_preview") { w.key("inputs_preview"); w.string(Preview.text(run.inputs)) }
        if want("outputs_preview") { w.key("outputs_preview"); w.string(Preview.text(run.outputs)) }
        if want("extra") { w.key("extra"); w.raw(run.extra) }
        if want("events") { w.key("events"); w.raw(run.events ?? RawJSON(validated: Array("[]".utf8))) }
        if want("serialized") { w.key("serialized"); w.raw(run.serialized) }
        if want("tags") { w.key("tags"); w.stringArray(run.tags) }
        if want("reference_example_id") { w.key("reference_example_id"); w.string(run.referenceExampleId?.lowercased) }
        if want("reference_dataset_id") { w.key("reference_dataset_id"); w.null() }
        if want("in_dataset") { w.key("in_dataset"); w.bool(false) }
        if want("manifest_id") { w.key("manifest_id"); w.null() }
        if want("execution_order") { w.key("execution_order"); w.int(run.isRoot ? 1 : run.ancestorIds.count + 1) }
        if want("thread_id") { w.key("thread_id"); w.string(run.threadId) }
        if want("first_token_time") { w.key("first_token_time"); w.string(run.firstTokenTime?.iso8601) }
        if want("total_tokens") { w.key("total_tokens"); w.int(u.totalTokens ?? 0) }
        if want("prompt_tokens") { w.key("prompt_tokens"); w.int(u.promptTokens ?? 0) }
        if want("completion_tokens") { w.key("completion_tokens"); w.int(u.completionTokens ?? 0) }
        if want("total_cost") { w.key("total_cost"); w.string(u.totalCost.map(decimalString)) }
        if want("prompt_cost") { w.key("prompt_cost"); w.string(u.promptCost.map(decimalString)) }
        if want("completion_cost") { w.key("completion_cost"); w.string(u.completionCost.map(decimalString)) }
        if want("prompt_token_details") { w.key("prompt_token_details"); optionalValue(u.promptTokenDetails, &w) }
        if want("completion_token_details") { w.key("completion_token_details"); optionalValue(u.completionTokenDetails, &w) }
        if want("prompt_cost_details") { w.key("prompt_cost_details"); costDetails(u.promptCostDetails, &w) }
        if want("completion_cost_details") { w.key("completion_cost_details"); costDetails(u.completionCostDetails, &w) }
        if want("feedback_stats") {
            w.key("feedback_stats")
            if let stats = extras.feedbackStats, !stats.isEmpty { FeedbackStatsJSON.write(stats, into: &w) } else { w.null() }
        }
        if want("child_run_ids") || want("direct_child_run_ids") {
            let ids = extras.childRunIds?.map(\.lowercased)
            if want("child_run_ids") { w.key("child_run_ids"); if let ids { w.stringArray(ids) } else { w.null() } }
            if want("direct_child_run_ids") { w.key("direct_child_run_ids"); if let ids { w.stringArray(ids) } else { w.null() } }
        }
        if want("share_token") { w.key("share_token"); w.string(extras.shareToken?.lowercased) }
        if want("trace_min_start_time") { w.key("trace_min_start_time"); w.null() }
        if want("trace_max_start_time") { w.key("trace_max_start_time"); w.null() }
        if want("s3_urls") {
            w.key("s3_urls")
            w.beginObject()
            for name in extras.attachmentURLs.keys.sorted() {
                let a = extras.attachmentURLs[name]!
                w.key("attachment.\(name)")
                w.beginObject()
                w.key("presigned_url"); w.string(a.url)
                w.key("mime_type"); w.string(a.mimeType)
                w.endObject()
            }
            w.endObject()
        }
        trailing(&w)
        w.endObject()
    }

    /// The UI path of a run (same shape as LangSmith's, so `{web_url}{app_path}` links work).
    static func appPath(_ run: Run) -> String {
        var path = "/o/\(run.tenantId.lowercased)/projects/p/\(run.sessionId?.lowercased ?? "-")/r/\(run.id.lowercased)"
        path += "?trace_id=\((run.traceId ?? run.id).lowercased)"
        if let s = run.startTime { path += "&start_time=\(s.iso8601.replacingOccurrences(of: "+", with: "%2B"))" }
        return path
    }

    static func optionalValue(_ v: JSONValue?, _ w: inout JSONWriter) {
        if let v { w.value(v) } else { w.null() }
    }

    /// Cost details are decimal strings too.
    static func costDetails(_ v: JSONValue?, _ w: inout JSONWriter) {
        guard case .object(let o)? = v else { return optionalValue(v, &w) }
        w.beginObject()
        for k in o.keys.sorted() {
            w.key(k)
            if let d = o[k]?.numericValue { w.string(decimalString(d)) } else { w.value(o[k]!) }
        }
        w.endObject()
    }
}

enum FeedbackStatsJSON {
    static func write(_ stats: [String: FeedbackStats], into w: inout JSONWriter) {
        w.beginObject()
        for key in stats.keys.sorted() {
            let s = stats[key]!
            w.key(key)
            w.beginObject()
            w.key("n"); w.int(s.n)
            w.key("avg"); w.double(s.avg)
            w.key("stdev"); w.double(s.stdev)
            w.key("errors"); w.int(s.errors)
            w.key("values")
            w.beginObject()
            for v in s.values.keys.sorted() { w.key(v); w.int(s.values[v]!) }
            w.endObject()
            w.key("comments"); w.stringArray(Array(s.comments.prefix(20)))
            w.endObject()
        }
        w.endObject()
    }
}
