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
    let datasets: any DatasetStore
    let projects: any ProjectStore
    let links: ExampleAttachmentLinks

    func addRoutes(to group: RouterGroup<AnvilRequestContext>) {
        group.get("public/attachments/:tenant/:run/:name", use: attachment)
        group.get("public/:token/run", use: sharedRun)
        group.get("public/:token/trace", use: sharedTrace)
        group.get("public/blobs/example-attachments/:tenant/:example/:file", use: blob)
        group.get("public/:token/datasets", use: sharedDataset)
        group.get("public/:token/examples", use: sharedExamples)
        group.get("public/:token/datasets/sessions", use: sharedExperiments)
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

    // MARK: shared datasets and example attachments

    func dataset(_ context: AnvilRequestContext) async throws -> Dataset {
        guard let token = UUID(uuidString: context.parameters.get("token") ?? ""),
            let d = try await datasets.sharedDataset(token: token)
        else { throw APIError.notFound("shared dataset") }
        return d
    }

    @Sendable func sharedDataset(request: Request, context: AnvilRequestContext) async throws -> Response {
        let d = try await dataset(context)
        let counts = try await datasets.datasetCounts(ids: [d.id], tenantId: d.tenantId)[d.id]
        var extras = DatasetJSON.Extras()
        extras.exampleCount = counts?.exampleCount ?? 0
        return .json { w in DatasetJSON.write(d, extras: extras, into: &w) }
    }

    @Sendable func sharedExamples(request: Request, context: AnvilRequestContext) async throws -> Response {
        let d = try await dataset(context)
        let qp = request.query
        var q = ExampleQuery(tenantId: d.tenantId)
        q.datasetId = d.id
        q.ids = try qp.uuids("id")
        q.limit = try qp.int("limit", default: 100, range: 1...1000)
        q.offset = try qp.int("offset", default: 0, range: 0...Int(Int32.max))
        let examples = try await datasets.examples(q)
        return .json { w in
            w.beginArray()
            for e in examples { DatasetJSON.write(e, attachmentURL: links.url, into: &w) }
            w.endArray()
        }
    }

    @Sendable func sharedExperiments(request: Request, context: AnvilRequestContext) async throws -> Response {
        let d = try await dataset(context)
        let qp = request.query
        var q = ProjectQuery(tenantId: d.tenantId)
        q.referenceDatasetId = d.id
        q.ids = try qp.uuids("id")
        q.name = qp.string("name")
        q.nameContains = qp.string("name_contains")
        q.limit = try qp.int("limit", default: 100, range: 1...1000)
        q.offset = try qp.int("offset", default: 0, range: 0...Int(Int32.max))
        let rows = try await projects.listProjects(q)
        let stats = try await traces.projectStats(projectIds: rows.map(\.id), tenantId: d.tenantId)
        return .json { w in
            w.beginArray()
            for p in rows { ProjectJSON.write(p, stats: stats[p.id], into: &w) }
            w.endArray()
        }
    }

    /// Key-less download of an example attachment; the signature covers the key and media type.
    @Sendable func blob(request: Request, context: AnvilRequestContext) async throws -> Response {
        let p = context.parameters
        let key = "example-attachments/\(p.get("tenant") ?? "")/\(p.get("example") ?? "")/\(p.get("file") ?? "")"
        let mime = request.query.string("mime") ?? "application/octet-stream"
        guard let token = request.query.string("token"), signer.verify(key + "\n" + mime, token: token) else {
            throw APIError(.forbidden, "attachment link is invalid or has expired; read the example again for a fresh link")
        }
        guard let bytes = try await blobs.get(key: key) else { throw APIError.notFound("attachment") }
        return Response(
            status: .ok, headers: [.contentType: mime, .cacheControl: "private, max-age=300"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
