import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

extension TraceStoreContractTests {
    /// Feedback rows: upsert, get, list (every `FeedbackQuery` field), delete, per-run stats.
    @Suite("feedback")
    struct FeedbackRows {
        let tenant = UUID()

        @Test("every field survives a round trip and a second write upserts", arguments: StoreFactory.allCases)
        func upsertAndGet(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            var f = FeedbackBuilder.on(UUID(), key: "correctness", score: 0.5, value: "partly", comment: "meh",
                                       tenantId: tenant, sessionId: UUID(), source: "api", createdAt: Fixtures.time(1))
            f.traceId = UUID()
            f.correction = ["answer": "Paris"]
            f.feedbackConfig = ["type": "continuous", "min": 0, "max": 1]
            f.startTime = Fixtures.time(0.5)
            f.comparativeExperimentId = UUID()
            f.feedbackGroupId = UUID()
            f.extra = ["note": ["nested": [1, 2.5, nil]]]
            f.error = false
            f.modifiedAt = Fixtures.time(2)
            try await traces.write([], [f], tenant: tenant)
            #expect(try await traces.feedback(id: f.id, tenantId: tenant) == f)

            var updated = f
            updated.score = true
            updated.value = nil
            updated.comment = nil
            updated.error = true
            updated.modifiedAt = Fixtures.time(3)
            try await traces.write([], [updated], tenant: tenant)
            #expect(try await traces.feedback(id: f.id, tenantId: tenant) == updated)
            #expect(try await traces.listFeedback(FeedbackQuery(tenantId: tenant)) == [updated])
            #expect(try await traces.feedback(id: UUID(), tenantId: tenant) == nil)
        }

        @Test("delete removes exactly one row and reports whether it existed", arguments: StoreFactory.allCases)
        func delete(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let run = UUID()
            let a = FeedbackBuilder.on(run, key: "a", score: 1, tenantId: tenant)
            let b = FeedbackBuilder.on(run, key: "b", score: 0, tenantId: tenant)
            try await traces.write([], [a, b], tenant: tenant)
            #expect(try await traces.deleteFeedback(id: a.id, tenantId: tenant))
            #expect(try await traces.deleteFeedback(id: a.id, tenantId: tenant) == false)
            #expect(try await traces.feedback(id: a.id, tenantId: tenant) == nil)
            #expect(try await traces.listFeedback(FeedbackQuery(tenantId: tenant)).map(\.id) == [b.id])
        }

        @Test("listFeedback honours every query field", arguments: StoreFactory.allCases)
        func list(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let projectA = UUID(), projectB = UUID(), experiment = UUID()
            let runA = RunBuilder.root(name: "a", sessionId: projectA)
            let runB = RunBuilder.root(name: "b", sessionId: projectB)
            // Ids are fixed so equal created_at values have a known (id descending) order.
            let rows: [Feedback] = [
                FeedbackBuilder.on(runA.id, key: "correctness", score: 1, comment: "good", tenantId: tenant, source: "api",
                                   id: Fixtures.uuid(1), createdAt: Fixtures.time(1)),
                FeedbackBuilder.on(runA.id, key: "helpfulness", value: "ok", tenantId: tenant, source: "model",
                                   id: Fixtures.uuid(2), createdAt: Fixtures.time(2)),
                FeedbackBuilder.on(runB.id, key: "correctness", score: 0, tenantId: tenant, source: "app",
                                   id: Fixtures.uuid(3), createdAt: Fixtures.time(2)),
                FeedbackBuilder.onProject(projectB, key: "summary", score: 0.5, tenantId: tenant,
                                          id: Fixtures.uuid(4), createdAt: Fixtures.time(3)),
                {
                    var f = FeedbackBuilder.on(runB.id, key: "preference", score: 1, comment: "B wins", tenantId: tenant,
                                               id: Fixtures.uuid(5), createdAt: Fixtures.time(4))
                    f.comparativeExperimentId = experiment
                    return f
                }(),
            ]
            try await traces.write([runA.post, runB.post], rows, tenant: tenant)

            func keys(_ configure: (inout FeedbackQuery) -> Void) async throws -> [Int] {
                var q = FeedbackQuery(tenantId: tenant)
                configure(&q)
                return try await traces.listFeedback(q).map { f in rows.firstIndex { $0.id == f.id }.map { $0 + 1 } ?? -1 }
            }
            // Newest first; equal created_at by id descending.
            #expect(try await keys { _ in } == [5, 4, 3, 2, 1])
            #expect(try await keys { $0.runIds = [runA.id] } == [2, 1])
            #expect(try await keys { $0.runIds = [] } == [])
            #expect(try await keys { $0.keys = ["correctness", "summary"] } == [4, 3, 1])
            #expect(try await keys { $0.sources = ["api", "app"] } == [3, 1])
            // A project's feedback: on its runs, and on the project itself.
            #expect(try await keys { $0.sessionIds = [projectB] } == [5, 4, 3])
            #expect(try await keys { $0.sessionIds = [projectA] } == [2, 1])
            #expect(try await keys { $0.hasComment = true } == [5, 1])
            #expect(try await keys { $0.hasComment = false } == [4, 3, 2])
            #expect(try await keys { $0.hasScore = false } == [2])
            #expect(try await keys { $0.hasScore = true; $0.runIds = [runB.id] } == [5, 3])
            #expect(try await keys { $0.minCreatedAt = Fixtures.time(2) } == [5, 4, 3, 2])
            #expect(try await keys { $0.maxCreatedAt = Fixtures.time(2) } == [3, 2, 1])
            #expect(try await keys { $0.minCreatedAt = Fixtures.time(2); $0.maxCreatedAt = Fixtures.time(3) } == [4, 3, 2])
            #expect(try await keys { $0.comparativeExperimentId = experiment } == [5])
            #expect(try await keys { $0.limit = 2 } == [5, 4])
            #expect(try await keys { $0.offset = 2; $0.limit = 2 } == [3, 2])
            #expect(try await keys { $0.offset = 5 } == [])
        }

