import Foundation

/// An ``IngestQueue`` in memory: not durable, for tests of the worker and the HTTP layer.
public actor MemoryIngestQueue: IngestQueue {
    private var entries: [QueueEntry] = []
    private var nextOffset: UInt64 = 0
    private var delivered: QueuePosition?
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func append(_ payload: [UInt8]) async throws {
        entries.append(QueueEntry(position: QueuePosition(segment: 0, offset: nextOffset), payload: payload))
        nextOffset += 1
        let w = waiters
        waiters = []
        for c in w { c.resume() }
    }

    public func next(maxBytes: Int) async throws -> [QueueEntry] {
        while true {
            try Task.checkCancellation()
            let pending = entries.filter { e in delivered.map { e.position > $0 } ?? true }
            if !pending.isEmpty {
                var out: [QueueEntry] = []
                var size = 0
                for e in pending {
                    if !out.isEmpty && size + e.payload.count > maxBytes { break }
                    out.append(e)
                    size += e.payload.count
                }
                delivered = out.last?.position
                return out
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { c in waiters.append(c) }
            } onCancel: {
                Task { await self.wakeAll() }
            }
        }
    }

    private func wakeAll() {
        let w = waiters
        waiters = []
        for c in w { c.resume() }
    }

    public func acknowledge(through entry: QueueEntry) async throws {
        entries.removeAll { $0.position <= entry.position }
    }

    public func depth() async -> Int { entries.reduce(0) { $0 + $1.payload.count } }
}
