import Foundation

/// Lineage repair for runs whose parent arrives late, or never.
///
/// A child posted without `trace_id`/`dotted_order` whose parent is not stored yet gets a
/// provisional lineage (``Run/inheritLineage(from:)``: the parent id stands in for the trace) and
/// is recorded as awaiting that parent. When the parent is written, the child is adopted: its trace
/// and dotted order are rebuilt under the parent's, and its whole subtree is rebased. A child whose
/// parent has not arrived within the orphan grace period is promoted to a root of its own trace and
/// marked in `extra.metadata` (``orphanMetadataKey``, ``orphanParentMetadataKey``); if the parent
/// arrives after all, it is adopted the same way and the mark removed. Every step is idempotent.
extension Run {
    public static let orphanMetadataKey = "anvil_orphan"
    public static let orphanParentMetadataKey = "anvil_orphan_parent_run_id"

    /// This run's own dotted-order segment.
    var ownSegment: DottedOrder.Segment? {
        if let last = dottedOrder.flatMap(DottedOrder.init)?.segments.last, last.id == id { return last }
        return startTime.map { DottedOrder.Segment(time: $0, id: id) }
    }

    /// Re-roots this run under `parent` (whose lineage is known). Returns the old trace id and
    /// dotted order, whose subtree the caller rebases with ``rebased(fromTrace:order:toTrace:order:)``.
    public mutating func adopt(under parent: Run) -> (trace: UUID?, order: String?)? {
        guard let parentOrder = parent.dottedOrder.flatMap(DottedOrder.init), let segment = ownSegment else { return nil }
        let old = (traceId, dottedOrder)
        parentRunId = parent.id
        traceId = parent.traceId ?? parentOrder.traceId
        dottedOrder = DottedOrder(segments: parentOrder.segments + [segment]).string
        setOrphanMark(missingParent: nil)
        return old
    }

    /// Makes this run the root of its own trace, marked as an orphan of `missingParent`.
    public mutating func promoteToRoot(missingParent: UUID) -> (trace: UUID?, order: String?)? {
        guard let segment = ownSegment else { return nil }
        let old = (traceId, dottedOrder)
        parentRunId = nil
        traceId = id
        dottedOrder = DottedOrder(segments: [segment]).string
        setOrphanMark(missingParent: missingParent)
        return old
    }

    /// Sets (or, with nil, removes) the orphan mark in `extra.metadata`.
    mutating func setOrphanMark(missingParent: UUID?) {
        var root = (try? extra?.parsed())?.objectValue ?? [:]
        var metadata = root["metadata"]?.objectValue ?? [:]
        if let missingParent {
            metadata[Self.orphanMetadataKey] = .bool(true)
            metadata[Self.orphanParentMetadataKey] = .string(missingParent.lowercased)
        } else {
            guard metadata[Self.orphanMetadataKey] != nil else { return }
            metadata[Self.orphanMetadataKey] = nil
            metadata[Self.orphanParentMetadataKey] = nil
        }
        root["metadata"] = .object(metadata)
        extra = RawJSON(.object(root))
        recomputeDerived()
    }

    /// A descendant's lineage after its ancestor moved from (`oldTrace`, `oldOrder`) to
    /// (`newTrace`, `newOrder`); nil when this run is not in that subtree.
    public func rebased(fromTrace oldTrace: UUID?, order oldOrder: String, toTrace newTrace: UUID?, order newOrder: String) -> (trace: UUID?, order: String)? {
        guard traceId == oldTrace, let order = dottedOrder, order.hasPrefix(oldOrder + ".") else { return nil }
        return (newTrace, newOrder + order.dropFirst(oldOrder.count))
    }
}
