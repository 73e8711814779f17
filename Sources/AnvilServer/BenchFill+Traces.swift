import AnvilCore
import Foundation

/// The trace shapes of ``BenchFill``: complete `post` updates, as the SDK sends finished runs.
extension BenchFill {
    static let models = [("openai", "gpt-4o-mini"), ("openai", "gpt-4o"), ("anthropic", "claude-3-5-sonnet")]
    static let tiers = ["free", "free", "free", "pro", "pro", "enterprise"]
    static let topics = ["billing", "refunds", "shipping", "returns", "account access", "pricing", "integrations", "outages"]

    /// One trace of a random shape starting at `start`.
    static func trace(start: Timestamp, project: UUID, rng: inout SplitMix64) -> [RunUpdate] {
        let (rootName, rootType, steps): (String, String, [String]) =
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5: ("AgentChain", "chain", ["llm", "llm"])
            case 5..<7: ("ChatOpenAI", "llm", [])
            case 7..<9: ("Agent", "chain", ["llm", "tool", "llm", "retriever", "llm"])
            default: ("RAG", "chain", ["retriever", "prompt", "llm", "parser"])
            }
        let failed = Int.random(in: 0..<100, using: &rng) < 3
        let rootId = rng.uuid7(at: start)
        let rootOrder = DottedOrder.root(id: rootId, start: start)
        var out: [RunUpdate] = []
        var clock = start.microseconds + 5_000
        for (i, type) in steps.enumerated() {
            let childStart = Timestamp(microseconds: clock)
            let id = rng.uuid7(at: childStart)
            let duration = Self.duration(type, rng: &rng)
            var child = Self.run(
                id: id, trace: rootId, parent: rootId, order: rootOrder.child(id: id, start: childStart).string, type: type,
                name: Self.stepName(type), start: childStart, micros: duration, project: project, rng: &rng)
            if failed && i == steps.count - 1 { child.error = "RateLimitError: 429 Too Many Requests" }
            out.append(child)
            clock += duration + Int64.random(in: 1_000...20_000, using: &rng)
        }
        let rootMicros = steps.isEmpty ? Self.duration(rootType, rng: &rng) : clock - start.microseconds
        var root = Self.run(
            id: rootId, trace: rootId, parent: nil, order: rootOrder.string, type: rootType, name: rootName,
            start: start, micros: rootMicros, project: project, rng: &rng)
        if failed { root.error = "RateLimitError: 429 Too Many Requests" }
        return [root] + out
    }

    /// A trace of exactly 1,000 runs: a root, 111 chain steps of 8 LLM/tool calls each.
    static func bigTrace(start: Timestamp, project: UUID, rng: inout SplitMix64) -> [RunUpdate] {
        let rootId = rng.uuid7(at: start)
        let rootOrder = DottedOrder.root(id: rootId, start: start)
        var out: [RunUpdate] = []
        var clock = start.microseconds + 1_000
        for _ in 0..<111 {
            let stepStart = Timestamp(microseconds: clock)
            let stepId = rng.uuid7(at: stepStart)
            let stepOrder = rootOrder.child(id: stepId, start: stepStart)
            var inner: [RunUpdate] = []
            for j in 0..<8 {
                let type = j % 2 == 0 ? "llm" : "tool"
                let s = Timestamp(microseconds: clock)
                let id = rng.uuid7(at: s)
                let d = Int64.random(in: 5_000...40_000, using: &rng)
                inner.append(Self.run(
                    id: id, trace: rootId, parent: stepId, order: stepOrder.child(id: id, start: s).string, type: type,
                    name: Self.stepName(type), start: s, micros: d, project: project, rng: &rng))
                clock += d + 500
            }
            out.append(Self.run(
                id: stepId, trace: rootId, parent: rootId, order: stepOrder.string, type: "chain", name: "Step",
                start: stepStart, micros: clock - stepStart.microseconds, project: project, rng: &rng))
            out += inner
        }
        let root = Self.run(
            id: rootId, trace: rootId, parent: nil, order: rootOrder.string, type: "chain", name: "BigAgent",
            start: start, micros: clock - start.microseconds, project: project, rng: &rng)
        return [root] + out
    }

    static func stepName(_ type: String) -> String {
        switch type {
        case "llm": "ChatOpenAI"
        case "tool": "search_orders"
        case "retriever": "VectorStoreRetriever"
        case "prompt": "ChatPromptTemplate"
        case "parser": "StrOutputParser"
        default: "RunnableSequence"
        }
    }

    /// Microseconds a run of this type takes: LLM calls 0.3–~10 s, tools and retrievers tens to
    /// hundreds of ms, prompts and parsers about a millisecond.
    static func duration(_ type: String, rng: inout SplitMix64) -> Int64 {
        switch type {
        case "llm":
            let tail = -log(Double.random(in: 0.0001..<1, using: &rng)) * 1.2  // exponential, mean 1.2 s
            return 300_000 + Int64(min(tail, 12) * 1_000_000)
        case "tool": return Int64.random(in: 10_000...400_000, using: &rng)
        case "retriever": return Int64.random(in: 50_000...300_000, using: &rng)
        default: return Int64.random(in: 200...2_000, using: &rng)
        }
    }

    static func run(
        id: UUID, trace: UUID, parent: UUID?, order: String, type: String, name: String, start: Timestamp,
        micros: Int64, project: UUID, rng: inout SplitMix64
    ) -> RunUpdate {
        var u = RunUpdate(kind: .post, id: id)
        u.traceId = trace
        u.parentRunId = parent
        u.dottedOrder = order
        u.name = name
        u.runType = type
        u.startTime = start
        u.endTime = Timestamp(microseconds: start.microseconds + micros)
        u.sessionId = project
        let topic = topics[Int.random(in: 0..<topics.count, using: &rng)]
        let n = Int.random(in: 0..<100_000, using: &rng)
        switch type {
        case "llm":
            let (provider, model) = models[Int.random(in: 0..<models.count, using: &rng)]
            let input = Int.random(in: 50...2_000, using: &rng)
            let output = Int.random(in: 10...600, using: &rng)
            u.inputs = json(#"{"messages":[{"role":"system","content":"You are a helpful support assistant for ACME. Answer briefly and cite the order number."},{"role":"user","content":"Question \#(n) about \#(topic): where is my order and when will it arrive?"}]}"#)
            u.outputs = json(#"{"generations":[{"text":"Your order #\#(n) about \#(topic) shipped yesterday and should arrive within two business days.","type":"ChatGeneration"}]}"#)
            u.extra = json(#"{"metadata":{"ls_provider":"\#(provider)","ls_model_name":"\#(model)","ls_temperature":0.2,"usage_metadata":{"input_tokens":\#(input),"output_tokens":\#(output),"total_tokens":\#(input + output)}},"invocation_params":{"model":"\#(model)","temperature":0.2}}"#)
        case "tool", "retriever":
            u.inputs = json(#"{"query":"\#(topic) order \#(n)"}"#)
            u.outputs = json(#"{"output":"Found 3 documents about \#(topic) for order \#(n)."}"#)
            u.extra = json(#"{"metadata":{}}"#)
        default:
            u.inputs = json(#"{"question":"Question \#(n) about \#(topic): where is my order and when will it arrive?"}"#)
            u.outputs = json(#"{"answer":"Your order #\#(n) shipped yesterday and should arrive within two business days."}"#)
            if parent == nil {
                let user = Int.random(in: 0..<20_000, using: &rng)
                let thread = Int.random(in: 0..<50_000, using: &rng)
                let tier = tiers[Int.random(in: 0..<tiers.count, using: &rng)]
                let env = Int.random(in: 0..<10, using: &rng) < 8 ? "prod" : "staging"
                u.extra = json(#"{"metadata":{"user_id":"u-\#(user)","session_id":"thread-\#(thread)","tier":"\#(tier)","env":"\#(env)","app_version":"1.4.\#(n % 7)"},"runtime":{"sdk":"langsmith-py","sdk_version":"0.4.1"}}"#)
                u.tags = Int.random(in: 0..<4, using: &rng) == 0 ? ["production", topic] : ["production"]
            } else {
                u.extra = json(#"{"metadata":{}}"#)
            }
        }
        return u
    }

    static func json(_ s: String) -> RawJSON { RawJSON(validated: Array(s.utf8)) }
}
