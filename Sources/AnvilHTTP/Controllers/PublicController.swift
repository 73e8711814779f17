import AnvilAuth
import AnvilCore
import AnvilStorage
import Foundation
import Hummingbird
import NIOCore

/// Routes that work without an API key: shared traces (by share token) and signed attachment URLs.
struct PublicController: Sendable {
    let traces: any TraceStore
    let shares: any ShareStore
    let blobs: any BlobStore
    let signer: URLSigner
    let reader: RunReader
    let queries: any UITraceQueries

    func addRoutes(to group: RouterGroup<AnvilRequestContext>) {
        group.get("public/attachments/:tenant/:run/:name", use: attachment)
        group.get("public/:token/run", use: sharedRun)
        group.get("public/:token/trace", use: sharedTrace)
        group.get("public/:token/run/:id", use: sharedRunInTrace)
        group.post("public/:token/runs/query", use: sharedQuery)
    }

    func share(_ context: AnvilRequestContext) async throws -> (RunShare, Run) {
        guard let token = UUID(uuidString: context.parameters.get("token") ?? ""),
            let share = try await shares.runShare(token: token),
            let run = try await traces.runs(ids: [share.runId], tenantId: share.tenantId).first, run.posted
        else { throw APIError.notFound("shared run") }
        return (share, run)
    }

    @Sendable func sharedRun(request: Request, context: AnvilRequestContext) async throws -> Response {
        let (share, run) = try await share(context)
        return .json(try await reader.one(run, tenantId: share.tenantId))
    }

    /// The whole shared trace in the UI's compact shape.
    @Sendable func sharedTrace(request: Request, context: AnvilRequestContext) async throws -> Response {
        let (share, shared) = try await share(context)
        let runs = try await queries.traceRuns(traceId: shared.traceId ?? shared.id, tenantId: share.tenantId, limit: UIController.maxTraceRuns + 1)
        return .json(CompactRunJSON.trace(runs, limit: UIController.maxTraceRuns), for: request)
    }

    /// Any run of the shared run's trace.
    @Sendable func sharedRunInTrace(request: Request, context: AnvilRequestContext) async throws -> Response {
        let (share, shared) = try await share(context)
        let id = try context.parameters.uuid("id")
        guard let run = try await traces.runs(ids: [id], tenantId: share.tenantId).first, run.posted,
            run.traceId == shared.traceId
        else { throw APIError.notFound("run \(id.lowercased)") }
        return .json(try await reader.one(run, tenantId: share.tenantId))
    }

    @Sendable func sharedQuery(request: Request, context: AnvilRequestContext) async throws -> Response {
        let (share, shared) = try await share(context)
        var request = request
        let body = try await request.jsonObject()
        var (q, fields) = try RunQueryBody.parse(body, tenantId: share.tenantId)
        q.traceId = shared.traceId ?? shared.id
        q.sessionIds = nil
        let page = try await traces.queryRuns(q)
        var w = JSONWriter(capacity: 16 * 1024)
        w.beginObject()
        w.key("runs")
        try await reader.write(page.runs, fields: fields, tenantId: share.tenantId, into: &w)
        w.key("cursors"); w.beginObject(); w.key("next"); w.string(page.next?.token); w.endObject()
        w.endObject()
        return .json(w.bytes)
    }

    @Sendable func attachment(request: Request, context: AnvilRequestContext) async throws -> Response {
        let p = context.parameters
        let key = "attachments/\(p.get("tenant") ?? "")/\(p.get("run") ?? "")/\(p.get("name")?.removingPercentEncoding ?? "")"
        guard let token = request.query.string("token"), signer.verify(key, token: token) else {
            throw APIError(.forbidden, "attachment link is invalid or has expired; read the run again for a fresh link")
        }
        guard let tenant = UUID(uuidString: p.get("tenant") ?? ""), let runId = UUID(uuidString: p.get("run") ?? ""),
            let run = try await traces.runs(ids: [runId], tenantId: tenant).first,
            let a = run.attachments.first(where: { $0.key == key }),
            let bytes = try await blobs.get(key: key)
        else { throw APIError.notFound("attachment") }
        return Response(
            status: .ok,
            headers: [.contentType: a.mimeType, .cacheControl: "private, max-age=300"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
