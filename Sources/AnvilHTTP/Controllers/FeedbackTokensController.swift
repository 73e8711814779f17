import AnvilCore
import AnvilIngest
import AnvilStorage
import Foundation
import Hummingbird

/// `/feedback/tokens`: presigned feedback URLs. Creating and listing them needs an API key; using
/// one (`POST` with a JSON body, or `GET` with query parameters for links in emails) does not —
/// the token is the credential, and its workspace scopes the write.
struct FeedbackTokensController: Sendable {
    let tokens: any FeedbackTokenStore
    let traces: any TraceStore
    let rules: FeedbackRules

    /// LangSmith's default lifetime when a request names none.
    static let defaultLifetime: Int64 = 3 * 3600 * 1_000_000
    static let maxTokensPerRequest = 100

    func addRoutes(to group: RouterGroup<TenantContext>) {
        group.post("feedback/tokens", use: create)
        group.get("feedback/tokens", use: list)
    }

    func addPublicRoutes(to group: RouterGroup<AnvilRequestContext>) {
        group.post("feedback/tokens/:token", use: submit)
        group.get("feedback/tokens/:token", use: submitFromQuery)
    }

    /// One token object, or a JSON array of them (answered with an array).
    @Sendable func create(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let body = try await request.jsonValue()
        let items: [JSONValue]
        switch body {
        case .object: items = [body]
        case .array(let a): items = a
        default: throw APIError.unprocessable("request body must be a token object or a list of them")
        }
        guard items.count <= Self.maxTokensPerRequest else {
            throw APIError.unprocessable("at most \(Self.maxTokensPerRequest) tokens per request")
        }
        let now = Timestamp.now()
        var made: [FeedbackToken] = []
        for (i, item) in items.enumerated() {
            made.append(try parseToken(item, at: body.arrayValue == nil ? nil : i, tenantId: context.tenantId, now: now))
        }
        // A config a token carries is registered for its key, as when feedback carries one.
        for t in made {
            if let config = t.feedbackConfig {
                _ = try await rules.configs.createFeedbackConfig(FeedbackKeyConfig(tenantId: t.tenantId, key: t.feedbackKey, config: config))
            }
        }
        try await tokens.createFeedbackTokens(made)
        let origin = request.origin
        return .json { w in
            if body.arrayValue == nil {
                FeedbackTokenJSON.write(made[0], origin: origin, into: &w)
            } else {
                w.beginArray()
                for t in made { FeedbackTokenJSON.write(t, origin: origin, into: &w) }
                w.endArray()
            }
        }
    }

