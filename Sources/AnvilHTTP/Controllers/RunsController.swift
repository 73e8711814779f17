import AnvilAuth
import AnvilCore
import AnvilIngest
import AnvilStorage
import Foundation
import Hummingbird

/// `/runs…`: ingestion (multipart, batch, single post/patch), reads, stats and sharing.
struct RunsController: Sendable {
    let ingest: IngestService
    let traces: any TraceStore
    let shares: any ShareStore
    let reader: RunReader

    func addRoutes(to group: RouterGroup<TenantContext>) {
        group.post("runs/multipart", use: multipart)
        group.post("runs/batch", use: batch)
        group.post("runs/query", use: query)
        group.post("runs/stats", use: stats)
        group.post("runs", use: create)
        group.patch("runs/:id", use: update)
        group.get("runs/:id", use: get)
        group.put("runs/:id/share", use: share)
        group.get("runs/:id/share", use: readShare)
        group.delete("runs/:id/share", use: unshare)
    }

    static let accepted = Response.json(Array("{}".utf8), status: .accepted)

    @Sendable func multipart(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let body = try await request.bytes()
        _ = try await ingest.multipart(
            body: body, contentType: request.headers[.contentType], contentEncoding: request.headers[.contentEncoding],
            tenantId: context.tenantId)
        return Self.accepted
    }

    @Sendable func batch(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let body = try await request.bytes()
        _ = try await ingest.batch(body: body, contentEncoding: request.headers[.contentEncoding], tenantId: context.tenantId)
        return Self.accepted
    }

    @Sendable func create(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let body = try await request.bytes()
        _ = try await ingest.single(body: body, kind: .post, id: nil, contentEncoding: request.headers[.contentEncoding], tenantId: context.tenantId)
        return Self.accepted
    }

    @Sendable func update(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        var request = request
        let body = try await request.bytes()
        _ = try await ingest.single(body: body, kind: .patch, id: id, contentEncoding: request.headers[.contentEncoding], tenantId: context.tenantId)
        return Self.accepted
    }

    @Sendable func get(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        guard let run = try await traces.runs(ids: [id], tenantId: context.tenantId).first, run.posted else {
            throw APIError.notFound("run \(id.lowercased)")
        }
        return .json(try await reader.one(run, tenantId: context.tenantId))
    }

    @Sendable func query(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let body = try await request.jsonObject()
        let (q, fields) = try RunQueryBody.parse(body, tenantId: context.tenantId)
        let page = try await traces.queryRuns(q)
        var w = JSONWriter(capacity: 64 * 1024)
        w.beginObject()
        w.key("runs")
        try await reader.write(page.runs, fields: fields, tenantId: context.tenantId, into: &w)
        w.key("cursors")
        w.beginObject()
        w.key("next"); w.string(page.next?.token)
        w.key("prev"); w.null()
        w.endObject()
        w.key("search_cursors"); w.null()
        w.key("parsed_query"); w.null()
        w.endObject()
        return .json(w.bytes, for: request)
    }

    @Sendable func stats(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let body = try await request.jsonObject()
        let (q, _) = try RunQueryBody.parse(body, tenantId: context.tenantId)
        let s = try await traces.runStats(q)
        return .json { w in RunStatsJSON.write(s, into: &w) }
    }

    @Sendable func share(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        var request = request
        let body = try await request.jsonObject()
        guard let run = try await traces.runs(ids: [id], tenantId: context.tenantId).first, run.posted else {
            throw APIError.notFound("run \(id.lowercased)")
        }
        let token = try body.uuid("share_token") ?? UUID()
        let share = try await shares.shareRun(RunShare(token: token, tenantId: context.tenantId, runId: run.id))
        return .json(["run_id": .string(run.id.lowercased), "share_token": .string(share.token.lowercased)])
    }

    @Sendable func readShare(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        guard let share = try await shares.runShare(runId: id, tenantId: context.tenantId) else {
            return .json(JSONValue.null)
        }
        return .json(["run_id": .string(id.lowercased), "share_token": .string(share.token.lowercased)])
    }

    @Sendable func unshare(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        try await shares.unshareRun(runId: id, tenantId: context.tenantId)
        return .json(JSONValue.object([:]))
    }
}

enum RunStatsJSON {
    static func write(_ s: RunStats, into w: inout JSONWriter) {
        w.beginObject()
        w.key("run_count"); w.int(s.runCount)
        w.key("latency_p50"); w.double(s.latencyP50)
        w.key("latency_p99"); w.double(s.latencyP99)
        w.key("first_token_p50"); w.double(s.firstTokenP50)
        w.key("first_token_p99"); w.double(s.firstTokenP99)
        w.key("total_tokens"); w.int(s.totalTokens)
        w.key("prompt_tokens"); w.int(s.promptTokens)
        w.key("completion_tokens"); w.int(s.completionTokens)
        w.key("total_cost"); w.double(s.totalCost)
        w.key("prompt_cost"); w.double(s.promptCost)
        w.key("completion_cost"); w.double(s.completionCost)
        w.key("error_rate"); w.double(s.errorRate)
        w.key("last_run_start_time"); w.string(s.lastRunStartTime?.iso8601)
        w.key("feedback_stats")
        FeedbackStatsJSON.write(s.feedbackStats, into: &w)
        w.key("run_facets"); w.beginArray(); w.endArray()
        w.key("streaming_rate"); w.double(nil)
        w.endObject()
    }
}
