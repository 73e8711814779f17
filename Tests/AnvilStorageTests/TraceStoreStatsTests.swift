import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

extension TraceStoreContractTests {
    /// `runStats`, `projectStats` and `deleteProjectData`, with exact expected numbers.
    @Suite("stats")
    struct Stats {
        let tenant = UUID()
        let project = UUID()
        let otherProject = UUID()

        /// The roots' latencies and first-token delays, sorted.
        static let latencies: [Double] = [1, 2, 3, 4, 10]
        static let firstTokens: [Double] = [0.25, 0.5]

        /// Project roots with latencies 1, 2, 3, 4, 10 s and one still running; two with errors;
        /// usage on three; first tokens at 0.5 s and 0.25 s. A child of the last root starts after
        /// every root. Feedback on roots, on the child and on the project itself.
        func seed(_ traces: any TraceStore) async throws -> [RunBuilder] {
            func root(_ i: Int, start: Double, latency: Double?) -> RunBuilder {
                let r = RunBuilder.root(name: "r\(i)", start: Fixtures.time(start), sessionId: project)
                return latency.map { r.lasting($0) } ?? r
            }
            let roots = [
                root(0, start: 0, latency: 3).metadata(["usage_metadata": ["input_tokens": 10, "output_tokens": 5, "input_cost": 0.25, "output_cost": 0.125]]),
                root(1, start: 10, latency: 1).error("boom").firstToken(at: Fixtures.time(10.5)),
                root(2, start: 20, latency: 10).outputs(["usage_metadata": ["input_tokens": 1, "output_tokens": 2]]),
                root(3, start: 30, latency: 2).firstToken(at: Fixtures.time(30.25)),
                root(4, start: 40, latency: 4).error("bang"),
                root(5, start: 50, latency: nil),
            ]
            let child = RunBuilder.child(of: roots[5], name: "late_child", runType: "llm", start: Fixtures.time(99))
                .metadata(["usage_metadata": ["input_tokens": 100, "output_tokens": 100, "total_cost": 0.5]]).lasting(0.5)
            let elsewhere = RunBuilder.root(name: "elsewhere", start: Fixtures.time(500), sessionId: otherProject).lasting(100)
                .metadata(["usage_metadata": ["input_tokens": 1000, "output_tokens": 1000]])
            let feedback = [
                FeedbackBuilder.on(roots[0].id, key: "correctness", score: 1, comment: "c0", tenantId: tenant, createdAt: Fixtures.time(1)),
                FeedbackBuilder.on(roots[1].id, key: "correctness", score: 0, tenantId: tenant, createdAt: Fixtures.time(2)),
                FeedbackBuilder.on(child.id, key: "correctness", score: 0.5, comment: "child", tenantId: tenant, createdAt: Fixtures.time(3)),
                FeedbackBuilder.on(roots[2].id, key: "vibe", value: "good", tenantId: tenant, createdAt: Fixtures.time(4)),
                FeedbackBuilder.onProject(project, key: "summary_f1", score: 0.75, tenantId: tenant, createdAt: Fixtures.time(5)),
                FeedbackBuilder.on(elsewhere.id, key: "correctness", score: 1, tenantId: tenant, createdAt: Fixtures.time(6)),
                FeedbackBuilder.onProject(otherProject, key: "summary_f1", score: 0.25, tenantId: tenant),
            ]
            try await traces.write((roots + [child, elsewhere]).map(\.post), feedback, tenant: tenant)
            return roots + [child, elsewhere]
        }

