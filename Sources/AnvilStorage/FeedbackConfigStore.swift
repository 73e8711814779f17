import AnvilCore
import Foundation

/// What `GET /feedback-configs` filters on.
public struct FeedbackConfigQuery: Sendable, Hashable {
    public var tenantId: UUID
    public var keys: [String]?
    /// Case-insensitive substring of the key.
    public var keyContains: String?
    /// Newest change first (the default), else oldest first; ties by key.
    public var sortByDesc = true
    public var offset = 0
    public var limit = 100

    public init(tenantId: UUID) { self.tenantId = tenantId }
}

/// The registered config of each feedback key, one per key and workspace.
public protocol FeedbackConfigStore: Sendable {
    /// Registers `config` unless its key already has one; returns the config now stored for the
    /// key (the existing one when there was one) and whether this call created it. Race-safe.
    func createFeedbackConfig(_ config: FeedbackKeyConfig) async throws -> (stored: FeedbackKeyConfig, created: Bool)
    func feedbackConfig(key: String, tenantId: UUID) async throws -> FeedbackKeyConfig?
    func listFeedbackConfigs(_ query: FeedbackConfigQuery) async throws -> [FeedbackKeyConfig]
    /// Replaces the stored config of `config.key`; throws `StoreError.notFound` when there is none.
    func updateFeedbackConfig(_ config: FeedbackKeyConfig) async throws
    func deleteFeedbackConfig(key: String, tenantId: UUID) async throws -> Bool
}
