import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

extension TraceStoreContractTests {
    /// Post/patch merging: any order, any redelivery, one final state.
    @Suite("post/patch merge")
    struct Merge {
        let tenant = UUID()
        let project = UUID()

        /// A finished run as the SDK would describe it across its post and its end patch.
        var finished: RunBuilder {
            RunBuilder.root(name: "agent", start: Fixtures.time(0), sessionId: project)
                .inputs(["question": "hi"])
                .tags("a", "b")
                .metadata(["user_id": "u1"])
                .outputs(["answer": "hello"])
                .error("boom")
                .ended(at: Fixtures.time(2))
        }

        /// The ways the post and its patch can arrive.
        enum Delivery: String, CaseIterable, Sendable {
            case postThenPatch, patchThenPost, bothInOneWritePostFirst, bothInOneWritePatchFirst

            func batches(post: RunUpdate, patch: RunUpdate) -> [[RunUpdate]] {
                switch self {
                case .postThenPatch: [[post], [patch]]
                case .patchThenPost: [[patch], [post]]
                case .bothInOneWritePostFirst: [[post, patch]]
                case .bothInOneWritePatchFirst: [[patch, post]]
                }
            }
        }

        @Test("every delivery order merges to the same run", arguments: StoreFactory.allCases, Delivery.allCases)
        func mergeOrder(_ factory: StoreFactory, _ delivery: Delivery) async throws {
            let stores = try factory.make()
            let run = finished
            for batch in delivery.batches(post: run.startPost, patch: run.endPatch) {
                try await stores.traces.write(batch, tenant: tenant)
            }
            let stored = try #require(try await stores.traces.run(run.id, tenant: tenant))
            #expect(stored.name == "agent")
            #expect(stored.runType == "chain")
            #expect(stored.sessionId == project)
            #expect(stored.traceId == run.id)
            #expect(stored.dottedOrder == run.dottedOrder)
            #expect(stored.startTime == Fixtures.time(0))
            #expect(stored.endTime == Fixtures.time(2))
            #expect(stored.inputs == RawJSON(["question": "hi"]))
            #expect(stored.outputs == RawJSON(["answer": "hello"]))
            #expect(stored.extra == RawJSON(["metadata": ["user_id": "u1"]]))
            #expect(stored.error == "boom")
            #expect(stored.tags == ["a", "b"])
            #expect(stored.posted)
            #expect(stored.status == .error)
            #expect(stored.latency == 2)

            // Redelivering everything (the queue is at-least-once) changes nothing.
            for batch in delivery.batches(post: run.startPost, patch: run.endPatch) {
                try await stores.traces.write(batch, tenant: tenant)
            }
            let again = try #require(try await stores.traces.run(run.id, tenant: tenant))
            #expect(again == stored)
        }

        @Test("the same batch written twice leaves identical state", arguments: StoreFactory.allCases)
        func redeliveredBatch(_ factory: StoreFactory) async throws {
            let stores = try factory.make()
            let root = finished
            let child = RunBuilder.child(of: root, name: "llm", runType: "llm", start: Fixtures.time(1))
                .metadata(["usage_metadata": ["input_tokens": 3, "output_tokens": 4]]).lasting(0.5)
            let feedback = FeedbackBuilder.on(root.id, key: "correctness", score: 1, tenantId: tenant)
            let batch = [root.startPost, child.post, root.endPatch]
            try await stores.traces.write(batch, [feedback], tenant: tenant)
            let first = try await stores.traces.runs(ids: [root.id, child.id], tenantId: tenant)
            try await stores.traces.write(batch, [feedback], tenant: tenant)
            let second = try await stores.traces.runs(ids: [root.id, child.id], tenantId: tenant)
            #expect(first.count == 2)
            #expect(first == second)
            #expect(second[0].rollupUsage.totalTokens == 7)
            #expect(try await stores.traces.listFeedback(FeedbackQuery(tenantId: tenant)).count == 1)
        }

