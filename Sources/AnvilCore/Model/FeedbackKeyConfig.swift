import Foundation

/// The registered config of one feedback key in a workspace (LangSmith's `FeedbackConfigSchema`):
/// feedback created with this key is checked against it.
public struct FeedbackKeyConfig: Sendable, Hashable {
    public var tenantId: UUID
    public var key: String
    public var config: FeedbackConfig
    public var isLowerScoreBetter: Bool?
    /// Set by clients that manage workspace-wide rules; recorded and echoed, not acted on (every
    /// registered config is enforced here).
    public var isEnforced: Bool
    public var modifiedAt: Timestamp

    public init(
        tenantId: UUID, key: String, config: FeedbackConfig, isLowerScoreBetter: Bool? = nil, isEnforced: Bool = false,
        modifiedAt: Timestamp = .now()
    ) {
        self.tenantId = tenantId
        self.key = key
        self.config = config
        self.isLowerScoreBetter = isLowerScoreBetter
        self.isEnforced = isEnforced
        self.modifiedAt = modifiedAt
    }
}
