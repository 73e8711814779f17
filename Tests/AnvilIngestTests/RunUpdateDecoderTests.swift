import AnvilCore
import Foundation
import Testing
@testable import AnvilIngest

private func utf8(_ s: String) -> [UInt8] { Array(s.utf8) }

private func raw(_ text: String) -> RawJSON { RawJSON(validated: utf8(text)) }

private let runId = UUID(uuidString: "01a22861-2ab3-7a87-ab3a-cc836d0b3376")!
private let traceId = UUID(uuidString: "01a22861-0000-7000-8000-000000000001")!
private let parentId = UUID(uuidString: "01a22861-0000-7000-8000-000000000002")!
private let sessionId = UUID(uuidString: "01a22861-0000-7000-8000-000000000003")!
private let exampleId = UUID(uuidString: "01a22861-0000-7000-8000-000000000004")!
private let context = "post.\(runId.lowercased)"

/// 2024-05-01T12:00:00Z and one second later.
private let start = Timestamp(microseconds: 1_714_564_800_000_000)
private let end = Timestamp(microseconds: 1_714_564_801_000_000)

private func decode(_ json: String, kind: RunUpdateKind = .post, id: UUID? = nil) throws(IngestError) -> RunUpdate {
    try RunUpdateDecoder.decode(utf8(json), kind: kind, id: id, context: context)
}

