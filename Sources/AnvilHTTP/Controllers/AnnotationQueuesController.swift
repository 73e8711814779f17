import AnvilCore
import AnvilStorage
import Foundation
import Hummingbird

/// `/annotation-queues`: queues of runs for review against a rubric. Queue CRUD is here; the runs
/// in a queue are in `AnnotationQueuesController+Runs.swift`.
///
/// Every route uses `:id` for its first parameter (a queue id, or a run id for `/{id}/queues`):
/// Hummingbird's trie does not backtrack between differently named captures at one level.
struct AnnotationQueuesController: Sendable {
    let queues: any AnnotationQueueStore
    let configs: any FeedbackConfigStore
    let traces: any TraceStore
    let reader: RunReader

    func addRoutes(to group: RouterGroup<TenantContext>) {
        group.post("annotation-queues", use: create)
        group.get("annotation-queues", use: list)
        group.delete("annotation-queues", use: deleteMany)
        group.get("annotation-queues/:id", use: get)
        group.patch("annotation-queues/:id", use: update)
        group.delete("annotation-queues/:id", use: delete)
        group.get("annotation-queues/:id/queues", use: queuesForRun)
        group.post("annotation-queues/:id/runs", use: addRuns)
        group.get("annotation-queues/:id/runs", use: listRuns)
        group.post("annotation-queues/:id/runs/by-key", use: addRunsByKey)
        group.post("annotation-queues/:id/runs/delete", use: removeRuns)
        group.patch("annotation-queues/:id/runs/:entry", use: updateRun)
        group.delete("annotation-queues/:id/runs/:entry", use: removeRun)
        group.get("annotation-queues/:id/run/:index", use: runAt)
        group.get("annotation-queues/:id/size", use: size)
        group.get("annotation-queues/:id/total_size", use: totalSize)
        group.post("annotation-queues/status/:entry", use: setStatus)
    }

    func queue(_ context: TenantContext) async throws -> AnnotationQueue {
        let id = try context.parameters.uuid("id")
        guard let q = try await queues.annotationQueue(id: id, tenantId: context.tenantId) else {
            throw APIError.notFound("annotation queue \(id.lowercased)")
        }
        return q
    }

