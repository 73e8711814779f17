import Foundation

/// The exact meaning of each predicate, written once as plain Swift. The in-memory store evaluates
/// with it directly; SQL compilers must agree with it (the storage contract suite checks that).
///
/// Rules:
/// * A comparison against a missing (NULL) column is false, whatever the operator (SQL semantics).
///   Token counts and costs count as 0 when a run has none.
/// * Text `contains` is case-insensitive for ASCII; `like` follows SQL LIKE (`%`, `_`, `\` escapes),
///   also ASCII-case-insensitive; a pattern ending in an unpaired `\` matches nothing.
/// * `has(payload, {...})`: the payload is an object (absent metadata counts as `{}`) holding every
///   given key with a JSON-equal value; numbers compare numerically at every depth, objects by key
///   set and members, arrays element by element.
/// * Metadata / input / output entry values and feedback values are compared by their text form
///   (`JSONValue.textForm`: a string as itself, integral numbers below 1e15 without a fraction,
///   other numbers in shortest round-trip form such as `0.75` or `1e-05`, booleans as
///   `true`/`false`, `null`, objects and arrays as compact JSON with sorted keys); a number literal also
///   matches a numerically equal JSON number. Ordering operators compare numerically when the
///   literal is a number, as strings otherwise.
public struct RunFacts: Sendable {
    public var run: Run
    /// The run's `extra.metadata` object.
    public var metadata: [String: JSONValue]
    public var feedback: [Feedback]

    public init(run: Run, feedback: [Feedback]) {
        self.run = run
        self.metadata = run.extra?.value(at: "metadata")?.objectValue ?? [:]
        self.feedback = feedback
    }
}

extension RunPredicate {
    public func matches(_ facts: RunFacts) -> Bool {
        switch self {
        case .and(let items): return items.allSatisfy { $0.matches(facts) }
        case .or(let items): return items.contains { $0.matches(facts) }
        case .not(let item): return !item.matches(facts)
        case .compare(let column, let op, let value):
            guard let actual = column.value(of: facts.run) else { return false }
            return Self.compare(actual, op, value)
        case .isNull(let column, let wantNull):
            return (column.value(of: facts.run) == nil) == wantNull
        case .text(let target, let match):
            return Self.texts(target, facts).contains { Self.textMatches($0, match) }
        case .hasTag(let tag):
            return facts.run.tags.contains(tag)
        case .contains(let payload, let object):
            guard let fields = Self.object(payload, facts) else { return false }
            return object.allSatisfy { key, value in fields[key].map { $0.jsonEquals(value) } ?? false }
        case .hasKey(let payload, let key):
            return Self.object(payload, facts)?[key] != nil
        case .entry(let payload, let key, let value):
            guard let fields = Self.object(payload, facts) else { return false }
            return fields.contains { k, v in
                (key.map { Self.keyMatches(k, $0) } ?? true) && (value.map { Self.valueMatches(v, $0) } ?? true)
            }
        case .feedback(let key, let score, let value):
            return facts.feedback.contains { f in
                guard f.runId == facts.run.id else { return false }
                if let key, !Self.keyMatches(f.key, key) { return false }
                if let score {
                    guard let s = f.numericScore, Self.valueMatches(.double(s), score) else { return false }
                }
                if let value {
                    guard let v = f.value, Self.valueMatches(v, value) else { return false }
                }
                return true
            }
        }
    }

    static func object(_ payload: Payload, _ facts: RunFacts) -> [String: JSONValue]? {
        switch payload {
        case .metadata: return facts.metadata
        case .inputs: return facts.run.inputs.flatMap { try? $0.parsed() }?.objectValue
        case .outputs: return facts.run.outputs.flatMap { try? $0.parsed() }?.objectValue
        }
    }

