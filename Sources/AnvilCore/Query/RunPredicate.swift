import Foundation

/// The meaning of a run filter, lowered from the DSL's syntax tree into the handful of predicate
/// kinds a store must evaluate. Every backend (SQL compilers, the in-memory evaluator) implements
/// exactly these cases, so the DSL's pairing rules (`metadata_key` with `metadata_value`,
/// `feedback_key` with `feedback_score`, …) are decided once, here.
public indirect enum RunPredicate: Sendable, Hashable {
    case and([RunPredicate])
    case or([RunPredicate])
    case not(RunPredicate)
    /// A scalar column compared with a value.
    case compare(RunColumn, CompareOp, PredicateValue)
    /// `column IS NULL` when `true`, `IS NOT NULL` when `false`.
    case isNull(RunColumn, Bool)
    /// Text matching on a column or a payload's JSON text.
    case text(TextTarget, TextMatch)
    /// The run carries the tag.
    case hasTag(String)
    /// The payload object contains every key/value of the given object (values compared as JSON).
    case contains(Payload, [String: JSONValue])
    /// The payload object has the top-level key.
    case hasKey(Payload, String)
    /// Some entry of the payload object satisfies both conditions (either may be absent).
    case entry(Payload, key: EntryCondition?, value: EntryCondition?)
    /// Some feedback on the run satisfies every given condition.
    case feedback(key: EntryCondition?, score: EntryCondition?, value: EntryCondition?)
}

/// Scalar run columns a filter can compare.
public enum RunColumn: String, Sendable, Hashable, CaseIterable {
    case id, name, runType = "run_type", status, startTime = "start_time", endTime = "end_time"
    case latency, firstTokenTime = "first_token_time"
    case totalTokens = "total_tokens", promptTokens = "prompt_tokens", completionTokens = "completion_tokens"
    case totalCost = "total_cost", promptCost = "prompt_cost", completionCost = "completion_cost"
    case error, isRoot = "is_root", traceId = "trace_id", parentRunId = "parent_run_id"
    case sessionId = "session_id", referenceExampleId = "reference_example_id", threadId = "thread_id"
}

public enum CompareOp: String, Sendable, Hashable {
    case eq, neq, gt, gte, lt, lte, `in`
}

/// A typed comparison value. Durations (latency, first token) are seconds; times are instants.
public enum PredicateValue: Sendable, Hashable {
    case text(String)
    case number(Double)
    case bool(Bool)
    case uuid(UUID)
    case time(Timestamp)
    case list([PredicateValue])
}

/// Where text matching looks.
public enum TextTarget: Sendable, Hashable {
    case column(RunColumn)
    case payload(Payload)
    /// One-argument `search("…")`: name, inputs, outputs, error and metadata.
    case anywhere
}

/// A run's JSON payloads that filters can look into.
public enum Payload: String, Sendable, Hashable {
    case inputs, outputs, metadata
}

public enum TextMatch: Sendable, Hashable {
    /// SQL LIKE with `\` as the escape character; ASCII-case-insensitive (see the semantics).
    case like(String)
    case notLike(String)
    /// Case-insensitive substring.
    case contains(String)
}

/// A condition on a key, a scalar value or a score inside an `entry`/`feedback` predicate.
public enum EntryCondition: Sendable, Hashable {
    case compare(CompareOp, PredicateValue)
    case text(TextMatch)
}
