import AnvilCore
import Foundation

/// The attribute conventions: LangSmith's own (`langsmith.*`, what the SDK's exporter sets), the
/// OpenTelemetry GenAI semantic conventions (`gen_ai.*`), OpenInference (Phoenix: `input.value`,
/// `llm.*`, `openinference.span.kind`) and Traceloop/OpenLLMetry (`traceloop.*`).
extension SpanMapper {
    static let runTypes: Set<String> = ["llm", "chain", "tool", "retriever", "embedding", "prompt", "parser"]

    /// `langsmith.span.kind` > `openinference.span.kind` > `traceloop.span.kind` >
    /// `gen_ai.operation.name` > a model attribute (an LLM call) > `chain`.
    static func runType(_ attrs: inout SpanAttributes) -> String {
        if let kind = attrs.string("langsmith.span.kind")?.lowercased(), runTypes.contains(kind) { return kind }
        if let kind = attrs.string("openinference.span.kind")?.uppercased() {
            switch kind {
            case "LLM": return "llm"
            case "EMBEDDING": return "embedding"
            case "RETRIEVER", "RERANKER": return "retriever"
            case "TOOL": return "tool"
            case "PROMPT": return "prompt"
            default: return "chain"  // CHAIN, AGENT, GUARDRAIL, EVALUATOR, UNKNOWN
            }
        }
        if let kind = attrs.string("traceloop.span.kind")?.lowercased() {
            switch kind {
            case "llm": return "llm"
            case "tool": return "tool"
            default: return "chain"  // workflow, task, agent
            }
        }
        if let op = attrs.peek("gen_ai.operation.name")?.stringValue?.lowercased() {
            switch op {
            case "chat", "text_completion", "completion", "generate_content": return "llm"
            case "embeddings", "embedding": return "embedding"
            case "execute_tool": return "tool"
            case "retrieval", "retrieve": return "retriever"
            default: break
            }
        }
        if attrs.peek("gen_ai.request.model") != nil || attrs.peek("llm.model_name") != nil { return "llm" }
        return "chain"
    }

    /// `langsmith.span.tags` (comma-separated, or a list) and OpenInference `tag.tags`.
    static func tags(_ attrs: inout SpanAttributes) -> [String]? {
        var out: [String] = []
        for key in ["langsmith.span.tags", "tag.tags"] {
            switch attrs.take(key)?.decodingJSONString {
            case .string(let s)?:
                out += s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            case .array(let items)?:
                out += items.compactMap(\.stringValue)
            default:
                continue
            }
        }
        var seen = Set<String>()
        out = out.filter { seen.insert($0).inserted }
        return out.isEmpty ? nil : out
    }