private func failure(_ body: () throws -> Void) -> IngestError? {
    do {
        try body()
        return nil
    } catch let error as IngestError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

@Suite("RunUpdateDecoder.decode")
struct RunUpdateDecodeTests {
    @Test("every envelope and payload field")
    func everyField() throws {
        let order = "20240501T120000000000Z\(traceId.lowercased).20240501T120000000000Z\(runId.lowercased)"
        let u = try decode(#"""
            {"id": "\#(runId.lowercased)", "trace_id": "\#(traceId.lowercased)", "parent_run_id": "\#(parentId.uuidString)",
             "session_id": "\#(sessionId.lowercased)", "reference_example_id": "\#(exampleId.lowercased)",
             "dotted_order": "\#(order)", "name": "ChatOpenAI", "run_type": "llm",
             "start_time": "2024-05-01T12:00:00.000000", "end_time": "2024-05-01T12:00:01Z",
             "session_name": "my project", "error": "ValueError: x", "tags": ["a", "b"],
             "inputs": {"messages": [{"role": "user", "content": "hi"}]}, "outputs": {"text": "yo"},
             "extra": {"metadata": {"ls_provider": "openai"}}, "events": [{"name": "start"}],
             "serialized": {"name": "ChatOpenAI"},
             "revision_id": null, "attachments": {}, "address": "lrn:agents/x", "status": "success"}
            """#)
        var expected = RunUpdate(kind: .post, id: runId)
        expected.traceId = traceId
        expected.parentRunId = parentId
        expected.sessionId = sessionId
        expected.referenceExampleId = exampleId
        expected.dottedOrder = order
        expected.name = "ChatOpenAI"
        expected.runType = "llm"
        expected.startTime = start
        expected.endTime = end
        expected.sessionName = "my project"
        expected.error = "ValueError: x"
        expected.tags = ["a", "b"]
        expected.inputs = raw(#"{"messages": [{"role": "user", "content": "hi"}]}"#)
        expected.outputs = raw(#"{"text": "yo"}"#)
        expected.extra = raw(#"{"metadata": {"ls_provider": "openai"}}"#)
        expected.events = raw(#"[{"name": "start"}]"#)
        expected.serialized = raw(#"{"name": "ChatOpenAI"}"#)
        #expect(u == expected)
    }

    @Test("null means not provided, for every field")
    func nulls() throws {
        let fields = [
            "trace_id", "parent_run_id", "session_id", "reference_example_id", "dotted_order", "name", "run_type",
            "start_time", "end_time", "session_name", "error", "tags", "inputs", "outputs", "extra", "events", "serialized",
        ]
        let json = "{\"id\": \"\(runId.lowercased)\", " + fields.map { "\"\($0)\": null" }.joined(separator: ", ") + "}"
        #expect(try decode(json, kind: .patch) == RunUpdate(kind: .patch, id: runId))
    }

    @Test("every run type LangSmith accepts", arguments: ["tool", "chain", "llm", "retriever", "embedding", "prompt", "parser"])
    func runTypes(_ type: String) throws {
        #expect(try decode(#"{"id": "\#(runId.lowercased)", "run_type": "\#(type)"}"#).runType == type)
    }

    @Test("empty dotted_order and session_name are not provided; an empty name is kept")
    func empties() throws {
        let u = try decode(#"{"id": "\#(runId.lowercased)", "dotted_order": "", "session_name": "", "name": "", "tags": []}"#)
        #expect(u.dottedOrder == nil)
        #expect(u.sessionName == nil)
        #expect(u.name == "")
        #expect(u.tags == [])
    }

    @Test("the id comes from the path or the body and must agree")
    func ids() throws {
        #expect(try decode("{}", id: runId).id == runId)
        #expect(try decode(#"{"id": "\#(runId.uuidString)"}"#, id: runId).id == runId)
        #expect(try decode(#"{"id": null}"#, id: runId).id == runId)
        #expect(failure { _ = try decode(#"{"id": "\#(traceId.lowercased)"}"#, id: runId) }
            == IngestError(.unprocessable, "\(context): body id \(traceId.lowercased) does not match \(runId.lowercased)"))
        #expect(failure { _ = try decode("{}") } == IngestError(.unprocessable, "\(context): the run has no 'id'"))
        #expect(failure { _ = try decode(#"{"id": null}"#) } == IngestError(.unprocessable, "\(context): the run has no 'id'"))
    }

    @Test("epoch-millisecond times (older JS SDKs)")
    func epochMillis() throws {
        let u = try decode(#"{"id": "\#(runId.lowercased)", "start_time": 1714564800123, "end_time": 1714564800123.5}"#)
        #expect(u.startTime == Timestamp(microseconds: 1_714_564_800_123_000))
        #expect(u.endTime == Timestamp(microseconds: 1_714_564_800_123_500))
        let negative = try decode(#"{"id": "\#(runId.lowercased)", "start_time": -1000}"#)
        #expect(negative.startTime == Timestamp(microseconds: -1_000_000))
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var member: String
        var code: IngestError.Code
        var message: String
        var testDescription: String { member }
    }

    static let bad: [Bad] = [
        Bad(member: #""id": "nope""#, code: .unprocessable, message: "id 'nope' is not a UUID"),
        Bad(member: #""id": 7"#, code: .unprocessable, message: "id must be a string"),
        Bad(member: #""trace_id": "01a22861-2ab3-7a87-ab3a-cc836d0b337""#, code: .unprocessable,
            message: "trace_id '01a22861-2ab3-7a87-ab3a-cc836d0b337' is not a UUID"),
        Bad(member: #""parent_run_id": 5"#, code: .unprocessable, message: "parent_run_id must be a string"),
        Bad(member: #""session_id": "default""#, code: .unprocessable, message: "session_id 'default' is not a UUID"),
        Bad(member: #""reference_example_id": {}"#, code: .unprocessable, message: "reference_example_id must be a string"),
        Bad(member: #""dotted_order": 1"#, code: .unprocessable, message: "dotted_order must be a string"),
        Bad(member: #""name": ["x"]"#, code: .unprocessable, message: "name must be a string"),
        Bad(member: #""session_name": true"#, code: .unprocessable, message: "session_name must be a string"),
        Bad(member: #""run_type": "agent""#, code: .unprocessable,
            message: "run_type 'agent' is not one of chain, embedding, llm, parser, prompt, retriever, tool"),
        Bad(member: #""run_type": "LLM""#, code: .unprocessable,
            message: "run_type 'LLM' is not one of chain, embedding, llm, parser, prompt, retriever, tool"),
        Bad(member: #""run_type": 1"#, code: .unprocessable, message: "run_type must be a string"),
        Bad(member: #""start_time": "yesterday""#, code: .unprocessable, message: "start_time 'yesterday' is not an ISO-8601 date-time"),
        Bad(member: #""start_time": "2023-02-29T00:00:00Z""#, code: .unprocessable,
            message: "start_time '2023-02-29T00:00:00Z' is not an ISO-8601 date-time"),
        Bad(member: #""end_time": true"#, code: .unprocessable, message: "end_time must be an ISO-8601 string"),
        Bad(member: #""end_time": {"t": 1}"#, code: .unprocessable, message: "end_time must be an ISO-8601 string"),
        // Would overflow `ms * 1000` (a crash) before the range check.
        Bad(member: #""start_time": 9223372036854775807"#, code: .unprocessable,
            message: "start_time is out of range (epoch milliseconds must fall in years 0001–9999)"),
        Bad(member: #""end_time": -9223372036854775808"#, code: .unprocessable,
            message: "end_time is out of range (epoch milliseconds must fall in years 0001–9999)"),
        Bad(member: #""start_time": 1e300"#, code: .unprocessable,
            message: "start_time is out of range (epoch milliseconds must fall in years 0001–9999)"),
        Bad(member: #""start_time": 1e400"#, code: .unprocessable,
            message: "start_time is out of range (epoch milliseconds must fall in years 0001–9999)"),
        Bad(member: #""start_time": 253402300800000"#, code: .unprocessable,
            message: "start_time is out of range (epoch milliseconds must fall in years 0001–9999)"),
        Bad(member: #""tags": "a""#, code: .unprocessable, message: "tags must be an array of strings"),
        Bad(member: #""tags": ["a", 1]"#, code: .unprocessable, message: "tags must be an array of strings"),
        Bad(member: #""tags": [null]"#, code: .unprocessable, message: "tags must be an array of strings"),
        Bad(member: #""inputs": [1]"#, code: .unprocessable, message: "inputs must be an object"),
        Bad(member: #""outputs": "text""#, code: .unprocessable, message: "outputs must be an object"),
        Bad(member: #""extra": 1"#, code: .unprocessable, message: "extra must be an object"),
        Bad(member: #""events": {}"#, code: .unprocessable, message: "events must be an array"),
    ]

    @Test("bad fields fail with the right code and a message naming the field", arguments: bad)
    func badField(_ c: Bad) {
        let json = #"{"id": "\#(runId.lowercased)", \#(c.member)}"#
            .replacingOccurrences(of: #"{"id": "\#(runId.lowercased)", "id""#, with: #"{"id""#)
        let error = failure { _ = try decode(json) }
        #expect(error?.code == c.code)
        let separator = c.message.hasPrefix("inputs") || c.message.hasPrefix("outputs")
            || c.message.hasPrefix("extra") || c.message.hasPrefix("events") ? "." : ": "
        #expect(error?.message == context + separator + c.message)
    }

    @Test("structured errors are kept as their JSON text")
    func structuredError() throws {
        let u = try decode(#"{"id": "\#(runId.lowercased)", "error": {"type": "ValueError", "args": [1, 2]}}"#)
        #expect(u.error == #"{"args":[1,2],"type":"ValueError"}"#)
        #expect(try decode(#"{"id": "\#(runId.lowercased)", "error": 42}"#).error == "42")
    }

    @Test("invalid JSON is a 400 naming the context", arguments: [
        "", "{", #"{"id": }"#, "[1]", #"{"id": "x",}"#, "null", "nan",
    ])
    func invalidJSON(_ text: String) {
        let error = failure { _ = try decode(text) }
        #expect(error?.code == .badRequest)
        #expect(error?.message.hasPrefix("\(context): invalid JSON: ") == true)
    }
}

@Suite("RunUpdateDecoder.setPayload")
struct RunUpdatePayloadTests {
    @Test("each of the six part fields", arguments: [
        ("inputs", #" {"q": 1} "#),
        ("outputs", #"{"a": [1, 2]}"#),
        ("extra", #"{"metadata": {}}"#),
        ("events", #"[{"name": "new_token", "time": "2024-05-01T12:00:00Z"}]"#),
        ("serialized", #"{"lc": 1}"#),
        ("serialized", #""any JSON""#),
    ])
    func payload(_ field: String, _ json: String) throws {
        var u = RunUpdate(kind: .post, id: runId)
        try RunUpdateDecoder.setPayload(&u, field, utf8(json), context: context)
        let value: RawJSON? = switch field {
        case "inputs": u.inputs
        case "outputs": u.outputs
        case "extra": u.extra
        case "events": u.events
        default: u.serialized
        }
        #expect(value == raw(json))
        var expected = RunUpdate(kind: .post, id: runId)
        switch field {
        case "inputs": expected.inputs = raw(json)
        case "outputs": expected.outputs = raw(json)
        case "extra": expected.extra = raw(json)
        case "events": expected.events = raw(json)
        default: expected.serialized = raw(json)
        }
        #expect(u == expected)  // nothing else touched
    }

    @Test("error is a JSON string (or any JSON, kept as text)", arguments: [
        (#""Traceback (most recent call last):\n  ValueError: \"x\"""#, "Traceback (most recent call last):\n  ValueError: \"x\""),
        (#"{"b": 1, "a": "x"}"#, #"{"a":"x","b":1}"#),
        ("  \"padded\"\r\n", "padded"),
    ])
    func error(_ json: String, _ expected: String) throws {
        var u = RunUpdate(kind: .post, id: runId)
        try RunUpdateDecoder.setPayload(&u, "error", utf8(json), context: context)
        #expect(u.error == expected)
    }

    @Test("null parts are not provided, whitespace included", arguments: [
        "inputs", "outputs", "extra", "events", "serialized", "error",
    ])
    func null(_ field: String) throws {
        for body in ["null", " null\r\n", "\nnull"] {
            var u = RunUpdate(kind: .patch, id: runId)
            u.error = "kept"
            u.outputs = raw("{}")
            try RunUpdateDecoder.setPayload(&u, field, utf8(body), context: context)
            var expected = RunUpdate(kind: .patch, id: runId)
            expected.error = "kept"
            expected.outputs = raw("{}")
            #expect(u == expected, "\(field) = \(body.debugDescription)")
        }
    }

    @Test("invalid JSON is a 400; a wrong type is a 422", arguments: [
        ("inputs", "{", IngestError.Code.badRequest, "post.\(runId.lowercased).inputs: invalid JSON: expected a string key at byte 1"),
        ("error", "\"unterminated", .badRequest, "post.\(runId.lowercased).error: invalid JSON: unterminated string at byte 13"),
        ("events", "[1,]", .badRequest, "post.\(runId.lowercased).events: invalid JSON: unexpected character ']' at byte 3"),
        ("inputs", "[]", .unprocessable, "post.\(runId.lowercased).inputs must be an object"),
        ("outputs", "1", .unprocessable, "post.\(runId.lowercased).outputs must be an object"),
        ("extra", "\"x\"", .unprocessable, "post.\(runId.lowercased).extra must be an object"),
        ("events", "{}", .unprocessable, "post.\(runId.lowercased).events must be an array"),
    ])
    func invalid(_ field: String, _ json: String, _ code: IngestError.Code, _ message: String) {
        var u = RunUpdate(kind: .post, id: runId)
        let error = failure { try RunUpdateDecoder.setPayload(&u, field, utf8(json), context: context) }
        #expect(error == IngestError(code, message))
    }
}

@Suite("RunUpdateDecoder.validateAndDefault")
struct RunUpdateValidateTests {
    static let now = Timestamp(microseconds: 1_714_564_900_000_000)

    static func validate(_ u: RunUpdate) throws(IngestError) -> RunUpdate {
        var copy = u
        try RunUpdateDecoder.validateAndDefault(&copy, now: now, context: context)
        return copy
    }

    static func order(_ ids: UUID...) -> String {
        ids.map { "20240501T120000000000Z" + $0.lowercased }.joined(separator: ".")
    }

    @Test("a post without start_time starts now; a patch does not")
    func startDefault() throws {
        let post = try Self.validate(RunUpdate(kind: .post, id: runId))
        #expect(post.startTime == Self.now)
        let patch = try Self.validate(RunUpdate(kind: .patch, id: runId))
        #expect(patch == RunUpdate(kind: .patch, id: runId))
    }

    @Test("a root post gets trace_id = id and a one-segment dotted order")
    func rootDefaults() throws {
        var u = RunUpdate(kind: .post, id: runId)
        u.startTime = start
        let v = try Self.validate(u)
        #expect(v.traceId == runId)
        #expect(v.dottedOrder == "20240501T120000000000Z\(runId.lowercased)")
        #expect(v.parentRunId == nil)

        var withTrace = u
        withTrace.traceId = runId
        #expect(try Self.validate(withTrace) == v)
    }

    @Test("a root post naming another trace keeps it and gets no dotted order")
    func rootInOtherTrace() throws {
        var u = RunUpdate(kind: .post, id: runId)
        u.startTime = start
        u.traceId = traceId
        let v = try Self.validate(u)
        #expect(v.traceId == traceId)
        #expect(v.dottedOrder == nil)
    }

    @Test("a child post without lineage is left for the worker")
    func childWithoutLineage() throws {
        var u = RunUpdate(kind: .post, id: runId)
        u.startTime = start
        u.parentRunId = parentId
        #expect(try Self.validate(u) == u)
    }

    @Test("trace and parent are derived from the dotted order")
    func derived() throws {
        var post = RunUpdate(kind: .post, id: runId)
        post.startTime = start
        post.dottedOrder = Self.order(traceId, parentId, runId)
        let v = try Self.validate(post)
        #expect(v.traceId == traceId)
        #expect(v.parentRunId == parentId)
        #expect(v.dottedOrder == post.dottedOrder)

        // A patch takes the trace from its order but never infers a parent (its patch nulls mean "unchanged").
        var patch = RunUpdate(kind: .patch, id: runId)
        patch.dottedOrder = Self.order(traceId, parentId, runId)
        let p = try Self.validate(patch)
        #expect(p.traceId == traceId)
        #expect(p.parentRunId == nil)

        // An explicit parent that agrees with the order is kept; one that contradicts it is refused.
        var explicit = post
        explicit.parentRunId = parentId
        #expect(try Self.validate(explicit).parentRunId == parentId)
        explicit.parentRunId = sessionId
        #expect(throws: IngestError.self) { try Self.validate(explicit) }

        // A root order: trace = id, no parent.
        var root = RunUpdate(kind: .post, id: runId)
        root.startTime = start
        root.dottedOrder = Self.order(runId)
        let r = try Self.validate(root)
        #expect(r.traceId == runId)
        #expect(r.parentRunId == nil)
    }

    @Test("the dotted order must parse, end with the run id and start with trace_id")
    func orderChecks() {
        var malformed = RunUpdate(kind: .post, id: runId)
        malformed.dottedOrder = "20240501T120000Z" + runId.lowercased
        #expect(failure { _ = try Self.validate(malformed) } == IngestError(.unprocessable,
            "\(context): dotted_order '20240501T120000Z\(runId.lowercased)' is malformed (expected <YYYYMMDDTHHMMSSffffffZ><uuid> segments joined by '.')"))

        var wrongEnd = RunUpdate(kind: .post, id: runId)
        wrongEnd.dottedOrder = Self.order(traceId, parentId)
        #expect(failure { _ = try Self.validate(wrongEnd) }
            == IngestError(.unprocessable, "\(context): dotted_order must end with the run's own id \(runId.lowercased)"))

        var wrongTrace = RunUpdate(kind: .patch, id: runId)
        wrongTrace.traceId = sessionId
        wrongTrace.dottedOrder = Self.order(traceId, runId)
        #expect(failure { _ = try Self.validate(wrongTrace) }
            == IngestError(.unprocessable, "\(context): dotted_order must start with trace_id \(sessionId.lowercased)"))

        var matching = wrongTrace
        matching.traceId = traceId
        #expect(failure { _ = try Self.validate(matching) } == nil)
    }

    @Test("an end before the start is clamped to the start")
    func clamp() throws {
        var u = RunUpdate(kind: .patch, id: runId)
        u.startTime = end
        u.endTime = start
        #expect(try Self.validate(u).endTime == end)
        u.endTime = Timestamp(microseconds: end.microseconds + 1)
        #expect(try Self.validate(u).endTime == Timestamp(microseconds: end.microseconds + 1))
        var onlyEnd = RunUpdate(kind: .patch, id: runId)
        onlyEnd.endTime = start
        #expect(try Self.validate(onlyEnd).endTime == start)
    }
}
