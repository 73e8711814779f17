import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation

/// The runs the filter tables and the differential test query: 23 posted runs in 7 traces and
/// 2 projects with varied names, run types, tags, metadata (strings, ints, floats, booleans, null,
/// nested objects, unsorted keys), payloads, errors, latencies, usage, first tokens, threads and
/// feedback — plus a patch-only run and another workspace's runs and feedback that must never show.
///
/// Names are unique, so every expectation is a set of names.
struct FilterFixture: Sendable {
    let stores: Stores
    var traces: any TraceStore { stores.traces }
    let runs: [RunBuilder]
    let feedback: [Feedback]

    static let tenant = Fixtures.uuid(1, prefix: "7e7a0000-0000-4000-8000")
    static let otherTenant = Fixtures.uuid(2, prefix: "7e7a0000-0000-4000-8000")
    static let mainProject = Fixtures.uuid(1, prefix: "9a0e0000-0000-4000-8000")
    static let otherProject = Fixtures.uuid(2, prefix: "9a0e0000-0000-4000-8000")
    static let exampleA = Fixtures.uuid(1, prefix: "e1a00000-0000-4000-8000")
    static let exampleB = Fixtures.uuid(2, prefix: "e1a00000-0000-4000-8000")

    /// Every posted run's name, in the fixture's order.
    static let allNames: [String] = [
        "agent", "retriever", "ChatOpenAI", "plan", "calculator", "moderation",
        "chat_pipeline", "Anthropic", "output_parser",
        "failing_chain", "broken_tool", "LegacyLLM",
        "streaming_agent", "LangChainLLM", "search_tool",
        "embedder", "prompt_template", "100%_done", "UPPER_case_Run", "café_run", "evaluator_run",
        "other_root", "other_child",
    ]
    static let rootNames: Set<String> = [
        "agent", "chat_pipeline", "failing_chain", "streaming_agent", "embedder", "prompt_template",
        "100%_done", "UPPER_case_Run", "café_run", "evaluator_run", "other_root",
    ]

    /// Run ids, so filters can name them (`{agent}` in a case's text becomes agent's id).
    static func id(_ name: String) -> UUID {
        let index = (allNames.firstIndex(of: name) ?? allNames.count) + 1
        return Fixtures.uuid(index, prefix: "f17e0000-0000-4000-8000")
    }

