/// The run fields a filter can name, after normalisation.
///
/// Field names are matched ignoring ASCII case and underscores, so `run_type`, `RUN_TYPE`,
/// `runType` and `runtype` are all ``runType``; ``init(name:)`` also knows a few aliases.
/// Sources: LangSmith's `trace_query_syntax.mdx` (id, name, run_type, start_time, end_time,
/// latency, total_tokens, error, execution_order, tags, feedback_key, feedback_score) and the
/// guides and SDK docstrings that use the rest (see each case).
public enum FilterField: Sendable, Hashable, CaseIterable {
    /// The run's id (UUID).
    case id
    /// The run's name, e.g. `"ChatOpenAI"`.
    case name
    /// `llm`, `chain`, `tool`, `retriever`, `embedding`, `prompt`, `parser` — or any other
    /// string: the SDK deprecated its run-type enum in favour of free strings.
    case runType
    /// The run's status, e.g. `"success"` or `"error"` (`eq(status, "error")` in the SDK's v2
    /// docstrings). Not restricted to known values.
    case status
    /// When the run started; an ISO-8601 timestamp.
    case startTime
    /// When the run ended; null while it is still running.
    case endTime
    /// `end_time - start_time`, in seconds. Literals are normalised to seconds.
    case latency
    /// Time to the first streamed token, in seconds after `start_time`; null when nothing
    /// streamed. Literals are normalised to seconds like ``latency``.
    case firstTokenTime
    case totalTokens, promptTokens, completionTokens
    /// Cost in the project's currency unit (USD on LangSmith).
    case totalCost, promptCost, completionCost
    /// The run's error text; null when it succeeded. `eq(error, true|false)` tests for an error.
    case error
    /// The run's tags; only `has(tags, "t")`.
    case tags
    /// Whether the run is the root of its trace.
    case isRoot
    case traceId
    /// The parent run's id; null for roots.
    case parentRunId
    /// The tracing project's id (LangSmith calls projects "sessions"); alias `project_id`.
    case sessionId
    /// The dataset example the run was evaluated on; null otherwise.
    case referenceExampleId
    /// The conversation thread (from metadata `session_id`, `conversation_id` or `thread_id`).
    case threadId
    /// Position among siblings (legacy LangSmith field, still documented).
    case executionOrder
    /// A key of the run's metadata. Paired with ``metadataValue`` inside one `and(…)`, the two
    /// must match the same entry: `and(eq(metadata_key, "user_id"), eq(metadata_value, "abc"))`.
    case metadataKey
    /// A value of the run's metadata (see ``metadataKey``).
    case metadataValue
    /// The key of feedback on the run; pairs with ``feedbackScore``/``feedbackValue``.
    case feedbackKey
    /// The numeric score of feedback on the run.
    case feedbackScore
    /// The categorical value of feedback on the run.
    case feedbackValue
    /// A dotted key path into the run's inputs, e.g. `"messages.content"`; pairs with ``inputValue``.
    case inputKey
    /// A value in the run's inputs (see ``inputKey``).
    case inputValue
    /// A dotted key path into the run's outputs; pairs with ``outputValue``.
    case outputKey
    /// A value in the run's outputs (see ``outputKey``).
    case outputValue
    /// The run's metadata object, for `has` (JSON containment) and `exists` (top-level key).
    case metadata
    /// The run's inputs object, for `has` and `exists` like ``metadata``.
    case inputs
    /// The run's outputs object, for `has` and `exists` like ``metadata``.
    case outputs
    /// The run's inputs as text, for `search`/`like` (the UI's "Input" filter).
    case input
    /// The run's outputs as text, for `search`/`like` (the UI's "Output" filter).
    case output

    /// The canonical (LangSmith) spelling, e.g. `"run_type"`.
    public var name: String {
        switch self {
        case .id: "id"
        case .name: "name"
        case .runType: "run_type"
        case .status: "status"
        case .startTime: "start_time"
        case .endTime: "end_time"
        case .latency: "latency"
        case .firstTokenTime: "first_token_time"
        case .totalTokens: "total_tokens"
        case .promptTokens: "prompt_tokens"
        case .completionTokens: "completion_tokens"
        case .totalCost: "total_cost"
        case .promptCost: "prompt_cost"
        case .completionCost: "completion_cost"
        case .error: "error"
        case .tags: "tags"
        case .isRoot: "is_root"
        case .traceId: "trace_id"
        case .parentRunId: "parent_run_id"
        case .sessionId: "session_id"
        case .referenceExampleId: "reference_example_id"
        case .threadId: "thread_id"
        case .executionOrder: "execution_order"
        case .metadataKey: "metadata_key"
        case .metadataValue: "metadata_value"
        case .feedbackKey: "feedback_key"
        case .feedbackScore: "feedback_score"
        case .feedbackValue: "feedback_value"
        case .inputKey: "input_key"
        case .inputValue: "input_value"
        case .outputKey: "output_key"
        case .outputValue: "output_value"
        case .metadata: "metadata"
        case .inputs: "inputs"
        case .outputs: "outputs"
        case .input: "input"
        case .output: "output"
        }
    }

