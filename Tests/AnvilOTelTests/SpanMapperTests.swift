import AnvilCore
import Foundation
import Testing
@testable import AnvilOTel

@Suite("OTLP span mapping")
struct SpanMapperTests {
    @Test("run ids are LangSmith's: the span id right-aligned in zeros; trace ids are read as UUIDs")
    func ids() {
        #expect(OTelIds.runId(spanId: [0xa0, 0, 0, 0, 0, 0, 0, 7]).uuidString.lowercased() == "00000000-0000-0000-a000-000000000007")
        #expect(OTelIds.traceUUID(traceId: Array(1...16)).uuidString.lowercased() == "01020304-0506-0708-090a-0b0c0d0e0f10")
        #expect(OTelIds.hex([0xde, 0xad, 0x01]) == "dead01")
        #expect(OTelIds.bytes(hex: "DEad01") == [0xde, 0xad, 0x01])
        #expect(OTelIds.bytes(hex: "xyz0") == nil)
    }

    @Test("a root span becomes a root run: name, times, trace, dotted order, default run type")
    func rootSpan() throws {
        let u = try OTLP.one(OTLP.makeSpan(1, name: "agent"))
        #expect(u.kind == .post)
        #expect(u.id == OTelIds.runId(spanId: OTLP.span(1)))
        #expect(u.name == "agent")
        #expect(u.runType == "chain")
        #expect(u.parentRunId == nil)
        #expect(u.traceId == u.id)
        #expect(u.startTime == Timestamp(microseconds: 1_714_564_800_000_000))
        #expect(u.endTime == Timestamp(microseconds: 1_714_564_801_000_000))
        #expect(u.dottedOrder == DottedOrder.root(id: u.id, start: u.startTime!).string)
        #expect(u.sessionName == nil)
        #expect(u.metadata?["otel_span_id"] == .string("a000000000000001"))
        #expect(u.metadata?["otel_trace_id"] == .string(OTelIds.hex(OTLP.trace)))
    }

    @Test("a child names its parent by the parent's span id and leaves lineage to the store")
    func childSpan() throws {
        let u = try OTLP.one(OTLP.makeSpan(2, parent: OTLP.span(1), name: "llm"))
        #expect(u.parentRunId == OTelIds.runId(spanId: OTLP.span(1)))
        #expect(u.traceId == nil)
        #expect(u.dottedOrder == nil)
    }

    @Test("the SDK's root-run context (first 8 bytes of the trace id) is the run whose id is the trace id")
    func sdkRootContext() throws {
        let context = Array(OTLP.trace[0..<8])
        let user = try OTLP.one(OTLP.makeSpan(3, parent: context))
        #expect(user.parentRunId == OTelIds.traceUUID(traceId: OTLP.trace))
        // The SDK's own span for that root run is the root itself.
        let sdk = try OTLP.one(OTLP.makeSpan(4, parent: context), scope: "langsmith")
        #expect(sdk.parentRunId == nil)
        #expect(sdk.traceId == sdk.id)
    }

    @Test("explicit langsmith ids and dotted order override the OTel ones")
    func explicitIds() throws {
        let trace = UUID()
        let parent = UUID()
        let run = UUID()
        let order = DottedOrder(segments: [
            .init(time: Timestamp(microseconds: 1_714_564_799_000_000), id: trace),
            .init(time: Timestamp(microseconds: 1_714_564_799_500_000), id: parent),
            .init(time: Timestamp(microseconds: 1_714_564_800_000_000), id: run),
        ]).string
        let u = try OTLP.one(OTLP.makeSpan(5, parent: OTLP.span(9), attributes: [
            "langsmith.span.id": run.uuidString, "langsmith.trace.id": trace.uuidString,
            "langsmith.span.parent_id": parent.uuidString, "langsmith.span.dotted_order": order,
        ]))
        #expect(u.id == run)
        #expect(u.traceId == trace)
        #expect(u.parentRunId == parent)
        #expect(u.dottedOrder == order)
        #expect(u.metadata?["langsmith.span.id"] == nil)
    }

