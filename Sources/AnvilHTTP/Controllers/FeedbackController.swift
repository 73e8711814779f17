import AnvilCore
import AnvilIngest
import AnvilStorage
import Foundation
import Hummingbird

/// `/feedback`: scores and comments on runs (and on projects, for summary evaluators).
struct FeedbackController: Sendable {
    let traces: any TraceStore
    let rules: FeedbackRules

    func addRoutes(to group: RouterGroup<TenantContext>) {
        group.post("feedback", use: create)
        group.get("feedback", use: list)
        group.get("feedback/:id", use: get)
        group.patch("feedback/:id", use: update)
        group.delete("feedback/:id", use: delete)
    }

    @Sendable func create(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let body = try await request.bytes(limit: 4 * 1024 * 1024)
        var feedback = try FeedbackDecoder.decode(body, tenantId: context.tenantId, now: .now(), context: "feedback")
        try await rules.admit(
            key: feedback.key, score: feedback.score, value: feedback.value, carried: try FeedbackRules.parse(feedback.feedbackConfig),
            tenantId: context.tenantId)
        // Fill the trace and project from the run when the client did not say.
        if let runId = feedback.runId, feedback.traceId == nil || feedback.sessionId == nil,
            let run = try await traces.runs(ids: [runId], tenantId: context.tenantId).first
        {
            feedback.traceId = feedback.traceId ?? run.traceId
            feedback.sessionId = feedback.sessionId ?? run.sessionId
            feedback.startTime = feedback.startTime ?? run.startTime
        }
        if let existing = try await traces.feedback(id: feedback.id, tenantId: context.tenantId) {
            feedback.createdAt = existing.createdAt
        }
        try await traces.write(runs: [], feedback: [feedback], tenantId: context.tenantId)
        return .json { w in FeedbackJSON.write(feedback, into: &w) }
    }

    @Sendable func get(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        guard let f = try await traces.feedback(id: id, tenantId: context.tenantId) else {
            throw APIError.notFound("feedback \(id.lowercased)")
        }
        return .json { w in FeedbackJSON.write(f, into: &w) }
    }

    @Sendable func list(request: Request, context: TenantContext) async throws -> Response {
        let qp = request.query
        var q = FeedbackQuery(tenantId: context.tenantId)
        q.runIds = try qp.uuids("run")
        let keys = qp.all("key")
        q.keys = keys.isEmpty ? nil : keys
        let sources = qp.all("source")
        q.sources = sources.isEmpty ? nil : sources
        q.sessionIds = try qp.uuids("session")
        q.hasComment = try qp.bool("has_comment")
        q.hasScore = try qp.bool("has_score")
        if let min = qp.string("min_created_at") {
            guard let t = Timestamp(iso8601: min) else { throw APIError.unprocessable("min_created_at must be ISO-8601") }
            q.minCreatedAt = t
        }
        if let max = qp.string("max_created_at") {
            guard let t = Timestamp(iso8601: max) else { throw APIError.unprocessable("max_created_at must be ISO-8601") }
            q.maxCreatedAt = t
        }
        q.comparativeExperimentId = try qp.uuid("comparative_experiment_id")
        q.limit = try qp.int("limit", default: 100, range: 1...1000)
        q.offset = try qp.int("offset", default: 0, range: 0...Int(Int32.max))
        let rows = try await traces.listFeedback(q)
        return .json { w in
            w.beginArray()
            for f in rows { FeedbackJSON.write(f, into: &w) }
            w.endArray()
        }
    }

    @Sendable func update(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        var request = request
        let body = try await request.jsonObject()
        guard var f = try await traces.feedback(id: id, tenantId: context.tenantId) else {
            throw APIError.notFound("feedback \(id.lowercased)")
        }
        if let score = body["score"] {
            switch score {
            case .null: f.score = nil
            case .int, .double, .bool: f.score = score
            default: throw APIError.unprocessable("score must be a number, a boolean or null")
            }
        }
        if let value = body["value"] { f.value = value.isNull ? nil : value }
        if let correction = body["correction"] { f.correction = correction.isNull ? nil : correction }
        if body["comment"] != nil { f.comment = try body.string("comment") }
        if let config = body["feedback_config"] { f.feedbackConfig = config.isNull ? nil : config }
        if body["score"] != nil || body["value"] != nil {
            try await rules.admit(key: f.key, score: f.score, value: f.value, carried: nil, tenantId: context.tenantId)
        }
        f.modifiedAt = .now()
        try await traces.write(runs: [], feedback: [f], tenantId: context.tenantId)
        return .json { w in FeedbackJSON.write(f, into: &w) }
    }

    @Sendable func delete(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        guard try await traces.deleteFeedback(id: id, tenantId: context.tenantId) else {
            throw APIError.notFound("feedback \(id.lowercased)")
        }
        return .json(JSONValue.object([:]))
    }
}
