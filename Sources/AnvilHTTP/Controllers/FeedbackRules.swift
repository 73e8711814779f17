import AnvilCore
import AnvilStorage
import Foundation

/// Holds feedback to its key's registered config, as LangSmith does: the first write that carries
/// a `feedback_config` for a key without one registers it, and every write is checked against the
/// key's config (a continuous score within its bounds, a categorical score or value among its
/// categories). Violations are 422s (``ValidationError``).
struct FeedbackRules: Sendable {
    let configs: any FeedbackConfigStore

    /// Checks one feedback write. `carried` is the `feedback_config` the write sent, if any.
    func admit(key: String, score: JSONValue?, value: JSONValue?, carried: FeedbackConfig?, tenantId: UUID) async throws {
        if let stored = try await configs.feedbackConfig(key: key, tenantId: tenantId) {
            return try stored.config.check(key: key, score: score, value: value)
        }
        guard let carried else { return }
        try carried.check(key: key, score: score, value: value)
        let (stored, created) = try await configs.createFeedbackConfig(FeedbackKeyConfig(tenantId: tenantId, key: key, config: carried))
        // Another writer registered the key first: its config is the one that holds.
        if !created { try stored.config.check(key: key, score: score, value: value) }
    }

    /// A `feedback_config` from a request body: nil when absent or null, a 422 when malformed.
    static func parse(_ json: JSONValue?) throws -> FeedbackConfig? {
        guard let json, !json.isNull else { return nil }
        return try FeedbackConfig(json: json)
    }
}
