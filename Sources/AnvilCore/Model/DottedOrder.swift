import Foundation

/// LangSmith's `dotted_order`: one `<YYYYMMDDTHHMMSSffffffZ><uuid>` segment per ancestor, root first,
/// joined by `.`. The first segment's id is the trace id, the last one's the run's own id, and
/// lexicographic order of the strings is execution order.
public struct DottedOrder: Sendable, Hashable {
    public struct Segment: Sendable, Hashable {
        public var time: Timestamp
        public var id: UUID
        public init(time: Timestamp, id: UUID) {
            self.time = time
            self.id = id
        }
        public var string: String { time.dottedOrderStamp + id.lowercased }
    }

    public var segments: [Segment]

    public init(segments: [Segment]) { self.segments = segments }

    /// Parses a dotted order; nil when any segment is malformed.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 65_536 else { return nil }
        var segments: [Segment] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard part.utf8.count > 36 else { return nil }
            let idStart = part.index(part.endIndex, offsetBy: -36)
            guard let time = Timestamp(dottedOrderStamp: part[..<idStart]),
                let id = UUID(fast: part[idStart...])
            else { return nil }
            segments.append(Segment(time: time, id: id))
        }
        self.segments = segments
    }

    public var string: String { segments.map(\.string).joined(separator: ".") }
    public var traceId: UUID? { segments.first?.id }
    public var runId: UUID? { segments.last?.id }
    public var parentId: UUID? { segments.count >= 2 ? segments[segments.count - 2].id : nil }
    public var depth: Int { segments.count - 1 }
    /// Ids of every ancestor, root first (excluding the run itself).
    public var ancestorIds: [UUID] { segments.dropLast().map(\.id) }

    /// A root run's order.
    public static func root(id: UUID, start: Timestamp) -> DottedOrder {
        DottedOrder(segments: [Segment(time: start, id: id)])
    }

    /// A child's order under this one.
    public func child(id: UUID, start: Timestamp) -> DottedOrder {
        DottedOrder(segments: segments + [Segment(time: start, id: id)])
    }
}

