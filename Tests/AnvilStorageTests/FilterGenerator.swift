import AnvilCore
import AnvilTesting
import Foundation

/// Random, valid filter expressions over the values ``FilterFixture`` holds (and some it does not),
/// so that random filters match some runs and not others.
struct FilterGenerator {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func pick<T>(_ items: [T]) -> T { items.randomElement(using: &rng)! }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

    mutating func expression(depth: Int = 0) -> FilterExpression {
        if depth >= 3 || chance(45) { return .comparison(comparison()) }
        switch Int.random(in: 0..<10, using: &rng) {
        case 0..<5:
            var children = (0..<Int.random(in: 2...4, using: &rng)).map { _ in expression(depth: depth + 1) }
            // Pairs inside one and(): the lowering's pairing rule is where backends most easily differ.
            if chance(50) { children += pairedConditions() }
            return .and(children)
        case 5..<8:
            return .or((0..<Int.random(in: 2...3, using: &rng)).map { _ in expression(depth: depth + 1) })
        default:
            return .not(expression(depth: depth + 1))
        }
    }

    mutating func pairedConditions() -> [FilterExpression] {
        let (keyField, valueField): (FilterField, FilterField) = pick([
            (.metadataKey, .metadataValue), (.inputKey, .inputValue), (.outputKey, .outputValue),
            (.feedbackKey, .feedbackScore), (.feedbackKey, .feedbackValue),
        ])
        return [.comparison(comparison(field: keyField)), .comparison(comparison(field: valueField))]
    }

    static let fields = FilterField.allCases

    mutating func comparison(field: FilterField? = nil) -> FilterComparison {
        if field == nil && chance(4) {
            return FilterComparison(op: .search, field: nil, value: .string(pick(Self.needles)))
        }
        let field = field ?? pick(Self.fields)
        let op = pick(field.allowedOperators)
        return FilterComparison(op: op, field: field, value: value(field, op))
    }

    mutating func value(_ field: FilterField, _ op: FilterOperator) -> FilterLiteral {
        switch op {
        case .search: return .string(pick(Self.needles + texts(field)))
        case .like, .notLike: return .string(pick(Self.patterns + texts(field)))
        case .exists: return .string(pick(Self.metadataKeys + Self.payloadKeys))
        case .has: return field == .tags ? .string(pick(Self.tags)) : .string(jsonObject())
        case .in: return .list((0..<Int.random(in: 1...3, using: &rng)).map { _ in scalar(field) })
        case .eq, .neq:
            if field.isNullable && chance(15) { return .null }
            return scalar(field)
        case .gt, .gte, .lt, .lte: return scalar(field)
        }
    }

