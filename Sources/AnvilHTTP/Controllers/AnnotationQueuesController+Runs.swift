import AnvilAuth
import AnvilCore
import AnvilStorage
import Foundation
import Hummingbird

/// The runs in a queue: adding (by id, or by key), listing by review state, the run at a position,
/// sizes, review status, removal. With one principal per workspace until issue 7, "needs my review"
/// is every run not yet reviewed and "needs others' review" is always empty.
extension AnnotationQueuesController {
    /// A run to add, as `POST …/runs` or `…/runs/by-key` names it.
    struct RunToAdd {
        var runId: UUID
        var sessionId: UUID?
        var sourceProposedExampleId: UUID?
    }

    /// `POST …/runs`: a JSON array of run ids, or of `{run_id, …}` objects.
    @Sendable func addRuns(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let items = try await Self.array(request.jsonValue())
        let runs = try items.enumerated().map { i, item -> RunToAdd in
            if let s = item.stringValue {
                guard let id = UUID(uuidString: s) else { throw APIError.unprocessable("item \(i) is not a run id") }
                return RunToAdd(runId: id)
            }
            guard case .object(let o) = item, let id = try o.uuid("run_id") else {
                throw APIError.unprocessable("item \(i) must be a run id or an object with run_id")
            }
            return RunToAdd(runId: id, sessionId: try o.uuid("session_id"), sourceProposedExampleId: try o.uuid("source_proposed_example_id"))
        }
        return try await add(runs, context: context)
    }

    /// `POST …/runs/by-key`: `[{run_id, session_id, start_time, source_proposed_example_id?}]`.
    @Sendable func addRunsByKey(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let items = try await Self.array(request.jsonValue())
        let runs = try items.enumerated().map { i, item -> RunToAdd in
            guard case .object(let o) = item else { throw APIError.unprocessable("item \(i) must be an object") }
            guard let id = try o.uuid("run_id"), let session = try o.uuid("session_id"), try o.time("start_time") != nil else {
                throw APIError.unprocessable("item \(i) needs run_id, session_id and start_time")
            }
            return RunToAdd(runId: id, sessionId: session, sourceProposedExampleId: try o.uuid("source_proposed_example_id"))
        }
        return try await add(runs, context: context)
    }

    static func array(_ body: JSONValue) throws -> [JSONValue] {
        guard case .array(let items) = body else { throw APIError.unprocessable("request body must be a JSON array") }
        guard items.count <= 1000 else { throw APIError.unprocessable("at most 1000 runs per request") }
        return items
    }

    /// Every run must exist (in the session given, if any); then each is added once.
    func add(_ runs: [RunToAdd], context: TenantContext) async throws -> Response {
        let q = try await queue(context)
        let found = Dictionary(
            try await traces.runs(ids: Array(Set(runs.map(\.runId))), tenantId: context.tenantId).filter(\.posted).map { ($0.id, $0) },
            uniquingKeysWith: { a, _ in a })
        let missing = runs.filter { r in
            guard let run = found[r.runId] else { return true }
            return r.sessionId.map { $0 != run.sessionId } ?? false
        }
        guard missing.isEmpty else {
            let ids = missing.prefix(5).map(\.runId.lowercased).joined(separator: ", ")
            throw APIError.notFound("runs \(ids)\(missing.count > 5 ? " (and \(missing.count - 5) more)" : "")")
        }
        // One microsecond apart, so the queue keeps the order the runs were sent in.
        let now = Timestamp.now().microseconds
        let entries = runs.enumerated().map { i, r in
            AnnotationQueueRun(
                queueId: q.id, tenantId: context.tenantId, runId: r.runId, addedAt: Timestamp(microseconds: now + Int64(i)),
                sourceProposedExampleId: r.sourceProposedExampleId)
        }
        let stored = try await queues.addAnnotationQueueRuns(entries, queueId: q.id, tenantId: context.tenantId)
        return .json { w in
            w.beginArray()
            for e in stored { AnnotationQueueRunJSON.write(e, into: &w) }
            w.endArray()
        }
    }