    /// Inputs and outputs: a whole payload (`gen_ai.prompt`/`gen_ai.completion` from the SDK,
    /// OpenInference `input.value`/`output.value`, Traceloop `traceloop.entity.input|output`), plus
    /// chat messages from flattened attributes or GenAI message events under `messages`.
    static func mapPayloads(_ u: inout RunUpdate, _ attrs: inout SpanAttributes, events: [OTLPSpan.Event]) {
        // OpenInference says whether a value is JSON; Traceloop always JSON-encodes its entities,
        // so there a bare `2` or `"text"` is parsed too. Otherwise only objects and arrays are.
        let inputIsJSON = attrs.string("input.mime_type") == "application/json"
        let outputIsJSON = attrs.string("output.mime_type") == "application/json"
        // A JSON object in `input.value`/`output.value` is kept as sent (validated, not parsed and
        // re-encoded), as multipart payloads are; it is parsed only if messages must be merged in.
        var rawInputs = inputIsJSON && attrs.peek("gen_ai.prompt") == nil ? Self.rawObject(attrs.peek("input.value")) : nil
        var rawOutputs = outputIsJSON && attrs.peek("gen_ai.completion") == nil ? Self.rawObject(attrs.peek("output.value")) : nil
        if rawInputs != nil { _ = attrs.take("input.value") }
        if rawOutputs != nil { _ = attrs.take("output.value") }
        var inputs = rawInputs != nil ? nil : (attrs.take("gen_ai.prompt") ?? attrs.take("input.value").map { inputIsJSON ? $0.parsingJSONString : $0 }
            ?? attrs.take("traceloop.entity.input")?.parsingJSONString)
            .map { $0.asPayload(wrapKey: "input") }
        var outputs = rawOutputs != nil ? nil : (attrs.take("gen_ai.completion") ?? attrs.take("output.value").map { outputIsJSON ? $0.parsingJSONString : $0 }
            ?? attrs.take("traceloop.entity.output")?.parsingJSONString)
            .map { $0.asPayload(wrapKey: "output") }

        var inMessages = FlattenedList.build(attrs.takePrefixed("llm.input_messages."), dropping: "message")
        if inMessages.isEmpty { inMessages = FlattenedList.build(attrs.takePrefixed("gen_ai.prompt.")) }
        if inMessages.isEmpty, let m = attrs.take("gen_ai.input.messages")?.decodingJSONString.arrayValue { inMessages = m }
        if let system = attrs.take("gen_ai.system_instructions")?.decodingJSONString {
            inMessages.insert(.object(["role": "system", "content": system]), at: 0)
        }
        var outMessages = FlattenedList.build(attrs.takePrefixed("llm.output_messages."), dropping: "message")
        if outMessages.isEmpty { outMessages = FlattenedList.build(attrs.takePrefixed("gen_ai.completion.")) }
        if outMessages.isEmpty, let m = attrs.take("gen_ai.output.messages")?.decodingJSONString.arrayValue { outMessages = m }
        // Older GenAI conventions put messages in events.
        for event in events {
            let e = SpanAttributes(event.attributes.jsonPairs)
            switch event.name {
            case "gen_ai.system.message", "gen_ai.user.message", "gen_ai.assistant.message", "gen_ai.tool.message":
                let role = e.peek("role")?.stringValue ?? String(event.name.dropFirst("gen_ai.".count).dropLast(".message".count))
                inMessages.append(.object(["role": .string(role), "content": e.peek("content")?.decodingJSONString ?? .null]))
            case "gen_ai.choice":
                outMessages.append(e.peek("message")?.decodingJSONString ?? .object(["content": e.peek("content") ?? .null]))
            case "gen_ai.content.prompt":
                if inputs == nil, rawInputs == nil, let p = e.peek("gen_ai.prompt") { inputs = p.asPayload(wrapKey: "input") }
            case "gen_ai.content.completion":
                if outputs == nil, rawOutputs == nil, let c = e.peek("gen_ai.completion") { outputs = c.asPayload(wrapKey: "output") }
            default:
                continue
            }
        }
        if !inMessages.isEmpty {
            if let raw = rawInputs { inputs = try? raw.parsed(); rawInputs = nil }
            var object = inputs?.objectValue ?? [:]
            if object["messages"] == nil { object["messages"] = .array(inMessages) }
            inputs = .object(object)
        }
        if !outMessages.isEmpty {
            if let raw = rawOutputs { outputs = try? raw.parsed(); rawOutputs = nil }
            var object = outputs?.objectValue ?? [:]
            if object["messages"] == nil { object["messages"] = .array(outMessages) }
            outputs = .object(object)
        }
        if let rawInputs { u.inputs = rawInputs } else if let inputs { u.inputs = RawJSON(inputs) }
        if let rawOutputs { u.outputs = rawOutputs } else if let outputs { u.outputs = RawJSON(outputs) }
    }

