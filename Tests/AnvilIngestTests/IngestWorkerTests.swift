import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Logging
import Testing
@testable import AnvilIngest

private let tenantA = UUID(uuidString: "7e000000-0000-4000-8000-00000000000a")!
private let tenantB = UUID(uuidString: "7e000000-0000-4000-8000-00000000000b")!

/// A trace store that records the queue depth at each write and can fail the first writes,
/// to observe when the worker acknowledges.
private actor ObservingTraceStore: TraceStore {
    let inner = MemoryTraceStore()
    let queue: any IngestQueue
    private var failuresLeft: Int
    private(set) var depthsAtWrite: [Int] = []
    private(set) var writes = 0

    init(queue: any IngestQueue, failFirst: Int = 0) {
        self.queue = queue
        failuresLeft = failFirst
    }

    struct Unavailable: Error {}

    func write(runs: [RunUpdate], feedback: [Feedback], tenantId: UUID) async throws {
        depthsAtWrite.append(await queue.depth())
        writes += 1
        if failuresLeft > 0 {
            failuresLeft -= 1
            throw Unavailable()
        }
        try await inner.write(runs: runs, feedback: feedback, tenantId: tenantId)
    }

    func runs(ids: [UUID], tenantId: UUID) async throws -> [Run] { try await inner.runs(ids: ids, tenantId: tenantId) }
    func promoteOrphans(waitingSince cutoff: Timestamp, limit: Int) async throws -> Int {
        try await inner.promoteOrphans(waitingSince: cutoff, limit: limit)
    }
    func queryRuns(_ query: RunQuery) async throws -> RunPage { try await inner.queryRuns(query) }
    func runStats(_ query: RunQuery) async throws -> RunStats { try await inner.runStats(query) }
    func childRunIds(of parents: [UUID], tenantId: UUID) async throws -> [UUID: [UUID]] {
        try await inner.childRunIds(of: parents, tenantId: tenantId)
    }
    func feedbackStats(runIds: [UUID], tenantId: UUID) async throws -> [UUID: [String: FeedbackStats]] {
        try await inner.feedbackStats(runIds: runIds, tenantId: tenantId)
    }
    func projectStats(projectIds: [UUID], tenantId: UUID) async throws -> [UUID: ProjectStats] {
        try await inner.projectStats(projectIds: projectIds, tenantId: tenantId)
    }
    func deleteProjectData(projectId: UUID, tenantId: UUID) async throws {
        try await inner.deleteProjectData(projectId: projectId, tenantId: tenantId)
    }
    func feedback(id: UUID, tenantId: UUID) async throws -> Feedback? { try await inner.feedback(id: id, tenantId: tenantId) }
    func listFeedback(_ query: FeedbackQuery) async throws -> [Feedback] { try await inner.listFeedback(query) }
    func deleteFeedback(id: UUID, tenantId: UUID) async throws -> Bool { try await inner.deleteFeedback(id: id, tenantId: tenantId) }
}

/// A worker over in-memory stores.
private struct WorkerHarness {
    let queue = MemoryIngestQueue()
    let metadata = MemoryMetadataStore()
    let progress = IngestProgress()
    let backlog = IngestBacklog()
    let traces: any TraceStore
    let resolver: ProjectResolver

    init(traces: ((any IngestQueue) -> any TraceStore)? = nil) {
        self.traces = traces?(queue) ?? MemoryTraceStore()
        resolver = ProjectResolver(projects: metadata)
    }

    var worker: IngestWorker {
        IngestWorker(
            queue: queue, traces: traces, resolver: resolver,
            logger: Logger(label: "anvil.test.worker", factory: { _ in SwiftLogNoOpLogHandler() }),
            batchBytes: 4096, progress: progress, backlog: backlog)
    }

    func append(_ record: IngestRecord) async throws { try await queue.append(record.encoded()) }

