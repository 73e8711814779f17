import Foundation

extension Run {
    /// Recomputes the fields LangSmith derives from a run's payloads: its own token usage and
    /// costs, the first-token time and the thread id.
    public mutating func recomputeDerived() {
        let metadata = extra?.value(at: "metadata")
        usage = Self.usage(metadata: metadata, outputs: outputs)
        firstTokenTime = Self.firstTokenTime(events: events)
        threadId = Self.threadId(metadata: metadata)
    }

    /// Metadata keys that name the conversation a run belongs to, in LangSmith's order of preference.
    public static let threadMetadataKeys = ["session_id", "thread_id", "conversation_id"]

    static func threadId(metadata: JSONValue?) -> String? {
        for key in threadMetadataKeys {
            switch metadata?[key] {
            case .string(let s) where !s.isEmpty: return s
            case .int(let i): return String(i)
            default: continue
            }
        }
        return nil
    }

    static func firstTokenTime(events: RawJSON?) -> Timestamp? {
        guard let events, events.bytes.count > 2,
            events.string.contains("new_token"),
            case .array(let list)? = try? events.parsed()
        else { return nil }
        for event in list where event["name"]?.stringValue == "new_token" {
            if let t = event["time"]?.stringValue.flatMap(Timestamp.init(iso8601:)) { return t }
        }
        return nil
    }

    /// Usage from, in order: `extra.metadata.usage_metadata` (where `@traceable` and LangChain put
    /// it), `outputs.usage_metadata`, the messages of a LangChain `LLMResult`, then the legacy
    /// `outputs.llm_output.token_usage` of OpenAI-style completions.
    static func usage(metadata: JSONValue?, outputs: RawJSON?) -> RunUsage {
        if let u = metadata?["usage_metadata"], case .object = u {
            return RunUsage(usageMetadata: u)
        }
        if let outputs {
            if let u = outputs.value(at: "usage_metadata"), case .object = u {
                return RunUsage(usageMetadata: u)
            }
            if let generations = outputs.value(at: "generations"),
                let summed = summedGenerationUsage(generations)
            {
                return summed
            }
            if let tokenUsage = outputs.value(at: "llm_output", "token_usage"), case .object = tokenUsage {
                var usage = RunUsage()
                usage.promptTokens = tokenUsage["prompt_tokens"]?.intValue
                usage.completionTokens = tokenUsage["completion_tokens"]?.intValue
                usage.totalTokens = tokenUsage["total_tokens"]?.intValue
                usage.fillTotals()
                return usage
            }
        }
        return RunUsage()
    }

    static func summedGenerationUsage(_ generations: JSONValue) -> RunUsage? {
        var total: RunUsage?
        for batch in generations.arrayValue ?? [] {
            for generation in batch.arrayValue ?? [] {
                guard let u = generation["message"]?["kwargs"]?["usage_metadata"], case .object = u else { continue }
                let one = RunUsage(usageMetadata: u)
                total = total.map { $0.adding(one) } ?? one
            }
        }
        return total
    }
}

extension RunUsage {
    /// Maps LangChain/LangSmith `UsageMetadata` (`input_tokens`, `output_tokens`, `*_cost`, details)
    /// onto LangSmith's run fields (`prompt_*`, `completion_*`, `total_*`).
    public init(usageMetadata u: JSONValue) {
        self.init()
        promptTokens = u["input_tokens"]?.intValue
        completionTokens = u["output_tokens"]?.intValue
        totalTokens = u["total_tokens"]?.intValue
        promptCost = u["input_cost"]?.doubleValue ?? u["input_cost"]?.stringValue.flatMap(Double.init)
        completionCost = u["output_cost"]?.doubleValue ?? u["output_cost"]?.stringValue.flatMap(Double.init)
        totalCost = u["total_cost"]?.doubleValue ?? u["total_cost"]?.stringValue.flatMap(Double.init)
        // Spelled out: in `{ $0.isNull ? nil : $0 }` the `nil` literal becomes `JSONValue.null`.
        func detail(_ key: String) -> JSONValue? {
            guard let v = u[key], !v.isNull else { return nil }
            return v
        }
        promptTokenDetails = detail("input_token_details")
        completionTokenDetails = detail("output_token_details")
        promptCostDetails = detail("input_cost_details")
        completionCostDetails = detail("output_cost_details")
        fillTotals()
    }

    mutating func fillTotals() {
        if totalTokens == nil, promptTokens != nil || completionTokens != nil {
            totalTokens = (promptTokens ?? 0) + (completionTokens ?? 0)
        }
        if totalCost == nil, promptCost != nil || completionCost != nil {
            totalCost = (promptCost ?? 0) + (completionCost ?? 0)
        }
    }

    /// Field-wise sum (nil + nil stays nil); detail objects are summed key by key.
    public func adding(_ other: RunUsage) -> RunUsage {
        func add<T: AdditiveArithmetic>(_ a: T?, _ b: T?) -> T? {
            guard a != nil || b != nil else { return nil }
            return (a ?? .zero) + (b ?? .zero)
        }
        var r = RunUsage()
        r.promptTokens = add(promptTokens, other.promptTokens)
        r.completionTokens = add(completionTokens, other.completionTokens)
        r.totalTokens = add(totalTokens, other.totalTokens)
        r.promptCost = add(promptCost, other.promptCost)
        r.completionCost = add(completionCost, other.completionCost)
        r.totalCost = add(totalCost, other.totalCost)
        r.promptTokenDetails = Self.addDetails(promptTokenDetails, other.promptTokenDetails)
        r.completionTokenDetails = Self.addDetails(completionTokenDetails, other.completionTokenDetails)
        r.promptCostDetails = Self.addDetails(promptCostDetails, other.promptCostDetails)
        r.completionCostDetails = Self.addDetails(completionCostDetails, other.completionCostDetails)
        return r
    }

    static func addDetails(_ a: JSONValue?, _ b: JSONValue?) -> JSONValue? {
        guard let a else { return b }
        guard let b else { return a }
        guard case .object(var left) = a, case .object(let right) = b else { return a }
        for (k, v) in right {
            switch (left[k], v) {
            case (.int(let x)?, .int(let y)): left[k] = .int(x + y)
            case (let x?, let y) where x.doubleValue != nil && y.doubleValue != nil:
                left[k] = .double(x.doubleValue! + y.doubleValue!)
            case (nil, let y): left[k] = y
            default: break
            }
        }
        return .object(left)
    }
}