    /// Looks a field up by name, ignoring ASCII case and underscores, including the aliases
    /// `run_id` (→ ``id``), `project_id` (→ ``sessionId``) and `parent_id` (→ ``parentRunId``).
    public init?(name: String) {
        guard let field = Self.byFoldedName[Self.fold(name)] else { return nil }
        self = field
    }

    static let aliases: [String: FilterField] = [
        "run_id": .id,
        "project_id": .sessionId,
        "parent_id": .parentRunId,
    ]

    private static let byFoldedName: [String: FilterField] = {
        var table: [String: FilterField] = [:]
        for field in FilterField.allCases { table[fold(field.name)] = field }
        for (alias, field) in aliases { table[fold(alias)] = field }
        return table
    }()

    /// Lower-cases ASCII and drops underscores, so spellings that differ only in those match.
    static func fold(_ name: String) -> String {
        String(decoding: name.utf8.compactMap { byte -> UInt8? in
            if byte == UInt8(ascii: "_") { return nil }
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { return byte + 32 }
            return byte
        }, as: UTF8.self)
    }
}

extension FilterField {
    /// What a field holds, which fixes the shape of the normalised ``FilterComparison/value``.
    public enum ValueKind: Sendable, Hashable {
        /// `.string` holding a lower-case hyphenated UUID; `in` gives a `.list` of those.
        case uuid
        /// `.string`; `in` gives a `.list` of `.string`.
        case text
        /// `.string` holding ``FilterTimestamp/iso8601`` (UTC, microseconds, `Z`).
        case timestamp
        /// `.number` in seconds (from a bare number or a duration string such as `"5s"`).
        case duration
        /// `.number`.
        case number
        /// `.bool`.
        case boolean
        /// `has`: `.string` tag.
        case tagList
        /// `has`: `.string` holding a JSON object; `exists`: `.string` key.
        case jsonObject
        /// `eq`/`neq`: `.string`, `.bool` (true = has an error) or `.null`; others `.string`.
        case error
        /// `.string`, `.number` or `.bool` as written (metadata/feedback values are untyped);
        /// `in` gives a `.list` of those.
        case anyScalar
    }

    /// What this field holds; see ``ValueKind``.
    public var valueKind: ValueKind {
        switch self {
        case .id, .traceId, .parentRunId, .sessionId, .referenceExampleId: .uuid
        case .name, .runType, .status, .threadId, .metadataKey, .inputKey, .outputKey, .feedbackKey,
             .input, .output:
            .text
        case .startTime, .endTime: .timestamp
        case .latency, .firstTokenTime: .duration
        case .totalTokens, .promptTokens, .completionTokens, .totalCost, .promptCost,
             .completionCost, .executionOrder, .feedbackScore:
            .number
        case .isRoot: .boolean
        case .tags: .tagList
        case .metadata, .inputs, .outputs: .jsonObject
        case .error: .error
        case .metadataValue, .inputValue, .outputValue, .feedbackValue: .anyScalar
        }
    }

    /// The operators this field accepts, in the order error messages list them.
    public var allowedOperators: [FilterOperator] {
        switch self {
        case .id, .traceId, .parentRunId, .sessionId, .referenceExampleId, .runType, .status,
             .feedbackKey, .feedbackValue:
            [.eq, .neq, .in]
        case .name, .threadId, .metadataKey, .metadataValue, .inputKey, .inputValue, .outputKey,
             .outputValue:
            [.eq, .neq, .in, .like, .notLike, .search]
        case .startTime, .endTime, .latency, .firstTokenTime, .totalTokens, .promptTokens,
             .completionTokens, .totalCost, .promptCost, .completionCost, .executionOrder,
             .feedbackScore:
            [.eq, .neq, .gt, .gte, .lt, .lte]
        case .error: [.eq, .neq, .like, .notLike, .search]
        case .tags: [.has]
        case .isRoot: [.eq, .neq]
        case .metadata, .inputs, .outputs: [.has, .exists]
        case .input, .output: [.search, .like, .notLike]
        }
    }

    /// Whether `op` may be applied to this field.
    public func accepts(_ op: FilterOperator) -> Bool {
        allowedOperators.contains(op)
    }

    /// Whether `eq(field, null)` / `neq(field, null)` make sense: the field can be absent.
    public var isNullable: Bool {
        switch self {
        case .endTime, .latency, .firstTokenTime, .totalTokens, .promptTokens, .completionTokens,
             .totalCost, .promptCost, .completionCost, .error, .parentRunId, .referenceExampleId,
             .threadId:
            true
        default:
            false
        }
    }
}
