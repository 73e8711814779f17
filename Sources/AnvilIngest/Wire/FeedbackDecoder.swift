import AnvilCore
import Foundation

/// Decodes LangSmith feedback JSON (`POST /feedback` bodies and multipart `feedback.<id>` parts).
public enum FeedbackDecoder {
    public static let maxKeyLength = 180

    public static func decode(
        _ bytes: [UInt8], tenantId: UUID, id partId: UUID? = nil, now: Timestamp, context: String
    ) throws(IngestError) -> Feedback {
        let value: JSONValue
        do {
            value = try JSON.parse(bytes)
        } catch {
            throw .bad("\(context): invalid JSON: \(error)")
        }
        guard case .object(let o) = value else { throw .invalid("\(context): feedback must be a JSON object") }
        return try decode(o, tenantId: tenantId, id: partId, now: now, context: context)
    }

    public static func decode(
        _ o: [String: JSONValue], tenantId: UUID, id partId: UUID?, now: Timestamp, context: String
    ) throws(IngestError) -> Feedback {
        guard let key = o["key"]?.stringValue, !key.isEmpty else {
            throw .invalid("\(context): feedback needs a non-empty 'key'")
        }
        guard key.count <= maxKeyLength else {
            throw .invalid("\(context): feedback key is longer than \(maxKeyLength) characters")
        }
        func uuid(_ name: String) throws(IngestError) -> UUID? {
            switch o[name] {
            case nil, .null?: return nil
            case .string(let s)?:
                guard let id = UUID(fast: s) else { throw .invalid("\(context): \(name) '\(s.prefix(64))' is not a UUID") }
                return id
            default: throw .invalid("\(context): \(name) must be a UUID string")
            }
        }
        func time(_ name: String) throws(IngestError) -> Timestamp? {
            switch o[name] {
            case nil, .null?: return nil
            case .string(let s)?:
                guard let t = Timestamp(iso8601: s) else { throw .invalid("\(context): \(name) is not an ISO-8601 date-time") }
                return t
            default: throw .invalid("\(context): \(name) must be an ISO-8601 string")
            }
        }
        let bodyId = try uuid("id")
        if let partId, let bodyId, partId != bodyId {
            throw .invalid("\(context): body id does not match the part name")
        }
        var f = Feedback(id: partId ?? bodyId ?? UUID(), tenantId: tenantId, key: key, createdAt: try time("created_at") ?? now)
        f.modifiedAt = try time("modified_at") ?? f.createdAt
        f.runId = try uuid("run_id")
        f.traceId = try uuid("trace_id")
        f.sessionId = try uuid("session_id")
        f.comparativeExperimentId = try uuid("comparative_experiment_id")
        f.feedbackGroupId = try uuid("feedback_group_id")
        f.startTime = try time("start_time")
        switch o["score"] {
        case nil, .null?: break
        case .int?, .double?, .bool?: f.score = o["score"]
        default: throw .invalid("\(context): score must be a number, a boolean or null")
        }
        f.value = nonNull(o["value"])
        switch o["comment"] {
        case nil, .null?: break
        case .string(let s)?: f.comment = s
        default: throw .invalid("\(context): comment must be a string")
        }
        f.correction = nonNull(o["correction"])
        switch o["feedback_source"] {
        case nil, .null?: f.feedbackSource = ["type": "api"]
        case .object(var source)?:
            if source["type"] == nil || source["type"] == .null { source["type"] = "api" }
            f.feedbackSource = .object(source)
        default: throw .invalid("\(context): feedback_source must be an object")
        }
        f.feedbackConfig = nonNull(o["feedback_config"])
        f.extra = nonNull(o["extra"])
        f.error = o["error"]?.boolValue
        if f.runId == nil && f.sessionId == nil {
            throw .invalid("\(context): feedback needs a run_id or a session_id")
        }
        return f
    }

    static func nonNull(_ v: JSONValue?) -> JSONValue? {
        guard let v, !v.isNull else { return nil }
        return v
    }
}