    mutating func scalar(_ field: FilterField) -> FilterLiteral {
        switch field.valueKind {
        case .uuid:
            let ids = FilterFixture.allNames.map(FilterFixture.id) + [
                FilterFixture.mainProject, FilterFixture.otherProject, FilterFixture.exampleA, FilterFixture.exampleB, UUID(),
            ]
            return .string(pick(ids).lowercased)
        case .text, .tagList: return .string(pick(texts(field)))
        case .timestamp:
            let seconds = chance(50) ? pick([0, 1, 2, 7, 20, 20.1, 21.4, 30, 40, 50, 53, 60, 60.2]) : Double(Int.random(in: -5...70, using: &rng)) / 2
            return .string(Fixtures.time(seconds).iso8601)
        case .duration: return .number(pick([0, 0.001, 0.05, 0.2, 0.25, 0.3, 0.5, 0.6, 1, 1.3, 1.5, 2, 3, 3.5, 5, 10, 100]))
        case .number:
            switch field {
            case .executionOrder: return .number(pick([0, 1, 2, 3]))
            case .feedbackScore: return .number(pick([-1, 0, 0.5, 0.8, 1, 2]))
            case .totalCost, .promptCost, .completionCost: return .number(pick([0, 0.125, 0.25, 0.375, 0.5, 0.75, 1]))
            default: return .number(pick([0, 3, 4, 5, 7, 10, 12, 15, 18, 20, 40, 60, 100, 120, 1000, 2000]))
            }
        case .boolean: return .bool(chance(50))
        case .error:
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return .bool(chance(50))
            default: return .string(pick(["ValueError: bad input", "ZeroDivisionError: division by zero", "nope", ""]))
            }
        case .anyScalar:
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return .number(pick([0, 1, 2, 3, 4, 5, 7, 10, 42, 0.5, 0.75, 0.8, 0.9, 1.25, -1]))
            case 1: return .bool(chance(50))
            default: return .string(pick(Self.values))
            }
        case .jsonObject: return .string(jsonObject())
        }
    }

    func texts(_ field: FilterField) -> [String] {
        switch field {
        case .name: FilterFixture.allNames + ["AGENT", "Agent", "ghost", "intruder", "forged"]
        case .runType: ["llm", "chain", "tool", "retriever", "embedding", "prompt", "parser", "LLM"]
        case .status: ["success", "error", "pending", "SUCCESS"]
        case .threadId: ["thread-1", "thread-2", "thread-3", "42", "thread"]
        case .metadataKey: Self.metadataKeys
        case .inputKey, .outputKey: Self.payloadKeys
        case .feedbackKey: ["correctness", "user_rating", "helpfulness", "accuracy", "notes", "sneaky", "CORRECTNESS"]
        case .error: ["Error", "division", "bad", "ValueError%", "%Error:%"]
        case .tags: Self.tags
        default: Self.values
        }
    }

    static let tags = ["prod", "v2", "dev", "flaky", "beta-test", "Prod", "missing"]
    static let metadataKeys = [
        "user_id", "env", "tier", "ratio", "beta", "nested", "session_id", "thread_id", "conversation_id", "k",
        "ls_model_name", "ls_provider", "usage_metadata", "empty", "nullish", "path", "city", "score",
        "quote\"key", "dotted.key", "dotted", "runtime", "missing", "lr", "precise", "list",
    ]
    static let payloadKeys = [
        "question", "lang", "answer", "query", "documents", "messages", "content", "expression", "result",
        "text", "flagged", "parsed", "a", "b", "prompt", "prompts", "texts", "x", "q", "example", "score",
        "results", "done", "generations", "llm_output", "missing",
    ]
    static let values = [
        "u1", "u2", "u3", "prod", "dev", "staging", "thread-1", "thread-2", "42", "3", "5", "", "null", "true",
        "false", "gpt-4o", "claude-3", "Zürich", "a/b", "q", "yes", "Paris", "capital France", "chicken", "ok",
        "good", "bad", "7", "2+2", "Tell me a joke", "SHOUT", "o", "other",
        "1e-05", "0.30000000000000004", "C:\\dir\\", #"{"a":["x",2.5],"b":1}"#, "vector", "not-an-object", #"{"a":1,"b":2}"#, #"{"b":2,"a":1}"#, #"["b","a",{"x":2,"y":1}]"#,
    ]
    static let needles = [
        "a", "u1", "Paris", "paris", "chicken", "thread", "gpt", "0.5", "true", "null", "é", "É", "zürich",
        "ZÜRICH", "tokens", "ok", "Error", "e", "capital", "agent", "75", "prod", "input_tokens", "\"", "q",
        "2+2", "joke", "%", "_",
        // Text forms of nested and non-integral values, where serialisations easily differ.
        #""a":1,"b""#, #""b":2,"a""#, "e-05", "1e-05", "0.3000", #"{"x""#, #""nested":{"#, #"["b""#, #"{"y""#,
        #""user_id":"u1""#, #""city":"Zürich""#,
    ]
    static let patterns = [
        "%", "%a%", "u_", "thread-%", "%prod%", "%1", "%\\_%", "_", "", "%ü%", "Z%", "%e", "c%", "%ERROR%",
        "%\\%%", "___", "%chicken%", "%\"answer\"%", "{%", "%}", "%:%", "1", "0._",
        "%\\", "C:%\\\\", #"C:\\dir%"#, #"{"a":1%"#, #"{"b"%"#, "%e-05", #"%,"a"%"#, #"["b","a",{"x":2,"y":1}]"#, "0.30000000000000004",
    ]

    /// A JSON object for `has(metadata|inputs|outputs, …)`, drawn mostly from values the fixture holds.
    mutating func jsonObject() -> String {
        let candidates: [(String, JSONValue)] = [
            ("user_id", "u1"), ("user_id", "u2"), ("env", "prod"), ("env", "dev"), ("tier", 3), ("tier", 3.0),
            ("tier", "3"), ("tier", 2), ("ratio", 0.75), ("ratio", 2), ("beta", true), ("beta", false),
            ("nullish", nil), ("empty", ""), ("nested", ["a": 1, "b": 2]), ("nested", ["a": 1]),
            ("nested", ["a": 1.0, "b": 2]), ("k", 5), ("k", "5"), ("question", "Tell me a joke"), ("result", 4),
            ("parsed", ["joke": true]), ("results", []), ("results", [1]), ("a", 1), ("b", 0), ("answer", "Paris"),
            ("done", true), ("flagged", false), ("documents", ["Paris is the capital of France"]),
            ("quote\"key", "q"), ("dotted.key", "yes"), ("score", 10), ("score", 0.9), ("missing", 1),
            ("lr", 0.00001), ("precise", 0.30000000000000004), ("list", ["b", "a", ["x": 2, "y": 1]]), ("list", ["a", "b"]),
        ]
        var object: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0...2, using: &rng) {
            let (k, v) = pick(candidates)
            object[k] = v
        }
        return JSONValue.object(object).encodedString
    }
}