    /// The registered configs of the rubric's keys, embedded in each rubric item.
    func rubricConfigs(_ qs: [AnnotationQueue], tenantId: UUID) async throws -> [String: FeedbackKeyConfig] {
        let keys = Array(Set(qs.flatMap { $0.rubricItems.map(\.feedbackKey) }))
        guard !keys.isEmpty else { return [:] }
        var q = FeedbackConfigQuery(tenantId: tenantId)
        q.keys = keys
        q.limit = keys.count
        return Dictionary(try await configs.listFeedbackConfigs(q).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func respond(_ q: AnnotationQueue, tenantId: UUID) async throws -> Response {
        let total = try await queues.annotationQueueSizes(queueIds: [q.id], tenantId: tenantId, status: nil)[q.id] ?? 0
        let configs = try await rubricConfigs([q], tenantId: tenantId)
        return .json { w in AnnotationQueueJSON.write(q, totalRuns: total, configs: configs, into: &w) }
    }

    static func rubricItems(_ value: JSONValue?) throws -> [AnnotationQueueRubricItem]? {
        switch value {
        case nil, .null?: return nil
        case .array(let items)?:
            let parsed = try items.enumerated().map { i, item in try AnnotationQueueRubricItem(json: item, at: i) }
            var seen = Set<String>()
            for item in parsed where !seen.insert(item.feedbackKey).inserted {
                throw APIError.unprocessable("rubric_items lists feedback_key '\(item.feedbackKey)' more than once")
            }
            return parsed
        default: throw APIError.unprocessable("rubric_items must be a list of {feedback_key, …} objects")
        }
    }

    static func name(_ body: [String: JSONValue]) throws -> String? {
        guard let name = try body.string("name") else { return nil }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw APIError.unprocessable("name must not be empty") }
        return name
    }

    static func reviewers(_ body: [String: JSONValue]) throws -> Int? {
        guard let n = try body.int("num_reviewers_per_item") else { return nil }
        guard n >= 1 else { throw APIError.unprocessable("num_reviewers_per_item must be at least 1") }
        return n
    }

    @Sendable func create(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let body = try await request.jsonObject()
        guard let name = try Self.name(body) else { throw APIError.unprocessable("name is required") }
        let q = AnnotationQueue(
            id: try body.uuid("id") ?? UUID(), tenantId: context.tenantId, name: name, description: try body.string("description"),
            rubricInstructions: try body.string("rubric_instructions"), rubricItems: try Self.rubricItems(body["rubric_items"]) ?? [],
            defaultDatasetId: try body.uuid("default_dataset"), numReviewersPerItem: try Self.reviewers(body) ?? 1,
            metadata: try body.object("metadata"))
        try await queues.createAnnotationQueue(q)
        return try await respond(q, tenantId: context.tenantId)
    }

    @Sendable func get(request: Request, context: TenantContext) async throws -> Response {
        try await respond(try await queue(context), tenantId: context.tenantId)
    }

    @Sendable func list(request: Request, context: TenantContext) async throws -> Response {
        let qp = request.query
        var q = AnnotationQueueQuery(tenantId: context.tenantId)
        q.ids = try qp.uuids("ids")
        q.name = qp.string("name")
        q.nameContains = qp.string("name_contains")
        q.limit = try qp.int("limit", default: 100, range: 1...1000)
        q.offset = try qp.int("offset", default: 0, range: 0...Int(Int32.max))
        // Only "single" queues exist here.
        var rows: [AnnotationQueue] = []
        if (qp.string("queue_type") ?? "single") == "single" { rows = try await queues.listAnnotationQueues(q) }
        let sizes = try await queues.annotationQueueSizes(queueIds: rows.map(\.id), tenantId: context.tenantId, status: nil)
        let configs = try await rubricConfigs(rows, tenantId: context.tenantId)
        return .json { w in
            w.beginArray()
            for a in rows { AnnotationQueueJSON.write(a, totalRuns: sizes[a.id] ?? 0, configs: configs, into: &w) }
            w.endArray()
        }
    }

    /// Changes the fields sent; an explicit null clears an optional one.
    @Sendable func update(request: Request, context: TenantContext) async throws -> Response {
        var q = try await queue(context)
        var request = request
        let body = try await request.jsonObject()
        if let name = try Self.name(body) { q.name = name }
        if body["description"] != nil { q.description = try body.string("description") }
        if body["rubric_instructions"] != nil { q.rubricInstructions = try body.string("rubric_instructions") }
        if body["rubric_items"] != nil { q.rubricItems = try Self.rubricItems(body["rubric_items"]) ?? [] }
        if body["default_dataset"] != nil { q.defaultDatasetId = try body.uuid("default_dataset") }
        if let n = try Self.reviewers(body) { q.numReviewersPerItem = n }
        if body["metadata"] != nil { q.metadata = try body.object("metadata") }
        q.updatedAt = .now()
        try await queues.updateAnnotationQueue(q)
        return try await respond(q, tenantId: context.tenantId)
    }

    @Sendable func delete(request: Request, context: TenantContext) async throws -> Response {
        let q = try await queue(context)
        _ = try await queues.deleteAnnotationQueue(id: q.id, tenantId: context.tenantId)
        return .json(JSONValue.object([:]))
    }

    @Sendable func deleteMany(request: Request, context: TenantContext) async throws -> Response {
        guard let ids = try request.query.uuids("queue_ids") else { throw APIError.unprocessable("query parameter queue_ids is required") }
        var q = AnnotationQueueQuery(tenantId: context.tenantId)
        q.ids = ids
        q.limit = ids.count
        let found = Set(try await queues.listAnnotationQueues(q).map(\.id))
        let missing = ids.filter { !found.contains($0) }
        guard missing.isEmpty else { throw APIError.notFound("annotation queues \(missing.map(\.lowercased).joined(separator: ", "))") }
        for id in found { _ = try await queues.deleteAnnotationQueue(id: id, tenantId: context.tenantId) }
        return .json(JSONValue.object([:]))
    }

    /// `GET /annotation-queues/{run_id}/queues`: the queues a run is in.
    @Sendable func queuesForRun(request: Request, context: TenantContext) async throws -> Response {
        let runId = try context.parameters.uuid("id")
        let rows = try await queues.annotationQueues(containingRun: runId, tenantId: context.tenantId)
        let configs = try await rubricConfigs(rows, tenantId: context.tenantId)
        return .json { w in
            w.beginArray()
            for a in rows { AnnotationQueueJSON.write(a, totalRuns: nil, configs: configs, into: &w) }
            w.endArray()
        }
    }
}