    static func texts(_ target: TextTarget, _ facts: RunFacts) -> [String] {
        switch target {
        case .column(let c):
            guard let v = c.value(of: facts.run) else { return [] }
            return [v.textForm]
        case .payload(.inputs): return facts.run.inputs.map { [$0.string] } ?? []
        case .payload(.outputs): return facts.run.outputs.map { [$0.string] } ?? []
        case .payload(.metadata): return facts.metadata.isEmpty ? [] : [JSONValue.object(facts.metadata).encodedString]
        case .anywhere:
            return [facts.run.name, facts.run.error, facts.run.inputs?.string, facts.run.outputs?.string,
                    facts.metadata.isEmpty ? nil : JSONValue.object(facts.metadata).encodedString].compactMap { $0 }
        }
    }

    static func compare(_ actual: PredicateValue, _ op: CompareOp, _ expected: PredicateValue) -> Bool {
        if op == .in, case .list(let items) = expected {
            return items.contains { compare(actual, .eq, $0) }
        }
        let order: Int?
        switch (actual, expected) {
        case (.number(let a), .number(let b)): order = a < b ? -1 : (a > b ? 1 : 0)
        case (.text(let a), .text(let b)): order = a < b ? -1 : (a > b ? 1 : 0)
        case (.uuid(let a), .uuid(let b)): order = a == b ? 0 : (a.lowercased < b.lowercased ? -1 : 1)
        case (.time(let a), .time(let b)): order = a < b ? -1 : (a > b ? 1 : 0)
        case (.bool(let a), .bool(let b)): order = a == b ? 0 : (!a ? -1 : 1)
        default: order = nil
        }
        guard let order else { return false }
        switch op {
        case .eq, .in: return order == 0
        case .neq: return order != 0
        case .gt: return order > 0
        case .gte: return order >= 0
        case .lt: return order < 0
        case .lte: return order <= 0
        }
    }

    static func keyMatches(_ key: String, _ condition: EntryCondition) -> Bool {
        switch condition {
        case .text(let m): return textMatches(key, m)
        case .compare(let op, let v): return compare(.text(key), op, v.asText)
        }
    }

    /// Entry/feedback value semantics (see the type's documentation).
    static func valueMatches(_ value: JSONValue, _ condition: EntryCondition) -> Bool {
        switch condition {
        case .text(let m):
            return textMatches(value.textForm, m)
        case .compare(.in, .list(let items)):
            return items.contains { valueMatches(value, .compare(.eq, $0)) }
        case .compare(let op, let literal):
            if case .number(let n) = literal, let d = value.numericValue {
                return compare(.number(d), op, .number(n))
            }
            if case .number = literal, op != .eq, op != .neq { return false }
            let equal = value.textForm == literal.asText.textForm
            switch op {
            case .eq, .in: return equal
            case .neq: return !equal
            default:
                if case .text = literal, case .string(let s) = value { return compare(.text(s), op, literal) }
                return false
            }
        }
    }

    /// ASCII-case-insensitive SQL LIKE / substring matching.
    public static func textMatches(_ text: String, _ match: TextMatch) -> Bool {
        switch match {
        case .contains(let needle):
            return needle.isEmpty || asciiLower(text).contains(asciiLower(needle))
        case .like(let pattern):
            return like(Array(asciiLower(text).utf8)[...], Array(asciiLower(pattern).utf8)[...])
        case .notLike(let pattern):
            return !like(Array(asciiLower(text).utf8)[...], Array(asciiLower(pattern).utf8)[...])
        }
    }

