import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

extension TraceStoreContractTests {
    /// Nothing written under one workspace is visible to, or changeable by, another.
    @Suite("tenant isolation")
    struct Tenancy {
        let owner = UUID()
        let intruder = UUID()
        let project = UUID()

        /// A root with a child carrying usage, and feedback on the root, all owned by `owner`.
        func seed(_ traces: any TraceStore) async throws -> (root: RunBuilder, child: RunBuilder, feedback: Feedback) {
            let root = RunBuilder.root(name: "agent", start: Fixtures.time(0), sessionId: project)
                .tags("prod").metadata(["user_id": "u1"]).lasting(2)
            let child = RunBuilder.child(of: root, name: "llm", runType: "llm", start: Fixtures.time(1))
                .metadata(["usage_metadata": ["input_tokens": 10, "output_tokens": 5]]).lasting(1)
            let feedback = FeedbackBuilder.on(root.id, key: "correctness", score: 1, comment: "fine", tenantId: owner)
            try await traces.write([root.post, child.post], [feedback], tenant: owner)
            return (root, child, feedback)
        }

        @Test("reads under another tenant see nothing", arguments: StoreFactory.allCases)
        func readsAreScoped(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let (root, child, feedback) = try await seed(traces)

            var q = RunQuery(tenantId: intruder)
            #expect(try await traces.queryRuns(q).runs.isEmpty)
            q.sessionIds = [project]
            q.ids = [root.id, child.id]
            #expect(try await traces.queryRuns(q).runs.isEmpty)
            q.filter = try FilterParser.parse(#"has(tags, "prod")"#)
            #expect(try await traces.runStats(q).runCount == 0)
            #expect(try await traces.runs(ids: [root.id, child.id], tenantId: intruder).isEmpty)
            #expect(try await traces.childRunIds(of: [root.id], tenantId: intruder).isEmpty)
            #expect(try await traces.feedback(id: feedback.id, tenantId: intruder) == nil)
            #expect(try await traces.listFeedback(FeedbackQuery(tenantId: intruder)).isEmpty)
            #expect(try await traces.feedbackStats(runIds: [root.id], tenantId: intruder).isEmpty)
            let stats = try #require(try await traces.projectStats(projectIds: [project], tenantId: intruder)[project])
            #expect(stats.runCount == 0)
            #expect(stats.totalTokens == 0)
            #expect(stats.lastRunStartTime == nil)
            #expect(stats.feedbackStats.isEmpty)

            // The owner still sees everything.
            var mine = RunQuery(tenantId: owner)
            mine.sessionIds = [project]
            #expect(try await traces.queryRuns(mine).runs.count == 2)
        }

        @Test("another tenant's deletes change nothing", arguments: StoreFactory.allCases)
        func deletesAreScoped(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let (root, _, feedback) = try await seed(traces)
            #expect(try await traces.deleteFeedback(id: feedback.id, tenantId: intruder) == false)
            try await traces.deleteProjectData(projectId: project, tenantId: intruder)
            #expect(try await traces.run(root.id, tenant: owner) != nil)
            #expect(try await traces.feedback(id: feedback.id, tenantId: owner) == feedback)
        }

        @Test("a write naming another tenant's run or feedback id does not modify it", arguments: StoreFactory.allCases)
        func writesCannotCrossTenants(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let (root, _, feedback) = try await seed(traces)
            let before = try #require(try await traces.run(root.id, tenant: owner))

            var hijack = root.patch { $0.name = "hijacked"; $0.outputs = RawJSON(["stolen": true]); $0.tags = ["evil"] }
            hijack.sessionId = UUID()
            var forged = feedback
            forged.tenantId = intruder
            forged.score = 0
            forged.comment = "forged"
            try await traces.write([hijack, root.post], [forged], tenant: intruder)

            #expect(try await traces.run(root.id, tenant: owner) == before)
            #expect(try await traces.feedback(id: feedback.id, tenantId: owner) == feedback)
            #expect(try await traces.run(root.id, tenant: intruder) == nil)
            #expect(try await traces.queryRuns(RunQuery(tenantId: intruder)).runs.isEmpty)
        }

        @Test("feedback another tenant attaches to a run id never reaches the owner's reads", arguments: StoreFactory.allCases)
        func foreignFeedbackIsInvisible(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let (root, _, _) = try await seed(traces)
            let sneaky = FeedbackBuilder.on(root.id, key: "sneaky", score: 5, tenantId: intruder)
            try await traces.write([], [sneaky], tenant: intruder)

            var q = RunQuery(tenantId: owner)
            q.filter = try FilterParser.parse(#"eq(feedback_key, "sneaky")"#)
            #expect(try await traces.queryRuns(q).runs.isEmpty)
            q.filter = nil
            q.ids = [root.id]
            let stats = try await traces.runStats(q)
            #expect(Set(stats.feedbackStats.keys) == ["correctness"])
            let perRun = try await traces.feedbackStats(runIds: [root.id], tenantId: owner)
            #expect(Set(perRun[root.id]?.keys.map { $0 } ?? []) == ["correctness"])
            let project = try await traces.projectStats(projectIds: [self.project], tenantId: owner)
            #expect(Set(project[self.project]?.feedbackStats.keys.map { $0 } ?? []) == ["correctness"])
            var fq = FeedbackQuery(tenantId: owner)
            fq.runIds = [root.id]
            #expect(try await traces.listFeedback(fq).map(\.key) == ["correctness"])
        }

        @Test("another tenant's runs cannot join the owner's trace or roll-ups", arguments: StoreFactory.allCases)
        func foreignRunsDoNotRollUp(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let (root, _, _) = try await seed(traces)
            // Claims the owner's trace explicitly, with a dotted order under the owner's root…
            let forged = RunBuilder.child(of: root, name: "forged", runType: "llm", start: Fixtures.time(1.5))
                .metadata(["usage_metadata": ["input_tokens": 5000, "output_tokens": 5000]]).lasting(0.1)
            // …and names the owner's root as parent without lineage, to inherit it.
            let orphan = RunBuilder.child(of: root, name: "orphan", runType: "llm", start: Fixtures.time(1.6))
                .withoutLineage().metadata(["usage_metadata": ["input_tokens": 7000, "output_tokens": 7000]])
            try await traces.write([forged.post, orphan.post], tenant: intruder)

            let stored = try #require(try await traces.run(root.id, tenant: owner))
            #expect(stored.rollupUsage.totalTokens == 15)
            #expect(try await traces.childRunIds(of: [root.id], tenantId: owner)[root.id]?.count == 1)
            var tree = RunQuery(tenantId: owner)
            tree.treeFilter = try FilterParser.parse(#"eq(name, "forged")"#)
            #expect(try await traces.queryRuns(tree).runs.isEmpty)
            let orphanRun = try #require(try await traces.run(orphan.id, tenant: intruder))
            #expect(orphanRun.dottedOrder?.hasPrefix(root.dottedOrder + ".") == false)
        }
    }
}