    /// A string attribute holding a valid JSON object, as its bytes.
    static func rawObject(_ value: JSONValue?) -> RawJSON? {
        guard case .string(let s)? = value else { return nil }
        let bytes = Array(s.utf8)
        guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }), first == UInt8(ascii: "{"),
              (try? JSON.validate(bytes)) != nil
        else { return nil }
        return RawJSON(validated: bytes)
    }

    /// `langsmith.metadata.*` (the SDK JSON-encodes non-primitive values), OpenInference `metadata`
    /// (a JSON object), Traceloop association properties, and the session/user ids that make
    /// threads.
    static func mapMetadata(_ metadata: inout [String: JSONValue], _ attrs: inout SpanAttributes) {
        if case .object(let fields)? = attrs.take("metadata")?.decodingJSONString {
            metadata.merge(fields) { _, new in new }
        }
        for (key, value) in attrs.takePrefixed("traceloop.association.properties.") { metadata[key] = value }
        for (key, value) in attrs.takePrefixed("langsmith.metadata.") { metadata[key] = value.decodingJSONString }
        if let usage = attrs.take("langsmith.usage_metadata")?.decodingJSONString, case .object = usage {
            metadata["usage_metadata"] = usage
        }
        if let session = attrs.string("session.id") ?? attrs.string("gen_ai.conversation.id"), metadata["session_id"] == nil {
            metadata["session_id"] = .string(session)
        }
        if let user = attrs.string("user.id"), metadata["user_id"] == nil { metadata["user_id"] = .string(user) }
    }

    /// Model and provider into `ls_model_name`/`ls_provider`; request parameters into
    /// `extra.invocation_params`.
    static func mapModel(_ metadata: inout [String: JSONValue], _ extra: inout [String: JSONValue], _ attrs: inout SpanAttributes) {
        // The model that answered, else the one asked for (which also stays in invocation_params).
        let model = attrs.string("gen_ai.response.model") ?? attrs.peek("gen_ai.request.model")?.stringValue ?? attrs.string("llm.model_name")
        if let model, metadata["ls_model_name"] == nil { metadata["ls_model_name"] = .string(model) }
        let provider = attrs.string("gen_ai.system") ?? attrs.string("gen_ai.provider.name")
            ?? attrs.string("llm.provider") ?? attrs.string("llm.system")
        if let provider, metadata["ls_provider"] == nil { metadata["ls_provider"] = .string(provider) }
        var params: [String: JSONValue] = [:]
        if case .object(let fields)? = attrs.take("llm.invocation_parameters")?.decodingJSONString { params = fields }
        for (key, value) in attrs.takePrefixed("gen_ai.request.") where !key.contains(".") { params[key] = value.decodingJSONString }
        if !params.isEmpty { extra["invocation_params"] = .object(params) }
        _ = attrs.take("gen_ai.operation.name")
    }

    /// Token counts into `extra.metadata.usage_metadata`, where usage is derived from.
    static func mapUsage(_ metadata: inout [String: JSONValue], _ attrs: inout SpanAttributes) {
        let input = attrs.int("gen_ai.usage.input_tokens") ?? attrs.int("gen_ai.usage.prompt_tokens") ?? attrs.int("llm.token_count.prompt")
        let output = attrs.int("gen_ai.usage.output_tokens") ?? attrs.int("gen_ai.usage.completion_tokens") ?? attrs.int("llm.token_count.completion")
        var total = attrs.int("gen_ai.usage.total_tokens") ?? attrs.int("llm.token_count.total")
        var inputDetails: [String: JSONValue] = attrs.take("gen_ai.usage.input_token_details")?.decodingJSONString.objectValue ?? [:]
        var outputDetails: [String: JSONValue] = attrs.take("gen_ai.usage.output_token_details")?.decodingJSONString.objectValue ?? [:]
        for (key, value) in attrs.takePrefixed("llm.token_count.prompt_details.") { inputDetails[key] = value }
        for (key, value) in attrs.takePrefixed("llm.token_count.completion_details.") { outputDetails[key] = value }
        if let cached = attrs.int("gen_ai.usage.cache_read_input_tokens") { inputDetails["cache_read"] = .int(cached) }
        if let created = attrs.int("gen_ai.usage.cache_creation_input_tokens") { inputDetails["cache_creation"] = .int(created) }
        guard input != nil || output != nil || total != nil, metadata["usage_metadata"] == nil else { return }
        if total == nil { total = (input ?? 0) + (output ?? 0) }
        var usage: [String: JSONValue] = [
            "input_tokens": .int(input ?? 0), "output_tokens": .int(output ?? 0), "total_tokens": .int(total ?? 0),
        ]
        if !inputDetails.isEmpty { usage["input_token_details"] = .object(inputDetails) }
        if !outputDetails.isEmpty { usage["output_token_details"] = .object(outputDetails) }
        metadata["usage_metadata"] = .object(usage)
    }

    /// Span events as run events (`{name, time, kwargs}`), and the text of the first exception
    /// event (its stack trace, else `type: message`).
    static func mapEvents(_ events: [OTLPSpan.Event]) -> ([JSONValue], String?) {
        var out: [JSONValue] = []
        var exception: String?
        for event in events {
            let pairs = event.attributes.jsonPairs
            var object: [String: JSONValue] = ["name": .string(event.name)]
            if let t = Timestamp(unixNano: event.timeUnixNano) { object["time"] = .string(t.iso8601) }
            if !pairs.isEmpty { object["kwargs"] = .object(Dictionary(pairs, uniquingKeysWith: { _, b in b })) }
            out.append(.object(object))
            if event.name == "exception", exception == nil {
                let e = SpanAttributes(pairs)
                let type = e.peek("exception.type")?.stringValue
                let message = e.peek("exception.message")?.stringValue
                exception = e.peek("exception.stacktrace")?.stringValue
                    ?? [type, message].compactMap { $0 }.joined(separator: ": ")
            }
        }
        return (out, exception)
    }
}
