import Foundation

extension RunPredicate {
    /// Always true (`and` of nothing).
    public static let all = RunPredicate.and([])
    /// Always false (`or` of nothing).
    public static let none = RunPredicate.or([])

    /// Lowers a parsed filter into predicates.
    ///
    /// Pairing rule (LangSmith's): inside one `and(…)`, the n-th comparison on `metadata_key`
    /// pairs with the n-th on `metadata_value` into one "some metadata entry has this key and this
    /// value" predicate; likewise `input_key`/`input_value`, `output_key`/`output_value`, and
    /// `feedback_key` with `feedback_score`/`feedback_value`. Unpaired ones stand alone.
    public init(_ expression: FilterExpression) {
        self = Self.lower(expression)
    }

    static func lower(_ e: FilterExpression) -> RunPredicate {
        switch e {
        case .and(let children): return lowerAnd(children)
        case .or(let children): return .or(children.map(lower))
        case .not(let child): return .not(lower(child))
        case .comparison(let c): return lowerComparison(c)
        }
    }

    private static func lowerAnd(_ children: [FilterExpression]) -> RunPredicate {
        var out: [RunPredicate] = []
        var entryKeys: [Payload: [EntryCondition]] = [:]
        var entryValues: [Payload: [EntryCondition]] = [:]
        var feedbackKeys: [EntryCondition] = []
        var feedbackScores: [EntryCondition] = []
        var feedbackValues: [EntryCondition] = []
        for child in children {
            guard case .comparison(let c) = child, let field = c.field else {
                out.append(lower(child))
                continue
            }
            switch field {
            case .metadataKey: entryKeys[.metadata, default: []].append(condition(c))
            case .metadataValue: entryValues[.metadata, default: []].append(condition(c))
            case .inputKey: entryKeys[.inputs, default: []].append(condition(c))
            case .inputValue: entryValues[.inputs, default: []].append(condition(c))
            case .outputKey: entryKeys[.outputs, default: []].append(condition(c))
            case .outputValue: entryValues[.outputs, default: []].append(condition(c))
            case .feedbackKey: feedbackKeys.append(condition(c))
            case .feedbackScore: feedbackScores.append(condition(c))
            case .feedbackValue: feedbackValues.append(condition(c))
            default: out.append(lowerComparison(c))
            }
        }
        for payload in [Payload.metadata, .inputs, .outputs] {
            let keys = entryKeys[payload] ?? []
            let values = entryValues[payload] ?? []
            for i in 0..<max(keys.count, values.count) {
                out.append(.entry(payload, key: i < keys.count ? keys[i] : nil, value: i < values.count ? values[i] : nil))
            }
        }
        for i in 0..<max(feedbackKeys.count, feedbackScores.count, feedbackValues.count) {
            out.append(.feedback(
                key: i < feedbackKeys.count ? feedbackKeys[i] : nil,
                score: i < feedbackScores.count ? feedbackScores[i] : nil,
                value: i < feedbackValues.count ? feedbackValues[i] : nil))
        }
        return out.count == 1 ? out[0] : .and(out)
    }

    private static func condition(_ c: FilterComparison) -> EntryCondition {
        switch c.op {
        case .like: return .text(.like(c.value.stringValue ?? ""))
        case .notLike: return .text(.notLike(c.value.stringValue ?? ""))
        case .search: return .text(.contains(c.value.stringValue ?? ""))
        case .eq: return .compare(.eq, value(c.value, c.field))
        case .neq: return .compare(.neq, value(c.value, c.field))
        case .gt: return .compare(.gt, value(c.value, c.field))
        case .gte: return .compare(.gte, value(c.value, c.field))
        case .lt: return .compare(.lt, value(c.value, c.field))
        case .lte: return .compare(.lte, value(c.value, c.field))
        case .in: return .compare(.in, value(c.value, c.field))
        case .has, .exists: return .compare(.eq, value(c.value, c.field))
        }
    }