        @Test("runStats over a query", arguments: StoreFactory.allCases)
        func runStats(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            _ = try await seed(traces)
            var q = RunQuery(tenantId: tenant)
            q.sessionIds = [project]
            q.isRoot = true
            let s = try await traces.runStats(q)
            #expect(s.runCount == 6)
            // Percentiles pick from the sorted values by the shared rule.
            #expect(s.latencyP50 == Self.latencies[Percentile.index(0.5, count: 5)])
            #expect(s.latencyP99 == Self.latencies[Percentile.index(0.99, count: 5)])
            #expect(s.firstTokenP50 == Self.firstTokens[Percentile.index(0.5, count: 2)])
            #expect(s.firstTokenP99 == Self.firstTokens[Percentile.index(0.99, count: 2)])
            // Roll-ups: r5 carries its child's 200 tokens and $0.5.
            #expect(s.promptTokens == 111)
            #expect(s.completionTokens == 107)
            #expect(s.totalTokens == 218)
            #expect(s.promptCost == 0.25)
            #expect(s.completionCost == 0.125)
            #expect(s.totalCost == 0.875)
            #expect(s.errorRate == 2.0 / 6.0)
            #expect(s.lastRunStartTime == Fixtures.time(50))
            #expect(Set(s.feedbackStats.keys) == ["correctness", "vibe"])
            let correctness = try #require(s.feedbackStats["correctness"])
            #expect(correctness.n == 2)
            #expect(correctness.avg == 0.5)
            #expect(correctness.comments == ["c0"])
            #expect(s.feedbackStats["vibe"]?.values == ["good": 1])

            q.filter = try FilterParser.parse(#"eq(name, "nothing")"#)
            let empty = try await traces.runStats(q)
            #expect(empty == RunStats())
        }

        @Test("percentiles follow Percentile.index on a larger sample", arguments: StoreFactory.allCases)
        func percentiles(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            // Latencies 0.1 … 10.0 s in a scrambled order.
            let runs = (1...100).map { i in
                RunBuilder.root(name: "r\(i)", start: Fixtures.time(Double((i * 37) % 100))).lasting(Double(i) / 10)
            }
            try await traces.write(runs.map(\.post), tenant: tenant)
            let s = try await traces.runStats(RunQuery(tenantId: tenant))
            // Nearest rank, whichever way it rounds, is the 50th and the 99th smallest of 100 values.
            #expect(Percentile.index(0.5, count: 100) == 49)
            #expect(Percentile.index(0.99, count: 100) == 98)
            #expect(s.latencyP50 == 5.0)
            #expect(s.latencyP99 == 9.9)
            #expect(s.runCount == 100)
            #expect(s.errorRate == 0)
            #expect(s.totalCost == nil)
            #expect(s.totalTokens == 0)
        }

        @Test("projectStats counts roots, and all of the project's feedback", arguments: StoreFactory.allCases)
        func projectStats(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            _ = try await seed(traces)
            let unknown = UUID()
            let all = try await traces.projectStats(projectIds: [project, otherProject, unknown], tenantId: tenant)
            let p = try #require(all[project])
            #expect(p.runCount == 6)
            #expect(p.latencyP50 == Self.latencies[Percentile.index(0.5, count: 5)])
            #expect(p.latencyP99 == Self.latencies[Percentile.index(0.99, count: 5)])
            #expect(p.firstTokenP50 == Self.firstTokens[Percentile.index(0.5, count: 2)])
            #expect(p.firstTokenP99 == Self.firstTokens[Percentile.index(0.99, count: 2)])
            #expect(p.promptTokens == 111)
            #expect(p.completionTokens == 107)
            #expect(p.totalTokens == 218)
            #expect(p.promptCost == 0.25)
            #expect(p.completionCost == 0.125)
            #expect(p.totalCost == 0.875)
            #expect(p.errorRate == 2.0 / 6.0)
            // The child started last: the project's last run time counts every run.
            #expect(p.lastRunStartTime == Fixtures.time(99))
            let correctness = try #require(p.feedbackStats["correctness"])
            #expect(correctness.n == 3)
            #expect(correctness.avg == 0.5)
            #expect(correctness.comments == ["c0", "child"])
            #expect(Set(p.feedbackStats.keys) == ["correctness", "vibe"])
            #expect(Set(p.sessionFeedbackStats.keys) == ["summary_f1"])
            #expect(p.sessionFeedbackStats["summary_f1"]?.avg == 0.75)

            let o = try #require(all[otherProject])
            #expect(o.runCount == 1)
            #expect(o.totalTokens == 2000)
            #expect(o.latencyP50 == 100)
            #expect(o.errorRate == 0)
            #expect(o.feedbackStats["correctness"]?.n == 1)
            #expect(o.sessionFeedbackStats["summary_f1"]?.avg == 0.25)

            let u = try #require(all[unknown])
            #expect(u == ProjectStats())
        }

        @Test("deleteProjectData removes the project's runs and feedback, nothing else", arguments: StoreFactory.allCases)
        func deleteProjectData(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let runs = try await seed(traces)
            let unposted = RunBuilder.root(name: "unposted", sessionId: project)
            try await traces.write([unposted.patch { $0.sessionId = project; $0.endTime = Fixtures.time(1) }], tenant: tenant)
            try await traces.deleteProjectData(projectId: project, tenantId: tenant)

            let remaining = try await traces.runs(ids: runs.map(\.id) + [unposted.id], tenantId: tenant)
            #expect(remaining.map(\.name) == ["elsewhere"])
            let feedback = try await traces.listFeedback(FeedbackQuery(tenantId: tenant))
            #expect(feedback.count == 2)
            #expect(Set(feedback.map(\.key)) == ["correctness", "summary_f1"])
            #expect(feedback.allSatisfy { $0.runId == runs.last?.id || $0.sessionId == otherProject })
            let stats = try await traces.projectStats(projectIds: [project], tenantId: tenant)
            #expect(stats[project] == ProjectStats())
            var q = RunQuery(tenantId: tenant)
            q.sessionIds = [otherProject]
            #expect(try await traces.queryRuns(q).runs.count == 1)
        }
    }
}
