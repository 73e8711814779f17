import AnvilCore
import AnvilStorage
import Foundation

extension SQLiteMetadataStore: FeedbackConfigStore, FeedbackTokenStore {
    static let feedbackConfigColumns = "tenant_id, feedback_key, config, is_lower_score_better, is_enforced, modified_at"

    /// Stored configs were validated on the way in; one that no longer parses (edited by hand) is
    /// read as freeform rather than failing every feedback write for its key.
    static func decodeFeedbackConfig(_ bytes: [UInt8]?) -> FeedbackConfig {
        guard let bytes, let json = try? JSON.parse(bytes), let config = try? FeedbackConfig(json: json) else {
            return FeedbackConfig(kind: .freeform)
        }
        return config
    }

    static func decodeFeedbackKeyConfig(_ row: SQLiteRow) -> FeedbackKeyConfig {
        FeedbackKeyConfig(
            tenantId: row.uuid(0)!, key: row.string(1) ?? "", config: decodeFeedbackConfig(row.bytes(2)),
            isLowerScoreBetter: row.int(3).map { $0 != 0 }, isEnforced: (row.int(4) ?? 0) != 0,
            modifiedAt: Timestamp(microseconds: row.int(5) ?? 0))
    }

    static func bool(_ b: Bool?) -> SQLiteValue { b.map { .int($0 ? 1 : 0) } ?? .null }

    public func createFeedbackConfig(_ config: FeedbackKeyConfig) async throws -> (stored: FeedbackKeyConfig, created: Bool) {
        try await db.write { conn in
            let inserted = try conn.run(
                "INSERT INTO feedback_configs (\(Self.feedbackConfigColumns)) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, feedback_key) DO NOTHING",
                [.uuid(config.tenantId), .text(config.key), .json(config.config.json), Self.bool(config.isLowerScoreBetter),
                 Self.bool(config.isEnforced), .time(config.modifiedAt)])
            var stored = config
            try conn.query(
                "SELECT \(Self.feedbackConfigColumns) FROM feedback_configs WHERE tenant_id = ? AND feedback_key = ?",
                [.uuid(config.tenantId), .text(config.key)]
            ) { row in stored = Self.decodeFeedbackKeyConfig(row) }
            return (stored, inserted > 0)
        }
    }

    public func feedbackConfig(key: String, tenantId: UUID) async throws -> FeedbackKeyConfig? {
        try await db.read { conn in
            var out: FeedbackKeyConfig?
            try conn.query(
                "SELECT \(Self.feedbackConfigColumns) FROM feedback_configs WHERE tenant_id = ? AND feedback_key = ?",
                [.uuid(tenantId), .text(key)]
            ) { row in out = Self.decodeFeedbackKeyConfig(row) }
            return out
        }
    }

    public func listFeedbackConfigs(_ q: FeedbackConfigQuery) async throws -> [FeedbackKeyConfig] {
        var conditions = ["tenant_id = ?"]
        var bindings: [SQLiteValue] = [.uuid(q.tenantId)]
        if let keys = q.keys {
            conditions.append(keys.isEmpty ? "0" : "feedback_key IN (\(Array(repeating: "?", count: keys.count).joined(separator: ", ")))")
            bindings += keys.map { .text($0) }
        }
        if let part = q.keyContains { conditions.append("instr(lower(feedback_key), lower(?)) > 0"); bindings.append(.text(part)) }
        let order = q.sortByDesc ? "DESC" : "ASC"
        let sql = """
            SELECT \(Self.feedbackConfigColumns) FROM feedback_configs WHERE \(conditions.joined(separator: " AND "))
            ORDER BY modified_at \(order), feedback_key LIMIT \(max(0, q.limit)) OFFSET \(max(0, q.offset))
            """
        let binds = bindings
        return try await db.read { conn in
            var out: [FeedbackKeyConfig] = []
            try conn.query(sql, binds) { row in out.append(Self.decodeFeedbackKeyConfig(row)) }
            return out
        }
    }

    public func updateFeedbackConfig(_ config: FeedbackKeyConfig) async throws {
        try await db.write { conn in
            let changed = try conn.run(
                "UPDATE feedback_configs SET config = ?, is_lower_score_better = ?, is_enforced = ?, modified_at = ? WHERE tenant_id = ? AND feedback_key = ?",
                [.json(config.config.json), Self.bool(config.isLowerScoreBetter), Self.bool(config.isEnforced), .time(config.modifiedAt),
                 .uuid(config.tenantId), .text(config.key)])
            guard changed > 0 else { throw StoreError(.notFound, "feedback config for key '\(config.key)' not found") }
        }
    }

    public func deleteFeedbackConfig(key: String, tenantId: UUID) async throws -> Bool {
        try await db.write { conn in
            try conn.run("DELETE FROM feedback_configs WHERE tenant_id = ? AND feedback_key = ?", [.uuid(tenantId), .text(key)]) > 0
        }
    }

    // MARK: tokens

    static let feedbackTokenColumns = "id, tenant_id, run_id, feedback_key, feedback_config, feedback_id, created_at, expires_at"

    static func decodeFeedbackToken(_ row: SQLiteRow) -> FeedbackToken {
        FeedbackToken(
            id: row.uuid(0)!, tenantId: row.uuid(1)!, runId: row.uuid(2)!, feedbackKey: row.string(3) ?? "",
            feedbackConfig: row.isNull(4) ? nil : decodeFeedbackConfig(row.bytes(4)), feedbackId: row.uuid(5),
            createdAt: Timestamp(microseconds: row.int(6) ?? 0), expiresAt: Timestamp(microseconds: row.int(7) ?? 0))
    }

    public func createFeedbackTokens(_ tokens: [FeedbackToken]) async throws {
        try await db.write { conn in
            do {
                try conn.transaction {
                    for t in tokens {
                        try conn.run(
                            "INSERT INTO feedback_tokens (\(Self.feedbackTokenColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            [.uuid(t.id), .uuid(t.tenantId), .uuid(t.runId), .text(t.feedbackKey), .json(t.feedbackConfig?.json),
                             .uuid(t.feedbackId), .time(t.createdAt), .time(t.expiresAt)])
                    }
                }
            } catch let e as SQLiteError where e.isConstraintViolation {
                throw StoreError(.conflict, "a feedback token with one of these ids already exists")
            }
        }
    }

    public func feedbackToken(id: UUID) async throws -> FeedbackToken? {
        try await db.read { conn in
            var out: FeedbackToken?
            try conn.query("SELECT \(Self.feedbackTokenColumns) FROM feedback_tokens WHERE id = ?", [.uuid(id)]) { row in
                out = Self.decodeFeedbackToken(row)
            }
            return out
        }
    }

    public func listFeedbackTokens(runId: UUID, tenantId: UUID, offset: Int, limit: Int) async throws -> [FeedbackToken] {
        try await db.read { conn in
            var out: [FeedbackToken] = []
            try conn.query(
                """
                SELECT \(Self.feedbackTokenColumns) FROM feedback_tokens WHERE tenant_id = ? AND run_id = ?
                ORDER BY created_at, id LIMIT \(max(0, limit)) OFFSET \(max(0, offset))
                """,
                [.uuid(tenantId), .uuid(runId)]
            ) { row in out.append(Self.decodeFeedbackToken(row)) }
            return out
        }
    }
}
