import Foundation

/// A queue of runs for people to review against a rubric (LangSmith's annotation queue, of the
/// "single" kind: one run at a time).
public struct AnnotationQueue: Sendable, Hashable {
    public var id: UUID
    public var tenantId: UUID
    public var name: String
    public var description: String?
    public var rubricInstructions: String?
    public var rubricItems: [AnnotationQueueRubricItem]
    public var defaultDatasetId: UUID?
    public var numReviewersPerItem: Int?
    public var metadata: [String: JSONValue]?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: UUID = UUID(), tenantId: UUID, name: String, description: String? = nil, rubricInstructions: String? = nil,
        rubricItems: [AnnotationQueueRubricItem] = [], defaultDatasetId: UUID? = nil, numReviewersPerItem: Int? = 1,
        metadata: [String: JSONValue]? = nil, createdAt: Timestamp = .now(), updatedAt: Timestamp? = nil
    ) {
        self.id = id
        self.tenantId = tenantId
        self.name = name
        self.description = description
        self.rubricInstructions = rubricInstructions
        self.rubricItems = rubricItems
        self.defaultDatasetId = defaultDatasetId
        self.numReviewersPerItem = numReviewersPerItem
        self.metadata = metadata
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}

/// One feedback key reviewers fill in for each run of a queue, with per-queue guidance.
public struct AnnotationQueueRubricItem: Sendable, Hashable {
    public var feedbackKey: String
    public var description: String?
    /// Display text for categorical values (category value or label → text).
    public var valueDescriptions: [String: String]?
    /// Display text for score ranges.
    public var scoreDescriptions: [String: String]?
    public var isRequired: Bool?

    public init(
        feedbackKey: String, description: String? = nil, valueDescriptions: [String: String]? = nil,
        scoreDescriptions: [String: String]? = nil, isRequired: Bool? = nil
    ) {
        self.feedbackKey = feedbackKey
        self.description = description
        self.valueDescriptions = valueDescriptions
        self.scoreDescriptions = scoreDescriptions
        self.isRequired = isRequired
    }

    /// Parses `{feedback_key, description?, value_descriptions?, score_descriptions?, is_required?}`.
    public init(json: JSONValue, at index: Int) throws(ValidationError) {
        let path = "rubric_items[\(index)]"
        guard case .object(let o) = json else { throw ValidationError("\(path) must be an object") }
        guard let key = o["feedback_key"]?.stringValue, !key.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("\(path).feedback_key must be a non-empty string")
        }
        func text(_ name: String) throws(ValidationError) -> String? {
            switch o[name] {
            case nil, .null?: return nil
            case .string(let s)?: return s
            default: throw ValidationError("\(path).\(name) must be a string or null")
            }
        }
        func texts(_ name: String) throws(ValidationError) -> [String: String]? {
            switch o[name] {
            case nil, .null?: return nil
            case .object(let m)?:
                var out: [String: String] = [:]
                for (k, v) in m {
                    guard let s = v.stringValue else { throw ValidationError("\(path).\(name) must map strings to strings") }
                    out[k] = s
                }
                return out
            default: throw ValidationError("\(path).\(name) must be an object of strings or null")
            }
        }
        feedbackKey = key
        description = try text("description")
        valueDescriptions = try texts("value_descriptions")
        scoreDescriptions = try texts("score_descriptions")
        switch o["is_required"] {
        case nil, .null?: isRequired = nil
        case .bool(let b)?: isRequired = b
        default: throw ValidationError("\(path).is_required must be true, false or null")
        }
    }

    /// The wire form: every key present, absent ones null.
    public var json: JSONValue {
        func texts(_ m: [String: String]?) -> JSONValue { m.map { .object($0.mapValues(JSONValue.string)) } ?? .null }
        return .object([
            "feedback_key": .string(feedbackKey),
            "description": description.map(JSONValue.string) ?? .null,
            "value_descriptions": texts(valueDescriptions),
            "score_descriptions": texts(scoreDescriptions),
            "is_required": isRequired.map(JSONValue.bool) ?? .null,
        ])
    }
}
