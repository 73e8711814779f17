/// A parsed, validated and normalised LangSmith run filter, e.g.
/// `and(eq(run_type, "llm"), gt(latency, "5s"))`.
///
/// Produced by ``FilterParser/parse(_:)``; consumed by the per-backend SQL compilers and the
/// in-memory evaluator. Everything the parser returns has already been checked against the
/// field's rules (see ``FilterField``), so consumers can rely on these invariants:
///
/// * `and`/`or` hold at least two children (`and(x)` is returned as `x`). Nested groups are
///   kept as written, never flattened: LangSmith pairs `metadata_key`/`metadata_value` (and the
///   input/output and feedback pairs) within one group, so regrouping would change the meaning.
/// * Every comparison's operator is allowed for its field, and its value has the shape that
///   ``FilterField/valueKind`` documents for that operator.
public indirect enum FilterExpression: Sendable, Hashable {
    case and([FilterExpression])
    case or([FilterExpression])
    case not(FilterExpression)
    case comparison(FilterComparison)
}

/// The comparison functions of the filter language.
///
/// LangSmith's reference (`trace_query_syntax.mdx`) lists `gte gt lte lt eq neq has search`;
/// its guides and SDK docstrings also use `in` (`export_traces.mdx`, `threads.mdx`),
/// `like` (`data_export.mdx`) and `exists` (`manage_datasets_programmatically.mdx`).
/// `not_like` is not in LangSmith's documents; it is the DSL spelling of the UI's
/// "does not contain" and is kept because our compilers already target it.
public enum FilterOperator: String, Sendable, Hashable, CaseIterable {
    /// Equal. With `null`: the field is null.
    case eq
    /// Not equal. With `null`: the field is not null.
    case neq
    case gt, gte, lt, lte
    /// `has(tags, "t")`: the run carries the tag. `has(metadata, '{"k":"v"}')`: the JSON object
    /// (metadata, inputs or outputs) contains every key/value of the given JSON object.
    case has
    /// Substring / full-text match. `field` is nil for `search("text")`, which LangSmith
    /// documents as "a full text search across all string fields in a run".
    case search
    /// The field equals one of the values of a non-empty list.
    case `in`
    /// SQL `LIKE`: `%` matches any run of characters, `_` one character, and a backslash makes
    /// the next `%`, `_` or `\` literal (ClickHouse's and SQLite-with-`ESCAPE '\'` semantics).
    case like
    /// The negation of ``like``.
    case notLike = "not_like"
    /// `exists(metadata, "key")`: the JSON object has the top-level key.
    case exists
}

/// One `op(field, value)` call.
public struct FilterComparison: Sendable, Hashable {
    public var op: FilterOperator
    /// The field compared. `nil` only for the one-argument `search("text")`.
    public var field: FilterField?
    /// The normalised value, shaped as ``FilterField/ValueKind`` documents.
    public var value: FilterLiteral

    public init(op: FilterOperator, field: FilterField?, value: FilterLiteral) {
        self.op = op
        self.field = field
        self.value = value
    }
}

/// A literal value in a filter.
public enum FilterLiteral: Sendable, Hashable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    /// Only produced for `in(field, [...])`; never nested, never empty, never contains `null`.
    case list([FilterLiteral])

    /// The string, if this is `.string`.
    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// The number, if this is `.number`.
    public var numberValue: Double? {
        if case .number(let value) = self { value } else { nil }
    }

    /// The boolean, if this is `.bool`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    /// The elements, if this is `.list`.
    public var listValue: [FilterLiteral]? {
        if case .list(let value) = self { value } else { nil }
    }
}
