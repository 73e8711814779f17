import AnvilCore
import AnvilStorage
import Foundation
import Hummingbird

/// Endpoints only the web UI uses (documented in Web/README.md): whole traces for the tree, threads,
/// and monitor time series aggregated in the store.
struct UIController: Sendable {
    let projects: any ProjectStore
    let queries: any UITraceQueries

    static let maxTraceRuns = 100_000

    func addRoutes(to group: RouterGroup<TenantContext>) {
        group.get("ui/traces/:traceId", use: trace)
        group.get("ui/sessions/:id/threads", use: threads)
        group.get("ui/sessions/:id/monitor", use: monitor)
    }

    @Sendable func trace(request: Request, context: TenantContext) async throws -> Response {
        let traceId = try context.parameters.uuid("traceId")
        let runs = try await queries.traceRuns(traceId: traceId, tenantId: context.tenantId, limit: Self.maxTraceRuns + 1)
        guard !runs.isEmpty else { throw APIError.notFound("trace \(traceId.lowercased)") }
        return .json(CompactRunJSON.trace(runs, limit: Self.maxTraceRuns), for: request)
    }

    func project(_ context: TenantContext) async throws -> Project {
        let id = try context.parameters.uuid("id")
        guard let p = try await projects.project(id: id, tenantId: context.tenantId) else {
            throw APIError.notFound("project \(id.lowercased)")
        }
        return p
    }

    @Sendable func threads(request: Request, context: TenantContext) async throws -> Response {
        let project = try await project(context)
        let q = request.query
        let page = try await queries.threads(
            projectId: project.id, tenantId: context.tenantId, search: q.string("search"),
            limit: try q.int("limit", default: 50, range: 1...500), offset: try q.int("offset", default: 0, range: 0...Int(Int32.max)))
        return .json { w in
            w.beginObject()
            w.key("threads")
            w.beginArray()
            for t in page.threads {
                w.beginObject()
                w.key("thread_id"); w.string(t.threadId)
                w.key("trace_count"); w.int(t.traceCount)
                w.key("first_start_time"); w.string(t.firstStartTime.iso8601)
                w.key("last_start_time"); w.string(t.lastStartTime.iso8601)
                w.key("last_trace_id"); w.string(t.lastTraceId.lowercased)
                w.key("last_run_id"); w.string(t.lastRunId.lowercased)
                w.key("last_name"); w.string(t.lastName)
                w.key("first_input_preview"); w.string(Preview.text(t.firstInputs))
                w.key("last_output_preview"); w.string(Preview.text(t.lastOutputs))
                w.key("total_tokens"); w.int(t.totalTokens)
                w.key("total_cost"); w.string(t.totalCost.map(decimalString))
                w.key("error_count"); w.int(t.errorCount)
                w.endObject()
            }
            w.endArray()
            w.key("total"); w.int(page.total)
            w.endObject()
        }
    }

    @Sendable func monitor(request: Request, context: TenantContext) async throws -> Response {
        let project = try await project(context)
        let q = request.query
        let now = Timestamp.now()
        let end = try q.string("end").map { s in
            guard let t = Timestamp(iso8601: s) else { throw APIError.unprocessable("end must be an ISO-8601 date-time") }
            return t
        } ?? now
        let start = try q.string("start").map { s in
            guard let t = Timestamp(iso8601: s) else { throw APIError.unprocessable("start must be an ISO-8601 date-time") }
            return t
        } ?? end.adding(seconds: -7 * 86_400)
        guard start < end else { throw APIError.unprocessable("start must be before end") }
        let buckets = try q.int("buckets", default: 48, range: 1...1000)
        let span = end.microseconds - start.microseconds
        let bucketSeconds = max(1, (span / Int64(buckets) + 999_999) / 1_000_000)
        let series = try await queries.monitor(
            projectId: project.id, tenantId: context.tenantId, start: start, end: end, bucketSeconds: bucketSeconds)
        let keys = Set(series.flatMap { $0.feedback.keys }).sorted()
        return .json { w in
            w.beginObject()
            w.key("start"); w.string(start.iso8601)
            w.key("end"); w.string(end.iso8601)
            w.key("bucket_seconds"); w.int(bucketSeconds)
            w.key("feedback_keys"); w.stringArray(keys)
            w.key("buckets")
            w.beginArray()
            for b in series {
                w.beginObject()
                w.key("start"); w.string(b.start.iso8601)
                w.key("traces"); w.int(b.traces)
                w.key("errors"); w.int(b.errors)
                w.key("error_rate"); w.double(b.traces > 0 ? Double(b.errors) / Double(b.traces) : nil)
                w.key("latency_p50"); w.double(b.latencyP50)
                w.key("latency_p99"); w.double(b.latencyP99)
                w.key("prompt_tokens"); w.int(b.promptTokens)
                w.key("completion_tokens"); w.int(b.completionTokens)
                w.key("total_tokens"); w.int(b.totalTokens)
                w.key("total_cost"); w.double(b.totalCost)
                w.key("feedback")
                w.beginObject()
                for key in b.feedback.keys.sorted() {
                    let f = b.feedback[key]!
                    w.key(key)
                    w.beginObject()
                    w.key("n"); w.int(f.n)
                    w.key("avg"); w.double(f.avg)
                    w.endObject()
                }
                w.endObject()
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
    }
}

/// The compact run shape of `/ui/traces/{id}`: what the tree and waterfall draw.
enum CompactRunJSON {
    static func trace(_ runs: [Run], limit: Int) -> [UInt8] {
        var w = JSONWriter(capacity: runs.count * 400 + 64)
        w.beginObject()
        w.key("runs")
        w.beginArray()
        for r in runs.prefix(limit) { write(r, into: &w) }
        w.endArray()
        w.key("truncated"); w.bool(runs.count > limit)
        w.endObject()
        return w.bytes
    }

    static func write(_ r: Run, into w: inout JSONWriter) {
        let u = r.rollupUsage
        w.beginObject()
        w.key("id"); w.string(r.id.lowercased)
        w.key("name"); w.string(r.name ?? "Unnamed")
        w.key("run_type"); w.string(r.runType ?? "chain")
        w.key("parent_run_id"); w.string(r.parentRunId?.lowercased)
        w.key("trace_id"); w.string((r.traceId ?? r.id).lowercased)
        w.key("session_id"); w.string(r.sessionId?.lowercased)
        w.key("dotted_order"); w.string(r.dottedOrder ?? "")
        w.key("start_time"); w.string(r.startTime?.iso8601)
        w.key("end_time"); w.string(r.endTime?.iso8601)
        w.key("status"); w.string(r.status.rawValue)
        w.key("error"); w.string(r.error.map { String($0.prefix(300)) })
        w.key("prompt_tokens"); w.int(u.promptTokens ?? 0)
        w.key("completion_tokens"); w.int(u.completionTokens ?? 0)
        w.key("total_tokens"); w.int(u.totalTokens ?? 0)
        w.key("total_cost"); w.string(u.totalCost.map(decimalString))
        w.key("first_token_time"); w.string(r.firstTokenTime?.iso8601)
        w.key("tags"); w.stringArray(r.tags)
        w.endObject()
    }
}