    static func asciiLower(_ s: String) -> String {
        String(decoding: s.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// SQL LIKE over bytes: `%` any run, `_` one character, `\` escapes the next byte. A pattern
    /// ending in an unpaired `\` matches nothing, as in SQLite.
    static func like(_ s: ArraySlice<UInt8>, _ p: ArraySlice<UInt8>) -> Bool {
        var i = p.startIndex
        while i < p.endIndex {
            if p[i] == UInt8(ascii: "\\") {
                guard i + 1 < p.endIndex else { return false }
                i += 2
            } else {
                i += 1
            }
        }
        var si = s.startIndex, pi = p.startIndex
        var starP: Int? = nil, starS = 0
        while si < s.endIndex {
            if pi < p.endIndex {
                let c = p[pi]
                if c == UInt8(ascii: "%") {
                    starP = pi; starS = si; pi += 1; continue
                }
                if c == UInt8(ascii: "\\"), pi + 1 < p.endIndex {
                    if p[pi + 1] == s[si] { pi += 2; si += 1; continue }
                } else if c == UInt8(ascii: "_") {
                    // one UTF-8 character
                    si += utf8Length(s[si]); pi += 1; continue
                } else if c == s[si] {
                    pi += 1; si += 1; continue
                }
            }
            guard let sp = starP else { return false }
            pi = sp + 1
            starS += 1
            si = starS
        }
        while pi < p.endIndex && p[pi] == UInt8(ascii: "%") { pi += 1 }
        return pi == p.endIndex
    }

    static func utf8Length(_ lead: UInt8) -> Int {
        switch lead {
        case 0xF0...: 4
        case 0xE0...: 3
        case 0xC0...: 2
        default: 1
        }
    }

}

extension RunColumn {
    /// The column's value for a run, nil when SQL would see NULL.
    public func value(of run: Run) -> PredicateValue? {
        switch self {
        case .id: return .uuid(run.id)
        case .name: return run.name.map { .text($0) }
        case .runType: return run.runType.map { .text($0) }
        case .status: return .text(run.status.rawValue)
        case .startTime: return run.startTime.map { .time($0) }
        case .endTime: return run.endTime.map { .time($0) }
        case .latency: return run.latency.map { .number($0) }
        case .firstTokenTime:
            guard let f = run.firstTokenTime, let s = run.startTime else { return nil }
            return .number(Double(f.microseconds - s.microseconds) / 1_000_000)
        case .totalTokens: return .number(Double(run.rollupUsage.totalTokens ?? 0))
        case .promptTokens: return .number(Double(run.rollupUsage.promptTokens ?? 0))
        case .completionTokens: return .number(Double(run.rollupUsage.completionTokens ?? 0))
        case .totalCost: return .number(run.rollupUsage.totalCost ?? 0)
        case .promptCost: return .number(run.rollupUsage.promptCost ?? 0)
        case .completionCost: return .number(run.rollupUsage.completionCost ?? 0)
        case .error: return run.error.map { .text($0) }
        case .isRoot: return .bool(run.isRoot)
        case .traceId: return run.traceId.map { .uuid($0) }
        case .parentRunId: return run.parentRunId.map { .uuid($0) }
        case .sessionId: return run.sessionId.map { .uuid($0) }
        case .referenceExampleId: return run.referenceExampleId.map { .uuid($0) }
        case .threadId: return run.threadId.map { .text($0) }
        }
    }
}

extension PredicateValue {
    /// The literal's text form (what entry values are compared against).
    public var asText: PredicateValue {
        switch self {
        case .text: return self
        case .number(let n): return .text(JSONValue.double(n).textForm)
        case .bool(let b): return .text(b ? "true" : "false")
        case .uuid(let u): return .text(u.lowercased)
        case .time(let t): return .text(t.iso8601)
        case .list(let items): return .list(items.map(\.asText))
        }
    }

    public var textForm: String {
        switch self {
        case .text(let s): return s
        case .number(let n): return JSONValue.double(n).textForm
        case .bool(let b): return b ? "true" : "false"
        case .uuid(let u): return u.lowercased
        case .time(let t): return t.iso8601
        case .list: return ""
        }
    }
}

extension JSONValue {
    /// Text form used by filters: strings as-is, integral numbers without a fraction, other numbers
    /// in shortest form, booleans `true`/`false`, `null`, containers as compact JSON.
    public var textForm: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d):
            if d.rounded() == d && abs(d) < 1e15 { return String(Int64(d)) }
            return "\(d)"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array, .object: return encodedString
        }
    }

    /// Numbers as Double (booleans are not numbers here).
    public var numericValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
}