    /// Runs the worker in a task group while `body` runs, then cancels it.
    func running(_ body: () async throws -> Void) async throws {
        let worker = self.worker
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            try await body()
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    /// Waits until the worker has applied `count` records. The deadline is generous: with the
    /// whole suite running in parallel on two cores the worker may get little CPU for a while.
    func waitForApplied(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while await progress.appliedRecords < count {
            guard ContinuousClock.now < deadline else {
                Issue.record("worker applied \(await progress.appliedRecords) of \(count) records in 120 s")
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func projects(_ tenant: UUID) async throws -> [Project] {
        try await metadata.listProjects(ProjectQuery(tenantId: tenant))
    }
}

private func record(_ tenant: UUID, _ updates: [RunUpdate], feedback: [Feedback] = []) -> IngestRecord {
    IngestRecord(tenantId: tenant, receivedAt: Fixtures.epoch, updates: updates, feedback: feedback)
}

@Suite("IngestWorker")
struct IngestWorkerTests {
    @Test("records are applied: posts, patches and feedback, and the queue is drained")
    func applies() async throws {
        let h = WorkerHarness()
        let root = RunBuilder.root(name: "agent", start: Fixtures.time(0)).inputs(["q": "hi"]).with { $0.sessionName = "proj" }
        let child = RunBuilder.child(of: root, name: "llm", runType: "llm", start: Fixtures.time(1))
            .with { $0.sessionName = "proj" }
            .metadata(["usage_metadata": ["input_tokens": 3, "output_tokens": 4]])
        let patch = root.patch { $0.endTime = Fixtures.time(2); $0.outputs = RawJSON(["a": "yo"]) }
        let feedback = FeedbackBuilder.on(root.id, key: "correctness", score: 1, tenantId: tenantA)
        try await h.running {
            try await h.append(record(tenantA, [root.post, child.post]))
            try await h.append(record(tenantA, [patch], feedback: [feedback]))
            try await h.waitForApplied(2)
            // The worker measured its rate for ingest's backpressure.
            #expect((h.backlog.bytesPerSecond ?? 0) > 0)
        }
        let project = try #require(try await h.metadata.project(name: "proj", tenantId: tenantA))
        let runs = try await h.traces.runs(ids: [root.id, child.id], tenantId: tenantA)
        #expect(runs.count == 2)
        let storedRoot = try #require(runs.first { $0.id == root.id })
        #expect(storedRoot.name == "agent")
        #expect(storedRoot.posted)
        #expect(storedRoot.sessionId == project.id)
        #expect(storedRoot.endTime == Fixtures.time(2))
        #expect(try storedRoot.outputs?.parsed() == ["a": "yo"])
        #expect(try storedRoot.inputs?.parsed() == ["q": "hi"])
        #expect(storedRoot.rollupUsage.totalTokens == 7)
        let storedChild = try #require(runs.first { $0.id == child.id })
        #expect(storedChild.parentRunId == root.id)
        #expect(storedChild.sessionId == project.id)
        #expect(storedChild.usage.totalTokens == 7)
        // Queued feedback goes through FeedbackDecoder, which defaults the source to "api".
        var expectedFeedback = feedback
        expectedFeedback.feedbackSource = ["type": "api"]
        #expect(try await h.traces.feedback(id: feedback.id, tenantId: tenantA) == expectedFeedback)
        #expect(await h.queue.depth() == 0)
        #expect(await h.progress.appliedRecords == 2)
    }

    @Test("projects are auto-created from session_name, once, even for many concurrent records")
    func autoCreate() async throws {
        let h = WorkerHarness()
        let roots = (0..<40).map { i in
            RunBuilder.root(name: "r\(i)", start: Fixtures.time(Double(i))).with { $0.sessionName = "shared" }
        }
        try await h.running {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for root in roots {
                    group.addTask { try await h.append(record(tenantA, [root.post])) }
                }
                try await group.waitForAll()
            }
            try await h.waitForApplied(roots.count)
        }
        let projects = try await h.projects(tenantA)
        #expect(projects.map(\.name) == ["shared"])
        let runs = try await h.traces.runs(ids: roots.map(\.id), tenantId: tenantA)
        #expect(runs.count == roots.count)
        #expect(Set(runs.map(\.sessionId)) == [projects.first?.id])
    }

    @Test("the resolver creates one project under concurrent resolution")
    func concurrentResolver() async throws {
        let metadata = MemoryMetadataStore()
        let resolver = ProjectResolver(projects: metadata)
        let ids = try await withThrowingTaskGroup(of: UUID?.self) { group in
            for i in 0..<50 {
                group.addTask {
                    var u = RunUpdate(kind: .post, id: UUID())
                    u.sessionName = i % 2 == 0 ? "p" : nil  // odd ones land in "default"
                    return try await resolver.resolve(u, tenantId: tenantA)
                }
            }
            return try await group.reduce(into: [UUID?]()) { $0.append($1) }
        }
        let projects = try await metadata.listProjects(ProjectQuery(tenantId: tenantA))
        #expect(Set(projects.map(\.name)) == ["p", "default"])
        #expect(projects.count == 2)
        #expect(Set(ids) == Set(projects.map(\.id)))
    }

    @Test("posts without a session go to the 'default' project; session-less patches stay unassigned")
    func defaultProject() async throws {
        let h = WorkerHarness()
        let run = RunBuilder.root(name: "no project")
        let orphan = UUID()
        var orphanPatch = RunUpdate(kind: .patch, id: orphan)
        orphanPatch.endTime = Fixtures.time(1)
        try await h.running {
            try await h.append(record(tenantA, [run.post, orphanPatch]))
            try await h.waitForApplied(1)
        }
        let projects = try await h.projects(tenantA)
        #expect(projects.map(\.name) == [IngestWorker.defaultProjectName])
        #expect(IngestWorker.defaultProjectName == "default")
        let stored = try await h.traces.runs(ids: [run.id, orphan], tenantId: tenantA)
        #expect(stored.first { $0.id == run.id }?.sessionId == projects.first?.id)
        let storedOrphan = try #require(stored.first { $0.id == orphan })
        #expect(storedOrphan.sessionId == nil)
        #expect(!storedOrphan.posted)
    }

    @Test("a session_id of another tenant's project is never used")
    func foreignSessionId() async throws {
        let h = WorkerHarness()
        let foreign = ProjectBuilder.make(name: "secret", tenantId: tenantA)
        try await h.metadata.createProject(foreign)
        let own = ProjectBuilder.make(name: "mine", tenantId: tenantB)
        try await h.metadata.createProject(own)

        let byId = RunBuilder.root(name: "by foreign id").session(foreign.id)
        let byIdAndName = RunBuilder.root(name: "by foreign id and name").session(foreign.id).with { $0.sessionName = "named" }
        let byOwnId = RunBuilder.root(name: "by own id").session(own.id)
        var patch = RunUpdate(kind: .patch, id: UUID())
        patch.sessionId = foreign.id
        try await h.running {
            try await h.append(record(tenantB, [byId.post, byIdAndName.post, byOwnId.post, patch]))
            try await h.waitForApplied(1)
        }
        let projectsB = try await h.projects(tenantB)
        let byName = Dictionary(uniqueKeysWithValues: projectsB.map { ($0.name, $0.id) })
        #expect(Set(byName.keys) == ["mine", "default", "named"])
        let runs = try await h.traces.runs(ids: [byId.id, byIdAndName.id, byOwnId.id, patch.id], tenantId: tenantB)
        func session(_ id: UUID) -> UUID?? { runs.first { $0.id == id }.map(\.sessionId) }
        #expect(session(byId.id) == .some(byName["default"]))
        #expect(session(byIdAndName.id) == .some(byName["named"]))
        #expect(session(byOwnId.id) == .some(own.id))
        #expect(session(patch.id) == .some(nil))
        #expect(!runs.contains { $0.sessionId == foreign.id })
        // Tenant A sees nothing new.
        #expect(try await h.projects(tenantA).map(\.id) == [foreign.id])
        #expect(try await h.traces.runs(ids: [byId.id], tenantId: tenantA).isEmpty)
    }

    @Test("records of several tenants in one batch stay in their tenants")
    func tenants() async throws {
        let h = WorkerHarness()
        let a = RunBuilder.root(name: "a")
        let b = RunBuilder.root(name: "b")
        try await h.running {
            try await h.append(record(tenantA, [a.post]))
            try await h.append(record(tenantB, [b.post]))
            try await h.waitForApplied(2)
        }
        #expect(try await h.traces.runs(ids: [a.id, b.id], tenantId: tenantA).map(\.id) == [a.id])
        #expect(try await h.traces.runs(ids: [a.id, b.id], tenantId: tenantB).map(\.id) == [b.id])
        #expect(try await h.projects(tenantA).count == 1)
        #expect(try await h.projects(tenantB).count == 1)
    }

    @Test("the queue is acknowledged only after the write commits; failed writes are retried")
    func acknowledgeAfterWrite() async throws {
        var store: ObservingTraceStore?
        let h = WorkerHarness(traces: { queue in
            let s = ObservingTraceStore(queue: queue, failFirst: 2)
            store = s
            return s
        })
        let observed = try #require(store)
        let run = RunBuilder.root(name: "durable")
        let encodedSize = record(tenantA, [run.post]).encoded().count
        try await h.running {
            try await h.append(record(tenantA, [run.post]))
            try await h.waitForApplied(1)
        }
        // Two failed attempts and the committed one, each while the record was still unacknowledged.
        #expect(await observed.writes == 3)
        #expect(await observed.depthsAtWrite == [encodedSize, encodedSize, encodedSize])
        #expect(await h.queue.depth() == 0)
        #expect(try await h.traces.runs(ids: [run.id], tenantId: tenantA).map(\.name) == ["durable"])
    }

    @Test("an undecodable record is skipped without blocking the ones after it")
    func skipsCorrupt() async throws {
        let h = WorkerHarness()
        let run = RunBuilder.root(name: "after the bad one")
        try await h.running {
            try await h.queue.append([9, 9, 9])
            try await h.append(record(tenantA, [run.post]))
            try await h.waitForApplied(2)
        }
        #expect(try await h.traces.runs(ids: [run.id], tenantId: tenantA).map(\.name) == ["after the bad one"])
        #expect(await h.queue.depth() == 0)
    }

    @Test("cancelled while idle, the worker returns without an error and without acknowledging")
    func cancellation() async throws {
        let h = WorkerHarness()
        try await h.running {  // rethrows whatever run() throws
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(await h.progress.appliedRecords == 0)
        // Appended after the worker stopped: still queued.
        try await h.append(record(tenantA, [RunBuilder.root(name: "late").post]))
        #expect(await h.queue.depth() > 0)
    }
}
