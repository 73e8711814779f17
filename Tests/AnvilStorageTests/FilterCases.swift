import AnvilCore
import Foundation
import Testing

/// One row of the filter table: filters (any of the three `RunQuery` slots) and the exact names
/// of the runs they must return from ``FilterFixture``.
struct FilterCase: Sendable, CustomTestStringConvertible {
    var filter: String?
    var traceFilter: String?
    var treeFilter: String?
    var expected: Set<String>

    init(_ filter: String?, trace: String? = nil, tree: String? = nil, _ expected: Set<String>) {
        self.filter = filter
        self.traceFilter = trace
        self.treeFilter = tree
        self.expected = expected
    }

    var testDescription: String {
        [filter, traceFilter.map { "trace: \($0)" }, treeFilter.map { "tree: \($0)" }].compactMap { $0 }.joined(separator: " | ")
    }
}

extension FilterCase {
    static let all = Set(FilterFixture.allNames)
    static let roots = FilterFixture.rootNames
    static let children = all.subtracting(roots)
    static let agentTrace: Set<String> = ["agent", "retriever", "ChatOpenAI", "plan", "calculator", "moderation"]
    static let chatTrace: Set<String> = ["chat_pipeline", "Anthropic", "output_parser"]
    static let failingTrace: Set<String> = ["failing_chain", "broken_tool", "LegacyLLM"]
    static let streamingTrace: Set<String> = ["streaming_agent", "LangChainLLM", "search_tool"]
    static let llms: Set<String> = ["ChatOpenAI", "moderation", "Anthropic", "LegacyLLM", "LangChainLLM", "UPPER_case_Run", "other_child"]
    static let chains: Set<String> = ["agent", "plan", "chat_pipeline", "failing_chain", "streaming_agent", "100%_done", "café_run", "evaluator_run", "other_root"]
    static let withUsage: Set<String> = ["agent", "ChatOpenAI", "chat_pipeline", "Anthropic", "failing_chain", "LegacyLLM", "streaming_agent", "LangChainLLM", "UPPER_case_Run", "other_root", "other_child"]
    static let withMetadata: Set<String> = [
        "agent", "retriever", "ChatOpenAI", "calculator", "moderation", "chat_pipeline", "Anthropic", "output_parser",
        "failing_chain", "streaming_agent", "search_tool", "prompt_template", "100%_done", "UPPER_case_Run", "café_run",
        "evaluator_run", "other_root", "other_child",
    ]
    static let withOutputs = all.subtracting(["failing_chain", "broken_tool", "streaming_agent", "100%_done"])
    static let prodTagged: Set<String> = ["agent", "retriever", "failing_chain", "UPPER_case_Run", "other_root"]
    static let correctness: Set<String> = ["agent", "ChatOpenAI", "chat_pipeline", "failing_chain", "other_root"]