    func parseToken(_ item: JSONValue, at index: Int?, tenantId: UUID, now: Timestamp) throws -> FeedbackToken {
        let at = index.map { "[\($0)]." } ?? ""
        guard case .object(let o) = item else { throw APIError.unprocessable("\(index.map { "item \($0)" } ?? "body") must be an object") }
        guard let runId = try o.uuid("run_id") else { throw APIError.unprocessable("\(at)run_id is required") }
        guard let key = try o.string("feedback_key"), !key.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError.unprocessable("\(at)feedback_key is required")
        }
        guard key.count <= FeedbackDecoder.maxKeyLength else {
            throw APIError.unprocessable("\(at)feedback_key is longer than \(FeedbackDecoder.maxKeyLength) characters")
        }
        let expiresAt: Timestamp
        if let given = try o.time("expires_at") {
            expiresAt = given
        } else if let lifetime = try o.object("expires_in") {
            var micros: Int64 = 0
            for (unit, seconds) in [("days", Int64(86_400)), ("hours", 3_600), ("minutes", 60)] {
                guard let n = try lifetime.int(unit) else { continue }
                guard (0...36_500 * 86_400 / seconds).contains(Int64(n)) else {
                    throw APIError.unprocessable("\(at)expires_in.\(unit) must be a non-negative integer")
                }
                micros += Int64(n) * seconds * 1_000_000
            }
            guard micros > 0 else { throw APIError.unprocessable("\(at)expires_in must be longer than zero") }
            expiresAt = Timestamp(microseconds: now.microseconds + micros)
        } else {
            expiresAt = Timestamp(microseconds: now.microseconds + Self.defaultLifetime)
        }
        guard now < expiresAt else { throw APIError.unprocessable("\(at)expires_at must be in the future") }
        return FeedbackToken(
            tenantId: tenantId, runId: runId, feedbackKey: key, feedbackConfig: try FeedbackRules.parse(o["feedback_config"]),
            feedbackId: try o.uuid("id"), createdAt: now, expiresAt: expiresAt)
    }

    @Sendable func list(request: Request, context: TenantContext) async throws -> Response {
        let qp = request.query
        guard let runId = try qp.uuid("run_id") else { throw APIError.unprocessable("query parameter run_id is required") }
        let rows = try await tokens.listFeedbackTokens(
            runId: runId, tenantId: context.tenantId, offset: try qp.int("offset", default: 0, range: 0...Int(Int32.max)),
            limit: try qp.int("limit", default: 100, range: 1...1000))
        let origin = request.origin
        return .json { w in
            w.beginArray()
            for t in rows { FeedbackTokenJSON.write(t, origin: origin, into: &w) }
            w.endArray()
        }
    }

    // MARK: using a token (no API key)

    /// The token from the path: its id, or a whole presigned URL (percent-encoded) ending in it.
    func token(_ context: AnvilRequestContext) async throws -> FeedbackToken {
        let raw = context.parameters.get("token").map { $0.removingPercentEncoding ?? $0 } ?? ""
        let last = raw.split(separator: "?").first?.split(separator: "/").last.map(String.init) ?? raw
        guard let id = UUID(uuidString: last), let token = try await tokens.feedbackToken(id: id) else {
            throw APIError.notFound("feedback token")
        }
        guard !token.isExpired(at: .now()) else {
            throw APIError(.notFound, "feedback token expired at \(token.expiresAt.iso8601); ask for a new link")
        }
        return token
    }

    @Sendable func submit(request: Request, context: AnvilRequestContext) async throws -> Response {
        let token = try await token(context)
        var request = request
        let body = try await request.jsonObject()
        var score: JSONValue?
        switch body["score"] {
        case nil, .null?: break
        case .int?, .double?, .bool?: score = body["score"]
        default: throw APIError.unprocessable("score must be a number, a boolean or null")
        }
        let value = body["value"].flatMap { $0.isNull ? nil : $0 }
        let correction = body["correction"].flatMap { $0.isNull ? nil : $0 }
        let feedback = try await record(
            token, score: score, value: value, correction: correction, comment: try body.string("comment"),
            metadata: try body.object("metadata"))
        return .json { w in FeedbackJSON.write(feedback, into: &w) }
    }

    /// `GET …/tokens/{token}?score=1&comment=…`: numbers and booleans are read as such, any other
    /// `value` as text.
    @Sendable func submitFromQuery(request: Request, context: AnvilRequestContext) async throws -> Response {
        let token = try await token(context)
        let qp = request.query
        var score: JSONValue?
        if let s = qp.string("score") {
            guard let parsed = Self.scalar(s) else { throw APIError.unprocessable("score must be a number or true/false") }
            score = parsed
        }
        let value = qp.string("value").map { Self.scalar($0) ?? .string($0) }
        let feedback = try await record(
            token, score: score, value: value, correction: qp.string("correction").map(JSONValue.string),
            comment: qp.string("comment"), metadata: nil)
        return .json { w in FeedbackJSON.write(feedback, into: &w) }
    }

    static func scalar(_ s: String) -> JSONValue? {
        switch s.lowercased() {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default:
            if let i = Int64(s) { return .int(i) }
            if let d = Double(s), d.isFinite { return .double(d) }
            return nil
        }
    }

    /// Writes the feedback as the token's workspace, from an "app" source.
    func record(
        _ token: FeedbackToken, score: JSONValue?, value: JSONValue?, correction: JSONValue?, comment: String?,
        metadata: [String: JSONValue]?
    ) async throws -> Feedback {
        try await rules.admit(key: token.feedbackKey, score: score, value: value, carried: token.feedbackConfig, tenantId: token.tenantId)
        let now = Timestamp.now()
        var f = Feedback(id: token.feedbackId ?? UUID(), tenantId: token.tenantId, key: token.feedbackKey, createdAt: now)
        if let existing = try await traces.feedback(id: f.id, tenantId: token.tenantId) { f.createdAt = existing.createdAt }
        f.runId = token.runId
        if let run = try await traces.runs(ids: [token.runId], tenantId: token.tenantId).first {
            f.traceId = run.traceId ?? run.id
            f.sessionId = run.sessionId
            f.startTime = run.startTime
        }
        f.score = score
        f.value = value
        f.correction = correction
        f.comment = comment
        f.feedbackSource = .object(["type": "app", "metadata": .object(metadata ?? [:])])
        f.feedbackConfig = token.feedbackConfig?.json
        f.modifiedAt = now
        try await traces.write(runs: [], feedback: [f], tenantId: token.tenantId)
        return f
    }
}
