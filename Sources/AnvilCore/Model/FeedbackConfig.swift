/// How the feedback of one key is to be read (LangSmith's `FeedbackConfig`): a bounded or unbounded
/// number, one of a fixed set of categories, or free text.
public struct FeedbackConfig: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case continuous, categorical, freeform
    }

    /// A permitted categorical score, with an optional label that `value` may name instead.
    public struct Category: Sendable, Hashable {
        public var value: Double
        public var label: String?

        public init(value: Double, label: String? = nil) {
            self.value = value
            self.label = label
        }
    }

    public var kind: Kind
    public var min: Double?
    public var max: Double?
    public var categories: [Category]?

    /// A config that obeys the rules ``init(json:)`` enforces; traps otherwise (for literals in code).
    public init(kind: Kind, min: Double? = nil, max: Double? = nil, categories: [Category]? = nil) {
        self.kind = kind
        self.min = min
        self.max = max
        self.categories = categories
    }

    /// Parses and validates `{type, min?, max?, categories?[{value, label?}]}`: continuous bounds
    /// must be ordered, categorical configs need at least one category and distinct values, and
    /// bounds or categories on a kind that has no use for them are refused rather than ignored.
    public init(json: JSONValue) throws(ValidationError) {
        guard case .object(let o) = json else { throw ValidationError("feedback_config must be an object") }
        guard let type = o["type"]?.stringValue, let kind = Kind(rawValue: type) else {
            throw ValidationError("feedback_config.type must be one of continuous, categorical, freeform")
        }
        func number(_ key: String) throws(ValidationError) -> Double? {
            switch o[key] {
            case nil, .null?: return nil
            case .int(let i)?: return Double(i)
            case .double(let d)? where d.isFinite: return d
            default: throw ValidationError("feedback_config.\(key) must be a number or null")
            }
        }
        self.kind = kind
        self.min = try number("min")
        self.max = try number("max")
        switch o["categories"] {
        case nil, .null?: categories = nil
        case .array(let items)?:
            var parsed: [Category] = []
            for (i, item) in items.enumerated() {
                guard case .object(let c) = item else {
                    throw ValidationError("feedback_config.categories[\(i)] must be an object with a numeric value")
                }
                let value: Double
                switch c["value"] {
                case .int(let v)?: value = Double(v)
                case .double(let v)? where v.isFinite: value = v
                default: throw ValidationError("feedback_config.categories[\(i)].value must be a number")
                }
                var label: String?
                switch c["label"] {
                case nil, .null?: break
                case .string(let s)? where !s.isEmpty: label = s
                default: throw ValidationError("feedback_config.categories[\(i)].label must be a non-empty string or null")
                }
                parsed.append(Category(value: value, label: label))
            }
            categories = parsed
        default: throw ValidationError("feedback_config.categories must be a list of {value, label} objects")
        }
        try validate()
    }

    /// Checks the rules of the kind (see ``init(json:)``).
    public func validate() throws(ValidationError) {
        switch kind {
        case .continuous:
            if let min, let max, !(min < max) {
                throw ValidationError("feedback_config.min (\(Self.format(min))) must be less than max (\(Self.format(max)))")
            }
            if let categories, !categories.isEmpty {
                throw ValidationError("feedback_config.categories only apply to categorical feedback")
            }
        case .categorical:
            guard let categories, !categories.isEmpty else {
                throw ValidationError("a categorical feedback_config needs at least one category")
            }
            var seen = Set<Double>()
            for c in categories where !seen.insert(c.value).inserted {
                throw ValidationError("feedback_config.categories has the value \(Self.format(c.value)) more than once")
            }
            if min != nil || max != nil {
                throw ValidationError("feedback_config.min and max only apply to continuous feedback")
            }
        case .freeform:
            if min != nil || max != nil || !(categories ?? []).isEmpty {
                throw ValidationError("a freeform feedback_config takes no min, max or categories")
            }
        }
    }

    /// The normalized wire form: every key present, absent ones null.
    public var json: JSONValue {
        .object([
            "type": .string(kind.rawValue),
            "min": min.map(JSONValue.double) ?? .null,
            "max": max.map(JSONValue.double) ?? .null,
            "categories": categories.map { cs in
                .array(cs.map { c in .object(["value": .double(c.value), "label": c.label.map(JSONValue.string) ?? .null]) })
            } ?? .null,
        ])
    }

    /// Whether feedback with this score and value fits the config; throws a message naming the key
    /// otherwise. A continuous score must lie within the bounds that are set; a categorical score
    /// must be one of the category values, and a categorical value one of the labels (or values).
    public func check(key: String, score: JSONValue?, value: JSONValue?) throws(ValidationError) {
        switch kind {
        case .freeform:
            return
        case .continuous:
            guard let score, !score.isNull else { return }
            guard let s = score.doubleValue else { throw ValidationError("score for '\(key)' must be a number") }
            if let min, s < min {
                throw ValidationError("score \(Self.format(s)) for '\(key)' is below the configured minimum \(Self.format(min))")
            }
            if let max, s > max {
                throw ValidationError("score \(Self.format(s)) for '\(key)' is above the configured maximum \(Self.format(max))")
            }
        case .categorical:
            let cs = categories ?? []
            let allowed = cs.map { c in c.label.map { "\(Self.format(c.value)) (\($0))" } ?? Self.format(c.value) }.joined(separator: ", ")
            if let score, !score.isNull {
                guard let s = score.doubleValue, cs.contains(where: { $0.value == s }) else {
                    throw ValidationError("score \(score.encodedString) for '\(key)' is not one of its categories: \(allowed)")
                }
            }
            if let value, !value.isNull {
                let ok: Bool
                switch value {
                case .string(let s): ok = cs.contains { $0.label == s || Self.format($0.value) == s }
                case .int, .double, .bool: ok = cs.contains { $0.value == value.doubleValue }
                default: ok = false
                }
                guard ok else {
                    throw ValidationError("value \(value.encodedString) for '\(key)' is not one of its categories: \(allowed)")
                }
            }
        }
    }

    /// Numbers as people write them: `5`, not `5.0`.
    static func format(_ d: Double) -> String {
        d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }
}
