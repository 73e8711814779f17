import AnvilCore
import Foundation

/// Writes a registered feedback config in LangSmith's `FeedbackConfigSchema` shape.
enum FeedbackConfigJSON {
    static func write(_ c: FeedbackKeyConfig, into w: inout JSONWriter) { w.value(value(c)) }

    static func value(_ c: FeedbackKeyConfig) -> JSONValue {
        .object([
            "feedback_key": .string(c.key),
            "feedback_config": c.config.json,
            "tenant_id": .string(c.tenantId.lowercased),
            "modified_at": .string(c.modifiedAt.iso8601),
            "is_lower_score_better": c.isLowerScoreBetter.map(JSONValue.bool) ?? .null,
            "is_enforced": .bool(c.isEnforced),
        ])
    }
}