    @Test("project: header, else span or resource attributes, else unset (the default project)")
    func project() throws {
        let span = OTLP.makeSpan(1, attributes: ["langsmith.trace.session_name": "from-span"])
        #expect(try OTLP.one(span, project: "from-header").sessionName == "from-header")
        #expect(try OTLP.one(span).sessionName == "from-span")
        #expect(try OTLP.one(OTLP.makeSpan(1), resource: ["openinference.project.name": "phoenix"]).sessionName == "phoenix")
        #expect(try OTLP.one(OTLP.makeSpan(1), resource: ["service.name": "svc"]).sessionName == nil)
    }

    @Test("LangSmith SDK attributes: kind, name, tags, metadata, prompt/completion, usage")
    func langsmithConventions() throws {
        let u = try OTLP.one(OTLP.makeSpan(1, name: "ChatFake", attributes: [
            "langsmith.span.kind": "llm", "langsmith.trace.name": "FakeChat", "langsmith.span.tags": "a, b",
            "langsmith.metadata.ls_model_name": "fake-model", "langsmith.metadata.user": "{\"id\": 7}",
            "gen_ai.operation.name": "chat", "gen_ai.system": "openai",
            "gen_ai.prompt": "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}",
            "gen_ai.completion": "hello",
            "gen_ai.usage.input_tokens": 11, "gen_ai.usage.output_tokens": 5,
        ]))
        #expect(u.runType == "llm")
        #expect(u.name == "FakeChat")
        #expect(u.tags == ["a", "b"])
        #expect(u.metadata?["ls_model_name"] == .string("fake-model"))
        #expect(u.metadata?["ls_provider"] == .string("openai"))
        #expect(u.metadata?["user"] == .object(["id": .int(7)]))
        #expect(u.inputsValue()?["messages"]?.arrayValue?.count == 1)
        #expect(u.outputsValue() == .object(["output": "hello"]))
        #expect(u.metadata?["usage_metadata"] == .object(["input_tokens": 11, "output_tokens": 5, "total_tokens": 16]))
    }

    @Test("GenAI semantic conventions: flattened prompts and completions, model, request parameters")
    func genAIConventions() throws {
        let u = try OTLP.one(OTLP.makeSpan(1, attributes: [
            "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-x", "gen_ai.response.model": "gpt-x-2025",
            "gen_ai.request.temperature": 0.5,
            "gen_ai.prompt.0.role": "system", "gen_ai.prompt.0.content": "be brief",
            "gen_ai.prompt.1.role": "user", "gen_ai.prompt.1.content": "hi",
            "gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "hello",
            "gen_ai.usage.prompt_tokens": 7, "gen_ai.usage.completion_tokens": 2, "gen_ai.usage.total_tokens": 9,
        ]))
        #expect(u.runType == "llm")
        #expect(u.inputsValue() == .object(["messages": [["role": "system", "content": "be brief"], ["role": "user", "content": "hi"]]]))
        #expect(u.outputsValue() == .object(["messages": [["role": "assistant", "content": "hello"]]]))
        #expect(u.metadata?["ls_model_name"] == .string("gpt-x-2025"))
        #expect(try u.extra?.parsed()["invocation_params"] == .object(["model": "gpt-x", "temperature": 0.5]))
        #expect(u.metadata?["usage_metadata"]?["total_tokens"] == .int(9))
    }

