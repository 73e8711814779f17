import Foundation
import Testing
@testable import AnvilCore

private let tenant = UUID(uuidString: "7e000000-0000-4000-8000-000000000001")!
private let runId = UUID(uuidString: "00000000-0000-4000-8000-0000000000aa")!
private let parentId = UUID(uuidString: "00000000-0000-4000-8000-0000000000bb")!
private let traceId = UUID(uuidString: "00000000-0000-4000-8000-0000000000cc")!
private let otherId = UUID(uuidString: "00000000-0000-4000-8000-0000000000dd")!
private let projectA = UUID(uuidString: "00000000-0000-4000-8000-00000000a001")!
private let projectB = UUID(uuidString: "00000000-0000-4000-8000-00000000b001")!
/// The two ids the per-field merge tests alternate between.
private let variantIds = [traceId, otherId]

private func raw(_ text: String) -> RawJSON {
    do {
        return try RawJSON(validating: Array(text.utf8))
    } catch {
        preconditionFailure("invalid JSON in a test: \(text)")
    }
}

private func t(_ micros: Int64) -> Timestamp { Timestamp(microseconds: micros) }

private func update(_ kind: RunUpdateKind, _ body: (inout RunUpdate) -> Void = { _ in }) -> RunUpdate {
    var u = RunUpdate(kind: kind, id: runId)
    body(&u)
    return u
}

private func merged(_ updates: [RunUpdate]) -> Run {
    var run = Run(id: runId, tenantId: tenant)
    for u in updates { run.apply(u) }
    return run
}

private func attachment(_ name: String, key: String, size: Int = 1) -> AnvilCore.Attachment {
    Attachment(name: name, mimeType: "image/png", key: key, size: size)
}