        @Test("feedbackStats aggregates per run and key with exact numbers", arguments: StoreFactory.allCases)
        func perRunStats(_ factory: StoreFactory) async throws {
            let traces = try factory.make().traces
            let run = UUID(), other = UUID(), quiet = UUID()
            var rows: [Feedback] = []
            // The textbook population: mean 5, standard deviation 2.
            for (i, score) in [2, 4, 4, 4, 5, 5, 7, 9].enumerated() {
                rows.append(FeedbackBuilder.on(run, key: "quality", score: .int(Int64(score)), tenantId: tenant, createdAt: Fixtures.time(Double(i))))
            }
            rows.append(FeedbackBuilder.on(run, key: "rating", value: "good", comment: "first", tenantId: tenant, createdAt: Fixtures.time(1)))
            rows.append(FeedbackBuilder.on(run, key: "rating", value: "bad", tenantId: tenant, createdAt: Fixtures.time(2)))
            rows.append(FeedbackBuilder.on(run, key: "rating", value: "good", comment: "second", tenantId: tenant, createdAt: Fixtures.time(3)))
            var failed = FeedbackBuilder.on(run, key: "rating", value: 3, tenantId: tenant, createdAt: Fixtures.time(4))
            failed.error = true
            rows.append(failed)
            rows.append(FeedbackBuilder.on(other, key: "quality", score: true, tenantId: tenant))
            rows.append(FeedbackBuilder.on(other, key: "quality", score: false, tenantId: tenant))
            try await traces.write([], rows, tenant: tenant)

            let stats = try await traces.feedbackStats(runIds: [run, other, quiet], tenantId: tenant)
            #expect(Set(stats.keys) == [run, other])
            let quality = try #require(stats[run]?["quality"])
            #expect(quality.n == 8)
            #expect(quality.avg == 5)
            #expect(quality.stdev == 2)
            #expect(quality.errors == 0)
            #expect(quality.values.isEmpty)
            let rating = try #require(stats[run]?["rating"])
            #expect(rating.n == 4)
            #expect(rating.avg == nil)
            #expect(rating.stdev == nil)
            #expect(rating.errors == 1)
            #expect(rating.values == ["good": 2, "bad": 1])
            #expect(rating.comments == ["first", "second"])
            let booleans = try #require(stats[other]?["quality"])
            #expect(booleans.n == 2)
            #expect(booleans.avg == 0.5)
            #expect(booleans.stdev == 0.5)
            #expect(try await traces.feedbackStats(runIds: [], tenantId: tenant).isEmpty)
        }
    }
}
