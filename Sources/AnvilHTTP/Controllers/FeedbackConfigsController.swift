import AnvilCore
import AnvilIngest
import AnvilStorage
import Foundation
import Hummingbird

/// `/feedback-configs`: how each feedback key is to be read (and which feedback it accepts).
struct FeedbackConfigsController: Sendable {
    let configs: any FeedbackConfigStore

    func addRoutes(to group: RouterGroup<TenantContext>) {
        group.post("feedback-configs", use: create)
        group.get("feedback-configs", use: list)
        group.patch("feedback-configs", use: update)
        group.delete("feedback-configs", use: delete)
    }

    static func feedbackKey(_ body: [String: JSONValue]) throws -> String {
        guard let key = try body.string("feedback_key"), !key.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError.unprocessable("feedback_key is required")
        }
        guard key.count <= FeedbackDecoder.maxKeyLength else {
            throw APIError.unprocessable("feedback_key is longer than \(FeedbackDecoder.maxKeyLength) characters")
        }
        return key
    }

    /// Registers a key's config. The same config again returns the stored one unchanged; a
    /// different one is a 409 (change it with PATCH, or delete it first).
    @Sendable func create(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let body = try await request.jsonObject()
        let key = try Self.feedbackKey(body)
        guard let config = try FeedbackRules.parse(body["feedback_config"]) else {
            throw APIError.unprocessable("feedback_config is required, e.g. {\"type\": \"continuous\", \"min\": 0, \"max\": 1}")
        }
        let lowerIsBetter = try body.bool("is_lower_score_better")
        let candidate = FeedbackKeyConfig(
            tenantId: context.tenantId, key: key, config: config, isLowerScoreBetter: lowerIsBetter ?? false,
            isEnforced: try body.bool("is_enforced") ?? false)
        let (stored, created) = try await configs.createFeedbackConfig(candidate)
        if !created && (stored.config != config || (lowerIsBetter != nil && lowerIsBetter != stored.isLowerScoreBetter)) {
            throw APIError(.conflict, """
                feedback key '\(key)' already has a different config (\(stored.config.json.encodedString)); \
                change it with PATCH /feedback-configs or delete it first
                """)
        }
        return .json { w in FeedbackConfigJSON.write(stored, into: &w) }
    }

    @Sendable func list(request: Request, context: TenantContext) async throws -> Response {
        let qp = request.query
        var q = FeedbackConfigQuery(tenantId: context.tenantId)
        let keys = qp.all("key")
        q.keys = keys.isEmpty ? nil : keys
        q.keyContains = qp.string("name_contains")
        q.sortByDesc = try qp.bool("sort_by_desc") ?? true
        q.limit = try qp.int("limit", default: 100, range: 1...1000)
        q.offset = try qp.int("offset", default: 0, range: 0...Int(Int32.max))
        let rows = try await configs.listFeedbackConfigs(q)
        return .json { w in
            w.beginArray()
            for c in rows { FeedbackConfigJSON.write(c, into: &w) }
            w.endArray()
        }
    }

    /// Changes what is sent; keeps the rest.
    @Sendable func update(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let body = try await request.jsonObject()
        let key = try Self.feedbackKey(body)
        guard var stored = try await configs.feedbackConfig(key: key, tenantId: context.tenantId) else {
            throw APIError.notFound("feedback config for key '\(key)'")
        }
        if let config = try FeedbackRules.parse(body["feedback_config"]) { stored.config = config }
        if let lowerIsBetter = try body.bool("is_lower_score_better") { stored.isLowerScoreBetter = lowerIsBetter }
        stored.modifiedAt = .now()
        try await configs.updateFeedbackConfig(stored)
        return .json { w in FeedbackConfigJSON.write(stored, into: &w) }
    }

    /// Existing feedback with the key keeps its values; the key can be registered again.
    @Sendable func delete(request: Request, context: TenantContext) async throws -> Response {
        guard let key = request.query.string("feedback_key") else {
            throw APIError.unprocessable("query parameter feedback_key is required")
        }
        guard try await configs.deleteFeedbackConfig(key: key, tenantId: context.tenantId) else {
            throw APIError.notFound("feedback config for key '\(key)'")
        }
        return Response(status: .noContent)
    }
}