    /// The review state a `status` parameter asks for: `.some(nil)` for every run, `nil` for none
    /// (runs needing someone else's review: there is no one else yet).
    static func status(_ qp: QueryParams) throws -> AnnotationQueueRun.Status?? {
        switch qp.string("status") {
        case nil: return .some(nil)
        case "needs_my_review"?: return .needsReview
        case "completed"?: return .completed
        case "needs_others_review"?: return nil
        case let other?:
            throw APIError.unprocessable("status must be needs_my_review, needs_others_review or completed, not '\(other.prefix(40))'")
        }
    }

    @Sendable func listRuns(request: Request, context: TenantContext) async throws -> Response {
        let q = try await queue(context)
        let qp = request.query
        let limit = try qp.int("limit", default: 100, range: 1...1000)
        let offset = try qp.int("offset", default: 0, range: 0...Int(Int32.max))
        guard let status = try Self.status(qp) else { return .json(JSONValue.array([])) }
        let entries = try await queues.annotationQueueRuns(queueId: q.id, tenantId: context.tenantId, status: status, offset: offset, limit: limit)
        return .json(try await write(entries, tenantId: context.tenantId) ?? [], for: request)
    }

    /// Runs with their queue fields, as an array (or the first alone); entries whose run is gone
    /// (its project was deleted) are left out. Nil when none is left.
    func write(_ entries: [AnnotationQueueRun], tenantId: UUID, array: Bool = true) async throws -> [UInt8]? {
        let runs = Dictionary(try await traces.runs(ids: entries.map(\.runId), tenantId: tenantId).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let present = entries.filter { runs[$0.runId] != nil }
        guard array || !present.isEmpty else { return nil }
        let fields = RunJSON.defaultFields
        let extras = try await reader.extras(for: present.compactMap { runs[$0.runId] }, fields: fields, tenantId: tenantId)
        var w = JSONWriter(capacity: 16 * 1024)
        if array { w.beginArray() }
        for e in array ? present : [present[0]] {
            RunJSON.write(runs[e.runId]!, fields: fields, extras: extras[e.runId] ?? RunExtras(), into: &w) { w in
                AnnotationQueueRunJSON.writeQueueFields(e, into: &w)
            }
        }
        if array { w.endArray() }
        return w.bytes
    }

    /// `GET …/run/{index}`: the index-th run (from 0) among those needing review.
    @Sendable func runAt(request: Request, context: TenantContext) async throws -> Response {
        let q = try await queue(context)
        guard let index = context.parameters.get("index").flatMap({ Int($0) }), index >= 0 else {
            throw APIError.unprocessable("index must be a non-negative integer")
        }
        guard let entry = try await queues.annotationQueueRuns(queueId: q.id, tenantId: context.tenantId, status: .needsReview, offset: index, limit: 1).first
        else {
            let size = try await queues.annotationQueueSizes(queueIds: [q.id], tenantId: context.tenantId, status: .needsReview)[q.id] ?? 0
            throw APIError(.notFound, "no run at index \(index) of annotation queue \(q.id.lowercased) (\(size) need review)")
        }
        guard let bytes = try await write([entry], tenantId: context.tenantId, array: false) else {
            throw APIError.notFound("run \(entry.runId.lowercased) (in the queue, but no longer stored)")
        }
        return .json(bytes)
    }

    /// `{size}`: runs needing review (or in the `status` asked for).
    @Sendable func size(request: Request, context: TenantContext) async throws -> Response {
        let q = try await queue(context)
        var n = 0
        if let status = try Self.status(request.query) {
            n = try await queues.annotationQueueSizes(queueIds: [q.id], tenantId: context.tenantId, status: status ?? .needsReview)[q.id] ?? 0
        }
        return .json(["size": .int(Int64(n))])
    }

    @Sendable func totalSize(request: Request, context: TenantContext) async throws -> Response {
        let q = try await queue(context)
        let n = try await queues.annotationQueueSizes(queueIds: [q.id], tenantId: context.tenantId, status: nil)[q.id] ?? 0
        return .json(["size": .int(Int64(n))])
    }

    /// The entry `:entry` names: a queue-run id, or a run id (the SDK's delete sends run ids).
    func entry(_ q: AnnotationQueue, _ context: TenantContext) async throws -> AnnotationQueueRun {
        let id = try context.parameters.uuid("entry")
        guard let e = try await queues.annotationQueueRun(queueId: q.id, tenantId: context.tenantId, id: id) else {
            throw APIError.notFound("run \(id.lowercased) in annotation queue \(q.id.lowercased)")
        }
        return e
    }

    /// Marks a run reviewed (`completed`) or back to `needs_review`, at `time` (default now).
    static func review(_ e: inout AnnotationQueueRun, status: String, time: Timestamp?, by reviewer: UUID) throws {
        switch status {
        case "completed":
            e.lastReviewedTime = time ?? .now()
            e.reviewedBy = reviewer
        case "needs_review":
            guard time == nil else { throw APIError.unprocessable("a run that needs review has no last_reviewed_time") }
            e.lastReviewedTime = nil
            e.reviewedBy = nil
        default:
            throw APIError.unprocessable("status must be completed or needs_review, not '\(status.prefix(40))'")
        }
    }

    /// `PATCH …/runs/{queue_run_id}`: `{last_reviewed_time?, added_at?, status?}`. Setting
    /// `last_reviewed_time` (or `status: completed`) marks the run reviewed; null (or
    /// `status: needs_review`) puts it back in review.
    @Sendable func updateRun(request: Request, context: TenantContext) async throws -> Response {
        var e = try await entry(try await queue(context), context)
        var request = request
        let body = try await request.jsonObject()
        let reviewed = try body.time("last_reviewed_time")
        if let status = try body.string("status") {
            try Self.review(&e, status: status, time: reviewed, by: context.principal.actorId)
        } else if body["last_reviewed_time"] != nil {
            e.lastReviewedTime = reviewed
            e.reviewedBy = reviewed == nil ? nil : context.principal.actorId
        }
        if let added = try body.time("added_at") { e.addedAt = added }
        try await queues.updateAnnotationQueueRun(e)
        return .json { w in AnnotationQueueRunJSON.write(e, into: &w) }
    }

    /// `POST /annotation-queues/status/{queue_run_id}`: `{status?, override_added_at?}`.
    @Sendable func setStatus(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("entry")
        guard var e = try await queues.annotationQueueRun(entryId: id, tenantId: context.tenantId) else {
            throw APIError.notFound("annotation queue run \(id.lowercased)")
        }
        var request = request
        let body = try await request.jsonObject()
        if let status = try body.string("status") { try Self.review(&e, status: status, time: nil, by: context.principal.actorId) }
        if let added = try body.time("override_added_at") { e.addedAt = added }
        try await queues.updateAnnotationQueueRun(e)
        return .json { w in AnnotationQueueRunJSON.write(e, into: &w) }
    }

    @Sendable func removeRun(request: Request, context: TenantContext) async throws -> Response {
        let q = try await queue(context)
        let e = try await entry(q, context)
        _ = try await queues.removeAnnotationQueueRuns(runIds: [e.runId], queueId: q.id, tenantId: context.tenantId)
        return .json(JSONValue.object([:]))
    }

    /// `POST …/runs/delete`: `{run_ids}`, or `{delete_all: true, exclude_run_ids?}`.
    @Sendable func removeRuns(request: Request, context: TenantContext) async throws -> Response {
        let q = try await queue(context)
        var request = request
        let body = try await request.jsonObject()
        var ids: [UUID]
        if try body.bool("delete_all") == true {
            let excluded = Set(try body.uuids("exclude_run_ids") ?? [])
            let all = try await queues.annotationQueueRuns(queueId: q.id, tenantId: context.tenantId, status: nil, offset: 0, limit: Int(Int32.max))
            ids = all.map(\.runId).filter { !excluded.contains($0) }
        } else {
            guard let given = try body.uuids("run_ids") else { throw APIError.unprocessable("run_ids is required unless delete_all is true") }
            ids = given
        }
        let removed = try await queues.removeAnnotationQueueRuns(runIds: ids, queueId: q.id, tenantId: context.tenantId)
        return .json(["deleted": .int(Int64(removed))])
    }
}