    @Test("OpenInference: span kind, input/output values, messages, token counts, metadata, tags")
    func openInference() throws {
        let u = try OTLP.one(OTLP.makeSpan(1, attributes: [
            "openinference.span.kind": "LLM",
            "input.value": "{\"question\": \"why?\"}", "input.mime_type": "application/json",
            "output.value": "because", "output.mime_type": "text/plain",
            "llm.model_name": "fake", "llm.provider": "anthropic",
            "llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": "why?",
            "llm.output_messages.0.message.role": "assistant", "llm.output_messages.0.message.content": "because",
            "llm.token_count.prompt": 3, "llm.token_count.completion": 1, "llm.token_count.total": 4,
            "llm.token_count.prompt_details.cache_read": 2,
            "llm.invocation_parameters": "{\"temperature\": 0}",
            "metadata": "{\"team\": \"search\"}", "tag.tags": ["x", "y"], "session.id": "conv-1",
        ]))
        #expect(u.runType == "llm")
        #expect(u.inputsValue() == .object(["question": "why?", "messages": [["role": "user", "content": "why?"]]]))
        #expect(u.outputsValue() == .object(["output": "because", "messages": [["role": "assistant", "content": "because"]]]))
        #expect(u.metadata?["usage_metadata"] == .object([
            "input_tokens": 3, "output_tokens": 1, "total_tokens": 4, "input_token_details": ["cache_read": 2],
        ]))
        #expect(u.metadata?["ls_model_name"] == .string("fake"))
        #expect(u.metadata?["ls_provider"] == .string("anthropic"))
        #expect(u.metadata?["team"] == .string("search"))
        #expect(u.metadata?["session_id"] == .string("conv-1"))
        #expect(u.tags == ["x", "y"])
        #expect(u.metadata?["input.mime_type"] == nil)
        for (kind, runType) in [("CHAIN", "chain"), ("TOOL", "tool"), ("RETRIEVER", "retriever"), ("EMBEDDING", "embedding"), ("AGENT", "chain")] {
            #expect(try OTLP.one(OTLP.makeSpan(1, attributes: ["openinference.span.kind": kind])).runType == runType)
        }
    }

    @Test("run types from gen_ai.operation.name and Traceloop")
    func runTypes() throws {
        for (op, runType) in [("chat", "llm"), ("text_completion", "llm"), ("embeddings", "embedding"), ("execute_tool", "tool"), ("invoke_agent", "chain")] {
            #expect(try OTLP.one(OTLP.makeSpan(1, attributes: ["gen_ai.operation.name": op])).runType == runType)
        }
        let t = try OTLP.one(OTLP.makeSpan(1, attributes: [
            "traceloop.span.kind": "tool", "traceloop.entity.input": "{\"a\": 1}", "traceloop.entity.output": "2",
            "traceloop.association.properties.customer": "acme",
        ]))
        #expect(t.runType == "tool")
        #expect(t.inputsValue() == .object(["a": 1]))
        #expect(t.outputsValue() == .object(["output": 2]))
        #expect(t.metadata?["customer"] == .string("acme"))
    }

    @Test("events become run events; an error status takes the exception's text")
    func eventsAndErrors() throws {
        var span = OTLP.makeSpan(1)
        var event = OTLPSpan.Event()
        event.name = "exception"
        event.timeUnixNano = 1_714_564_800_500_000_000
        event.attributes = OTLP.attributes(["exception.type": "ValueError", "exception.message": "bad input"])
        span.events = [event]
        span.status.code = .error
        let u = try OTLP.one(span)
        #expect(u.error == "ValueError: bad input")
        let events = try #require(try u.events?.parsed().arrayValue)
        #expect(events.first?["name"] == .string("exception"))
        #expect(events.first?["time"] == .string(Timestamp(microseconds: 1_714_564_800_500_000).iso8601))
        #expect(events.first?["kwargs"]?["exception.type"] == .string("ValueError"))

        span.status.message = "boom"
        #expect(try OTLP.one(span).error == "boom")
        span.status.code = .ok
        #expect(try OTLP.one(span).error == nil)
    }

    @Test("unknown span and resource attributes are kept in metadata, never a reason to reject")
    func unknownAttributesKept() throws {
        let u = try OTLP.one(
            OTLP.makeSpan(1, attributes: ["http.method": "GET", "custom.flag": true, "weird": [1, 2]]),
            resource: ["service.name": "checkout", "http.method": "from-resource"])
        #expect(u.metadata?["http.method"] == .string("GET"))
        #expect(u.metadata?["custom.flag"] == .bool(true))
        #expect(u.metadata?["weird"] == .array([1, 2]))
        #expect(u.metadata?["service.name"] == .string("checkout"))
    }

    @Test("structurally unusable spans are rejected and counted; the rest are kept")
    func partialSuccess() {
        let good = OTLP.makeSpan(1)
        let noTrace = OTLP.makeSpan(2, name: "bad-trace", trace: [UInt8](repeating: 0, count: 16))
        var shortSpan = OTLP.makeSpan(3, name: "bad-span")
        shortSpan.spanID = Data([1, 2, 3])
        let m = OTLP.map(OTLP.request([good, noTrace, shortSpan]))
        #expect(m.updates.count == 1)
        #expect(m.rejectedSpans == 2)
        #expect(m.errorMessage.contains("bad-trace"))
        #expect(m.errorMessage.contains("bad-span"))
    }
}
