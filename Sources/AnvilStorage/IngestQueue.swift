import Foundation

/// One queued record and the position to acknowledge once it is applied.
public struct QueueEntry: Sendable {
    public var position: QueuePosition
    public var payload: [UInt8]

    public init(position: QueuePosition, payload: [UInt8]) {
        self.position = position
        self.payload = payload
    }
}

/// An opaque, ordered position in a queue (segment and byte offset for the on-disk log,
/// a stream id for Redis).
public struct QueuePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var segment: UInt64
    public var offset: UInt64

    public init(segment: UInt64, offset: UInt64) {
        self.segment = segment
        self.offset = offset
    }

    public static func < (a: QueuePosition, b: QueuePosition) -> Bool {
        (a.segment, a.offset) < (b.segment, b.offset)
    }

    public var description: String { "\(segment):\(offset)" }
}

/// The durable ingest queue between the HTTP handlers and the worker.
///
/// `append` returns only once the payload is durable (fsync'd / replicated), which is what lets an
/// ingest endpoint answer 2xx. Entries are delivered at least once, in order; the consumer
/// acknowledges after its write commits.
public protocol IngestQueue: Sendable {
    func append(_ payload: [UInt8]) async throws
    /// Up to `maxBytes` of the oldest unacknowledged entries; waits until at least one exists or
    /// the task is cancelled.
    func next(maxBytes: Int) async throws -> [QueueEntry]
    /// `entry` and everything before it have been applied.
    func acknowledge(through entry: QueueEntry) async throws
    /// Bytes appended but not yet acknowledged.
    func depth() async -> Int
}