    static func builders() -> [RunBuilder] {
        let t = Fixtures.time
        func root(_ name: String, _ type: String, _ start: Double, project: UUID = mainProject) -> RunBuilder {
            RunBuilder.root(name: name, runType: type, start: t(start), id: id(name), sessionId: project)
        }
        func child(_ parent: RunBuilder, _ name: String, _ type: String, _ start: Double) -> RunBuilder {
            RunBuilder.child(of: parent, name: name, runType: type, start: t(start), id: id(name))
        }
        let agent = root("agent", "chain", 0).lasting(10).tags("prod", "v2")
            .extra(json: #"{"runtime": {"sdk": "langsmith-py"}, "metadata": {"user_id": "u1", "env": "prod", "tier": 3, "ratio": 0.75, "beta": true, "nested": {"b": 2, "a": 1}, "session_id": "thread-1"}}"#)
            .inputs(json: #"{"question": "What is the capital of France?", "lang": "en"}"#)
            .outputs(json: #"{"answer": "Paris"}"#)
        let retriever = child(agent, "retriever", "retriever", 1).lasting(1).tags("prod")
            .extra(json: #"{"metadata": {"user_id": "u1", "k": 5}}"#)
            .inputs(json: #"{"query": "capital France"}"#)
            .outputs(json: #"{"documents": ["Paris is the capital of France"]}"#)
        let chatOpenAI = child(agent, "ChatOpenAI", "llm", 2).lasting(5).firstToken(at: t(2.5))
            .extra(json: #"{"metadata": {"ls_model_name": "gpt-4o", "ls_provider": "openai", "usage_metadata": {"input_tokens": 100, "output_tokens": 20, "total_tokens": 120, "input_cost": 0.25, "output_cost": 0.5, "total_cost": 0.75}}}"#)
            .inputs(json: #"{"messages": [{"role": "user", "content": "capital?"}]}"#)
            .outputs(json: #"{"content": "Paris"}"#)
        let plan = child(agent, "plan", "chain", 7).lasting(2)
            .extra(json: #"{"metadata": "not-an-object"}"#)
            .outputs(json: #"{"done": true}"#)
        let calculator = child(plan, "calculator", "tool", 7.5).lasting(0.5)
            .extra(json: #"{"metadata": {"tier": "3"}}"#)
            .inputs(json: #"{"expression": "2+2"}"#)
            .outputs(json: #"{"result": 4}"#)
        let moderation = child(agent, "moderation", "llm", 9).lasting(0.5)
            .extra(json: #"{"metadata": {"usage_metadata": {"input_tokens": 0, "output_tokens": 0}}}"#)
            .inputs(json: #"{"text": "ok"}"#)
            .outputs(json: #"{"flagged": false}"#)

        let chatPipeline = root("chat_pipeline", "chain", 20).lasting(1.5).tags("dev")
            .extra(json: #"{"metadata": {"user_id": "u2", "env": "dev", "tier": 1, "ratio": 0.5, "beta": false, "thread_id": "thread-2"}}"#)
            .inputs(json: #"{"question": "Tell me a joke"}"#)
            .outputs(json: #"{"answer": "Why did the chicken cross the road?"}"#)
        let anthropic = child(chatPipeline, "Anthropic", "llm", 20.1).lasting(1.3).firstToken(at: t(20.35))
            .extra(json: #"{"metadata": {"ls_model_name": "claude-3", "ls_provider": "anthropic"}}"#)
            .inputs(json: #"{"messages": [{"role": "user", "content": "joke"}]}"#)
            .outputs(json: #"{"content": "chicken", "usage_metadata": {"input_tokens": 40, "output_tokens": 60, "total_tokens": 100}}"#)
        let outputParser = child(anthropic, "output_parser", "parser", 21.4).lasting(0.05)
            .extra(json: #"{"metadata": {"ratio": 2}}"#)
            .inputs(json: #"{"text": "chicken"}"#)
            .outputs(json: #"{"parsed": {"joke": true}}"#)

        let failingChain = root("failing_chain", "chain", 30).lasting(3).error("ValueError: bad input").tags("prod", "flaky")
            .extra(json: #"{"metadata": {"user_id": "u3", "env": "prod", "tier": 2, "conversation_id": "thread-3"}}"#)
            .inputs(json: #"{"question": "Divide by zero"}"#)
        let brokenTool = child(failingChain, "broken_tool", "tool", 31).lasting(1).error("ZeroDivisionError: division by zero")
            .inputs(json: #"{"a": 1, "b": 0}"#)
        let legacyLLM = child(failingChain, "LegacyLLM", "llm", 30.5).lasting(0.5)
            .inputs(json: #"{"prompt": "divide"}"#)
            .outputs(json: #"{"llm_output": {"token_usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}}}"#)

        let streamingAgent = root("streaming_agent", "chain", 40).tags("beta-test")
            .extra(json: #"{"metadata": {"user_id": "u1", "tier": 3.0, "ratio": 1.25, "session_id": 42}}"#)
            .inputs(json: #"{"question": "Stream please"}"#)
        let langChainLLM = child(streamingAgent, "LangChainLLM", "llm", 40.5).lasting(3.5).firstToken(at: t(41.5))
            .inputs(json: #"{"prompts": ["Stream please"]}"#)
            .outputs(json: #"{"generations": [[{"text": "hi", "message": {"kwargs": {"usage_metadata": {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}}}}], [{"text": "yo", "message": {"kwargs": {"usage_metadata": {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}}}}]]}"#)
        let searchTool = child(streamingAgent, "search_tool", "tool", 40.1).lasting(0.3)
            .extra(json: #"{"metadata": {"k": "5"}}"#)
            .inputs(json: #"{"query": "weather in Paris"}"#)
            .outputs(json: #"{"results": []}"#)

        let embedder = root("embedder", "embedding", 50).lasting(0.2).referenceExample(exampleA)
            .inputs(json: #"["a", "b"]"#)
            .outputs(json: #""vector""#)
        let promptTemplate = root("prompt_template", "prompt", 51).lasting(0.001).referenceExample(exampleB)
            .extra(json: #"{"metadata": {"env": "staging", "empty": "", "nullish": null}}"#)
            .inputs(json: "{}")
            .outputs(json: #"{"prompt": "Hello {name}"}"#)
        let percentDone = root("100%_done", "chain", 52).lasting(1)
            .extra(json: #"{"metadata": {"path": "a/b", "quote\"key": "q", "dotted.key": "yes", "win": "C:\\dir\\"}}"#)
            .inputs(json: #"{"x": "50% off_sale"}"#)
        let upper = root("UPPER_case_Run", "llm", 53).lasting(2).tags("prod")
            .extra(json: #"{"metadata": {"usage_metadata": {"input_tokens": 8, "output_tokens": 4, "input_cost": "0.125", "output_cost": 0.375, "input_token_details": {"cache_read": 2}, "output_token_details": {"reasoning": 1}}}}"#)
            .inputs(json: #"{"prompt": "SHOUT"}"#)
            .outputs(json: #"{"text": "QUIET"}"#)
        let cafe = root("café_run", "chain", 54).lasting(2)
            .extra(json: #"{"metadata": {"city": "Zürich", "lr": 1e-05, "precise": 0.30000000000000004, "list": ["b", "a", {"y": 1, "x": 2}]}}"#)
            .inputs(json: #"{"q": "Crème brûlée"}"#)
            .outputs(json: #"{"a": "ok"}"#)
        let evaluator = root("evaluator_run", "chain", 57).lasting(1).referenceExample(exampleA)
            .extra(json: #"{"metadata": {"score": 10, "user_id": "u2", "thread_id": "thread-2"}}"#)
            .inputs(json: #"{"example": 1}"#)
            .outputs(json: #"{"score": 0.9}"#)

        let otherRoot = root("other_root", "chain", 60, project: otherProject).lasting(1).tags("prod")
            .extra(json: #"{"metadata": {"user_id": "u1", "env": "prod"}}"#)
            .inputs(json: #"{"question": "other"}"#)
            .outputs(json: #"{"answer": "other"}"#)
        let otherChild = child(otherRoot, "other_child", "llm", 60.2).lasting(0.6)
            .extra(json: #"{"metadata": {"usage_metadata": {"input_tokens": 1000, "output_tokens": 1000}}}"#)
            .inputs(json: #"{"q": "o"}"#)
            .outputs(json: #"{"a": "o"}"#)

        return [
            agent, retriever, chatOpenAI, plan, calculator, moderation, chatPipeline, anthropic, outputParser,
            failingChain, brokenTool, legacyLLM, streamingAgent, langChainLLM, searchTool,
            embedder, promptTemplate, percentDone, upper, cafe, evaluator, otherRoot, otherChild,
        ]
    }

    static func feedbackRows() -> [Feedback] {
        func on(_ name: String, _ key: String, score: JSONValue? = nil, value: JSONValue? = nil, comment: String? = nil, _ n: Int) -> Feedback {
            FeedbackBuilder.on(id(name), key: key, score: score, value: value, comment: comment, tenantId: tenant,
                               id: Fixtures.uuid(n, prefix: "fb000000-0000-4000-8000"), createdAt: Fixtures.time(Double(100 + n)))
        }
        return [
            on("agent", "correctness", score: 1, 1),
            on("agent", "user_rating", value: "good", comment: "nice", 2),
            on("ChatOpenAI", "correctness", score: 0, 3),
            on("chat_pipeline", "user_rating", value: "bad", 4),
            on("chat_pipeline", "correctness", score: 0.5, 5),
            on("failing_chain", "correctness", score: 0, comment: "wrong", 6),
            on("streaming_agent", "helpfulness", score: 0.8, value: "ok", 7),
            on("evaluator_run", "accuracy", score: true, value: 7, 8),
            on("other_root", "correctness", score: 1, 9),
            on("plan", "notes", value: .object(["b": 1, "a": ["x", 2.5]]), 10),
        ]
    }

    static func make(_ factory: StoreFactory) async throws -> FilterFixture {
        let stores = try factory.make()
        let runs = builders()
        let feedback = feedbackRows()
        // Children before parents, over three writes, with the end of one run as a separate patch.
        let byName = Dictionary(uniqueKeysWithValues: runs.map { ($0.post.name!, $0) })
        let childrenFirst = runs.reversed().filter { $0.post.parentRunId != nil }
        try await stores.traces.write(childrenFirst.map(\.post), Array(feedback.prefix(4)), tenant: tenant)
        let roots = runs.filter { $0.post.parentRunId == nil }
        let agent = byName["agent"]!
        try await stores.traces.write(roots.filter { $0.id != agent.id }.map(\.post), Array(feedback.dropFirst(4)), tenant: tenant)
        try await stores.traces.write([agent.startPost, agent.endPatch], tenant: tenant)

        // Never visible: a run that only has a patch, and another workspace's data.
        let ghost = RunBuilder.root(name: "ghost", start: Fixtures.time(5), sessionId: mainProject)
        var ghostPatch = ghost.patch { $0.name = "ghost"; $0.endTime = Fixtures.time(6); $0.tags = ["prod"] }
        ghostPatch.sessionId = mainProject
        try await stores.traces.write([ghostPatch], tenant: tenant)
        let intruder = RunBuilder.root(name: "intruder", start: Fixtures.time(1), sessionId: mainProject).lasting(1).tags("prod")
            .metadata(["user_id": "u1", "env": "prod"])
        let forged = RunBuilder.child(of: agent, name: "forged", runType: "llm", start: Fixtures.time(3)).lasting(1)
            .metadata(["usage_metadata": ["input_tokens": 5000, "output_tokens": 5000]])
        try await stores.traces.write(
            [intruder.post, forged.post],
            [FeedbackBuilder.on(agent.id, key: "sneaky", score: 5, value: "x", tenantId: otherTenant)],
            tenant: otherTenant)
        return FilterFixture(stores: stores, runs: runs, feedback: feedback)
    }

    /// Replaces `{name}` with that run's id, and `{P1}`, `{P2}`, `{X1}`, `{X2}` with the projects'
    /// and reference examples' ids.
    static func substitute(_ text: String) -> String {
        var out = text
        let named: [(String, UUID)] = [("P1", mainProject), ("P2", otherProject), ("X1", exampleA), ("X2", exampleB)]
            + allNames.map { ($0, id($0)) }
        for (key, id) in named { out = out.replacingOccurrences(of: "{\(key)}", with: id.lowercased) }
        return out
    }

    /// Names of every run `query` lists (all pages).
    func names(_ query: RunQuery) async throws -> Set<String> {
        Set(try await traces.allRuns(query).compactMap(\.name))
    }
}

/// One fixture per backend, built once and shared by every test that reads it.
enum SharedFilterFixture {
    static let memory = Task { try await FilterFixture.make(.memory) }
    static let sqlite = Task { try await FilterFixture.make(.sqlite) }

    static func get(_ factory: StoreFactory) async throws -> FilterFixture {
        switch factory {
        case .memory: try await memory.value
        case .sqlite: try await sqlite.value
        }
    }
}