    /// The table. Semantics are `RunPredicate+Semantics.swift`'s; each row says why where it is not obvious.
    static let table: [FilterCase] = [
        // run_type
        FilterCase(#"eq(run_type, "llm")"#, llms),
        FilterCase(#"neq(run_type, "chain")"#, all.subtracting(chains)),
        FilterCase(#"in(run_type, ["tool", "retriever"])"#, ["retriever", "calculator", "broken_tool", "search_tool"]),
        FilterCase(#"and(eq(run_type, "llm"), eq(run_type, "chain"))"#, []),
        // name: eq is exact; search and like ignore ASCII case only
        FilterCase(#"eq(name, "agent")"#, ["agent"]),
        FilterCase(#"eq(name, "AGENT")"#, []),
        FilterCase(#"neq(name, "agent")"#, all.subtracting(["agent"])),
        FilterCase(#"in(name, ["plan", "embedder", "nope"])"#, ["plan", "embedder"]),
        FilterCase(#"search(name, "chat")"#, ["ChatOpenAI", "chat_pipeline"]),
        FilterCase(#"like(name, "%agent")"#, ["agent", "streaming_agent"]),
        FilterCase(#"like(name, "Chat%")"#, ["ChatOpenAI", "chat_pipeline"]),
        FilterCase(#"like(name, "pla_")"#, ["plan"]),
        FilterCase(#"like(name, "100\\%%")"#, ["100%_done"]),
        FilterCase(#"like(name, "%\\_%")"#, all.subtracting(["agent", "retriever", "ChatOpenAI", "plan", "calculator", "moderation", "Anthropic", "LegacyLLM", "LangChainLLM", "embedder"])),
        FilterCase(#"like(name, "%_%")"#, all),
        FilterCase(#"not_like(name, "%a%")"#, ["retriever", "broken_tool", "embedder", "100%_done", "other_root", "other_child"]),
        FilterCase(#"search(name, "é")"#, ["café_run"]),
        FilterCase(#"search(name, "É")"#, []),
        FilterCase(#"like(name, "caf_\\_run")"#, ["café_run"]),
        FilterCase(#"like(name, "upper%run")"#, ["UPPER_case_Run"]),
        FilterCase(#"eq(name, "ghost")"#, []),
        FilterCase(#"eq(name, "intruder")"#, []),
        // latency (seconds; duration strings normalised)
        FilterCase("gt(latency, 5)", ["agent"]),
        FilterCase("gte(latency, 5)", ["agent", "ChatOpenAI"]),
        FilterCase("lt(latency, 0.5)", ["output_parser", "search_tool", "embedder", "prompt_template"]),
        FilterCase(#"lte(latency, "500ms")"#, ["output_parser", "search_tool", "embedder", "prompt_template", "calculator", "moderation", "LegacyLLM"]),
        FilterCase("eq(latency, 1.3)", ["Anthropic"]),
        FilterCase("eq(latency, null)", ["streaming_agent"]),
        FilterCase("neq(latency, null)", all.subtracting(["streaming_agent"])),
        FilterCase(#"gt(latency, "1m")"#, []),
        FilterCase("not(gt(latency, 1))", all.subtracting(["agent", "ChatOpenAI", "plan", "chat_pipeline", "Anthropic", "failing_chain", "LangChainLLM", "UPPER_case_Run", "café_run"])),
        // times
        FilterCase("eq(end_time, null)", ["streaming_agent"]),
        FilterCase(#"gt(start_time, "2024-05-01T12:00:50Z")"#, ["prompt_template", "100%_done", "UPPER_case_Run", "café_run", "evaluator_run", "other_root", "other_child"]),
        FilterCase(#"gte(start_time, "2024-05-01T12:00:50Z")"#, ["embedder", "prompt_template", "100%_done", "UPPER_case_Run", "café_run", "evaluator_run", "other_root", "other_child"]),
        FilterCase(#"lte(end_time, "2024-05-01T12:00:02Z")"#, ["retriever"]),
        FilterCase(#"lt(end_time, "2024-05-01T14:00:02+02:00")"#, []),
        FilterCase(#"and(gte(start_time, "2024-05-01T12:00:20Z"), lt(start_time, "2024-05-01T12:00:21Z"))"#, ["chat_pipeline", "Anthropic"]),
        FilterCase(#"eq(start_time, "2024-05-01T12:00:20.100Z")"#, ["Anthropic"]),
        // status and error
        FilterCase(#"eq(status, "error")"#, ["failing_chain", "broken_tool"]),
        FilterCase(#"eq(status, "pending")"#, ["streaming_agent"]),
        FilterCase(#"neq(status, "success")"#, ["failing_chain", "broken_tool", "streaming_agent"]),
        FilterCase(#"in(status, ["error", "pending"])"#, ["failing_chain", "broken_tool", "streaming_agent"]),
        FilterCase("eq(error, true)", ["failing_chain", "broken_tool"]),
        FilterCase("eq(error, false)", all.subtracting(["failing_chain", "broken_tool"])),
        FilterCase("neq(error, false)", ["failing_chain", "broken_tool"]),
        FilterCase("neq(error, null)", ["failing_chain", "broken_tool"]),
        FilterCase(#"search(error, "DIVISION")"#, ["broken_tool"]),
        FilterCase(#"like(error, "%Error:%")"#, ["failing_chain", "broken_tool"]),
        // NULL errors match neither like nor not_like.
        FilterCase(#"not_like(error, "Value%")"#, ["broken_tool"]),
        FilterCase(#"eq(error, "ValueError: bad input")"#, ["failing_chain"]),
        FilterCase(#"neq(error, "ValueError: bad input")"#, ["broken_tool"]),
        FilterCase(#"not(eq(error, "ValueError: bad input"))"#, all.subtracting(["failing_chain"])),
        // roots
        FilterCase("eq(is_root, true)", roots),
        FilterCase("eq(is_root, false)", children),
        FilterCase("neq(is_root, true)", children),
        FilterCase("eq(execution_order, 1)", roots),
        FilterCase("gt(execution_order, 1)", children),
        FilterCase("gte(execution_order, 1)", all),
        FilterCase("lt(execution_order, 1)", []),
        FilterCase("eq(parent_run_id, null)", roots),
        // tokens and costs: roll-ups, and a run without usage counts as 0
        FilterCase("gt(total_tokens, 100)", ["agent", "ChatOpenAI", "other_root", "other_child"]),
        FilterCase("eq(total_tokens, 100)", ["chat_pipeline", "Anthropic"]),
        FilterCase("eq(total_tokens, 0)", all.subtracting(withUsage)),
        FilterCase("eq(total_tokens, null)", []),
        FilterCase("neq(total_tokens, null)", all),
        FilterCase("eq(total_tokens, 18)", ["streaming_agent", "LangChainLLM"]),
        FilterCase("eq(total_tokens, 12)", ["UPPER_case_Run"]),
        FilterCase("gte(prompt_tokens, 40)", ["agent", "ChatOpenAI", "chat_pipeline", "Anthropic", "other_root", "other_child"]),
        FilterCase("lt(completion_tokens, 5)", all.subtracting(["agent", "ChatOpenAI", "chat_pipeline", "Anthropic", "streaming_agent", "LangChainLLM", "other_root", "other_child"])),
        FilterCase("gt(total_cost, 0.5)", ["agent", "ChatOpenAI"]),
        FilterCase("gte(total_cost, 0.5)", ["agent", "ChatOpenAI", "UPPER_case_Run"]),
        FilterCase("eq(prompt_cost, 0.125)", ["UPPER_case_Run"]),
        FilterCase("gt(completion_cost, 0)", ["agent", "ChatOpenAI", "UPPER_case_Run"]),
        FilterCase("eq(total_cost, 0)", all.subtracting(["agent", "ChatOpenAI", "UPPER_case_Run"])),
        // first token (seconds after start)
        FilterCase("eq(first_token_time, null)", all.subtracting(["ChatOpenAI", "Anthropic", "LangChainLLM"])),
        FilterCase("lt(first_token_time, 0.5)", ["Anthropic"]),
        FilterCase(#"lte(first_token_time, "1s")"#, ["ChatOpenAI", "Anthropic", "LangChainLLM"]),
        FilterCase("gt(first_token_time, 0.25)", ["ChatOpenAI", "LangChainLLM"]),
        // threads (from metadata session_id / thread_id / conversation_id)
        FilterCase(#"eq(thread_id, "thread-2")"#, ["chat_pipeline", "evaluator_run"]),
        FilterCase(#"eq(thread_id, "42")"#, ["streaming_agent"]),
        FilterCase("neq(thread_id, null)", ["agent", "chat_pipeline", "failing_chain", "streaming_agent", "evaluator_run"]),
        FilterCase(#"like(thread_id, "thread-%")"#, ["agent", "chat_pipeline", "failing_chain", "evaluator_run"]),
        FilterCase(#"in(thread_id, ["thread-1", "thread-3"])"#, ["agent", "failing_chain"]),
        FilterCase(#"neq(thread_id, "thread-2")"#, ["agent", "failing_chain", "streaming_agent"]),
        // ids
        FilterCase(#"eq(trace_id, "{agent}")"#, agentTrace),
        FilterCase(#"eq(parent_run_id, "{agent}")"#, ["retriever", "ChatOpenAI", "plan", "moderation"]),
        FilterCase(#"eq(parent_id, "{plan}")"#, ["calculator"]),
        FilterCase(#"eq(id, "{plan}")"#, ["plan"]),
        FilterCase(#"eq(run_id, "{PLAN}")"#.replacingOccurrences(of: "{PLAN}", with: FilterFixture.id("plan").uuidString), ["plan"]),
        FilterCase(#"in(id, ["{plan}", "{embedder}"])"#, ["plan", "embedder"]),
        FilterCase(#"neq(id, "{plan}")"#, all.subtracting(["plan"])),
        FilterCase(#"eq(session_id, "{P2}")"#, ["other_root", "other_child"]),
        FilterCase(#"eq(project_id, "{P1}")"#, all.subtracting(["other_root", "other_child"])),
        FilterCase(#"in(session_id, ["{P1}", "{P2}"])"#, all),
        FilterCase(#"eq(reference_example_id, "{X1}")"#, ["embedder", "evaluator_run"]),
        FilterCase("neq(reference_example_id, null)", ["embedder", "prompt_template", "evaluator_run"]),
        FilterCase(#"neq(reference_example_id, "{X1}")"#, ["prompt_template"]),
        // tags
        FilterCase(#"has(tags, "prod")"#, prodTagged),
        FilterCase(#"has(tags, "Prod")"#, []),
        FilterCase(#"and(has(tags, "prod"), has(tags, "v2"))"#, ["agent"]),
        FilterCase(#"or(has(tags, "dev"), has(tags, "beta-test"))"#, ["chat_pipeline", "streaming_agent"]),
        FilterCase(#"not(has(tags, "prod"))"#, all.subtracting(prodTagged)),
    ]
}
