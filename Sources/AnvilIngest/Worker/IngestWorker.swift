import AnvilCore
import AnvilStorage
import Foundation
import Logging
import ServiceLifecycle

/// The queue consumer (LangSmith's "queue" service): drains the ingest queue in batches, resolves
/// project names, merges posts and patches into the trace store in one transaction per tenant, and
/// acknowledges only after the write committed. Redelivery after a crash is harmless because store
/// writes are idempotent.
public struct IngestWorker: Service {
    public static let defaultProjectName = "default"

    let queue: any IngestQueue
    let traces: any TraceStore
    let logger: Logger
    let batchBytes: Int
    let progress: IngestProgress
    let resolver: ProjectResolver
    let backlog: IngestBacklog?

    /// `batchBytes` bounds one transaction: a run waits for the whole batch it is in, so smaller
    /// batches mean less lag; 2 MiB (~1,000 typical runs) keeps the per-commit cost small.
    public init(
        queue: any IngestQueue, traces: any TraceStore, resolver: ProjectResolver, logger: Logger,
        batchBytes: Int = 2 * 1024 * 1024, progress: IngestProgress = IngestProgress(), backlog: IngestBacklog? = nil
    ) {
        self.queue = queue
        self.traces = traces
        self.resolver = resolver
        self.logger = logger
        self.batchBytes = batchBytes
        self.progress = progress
        self.backlog = backlog
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let entries: [QueueEntry]
                do {
                    entries = try await queue.next(maxBytes: batchBytes)
                } catch is CancellationError {
                    return
                }
                guard let last = entries.last else { continue }
                let started = ContinuousClock.now
                try await apply(entries, resolver: resolver)
                try await queue.acknowledge(through: last)
                if let backlog {
                    backlog.record(bytes: entries.reduce(0) { $0 + $1.payload.count }, seconds: started.duration(to: .now) / .seconds(1))
                }
                await progress.record(applied: entries.count)
            }
        }
    }

    /// Applies a batch, retrying storage failures with backoff until it commits (or the task ends).
    func apply(_ entries: [QueueEntry], resolver: ProjectResolver) async throws {
        var records: [IngestRecord] = []
        for entry in entries {
            do {
                records.append(try IngestRecord(decoding: entry.payload))
            } catch {
                // Records are validated before they are queued; this means corruption or a record
                // from an incompatible version. Keep it aside rather than block the queue forever.
                logger.error("skipping undecodable ingest record", metadata: [
                    "queue.position": "\(entry.position)", "error": "\(error)",
                ])
            }
        }
        var delay: UInt64 = 50_000_000
        while true {
            do {
                try await write(records, resolver: resolver)
                return
            } catch {
                if Task.isCancelled { throw CancellationError() }
                logger.error("ingest batch write failed; retrying", metadata: [
                    "error": "\(error)", "queue.records": "\(records.count)",
                ])
                try await Task.sleep(nanoseconds: delay)
                delay = min(delay * 2, 5_000_000_000)
            }
        }
    }

    func write(_ records: [IngestRecord], resolver: ProjectResolver) async throws {
        // Group by tenant, keeping arrival order within each.
        var order: [UUID] = []
        var byTenant: [UUID: (updates: [RunUpdate], feedback: [Feedback])] = [:]
        for r in records {
            if byTenant[r.tenantId] == nil { order.append(r.tenantId) }
            var updates = r.updates
            for i in updates.indices {
                updates[i].sessionId = try await resolver.resolve(updates[i], tenantId: r.tenantId)
            }
            byTenant[r.tenantId, default: ([], [])].updates += updates
            byTenant[r.tenantId, default: ([], [])].feedback += r.feedback
        }
        for tenant in order {
            let batch = byTenant[tenant]!
            try await traces.write(runs: batch.updates, feedback: batch.feedback, tenantId: tenant)
        }
    }
}

/// Maps `session_name`/`session_id` to project ids, creating projects on first use (the SDK never
/// creates tracing projects itself). Shared with the HTTP layer, which calls `forget` when a
/// project is deleted or renamed.
public actor ProjectResolver {
    let projects: any ProjectStore
    private var byName: [UUID: [String: UUID]] = [:]
    private var knownIds: [UUID: Set<UUID>] = [:]

    public init(projects: any ProjectStore) { self.projects = projects }

    func resolve(_ u: RunUpdate, tenantId: UUID) async throws -> UUID? {
        if let id = u.sessionId {
            if knownIds[tenantId]?.contains(id) == true { return id }
            if try await projects.project(id: id, tenantId: tenantId) != nil {
                knownIds[tenantId, default: []].insert(id)
                return id
            }
            // An id this workspace does not have: fall back to the name, never to another tenant.
        }
        let name = u.sessionName ?? (u.kind == .post ? IngestWorker.defaultProjectName : nil)
        guard let name else { return nil }
        if let id = byName[tenantId]?[name] { return id }
        let project = try await projects.projectNamed(name, tenantId: tenantId)
        byName[tenantId, default: [:]][name] = project.id
        knownIds[tenantId, default: []].insert(project.id)
        return project.id
    }

    /// Drops cached ids (after a project is deleted or renamed).
    public func forget(tenantId: UUID) {
        byName[tenantId] = nil
        knownIds[tenantId] = nil
    }
}

/// Counts applied records, so tests and `/health` can tell how far the worker is.
public actor IngestProgress {
    public private(set) var appliedRecords = 0

    public init() {}

    func record(applied: Int) { appliedRecords += applied }
}