    private static func lowerComparison(_ c: FilterComparison) -> RunPredicate {
        guard let field = c.field else {
            return .text(.anywhere, .contains(c.value.stringValue ?? ""))
        }
        switch field {
        case .metadataKey: return .entry(.metadata, key: condition(c), value: nil)
        case .metadataValue: return .entry(.metadata, key: nil, value: condition(c))
        case .inputKey: return .entry(.inputs, key: condition(c), value: nil)
        case .inputValue: return .entry(.inputs, key: nil, value: condition(c))
        case .outputKey: return .entry(.outputs, key: condition(c), value: nil)
        case .outputValue: return .entry(.outputs, key: nil, value: condition(c))
        case .feedbackKey: return .feedback(key: condition(c), score: nil, value: nil)
        case .feedbackScore: return .feedback(key: nil, score: condition(c), value: nil)
        case .feedbackValue: return .feedback(key: nil, score: nil, value: condition(c))
        case .tags: return .hasTag(c.value.stringValue ?? "")
        case .metadata, .inputs, .outputs:
            let payload: Payload = field == .metadata ? .metadata : field == .inputs ? .inputs : .outputs
            let text = c.value.stringValue ?? ""
            if c.op == .exists { return .hasKey(payload, text) }
            let object = (try? JSON.parse(text))?.objectValue ?? [:]
            return .contains(payload, object)
        case .input, .output:
            return .text(.payload(field == .input ? .inputs : .outputs), textMatch(c))
        case .executionOrder:
            return executionOrder(c)
        case .error:
            switch (c.op, c.value) {
            case (.eq, .null): return .isNull(.error, true)
            case (.neq, .null): return .isNull(.error, false)
            case (.eq, .bool(let b)): return .isNull(.error, !b)
            case (.neq, .bool(let b)): return .isNull(.error, b)
            case (.like, _), (.notLike, _), (.search, _): return .text(.column(.error), textMatch(c))
            default: return .compare(.error, c.op == .neq ? .neq : .eq, .text(c.value.stringValue ?? ""))
            }
        default:
            break
        }
        guard let column = RunColumn(field) else { return .all }
        switch c.op {
        case .like, .notLike, .search:
            return .text(.column(column), textMatch(c))
        case .eq where c.value == .null:
            return .isNull(column, true)
        case .neq where c.value == .null:
            return .isNull(column, false)
        default:
            let op = CompareOp(rawValue: c.op.rawValue) ?? .eq
            return .compare(column, op, value(c.value, field))
        }
    }

    private static func textMatch(_ c: FilterComparison) -> TextMatch {
        let text = c.value.stringValue ?? ""
        switch c.op {
        case .like: return .like(text)
        case .notLike: return .notLike(text)
        default: return .contains(text)
        }
    }

    /// LangSmith's legacy `execution_order` is 1 for a trace's root; we treat every other run as 2.
    private static func executionOrder(_ c: FilterComparison) -> RunPredicate {
        let v = c.value.numberValue ?? 1
        func holds(_ x: Double) -> Bool {
            switch c.op {
            case .eq: x == v
            case .neq: x != v
            case .gt: x > v
            case .gte: x >= v
            case .lt: x < v
            case .lte: x <= v
            default: false
            }
        }
        switch (holds(1), holds(2)) {
        case (true, true): return .all
        case (true, false): return .compare(.isRoot, .eq, .bool(true))
        case (false, true): return .compare(.isRoot, .eq, .bool(false))
        case (false, false): return .none
        }
    }

    /// Converts a normalised literal to the field's typed value.
    static func value(_ literal: FilterLiteral, _ field: FilterField?) -> PredicateValue {
        if case .list(let items) = literal { return .list(items.map { value($0, field) }) }
        switch field?.valueKind {
        case .uuid?:
            if let s = literal.stringValue, let id = UUID(uuidString: s) { return .uuid(id) }
        case .timestamp?:
            if let s = literal.stringValue, let t = Timestamp(iso8601: s) { return .time(t) }
        default:
            break
        }
        switch literal {
        case .string(let s): return .text(s)
        case .number(let n): return .number(n)
        case .bool(let b): return .bool(b)
        case .null, .list: return .text("")
        }
    }
}

extension RunColumn {
    init?(_ field: FilterField) {
        switch field {
        case .id: self = .id
        case .name: self = .name
        case .runType: self = .runType
        case .status: self = .status
        case .startTime: self = .startTime
        case .endTime: self = .endTime
        case .latency: self = .latency
        case .firstTokenTime: self = .firstTokenTime
        case .totalTokens: self = .totalTokens
        case .promptTokens: self = .promptTokens
        case .completionTokens: self = .completionTokens
        case .totalCost: self = .totalCost
        case .promptCost: self = .promptCost
        case .completionCost: self = .completionCost
        case .error: self = .error
        case .isRoot: self = .isRoot
        case .traceId: self = .traceId
        case .parentRunId: self = .parentRunId
        case .sessionId: self = .sessionId
        case .referenceExampleId: self = .referenceExampleId
        case .threadId: self = .threadId
        default: return nil
        }
    }
}
