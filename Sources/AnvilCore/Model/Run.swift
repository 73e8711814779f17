import Foundation

/// Whether an update creates a run (`post`) or amends it (`patch`).
public enum RunUpdateKind: UInt8, Sendable, Hashable {
    case post = 1
    case patch = 2
}

/// One post or patch of a run as it came off the wire: every field optional, `nil` meaning
/// "not provided" (patch nulls included). Large payloads stay raw.
public struct RunUpdate: Sendable, Hashable {
    public var kind: RunUpdateKind
    public var id: UUID
    public var traceId: UUID?
    public var parentRunId: UUID?
    public var dottedOrder: String?
    public var name: String?
    public var runType: String?
    public var startTime: Timestamp?
    public var endTime: Timestamp?
    public var sessionId: UUID?
    public var sessionName: String?
    public var inputs: RawJSON?
    public var outputs: RawJSON?
    public var extra: RawJSON?
    public var events: RawJSON?
    public var serialized: RawJSON?
    public var error: String?
    public var tags: [String]?
    public var referenceExampleId: UUID?
    public var attachments: [Attachment]

    public init(kind: RunUpdateKind, id: UUID) {
        self.kind = kind
        self.id = id
        self.attachments = []
    }
}

/// An attachment stored with a run: the blob key it lives under, its name and media type.
public struct Attachment: Sendable, Hashable, Codable {
    public var name: String
    public var mimeType: String
    public var key: String
    public var size: Int

    public init(name: String, mimeType: String, key: String, size: Int) {
        self.name = name
        self.mimeType = mimeType
        self.key = key
        self.size = size
    }
}

public enum RunStatus: String, Sendable, Hashable {
    case success, error, pending
}

/// A run as stored: the merge of every post and patch received for its id, plus derived fields.
///
/// A run that has only seen patches so far (`posted == false`) is kept but not listed until its
/// post arrives.
public struct Run: Sendable, Hashable {
    public var id: UUID
    public var tenantId: UUID
    public var sessionId: UUID?
    public var traceId: UUID?
    public var parentRunId: UUID?
    public var dottedOrder: String?
    public var name: String?
    public var runType: String?
    public var startTime: Timestamp?
    public var endTime: Timestamp?
    public var inputs: RawJSON?
    public var outputs: RawJSON?
    public var extra: RawJSON?
    public var events: RawJSON?
    public var serialized: RawJSON?
    public var error: String?
    public var tags: [String]
    public var referenceExampleId: UUID?
    public var attachments: [Attachment]
    public var posted: Bool

    // Derived on every write (see `Run+Derived.swift`).
    /// The run's own token usage and cost.
    public var usage: RunUsage
    /// Own usage plus every descendant's: what LangSmith reports on a run ("rolled up to the
    /// trace level"). Maintained by the trace store.
    public var rollupUsage: RunUsage
    public var firstTokenTime: Timestamp?
    public var threadId: String?

    public init(id: UUID, tenantId: UUID) {
        self.id = id
        self.tenantId = tenantId
        self.tags = []
        self.attachments = []
        self.posted = false
        self.usage = RunUsage()
        self.rollupUsage = RunUsage()
    }

    public var status: RunStatus {
        if error != nil { return .error }
        return endTime == nil ? .pending : .success
    }

    /// Seconds between start and end, when both are known.
    public var latency: Double? {
        guard let startTime, let endTime else { return nil }
        return Double(endTime.microseconds - startTime.microseconds) / 1_000_000
    }

    public var isRoot: Bool { parentRunId == nil }

    /// Folds an update in. Posts only fill fields that are still empty (a patch that arrived first,
    /// or a redelivered post, keeps its values); patches overwrite with every field they provide.
    /// Applying the same update twice changes nothing, so redelivery is harmless.
    public mutating func apply(_ u: RunUpdate) {
        func merge<T>(_ current: inout T?, _ new: T?) {
            guard let new else { return }
            if u.kind == .patch || current == nil { current = new }
        }
        merge(&traceId, u.traceId)
        merge(&parentRunId, u.parentRunId)
        merge(&dottedOrder, u.dottedOrder)
        merge(&name, u.name)
        merge(&runType, u.runType)
        merge(&startTime, u.startTime)
        merge(&endTime, u.endTime)
        merge(&inputs, u.inputs)
        merge(&outputs, u.outputs)
        merge(&extra, u.extra)
        merge(&events, u.events)
        merge(&serialized, u.serialized)
        merge(&error, u.error)
        merge(&referenceExampleId, u.referenceExampleId)
        // An empty list is "no tags", never "clear the tags": otherwise a patch's `[]` would win or
        // lose against its post's tags depending on which arrived first.
        if let newTags = u.tags, !newTags.isEmpty, u.kind == .patch || tags.isEmpty { tags = newTags }
        for a in u.attachments where !attachments.contains(where: { $0.name == a.name }) {
            attachments.append(a)
        }
        if sessionId == nil, let s = u.sessionId { sessionId = s }
        if u.kind == .post { posted = true }
    }
}

/// Token counts and costs of a run (LangSmith's `prompt_*` / `completion_*` / `total_*`).
public struct RunUsage: Sendable, Hashable {
    public var promptTokens: Int64?
    public var completionTokens: Int64?
    public var totalTokens: Int64?
    public var promptCost: Double?
    public var completionCost: Double?
    public var totalCost: Double?
    public var promptTokenDetails: JSONValue?
    public var completionTokenDetails: JSONValue?
    public var promptCostDetails: JSONValue?
    public var completionCostDetails: JSONValue?

    public init() {}

    public var isEmpty: Bool { self == RunUsage() }
}

extension Run {
    /// Fills `trace_id` and `dotted_order` for a child posted without them (`AsyncClient.create_run`
    /// sends neither) from its parent; without the parent, the parent id stands in for the trace.
    public mutating func inheritLineage(from parent: Run?) {
        guard let parentId = parentRunId, traceId == nil || dottedOrder == nil, let start = startTime else { return }
        if let parent, let parentOrder = parent.dottedOrder.flatMap(DottedOrder.init) {
            traceId = traceId ?? parent.traceId
            dottedOrder = dottedOrder ?? parentOrder.child(id: id, start: start).string
        } else {
            traceId = traceId ?? parentId
            dottedOrder = dottedOrder ?? DottedOrder(segments: [
                .init(time: start, id: parentId), .init(time: start, id: id),
            ]).string
        }
    }

    /// Ids of the run's ancestors from its dotted order, root first.
    public var ancestorIds: [UUID] {
        dottedOrder.flatMap(DottedOrder.init)?.ancestorIds ?? []
    }
}

public enum Percentile {
    /// Nearest-rank percentile: the index (0-based) of the ⌈p·n⌉-th smallest of `count` values.
    /// Shared by every backend so their numbers agree.
    public static func index(_ p: Double, count: Int) -> Int {
        max(0, min(count - 1, Int((Double(count) * p).rounded(.up)) - 1))
    }
}
