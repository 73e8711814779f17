import AnvilCore
import Foundation

/// Builds `RunUpdate`s the way the SDKs send them: a root or a child with `trace_id` and
/// `dotted_order` computed from its parent, plus chainable setters for the payloads.
///
/// ```swift
/// let root = RunBuilder.root(name: "agent", start: Fixtures.time(0)).ended(at: Fixtures.time(2))
/// let llm = RunBuilder.child(of: root, name: "ChatOpenAI", runType: "llm", start: Fixtures.time(1))
/// try await store.write(runs: [root.post, llm.post], feedback: [], tenantId: tenant)
/// ```
public struct RunBuilder: Sendable, Hashable {
    /// The post this builder describes.
    public private(set) var post: RunUpdate

    public var id: UUID { post.id }
    public var traceId: UUID { post.traceId ?? post.id }
    public var dottedOrder: String { post.dottedOrder ?? "" }
    public var startTime: Timestamp { post.startTime ?? Fixtures.epoch }
    public var sessionId: UUID? { post.sessionId }

    private init(post: RunUpdate) { self.post = post }

    /// A root run (its own trace): `trace_id` is its id, `dotted_order` one segment.
    public static func root(
        name: String, runType: String = "chain", start: Timestamp = Fixtures.epoch, id: UUID = UUID(),
        sessionId: UUID? = nil
    ) -> RunBuilder {
        var u = RunUpdate(kind: .post, id: id)
        u.name = name
        u.runType = runType
        u.startTime = start
        u.sessionId = sessionId
        u.traceId = id
        u.dottedOrder = DottedOrder.root(id: id, start: start).string
        return RunBuilder(post: u)
    }

    /// A child of `parent` in the same trace and project; `start` defaults to the parent's.
    public static func child(
        of parent: RunBuilder, name: String, runType: String = "chain", start: Timestamp? = nil, id: UUID = UUID()
    ) -> RunBuilder {
        let start = start ?? parent.startTime
        var u = RunUpdate(kind: .post, id: id)
        u.name = name
        u.runType = runType
        u.startTime = start
        u.sessionId = parent.sessionId
        u.parentRunId = parent.id
        u.traceId = parent.traceId
        let parentOrder = DottedOrder(parent.dottedOrder) ?? DottedOrder.root(id: parent.id, start: parent.startTime)
        u.dottedOrder = parentOrder.child(id: id, start: start).string
        return RunBuilder(post: u)
    }

    /// Any other change to the post.
    public func with(_ body: (inout RunUpdate) -> Void) -> RunBuilder {
        var copy = self
        body(&copy.post)
        return copy
    }

    public func ended(at time: Timestamp) -> RunBuilder { with { $0.endTime = time } }
    /// Ends `seconds` after the start.
    public func lasting(_ seconds: Double) -> RunBuilder {
        let start = startTime
        return with { $0.endTime = Timestamp(microseconds: start.microseconds + Int64((seconds * 1_000_000).rounded())) }
    }
    public func tags(_ tags: String...) -> RunBuilder { with { $0.tags = tags } }
    public func error(_ text: String) -> RunBuilder { with { $0.error = text } }
    public func session(_ id: UUID?) -> RunBuilder { with { $0.sessionId = id } }
    public func referenceExample(_ id: UUID?) -> RunBuilder { with { $0.referenceExampleId = id } }
    public func inputs(_ value: JSONValue) -> RunBuilder { with { $0.inputs = RawJSON(value) } }
    /// Inputs from JSON text, kept byte for byte (key order and escapes as written).
    public func inputs(json: String) -> RunBuilder { with { $0.inputs = Fixtures.raw(json) } }
    public func outputs(_ value: JSONValue) -> RunBuilder { with { $0.outputs = RawJSON(value) } }
    public func outputs(json: String) -> RunBuilder { with { $0.outputs = Fixtures.raw(json) } }
    /// `extra` = `{"metadata": value}`, where the SDKs put run metadata.
    public func metadata(_ value: JSONValue) -> RunBuilder { with { $0.extra = RawJSON(.object(["metadata": value])) } }
    /// `extra` from JSON text, kept byte for byte.
    public func extra(json: String) -> RunBuilder { with { $0.extra = Fixtures.raw(json) } }
    public func events(_ value: JSONValue) -> RunBuilder { with { $0.events = RawJSON(value) } }
    /// `events` with one `new_token` event at `time` (what streaming LLM runs send).
    public func firstToken(at time: Timestamp) -> RunBuilder {
        events([["name": "start", "time": .string(startTime.iso8601)], ["name": "new_token", "time": .string(time.iso8601), "kwargs": ["token": "Hi"]]])
    }
    /// Drops `trace_id` and `dotted_order`, as `AsyncClient.create_run` sends children.
    public func withoutLineage() -> RunBuilder { with { $0.traceId = nil; $0.dottedOrder = nil } }

    /// A patch of this run carrying only what `body` sets.
    public func patch(_ body: (inout RunUpdate) -> Void = { _ in }) -> RunUpdate {
        var u = RunUpdate(kind: .patch, id: id)
        body(&u)
        return u
    }

    /// The patch the SDKs send when a run ends: end time, outputs and error as built here.
    public var endPatch: RunUpdate {
        patch {
            $0.endTime = post.endTime
            $0.outputs = post.outputs
            $0.error = post.error
        }
    }

    /// The post without its end-of-run fields (what the SDKs send when the run starts).
    public var startPost: RunUpdate {
        var u = post
        u.endTime = nil
        u.outputs = nil
        u.error = nil
        return u
    }
}
