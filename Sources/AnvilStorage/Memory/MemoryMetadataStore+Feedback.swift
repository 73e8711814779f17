import AnvilCore
import Foundation

extension MemoryMetadataStore: FeedbackConfigStore, FeedbackTokenStore {
    public func createFeedbackConfig(_ config: FeedbackKeyConfig) async throws -> (stored: FeedbackKeyConfig, created: Bool) {
        let k = FeedbackConfigKey(tenantId: config.tenantId, key: config.key)
        if let existing = feedbackConfigs[k] { return (existing, false) }
        feedbackConfigs[k] = config
        return (config, true)
    }

    public func feedbackConfig(key: String, tenantId: UUID) async throws -> FeedbackKeyConfig? {
        feedbackConfigs[FeedbackConfigKey(tenantId: tenantId, key: key)]
    }

    public func listFeedbackConfigs(_ q: FeedbackConfigQuery) async throws -> [FeedbackKeyConfig] {
        let rows = feedbackConfigs.values.filter { c in
            guard c.tenantId == q.tenantId else { return false }
            if let keys = q.keys, !keys.contains(c.key) { return false }
            if let part = q.keyContains, !c.key.lowercased().contains(part.lowercased()) { return false }
            return true
        }
        let sorted = rows.sorted { a, b in
            if a.modifiedAt != b.modifiedAt { return q.sortByDesc ? a.modifiedAt > b.modifiedAt : a.modifiedAt < b.modifiedAt }
            return Array(a.key.utf8).lexicographicallyPrecedes(Array(b.key.utf8))
        }
        return Array(sorted.dropFirst(max(0, q.offset)).prefix(max(0, q.limit)))
    }

    public func updateFeedbackConfig(_ config: FeedbackKeyConfig) async throws {
        let k = FeedbackConfigKey(tenantId: config.tenantId, key: config.key)
        guard feedbackConfigs[k] != nil else { throw StoreError(.notFound, "feedback config for key '\(config.key)' not found") }
        feedbackConfigs[k] = config
    }

    public func deleteFeedbackConfig(key: String, tenantId: UUID) async throws -> Bool {
        feedbackConfigs.removeValue(forKey: FeedbackConfigKey(tenantId: tenantId, key: key)) != nil
    }

    // MARK: tokens

    public func createFeedbackTokens(_ tokens: [FeedbackToken]) async throws {
        var ids = Set<UUID>()
        for t in tokens where feedbackTokens[t.id] != nil || !ids.insert(t.id).inserted {
            throw StoreError(.conflict, "a feedback token with id \(t.id.lowercased) already exists")
        }
        for t in tokens { feedbackTokens[t.id] = t }
    }

    public func feedbackToken(id: UUID) async throws -> FeedbackToken? { feedbackTokens[id] }

    public func listFeedbackTokens(runId: UUID, tenantId: UUID, offset: Int, limit: Int) async throws -> [FeedbackToken] {
        let rows = feedbackTokens.values
            .filter { $0.tenantId == tenantId && $0.runId == runId }
            .sorted { ($0.createdAt, $0.id.lowercased) < ($1.createdAt, $1.id.lowercased) }
        return Array(rows.dropFirst(max(0, offset)).prefix(max(0, limit)))
    }
}
