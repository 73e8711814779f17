import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

/// The web UI's store reads (whole traces, threads, monitor buckets) agree on every backend.
@Suite("UI queries contract")
struct UIQueriesContractTests {
    let tenant = Fixtures.uuid(900)
    let other = Fixtures.uuid(901)
    let project = Fixtures.uuid(910)

    func ui(_ s: Stores) -> any UITraceQueries { s.traces as! any UITraceQueries }

    @Test("traceRuns returns the whole trace in dotted order, payloads omitted, within the tenant", arguments: StoreFactory.allCases)
    func traceRuns(factory: StoreFactory) async throws {
        let s = try factory.make()
        let root = RunBuilder.root(name: "root", start: Fixtures.time(0), sessionId: project).inputs(["q": "big"]).lasting(5)
        let b = RunBuilder.child(of: root, name: "b", start: Fixtures.time(2)).lasting(1)
        let a = RunBuilder.child(of: root, name: "a", start: Fixtures.time(1)).lasting(1)
        let aa = RunBuilder.child(of: a, name: "aa", start: Fixtures.time(1.5)).lasting(0.1)
        let foreign = RunBuilder.root(name: "foreign", start: Fixtures.time(0), sessionId: project)
        try await s.traces.write(runs: [b.post, aa.post, root.post, a.post], feedback: [], tenantId: tenant)
        try await s.traces.write(runs: [foreign.post], feedback: [], tenantId: other)
        let runs = try await ui(s).traceRuns(traceId: root.id, tenantId: tenant, limit: 100)
        #expect(runs.map(\.name) == ["root", "a", "aa", "b"])
        #expect(runs.allSatisfy { $0.inputs == nil && $0.outputs == nil })
        #expect(try await ui(s).traceRuns(traceId: root.id, tenantId: tenant, limit: 2).map(\.name) == ["root", "a"])
        #expect(try await ui(s).traceRuns(traceId: root.id, tenantId: other, limit: 100).isEmpty)
    }

    @Test("threads group a project's root runs by thread id, newest activity first", arguments: StoreFactory.allCases)
    func threads(factory: StoreFactory) async throws {
        let s = try factory.make()
        func turn(_ thread: String, _ t: Double, error: Bool = false, tokens: Int = 10) -> [RunUpdate] {
            var root = RunBuilder.root(name: "turn", start: Fixtures.time(t), sessionId: project)
                .metadata(["session_id": .string(thread)]).inputs(["question": .string("q\(t)")]).outputs(["answer": .string("a\(t)")])
                .lasting(1)
            if error { root = root.error("boom") }
            let llm = RunBuilder.child(of: root, name: "llm", runType: "llm")
                .metadata(["usage_metadata": ["input_tokens": .int(Int64(tokens)), "output_tokens": 0]]).lasting(0.5)
            return [root.post, llm.post]
        }
        let updates = turn("alpha", 10) + turn("alpha", 30, error: true) + turn("beta", 20, tokens: 7)
            + turn("gamma", 5) + [RunBuilder.root(name: "no-thread", start: Fixtures.time(40), sessionId: project).post]
        try await s.traces.write(runs: updates, feedback: [], tenantId: tenant)
        try await s.traces.write(runs: turn("alpha", 50), feedback: [], tenantId: other)

        let page = try await ui(s).threads(projectId: project, tenantId: tenant, search: nil, limit: 10, offset: 0)
        #expect(page.total == 3)
        #expect(page.threads.map(\.threadId) == ["alpha", "beta", "gamma"])
        let alpha = try #require(page.threads.first)
        #expect(alpha.traceCount == 2)
        #expect(alpha.firstStartTime == Fixtures.time(10))
        #expect(alpha.lastStartTime == Fixtures.time(30))
        #expect(alpha.errorCount == 1)
        #expect(alpha.totalTokens == 20)
        #expect(alpha.firstInputs?.value(at: "question") == "q10.0")
        #expect(alpha.lastOutputs?.value(at: "answer") == "a30.0")

        let searched = try await ui(s).threads(projectId: project, tenantId: tenant, search: "ET", limit: 10, offset: 0)
        #expect(searched.threads.map(\.threadId) == ["beta"])
        #expect(searched.total == 1)
        let second = try await ui(s).threads(projectId: project, tenantId: tenant, search: nil, limit: 1, offset: 1)
        #expect(second.threads.map(\.threadId) == ["beta"])
    }

    @Test("monitor buckets count traces, errors, latency percentiles, tokens, cost and feedback", arguments: StoreFactory.allCases)
    func monitor(factory: StoreFactory) async throws {
        let s = try factory.make()
        var updates: [RunUpdate] = []
        var feedback: [Feedback] = []
        // Bucket 0 (0–100 s): latencies 1, 2, 3, one error. Bucket 1 (100–200 s): latency 4.
        for (i, (t, latency)) in [(10.0, 1.0), (20, 2), (30, 3), (150, 4)].enumerated() {
            var root = RunBuilder.root(name: "r\(i)", start: Fixtures.time(t), sessionId: project).lasting(latency)
            if i == 1 { root = root.error("x") }
            let llm = RunBuilder.child(of: root, name: "llm", runType: "llm")
                .metadata(["usage_metadata": ["input_tokens": 3, "output_tokens": 2, "total_cost": 0.5]]).lasting(0.1)
            updates += [root.post, llm.post]
            feedback.append(FeedbackBuilder.on(llm.id, key: "quality", score: .double(Double(i)), tenantId: tenant))
        }
        // Outside the window and another project: ignored.
        updates.append(RunBuilder.root(name: "late", start: Fixtures.time(500), sessionId: project).lasting(1).post)
        updates.append(RunBuilder.root(name: "elsewhere", start: Fixtures.time(15), sessionId: Fixtures.uuid(911)).lasting(1).post)
        try await s.traces.write(runs: updates, feedback: feedback, tenantId: tenant)

        let buckets = try await ui(s).monitor(projectId: project, tenantId: tenant, start: Fixtures.time(0), end: Fixtures.time(300), bucketSeconds: 100)
        #expect(buckets.map(\.start) == [Fixtures.time(0), Fixtures.time(100), Fixtures.time(200)])
        #expect(buckets.map(\.traces) == [3, 1, 0])
        #expect(buckets.map(\.errors) == [1, 0, 0])
        #expect(buckets[0].latencyP50 == 2)
        #expect(buckets[0].latencyP99 == 3)
        #expect(buckets[1].latencyP50 == 4)
        #expect(buckets[2].latencyP50 == nil)
        #expect(buckets.map(\.totalTokens) == [15, 5, 0])
        #expect(buckets[0].totalCost == 1.5)
        #expect(buckets[2].totalCost == nil)
        #expect(buckets[0].feedback["quality"]?.n == 3)
        #expect(buckets[0].feedback["quality"]?.avg == 1)
        #expect(buckets[1].feedback["quality"]?.avg == 3)
        #expect(buckets[2].feedback.isEmpty)
        let foreign = try await ui(s).monitor(projectId: project, tenantId: other, start: Fixtures.time(0), end: Fixtures.time(300), bucketSeconds: 100)
        #expect(foreign.map(\.traces) == [0, 0, 0])
    }
}