/// A post providing every field.
private let fullPost = update(.post) {
    $0.traceId = traceId
    $0.parentRunId = parentId
    $0.dottedOrder = "20240501T120000000000Z\(traceId.lowercased).20240501T120000000000Z\(runId.lowercased)"
    $0.name = "agent"
    $0.runType = "chain"
    $0.startTime = t(100)
    $0.endTime = t(200)
    $0.sessionId = projectA
    $0.sessionName = "proj"
    $0.inputs = raw(#"{"q":"hi"}"#)
    $0.outputs = raw(#"{"a":"yo"}"#)
    $0.extra = raw(#"{"metadata":{"k":"v"}}"#)
    $0.events = raw("[]")
    $0.serialized = raw(#"{"name":"Agent"}"#)
    $0.error = "boom"
    $0.tags = ["x", "y"]
    $0.referenceExampleId = otherId
    $0.attachments = [attachment("img", key: "k1")]
}

@Suite("Run.apply: merging posts and patches")
struct RunApplyTests {
    @Test("a post fills every field of an empty run and marks it posted")
    func postFills() {
        let run = merged([fullPost])
        #expect(run.id == runId)
        #expect(run.tenantId == tenant)
        #expect(run.traceId == traceId)
        #expect(run.parentRunId == parentId)
        #expect(run.dottedOrder == fullPost.dottedOrder)
        #expect(run.name == "agent")
        #expect(run.runType == "chain")
        #expect(run.startTime == t(100))
        #expect(run.endTime == t(200))
        #expect(run.sessionId == projectA)
        #expect(run.inputs == raw(#"{"q":"hi"}"#))
        #expect(run.outputs == raw(#"{"a":"yo"}"#))
        #expect(run.extra == raw(#"{"metadata":{"k":"v"}}"#))
        #expect(run.events == raw("[]"))
        #expect(run.serialized == raw(#"{"name":"Agent"}"#))
        #expect(run.error == "boom")
        #expect(run.tags == ["x", "y"])
        #expect(run.referenceExampleId == otherId)
        #expect(run.attachments == [attachment("img", key: "k1")])
        #expect(run.posted)
        #expect(run.status == .error)
        #expect(run.latency == 0.0001)
        #expect(!run.isRoot)
    }

    @Test("a post only fills fields that are still empty")
    func postKeepsExisting() {
        let first = update(.patch) {
            $0.name = "patched"
            $0.endTime = t(300)
            $0.tags = ["p"]
        }
        let run = merged([first, fullPost])
        #expect(run.name == "patched")
        #expect(run.endTime == t(300))
        #expect(run.tags == ["p"])
        #expect(run.runType == "chain")  // empty before the post
        #expect(run.inputs == raw(#"{"q":"hi"}"#))
        #expect(run.posted)
    }

    @Test("a patch overwrites every field it provides and leaves the rest")
    func patchOverwrites() {
        let patch = update(.patch) {
            $0.endTime = t(500)
            $0.outputs = raw(#"{"a":"final"}"#)
            $0.error = "late failure"
            $0.tags = ["z"]
            $0.name = "renamed"
        }
        let run = merged([fullPost, patch])
        #expect(run.endTime == t(500))
        #expect(run.outputs == raw(#"{"a":"final"}"#))
        #expect(run.error == "late failure")
        #expect(run.tags == ["z"])
        #expect(run.name == "renamed")
        // Not provided (nil) means unchanged, never cleared.
        #expect(run.inputs == raw(#"{"q":"hi"}"#))
        #expect(run.startTime == t(100))
        #expect(run.extra == raw(#"{"metadata":{"k":"v"}}"#))
        #expect(run.referenceExampleId == otherId)
        #expect(run.runType == "chain")
        #expect(run.posted)
    }

    @Test("an empty patch changes nothing")
    func emptyPatch() {
        #expect(merged([fullPost, update(.patch)]) == merged([fullPost]))
    }

    @Test("a run seen only through patches is not posted")
    func patchOnly() {
        let run = merged([update(.patch) { $0.endTime = t(1) }])
        #expect(!run.posted)
        #expect(run.endTime == t(1))
        #expect(run.status == .success)  // status follows end_time and error, not the post
        #expect(merged([]).status == .pending)
    }

    @Test("tags: a post fills only when empty, a patch replaces, an empty list is not provided")
    func tags() {
        #expect(merged([update(.post) { $0.tags = ["a"] }, update(.post) { $0.tags = ["b"] }]).tags == ["a"])
        #expect(merged([update(.post) { $0.tags = ["a"] }, update(.patch) { $0.tags = ["b", "c"] }]).tags == ["b", "c"])
        #expect(merged([update(.patch) { $0.tags = ["b"] }, update(.post) { $0.tags = ["a"] }]).tags == ["b"])
        #expect(merged([update(.post) { $0.tags = ["a"] }, update(.patch) { $0.tags = nil }]).tags == ["a"])
        #expect(merged([update(.post) { $0.tags = ["a"] }, update(.patch) { $0.tags = [] }]).tags == ["a"])
        #expect(merged([update(.patch) { $0.tags = [] }, update(.post) { $0.tags = ["a"] }]).tags == ["a"])
    }

    @Test("attachments are deduplicated by name, first one kept")
    func attachments() {
        let post = update(.post) { $0.attachments = [attachment("img", key: "k1", size: 1)] }
        let patch = update(.patch) {
            $0.attachments = [attachment("img", key: "k2", size: 2), attachment("doc", key: "k3")]
        }
        let run = merged([post, patch, patch, post])
        #expect(run.attachments == [attachment("img", key: "k1", size: 1), attachment("doc", key: "k3")])
    }

    @Test("the project is set once: the first update that names one wins")
    func session() {
        let post = update(.post) { $0.sessionId = projectA }
        let patch = update(.patch) { $0.sessionId = projectB }
        #expect(merged([post, patch]).sessionId == projectA)
        #expect(merged([update(.patch), post]).sessionId == projectA)
        #expect(merged([update(.post)]).sessionId == nil)
    }

    /// One settable field of a run, for the per-field merge properties.
    enum Field: String, CaseIterable, Sendable {
        case traceId, parentRunId, dottedOrder, name, runType, startTime, endTime
        case inputs, outputs, extra, events, serialized, error, tags, referenceExampleId

        func set(_ u: inout RunUpdate, variant: Int) {
            let id = variantIds[variant]
            switch self {
            case .traceId: u.traceId = id
            case .parentRunId: u.parentRunId = id
            case .dottedOrder: u.dottedOrder = "order-\(variant)"
            case .name: u.name = "name-\(variant)"
            case .runType: u.runType = variant == 0 ? "chain" : "llm"
            case .startTime: u.startTime = t(Int64(variant) + 10)
            case .endTime: u.endTime = t(Int64(variant) + 20)
            case .inputs: u.inputs = raw(#"{"v":\#(variant)}"#)
            case .outputs: u.outputs = raw(#"{"v":\#(variant)}"#)
            case .extra: u.extra = raw(#"{"v":\#(variant)}"#)
            case .events: u.events = raw("[\(variant)]")
            case .serialized: u.serialized = raw(#"{"v":\#(variant)}"#)
            case .error: u.error = "error-\(variant)"
            case .tags: u.tags = ["tag-\(variant)"]
            case .referenceExampleId: u.referenceExampleId = id
            }
        }

        /// The field's value in a run, type-erased for comparison.
        func get(_ r: Run) -> AnyHashable? {
            switch self {
            case .traceId: r.traceId
            case .parentRunId: r.parentRunId
            case .dottedOrder: r.dottedOrder
            case .name: r.name
            case .runType: r.runType
            case .startTime: r.startTime
            case .endTime: r.endTime
            case .inputs: r.inputs
            case .outputs: r.outputs
            case .extra: r.extra
            case .events: r.events
            case .serialized: r.serialized
            case .error: r.error
            case .tags: r.tags.isEmpty ? nil : AnyHashable(r.tags)
            case .referenceExampleId: r.referenceExampleId
            }
        }

        func expected(variant: Int) -> AnyHashable {
            var u = RunUpdate(kind: .patch, id: runId)
            set(&u, variant: variant)
            return get(merged([u]))!
        }
    }

    @Test("post and patch of the same field commute: the patch wins in both orders", arguments: Field.allCases)
    func commutes(_ field: Field) {
        let post = update(.post) { field.set(&$0, variant: 0) }
        let patch = update(.patch) { field.set(&$0, variant: 1) }
        let postFirst = merged([post, patch])
        let patchFirst = merged([patch, post])
        #expect(field.get(postFirst) == field.expected(variant: 1))
        #expect(field.get(patchFirst) == field.expected(variant: 1))
        #expect(postFirst == patchFirst)
    }

    @Test("a post fills a field the patch left out, in both orders", arguments: Field.allCases)
    func postFillsGaps(_ field: Field) {
        let post = update(.post) { field.set(&$0, variant: 0) }
        let patch = update(.patch) { $0.name = field == .name ? nil : "patched" }
        #expect(field.get(merged([post, patch])) == field.expected(variant: 0))
        #expect(field.get(merged([patch, post])) == field.expected(variant: 0))
    }

    /// A random post or patch of `runId`: each field present with probability ½, from two variants.
    static func randomUpdate(_ kind: RunUpdateKind, _ rng: inout SplitMix64) -> RunUpdate {
        var u = RunUpdate(kind: kind, id: runId)
        for field in Field.allCases where Bool.random(using: &rng) {
            field.set(&u, variant: Int.random(in: 0...1, using: &rng))
        }
        if Bool.random(using: &rng) { u.tags = [] }
        if Bool.random(using: &rng) { u.attachments = [attachment("a", key: "k")] }
        if kind == .post && Bool.random(using: &rng) { u.sessionId = projectA }
        return u
    }

    @Test("redelivery and reordering of one post and one patch never change the result")
    func redelivery() {
        var rng = SplitMix64(seed: 7)
        for iteration in 0..<500 {
            let post = Self.randomUpdate(.post, &rng)
            let patch = Self.randomUpdate(.patch, &rng)
            let reference = merged([post, patch])
            let deliveries: [[RunUpdate]] = [
                [patch, post], [post, patch, post], [patch, post, patch], [post, post, patch, patch],
                [patch, patch, post, post], [post, patch, patch, post, post],
            ]
            for (k, order) in deliveries.enumerated() {
                #expect(merged(order) == reference, "iteration \(iteration), delivery \(k)")
            }
            // Applying an update twice in a row is the same as once.
            var once = Run(id: runId, tenantId: tenant)
            once.apply(post)
            var twice = once
            twice.apply(post)
            #expect(once == twice, "iteration \(iteration)")
        }
    }
}

@Suite("Run.inheritLineage")
struct RunLineageTests {
    static let parentOrder = "20240501T120000000000Z\(traceId.lowercased).20240501T120001000000Z\(parentId.lowercased)"

    static func child(trace: UUID? = nil, order: String? = nil, parent: UUID? = parentId, start: Timestamp? = t(1_714_564_802_000_000)) -> Run {
        var run = Run(id: runId, tenantId: tenant)
        run.parentRunId = parent
        run.traceId = trace
        run.dottedOrder = order
        run.startTime = start
        return run
    }

    static var parent: Run {
        var p = Run(id: parentId, tenantId: tenant)
        p.traceId = traceId
        p.dottedOrder = parentOrder
        return p
    }

    @Test("from a known parent: its trace id and its order plus a segment")
    func fromParent() {
        var run = Self.child()
        run.inheritLineage(from: Self.parent)
        #expect(run.traceId == traceId)
        #expect(run.dottedOrder == Self.parentOrder + ".20240501T120002000000Z\(runId.lowercased)")
        #expect(run.ancestorIds == [traceId, parentId])
    }

    @Test("without the parent: the parent stands in for the trace")
    func withoutParent() {
        var run = Self.child()
        run.inheritLineage(from: nil)
        #expect(run.traceId == parentId)
        #expect(run.dottedOrder == "20240501T120002000000Z\(parentId.lowercased).20240501T120002000000Z\(runId.lowercased)")
        #expect(run.ancestorIds == [parentId])
    }

    @Test("a parent whose own order is missing or malformed counts as unknown")
    func parentWithoutOrder() {
        var parent = Self.parent
        parent.dottedOrder = "nonsense"
        var run = Self.child()
        run.inheritLineage(from: parent)
        #expect(run.traceId == parentId)
        #expect(run.dottedOrder == "20240501T120002000000Z\(parentId.lowercased).20240501T120002000000Z\(runId.lowercased)")
    }

    @Test("only the missing half is filled")
    func partial() {
        var withTrace = Self.child(trace: otherId)
        withTrace.inheritLineage(from: Self.parent)
        #expect(withTrace.traceId == otherId)
        #expect(withTrace.dottedOrder == Self.parentOrder + ".20240501T120002000000Z\(runId.lowercased)")

        var withOrder = Self.child(order: "given")
        withOrder.inheritLineage(from: Self.parent)
        #expect(withOrder.traceId == traceId)
        #expect(withOrder.dottedOrder == "given")
    }

    @Test("nothing changes for roots, complete runs, or runs without a start time")
    func unchanged() {
        for var run in [
            Self.child(parent: nil), Self.child(trace: otherId, order: "given"), Self.child(start: nil),
        ] {
            let before = run
            run.inheritLineage(from: Self.parent)
            #expect(run == before)
        }
    }

    @Test("ancestorIds is empty without a parseable order")
    func ancestors() {
        #expect(Self.child().ancestorIds == [])
        #expect(Self.child(order: "junk").ancestorIds == [])
    }
}

@Suite("Run.recomputeDerived")
struct RunDerivedTests {
    static func run(extra: String? = nil, outputs: String? = nil, events: String? = nil) -> Run {
        var r = Run(id: runId, tenantId: tenant)
        r.extra = extra.map(raw)
        r.outputs = outputs.map(raw)
        r.events = events.map(raw)
        r.recomputeDerived()
        return r
    }

    static func usage(
        _ prompt: Int64?, _ completion: Int64?, _ total: Int64?, costs: (Double?, Double?, Double?) = (nil, nil, nil),
        details: (JSONValue?, JSONValue?, JSONValue?, JSONValue?) = (nil, nil, nil, nil)
    ) -> RunUsage {
        var u = RunUsage()
        u.promptTokens = prompt
        u.completionTokens = completion
        u.totalTokens = total
        (u.promptCost, u.completionCost, u.totalCost) = costs
        (u.promptTokenDetails, u.completionTokenDetails, u.promptCostDetails, u.completionCostDetails) = details
        return u
    }

    @Test("usage from extra.metadata.usage_metadata, with costs as numbers or decimal strings and details")
    func metadataUsage() {
        let r = Self.run(extra: #"""
            {"metadata": {"usage_metadata": {
                "input_tokens": 10, "output_tokens": 5, "total_tokens": 15,
                "input_cost": 0.001, "output_cost": "0.002", "total_cost": "0.003",
                "input_token_details": {"cache_read": 2, "audio": 0},
                "output_token_details": {"reasoning": 1},
                "input_cost_details": {"cache_read": 0.0001},
                "output_cost_details": null
            }}}
            """#)
        #expect(r.usage == Self.usage(
            10, 5, 15, costs: (0.001, 0.002, 0.003),
            details: (["cache_read": 2, "audio": 0], ["reasoning": 1], ["cache_read": 0.0001], nil)))
    }

    @Test("metadata usage wins over outputs")
    func precedence() {
        let r = Self.run(
            extra: #"{"metadata": {"usage_metadata": {"input_tokens": 1, "output_tokens": 2}}}"#,
            outputs: #"{"usage_metadata": {"input_tokens": 100, "output_tokens": 200}}"#)
        #expect(r.usage == Self.usage(1, 2, 3))
    }

    @Test("usage from outputs.usage_metadata when metadata has none")
    func outputsUsage() {
        let r = Self.run(
            extra: #"{"metadata": {"usage_metadata": null, "other": 1}}"#,
            outputs: #"{"answer": "x", "usage_metadata": {"input_tokens": 7, "output_tokens": 3, "input_cost": 0.5, "output_cost": 0.25}}"#)
        #expect(r.usage == Self.usage(7, 3, 10, costs: (0.5, 0.25, 0.75)))
    }

    @Test("a non-object usage_metadata is ignored")
    func nonObjectUsage() {
        let r = Self.run(
            extra: #"{"metadata": {"usage_metadata": "lots"}}"#,
            outputs: #"{"usage_metadata": [1, 2], "llm_output": {"token_usage": {"prompt_tokens": 4, "completion_tokens": 6}}}"#)
        #expect(r.usage == Self.usage(4, 6, 10))
    }

    @Test("usage summed over every generation of a LangChain LLMResult")
    func generations() {
        let r = Self.run(outputs: #"""
            {"generations": [
                [{"text": "a", "message": {"lc": 1, "type": "constructor", "kwargs": {"content": "a",
                    "usage_metadata": {"input_tokens": 10, "output_tokens": 2, "total_tokens": 12,
                                       "input_token_details": {"cache_read": 4}}}}},
                 {"text": "b", "message": {"kwargs": {"content": "b",
                    "usage_metadata": {"input_tokens": 5, "output_tokens": 1, "total_tokens": 6,
                                       "input_token_details": {"cache_read": 1, "audio": 3}}}}}],
                [{"text": "no usage", "message": {"kwargs": {"content": "c"}}}],
                [{"text": "c", "message": {"kwargs": {"usage_metadata": {"input_tokens": 1, "output_tokens": 1}}}}]
            ],
            "llm_output": {"token_usage": {"prompt_tokens": 999, "completion_tokens": 999}}}
            """#)
        #expect(r.usage == Self.usage(16, 4, 20, details: (["cache_read": 5, "audio": 3], nil, nil, nil)))
    }

    @Test("generations without usage fall through to llm_output.token_usage")
    func tokenUsage() {
        let r = Self.run(outputs: #"""
            {"generations": [[{"text": "a"}]],
             "llm_output": {"token_usage": {"prompt_tokens": 20, "completion_tokens": 30, "total_tokens": 55}}}
            """#)
        #expect(r.usage == Self.usage(20, 30, 55))
        let noTotal = Self.run(outputs: #"{"llm_output": {"token_usage": {"prompt_tokens": 20}}}"#)
        #expect(noTotal.usage == Self.usage(20, nil, 20))
    }

    @Test("no usage anywhere gives empty usage")
    func none() {
        #expect(Self.run().usage.isEmpty)
        #expect(Self.run(extra: #"{"metadata": {}}"#, outputs: #"{"text": "hi"}"#).usage.isEmpty)
        #expect(Self.run(outputs: #"{"llm_output": null, "generations": "x"}"#).usage.isEmpty)
    }

    @Test("totals are filled only when missing")
    func totals() {
        let onlyPrompt = Self.run(extra: #"{"metadata": {"usage_metadata": {"input_tokens": 4, "input_cost": "0.5"}}}"#)
        #expect(onlyPrompt.usage == Self.usage(4, nil, 4, costs: (0.5, nil, 0.5)))
        let given = Self.run(extra: #"{"metadata": {"usage_metadata": {"input_tokens": 4, "output_tokens": 1, "total_tokens": 9, "total_cost": 2}}}"#)
        #expect(given.usage == Self.usage(4, 1, 9, costs: (nil, nil, 2)))
        let whole = Self.run(extra: #"{"metadata": {"usage_metadata": {"input_tokens": 4.0, "output_tokens": 1.5}}}"#)
        #expect(whole.usage == Self.usage(4, nil, 4))
        let bad = Self.run(extra: #"{"metadata": {"usage_metadata": {"input_cost": "cheap"}}}"#)
        #expect(bad.usage == Self.usage(nil, nil, nil))
    }

    @Test("thread id from session_id, thread_id or conversation_id", arguments: [
        (#"{"metadata": {"session_id": "s1", "thread_id": "t1", "conversation_id": "c1"}}"#, "s1" as String?),
        (#"{"metadata": {"thread_id": "t1", "conversation_id": "c1"}}"#, "t1"),
        (#"{"metadata": {"conversation_id": "c1"}}"#, "c1"),
        (#"{"metadata": {"session_id": "", "thread_id": "t1"}}"#, "t1"),
        (#"{"metadata": {"session_id": null, "conversation_id": "c1"}}"#, "c1"),
        (#"{"metadata": {"thread_id": 42}}"#, "42"),
        (#"{"metadata": {"thread_id": -7}}"#, "-7"),
        (#"{"metadata": {"thread_id": 4.5, "conversation_id": true}}"#, nil),
        (#"{"metadata": {"thread_id": {"id": "x"}}}"#, nil),
        (#"{"thread_id": "top-level is not metadata"}"#, nil),
        (#"{"metadata": "str"}"#, nil),
    ])
    func threadId(_ extra: String, _ expected: String?) {
        #expect(Self.run(extra: extra).threadId == expected)
    }

    @Test("first token time from the first new_token event with a valid time")
    func firstToken() {
        let r = Self.run(events: #"""
            [{"name": "start", "time": "2024-05-01T12:00:00Z"},
             {"name": "new_token", "time": "not a time"},
             {"name": "new_token", "time": "2024-05-01T12:00:01.250000+00:00", "kwargs": {"token": "Hi"}},
             {"name": "new_token", "time": "2024-05-01T12:00:02Z"}]
            """#)
        #expect(r.firstTokenTime == Timestamp(microseconds: 1_714_564_801_250_000))
        #expect(Self.run(events: #"[{"name": "start", "time": "2024-05-01T12:00:00Z"}]"#).firstTokenTime == nil)
        #expect(Self.run(events: "[]").firstTokenTime == nil)
        #expect(Self.run(events: #"{"name": "new_token", "time": "2024-05-01T12:00:00Z"}"#).firstTokenTime == nil)
        #expect(Self.run(events: #"[{"name": "new_token"}]"#).firstTokenTime == nil)
        #expect(Self.run().firstTokenTime == nil)
    }

    @Test("recomputing replaces stale derived values")
    func replaces() {
        var r = Self.run(
            extra: #"{"metadata": {"thread_id": "t", "usage_metadata": {"input_tokens": 1}}}"#,
            events: #"[{"name": "new_token", "time": "2024-05-01T12:00:00Z"}]"#)
        #expect(r.threadId == "t")
        r.extra = raw("{}")
        r.events = raw("[]")
        r.recomputeDerived()
        #expect(r.threadId == nil)
        #expect(r.usage.isEmpty)
        #expect(r.firstTokenTime == nil)
    }
}

@Suite("RunUsage.adding, FeedbackStats.aggregate, Percentile.index")
struct RunAggregateTests {
    @Test("adding sums field-wise; nil + nil stays nil")
    func adding() {
        var a = RunUsage()
        a.promptTokens = 3
        a.promptCost = 0.5
        a.promptTokenDetails = ["cache_read": 1, "audio": 2.5, "label": "x"]
        a.completionCostDetails = "not an object"
        var b = RunUsage()
        b.promptTokens = 4
        b.completionTokens = 6
        b.promptCost = 0.25
        b.promptTokenDetails = ["cache_read": 2, "audio": 1, "new": 7, "label": "y"]
        b.completionTokenDetails = ["reasoning": 5]
        b.completionCostDetails = ["x": 1]
        let sum = a.adding(b)
        #expect(sum.promptTokens == 7)
        #expect(sum.completionTokens == 6)
        #expect(sum.totalTokens == nil)
        #expect(sum.promptCost == 0.75)
        #expect(sum.completionCost == nil)
        #expect(sum.totalCost == nil)
        #expect(sum.promptTokenDetails == ["cache_read": 3, "audio": 3.5, "new": 7, "label": "x"])
        #expect(sum.completionTokenDetails == ["reasoning": 5])
        #expect(sum.promptCostDetails == nil)
        #expect(sum.completionCostDetails == "not an object")
        #expect(RunUsage().adding(RunUsage()) == RunUsage())
        #expect(RunUsage().adding(RunUsage()).isEmpty)
        #expect(RunUsage().adding(b) == b)
        #expect(b.adding(RunUsage()) == b)
        #expect(!b.isEmpty)
    }

    static func feedback(_ key: String, score: JSONValue? = nil, value: JSONValue? = nil, comment: String? = nil, error: Bool? = nil) -> Feedback {
        var f = Feedback(tenantId: tenant, key: key, createdAt: Timestamp(microseconds: 0))
        f.runId = runId
        f.score = score
        f.value = value
        f.comment = comment
        f.error = error
        return f
    }

    @Test("aggregate: count, mean, population stdev, errors, value counts and comments per key")
    func aggregate() throws {
        let rows = [2, 4, 4, 4, 5, 5, 7, 9].map { Self.feedback("score", score: .int($0)) }
            + [
                Self.feedback("label", value: "good", comment: "nice"),
                Self.feedback("label", value: "good", error: true),
                Self.feedback("label", score: true, value: "bad", comment: "meh", error: false),
                Self.feedback("label", score: false, value: 3),
                Self.feedback("label", score: 0.5),
            ]
        let stats = FeedbackStats.aggregate(rows)
        #expect(Set(stats.keys) == ["score", "label"])
        let score = try #require(stats["score"])
        #expect(score.n == 8)
        #expect(score.avg == 5)
        #expect(score.stdev == 2)
        #expect(score.errors == 0)
        #expect(score.values == [:])
        #expect(score.comments == [])
        let label = try #require(stats["label"])
        #expect(label.n == 5)
        #expect(label.avg == 0.5)  // (1 + 0 + 0.5) / 3: booleans count as 1/0, rows without a score are skipped
        #expect(label.stdev == (1.0 / 6).squareRoot())
        #expect(label.errors == 1)
        #expect(label.values == ["good": 2, "bad": 1])
        #expect(label.comments == ["nice", "meh"])
        #expect(FeedbackStats.aggregate([]).isEmpty)
    }

    @Test("a key without numeric scores has no mean")
    func noScores() throws {
        let stats = try #require(FeedbackStats.aggregate([Self.feedback("k", value: "v")])["k"])
        #expect(stats.n == 1)
        #expect(stats.avg == nil)
        #expect(stats.stdev == nil)
    }

    @Test("percentile index: nearest rank, the ⌈p·n⌉-th smallest value, clamped", arguments: [
        (0.5, 10, 4), (0.75, 10, 7), (0.99, 10, 9), (0.99, 50, 49), (0.99, 100, 98), (0.99, 1000, 989), (0.5, 2, 0),
        (0.5, 3, 1), (0, 5, 0), (1, 5, 4), (1.5, 5, 4), (-1, 5, 0), (0.5, 1, 0), (0.99, 1, 0), (0.5, 0, 0),
    ] as [(Double, Int, Int)])
    func percentile(_ p: Double, _ count: Int, _ expected: Int) {
        #expect(Percentile.index(p, count: count) == expected)
    }
}