        @Test("a later patch overwrites an earlier one", arguments: StoreFactory.allCases)
        func laterPatchWins(_ factory: StoreFactory) async throws {
            let stores = try factory.make()
            let run = RunBuilder.root(name: "agent", start: Fixtures.time(0)).tags("first")
            try await stores.traces.write([run.post], tenant: tenant)
            try await stores.traces.write([run.patch { $0.outputs = RawJSON(["v": 1]); $0.endTime = Fixtures.time(1) }], tenant: tenant)
            try await stores.traces.write([run.patch {
                $0.outputs = RawJSON(["v": 2]); $0.endTime = Fixtures.time(3); $0.error = "late"; $0.tags = ["second"]
            }], tenant: tenant)
            // A patch that provides nothing (every field nil) clears nothing.
            try await stores.traces.write([run.patch()], tenant: tenant)
            let stored = try #require(try await stores.traces.run(run.id, tenant: tenant))
            #expect(stored.outputs == RawJSON(["v": 2]))
            #expect(stored.endTime == Fixtures.time(3))
            #expect(stored.error == "late")
            #expect(stored.tags == ["second"])
            #expect(stored.name == "agent")
        }

        @Test("a late or redelivered post does not clobber patched values", arguments: StoreFactory.allCases)
        func latePostKeepsPatch(_ factory: StoreFactory) async throws {
            let stores = try factory.make()
            let run = RunBuilder.root(name: "agent", start: Fixtures.time(0)).tags("from-post")
                .outputs(["answer": "draft"]).ended(at: Fixtures.time(9))
            let patch = run.patch {
                $0.outputs = RawJSON(["answer": "final"])
                $0.endTime = Fixtures.time(2)
                $0.tags = ["from-patch"]
            }
            try await stores.traces.write([patch], tenant: tenant)
            try await stores.traces.write([run.post], tenant: tenant)
            try await stores.traces.write([run.post], tenant: tenant)  // redelivered
            let stored = try #require(try await stores.traces.run(run.id, tenant: tenant))
            #expect(stored.outputs == RawJSON(["answer": "final"]))
            #expect(stored.endTime == Fixtures.time(2))
            #expect(stored.tags == ["from-patch"])
            #expect(stored.name == "agent")  // the post still fills what the patch left empty
            #expect(stored.posted)
        }

        @Test("a run that has only been patched is invisible until its post arrives", arguments: StoreFactory.allCases)
        func patchOnlyInvisible(_ factory: StoreFactory) async throws {
            let stores = try factory.make()
            let root = RunBuilder.root(name: "root", start: Fixtures.time(0), sessionId: project)
            let child = RunBuilder.child(of: root, name: "child", start: Fixtures.time(1))
            try await stores.traces.write([root.post, child.patch { $0.endTime = Fixtures.time(2); $0.outputs = RawJSON(["x": 1]) }], tenant: tenant)

            var q = RunQuery(tenantId: tenant)
            q.sessionIds = [project]
            #expect(try await stores.traces.queryRuns(q).runs.map(\.id) == [root.id])
            #expect(try await stores.traces.runStats(q).runCount == 1)
            #expect(try await stores.traces.childRunIds(of: [root.id], tenantId: tenant)[root.id] == nil)
            let pending = try #require(try await stores.traces.run(child.id, tenant: tenant))
            #expect(!pending.posted)
            #expect(pending.outputs == RawJSON(["x": 1]))

            try await stores.traces.write([child.post], tenant: tenant)
            let listed = try await stores.traces.queryRuns(q).runs
            #expect(Set(listed.map(\.id)) == [root.id, child.id])
            let merged = try #require(listed.first { $0.id == child.id })
            #expect(merged.name == "child")
            #expect(merged.sessionId == project)
            #expect(merged.endTime == Fixtures.time(2))
            #expect(merged.outputs == RawJSON(["x": 1]))
            #expect(try await stores.traces.childRunIds(of: [root.id], tenantId: tenant)[root.id] == [child.id])
        }

        @Test("attachments accumulate by name and redelivery does not duplicate them", arguments: StoreFactory.allCases)
        func attachments(_ factory: StoreFactory) async throws {
            let stores = try factory.make()
            let a = Attachment(name: "image", mimeType: "image/png", key: "t/r/image", size: 3)
            let b = Attachment(name: "doc", mimeType: "text/plain", key: "t/r/doc", size: 5)
            let run = RunBuilder.root(name: "files").with { $0.attachments = [a] }
            try await stores.traces.write([run.post, run.patch { $0.attachments = [b, a] }, run.post], tenant: tenant)
            let stored = try #require(try await stores.traces.run(run.id, tenant: tenant))
            #expect(stored.attachments == [a, b])
        }
    }
}
