import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

/// The feedback config and feedback token store contract, run against every backend.
@Suite("FeedbackConfigStore & FeedbackTokenStore contract")
struct FeedbackConfigStoreContractTests {
    let tenant = UUID()
    let otherTenant = UUID()

    func config(_ key: String, _ c: FeedbackConfig, tenant: UUID? = nil, at seconds: Double = 0, lowerIsBetter: Bool? = false) -> FeedbackKeyConfig {
        FeedbackKeyConfig(tenantId: tenant ?? self.tenant, key: key, config: c, isLowerScoreBetter: lowerIsBetter, modifiedAt: Fixtures.time(seconds))
    }

    @Test("create registers once per key; the stored config wins; other workspaces are separate", arguments: StoreFactory.allCases)
    func create(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        let stars = config("stars", FeedbackConfig(kind: .continuous, min: 0, max: 5), lowerIsBetter: nil)
        let first = try await store.createFeedbackConfig(stars)
        #expect(first.created)
        #expect(first.stored == stars)
        let second = try await store.createFeedbackConfig(config("stars", FeedbackConfig(kind: .freeform), at: 9))
        #expect(!second.created)
        #expect(second.stored == stars)
        #expect(try await store.feedbackConfig(key: "stars", tenantId: tenant) == stars)
        #expect(try await store.feedbackConfig(key: "stars", tenantId: otherTenant) == nil)
        #expect(try await store.feedbackConfig(key: "Stars", tenantId: tenant) == nil)

        let theirs = config("stars", FeedbackConfig(kind: .freeform), tenant: otherTenant)
        #expect(try await store.createFeedbackConfig(theirs).created)
        #expect(try await store.feedbackConfig(key: "stars", tenantId: otherTenant) == theirs)
        #expect(try await store.feedbackConfig(key: "stars", tenantId: tenant) == stars)

        // Categories, labels, and every flag survive storage.
        var mood = config("mood", FeedbackConfig(kind: .categorical, categories: [.init(value: 0, label: "sad"), .init(value: 1.5)]), lowerIsBetter: true)
        mood.isEnforced = true
        _ = try await store.createFeedbackConfig(mood)
        #expect(try await store.feedbackConfig(key: "mood", tenantId: tenant) == mood)
    }

    @Test("concurrent creates of one key store exactly one config", arguments: StoreFactory.allCases)
    func createRace(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        let tenant = self.tenant
        let results = try await withThrowingTaskGroup(of: (Bool, FeedbackKeyConfig).self) { group in
            for i in 0..<20 {
                group.addTask {
                    let c = FeedbackKeyConfig(tenantId: tenant, key: "race", config: FeedbackConfig(kind: .continuous, max: Double(i + 1)))
                    let r = try await store.createFeedbackConfig(c)
                    return (r.created, r.stored)
                }
            }
            return try await group.reduce(into: [(Bool, FeedbackKeyConfig)]()) { $0.append($1) }
        }
        #expect(results.filter(\.0).count == 1)
        #expect(Set(results.map(\.1)).count == 1)
        #expect(try await store.feedbackConfig(key: "race", tenantId: tenant) == results[0].1)
    }

    @Test("list filters by key, substring, order and page", arguments: StoreFactory.allCases)
    func list(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        let continuous = FeedbackConfig(kind: .continuous)
        for (key, t) in [("Correctness", 1.0), ("helpfulness", 2.0), ("correct_format", 3.0), ("tone", 3.0)] {
            _ = try await store.createFeedbackConfig(config(key, continuous, at: t))
        }
        _ = try await store.createFeedbackConfig(config("correctness-theirs", continuous, tenant: otherTenant, at: 4))

        func keys(_ configure: (inout FeedbackConfigQuery) -> Void) async throws -> [String] {
            var q = FeedbackConfigQuery(tenantId: tenant)
            configure(&q)
            return try await store.listFeedbackConfigs(q).map(\.key)
        }
        // Newest change first; equal times by key.
        #expect(try await keys { _ in } == ["correct_format", "tone", "helpfulness", "Correctness"])
        #expect(try await keys { $0.sortByDesc = false } == ["Correctness", "helpfulness", "correct_format", "tone"])
        #expect(try await keys { $0.keys = ["tone", "Correctness", "missing"] } == ["tone", "Correctness"])
        #expect(try await keys { $0.keys = [] } == [])
        #expect(try await keys { $0.keyContains = "CORRECT" } == ["correct_format", "Correctness"])
        #expect(try await keys { $0.keyContains = "xyz" } == [])
        #expect(try await keys { $0.limit = 2 } == ["correct_format", "tone"])
        #expect(try await keys { $0.offset = 2; $0.limit = 5 } == ["helpfulness", "Correctness"])
        #expect(try await keys { $0.offset = 4 } == [])
    }

    @Test("update replaces a stored config; unknown keys are not found; delete frees the key", arguments: StoreFactory.allCases)
    func updateDelete(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        _ = try await store.createFeedbackConfig(config("stars", FeedbackConfig(kind: .continuous, min: 0, max: 5)))
        let changed = config("stars", FeedbackConfig(kind: .continuous, min: 1, max: 10), at: 5, lowerIsBetter: true)
        try await store.updateFeedbackConfig(changed)
        #expect(try await store.feedbackConfig(key: "stars", tenantId: tenant) == changed)

        let missing = await #expect(throws: StoreError.self) {
            try await store.updateFeedbackConfig(config("nope", FeedbackConfig(kind: .freeform)))
        }
        #expect(missing?.code == .notFound)
        let foreign = await #expect(throws: StoreError.self) {
            try await store.updateFeedbackConfig(config("stars", FeedbackConfig(kind: .freeform), tenant: otherTenant))
        }
        #expect(foreign?.code == .notFound)
        #expect(try await store.feedbackConfig(key: "stars", tenantId: tenant) == changed)

        #expect(try await store.deleteFeedbackConfig(key: "stars", tenantId: otherTenant) == false)
        #expect(try await store.deleteFeedbackConfig(key: "stars", tenantId: tenant))
        #expect(try await store.deleteFeedbackConfig(key: "stars", tenantId: tenant) == false)
        #expect(try await store.feedbackConfig(key: "stars", tenantId: tenant) == nil)
        let again = config("stars", FeedbackConfig(kind: .freeform), at: 7)
        #expect(try await store.createFeedbackConfig(again).created)
        #expect(try await store.feedbackConfig(key: "stars", tenantId: tenant) == again)
    }

    // MARK: tokens

    @Test("tokens: created all at once, found by id from any workspace, listed per run and workspace", arguments: StoreFactory.allCases)
    func tokens(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        let run = UUID(), otherRun = UUID()
        let a = FeedbackToken(tenantId: tenant, runId: run, feedbackKey: "thumbs", createdAt: Fixtures.time(1), expiresAt: Fixtures.time(100))
        let b = FeedbackToken(
            tenantId: tenant, runId: run, feedbackKey: "stars", feedbackConfig: FeedbackConfig(kind: .continuous, min: 0, max: 5),
            feedbackId: UUID(), createdAt: Fixtures.time(2), expiresAt: Fixtures.time(3))
        let c = FeedbackToken(tenantId: tenant, runId: otherRun, feedbackKey: "thumbs", createdAt: Fixtures.time(0), expiresAt: Fixtures.time(100))
        let theirs = FeedbackToken(tenantId: otherTenant, runId: run, feedbackKey: "thumbs", createdAt: Fixtures.time(0), expiresAt: Fixtures.time(100))
        try await store.createFeedbackTokens([b, a, c])
        try await store.createFeedbackTokens([theirs])
        try await store.createFeedbackTokens([])

        #expect(try await store.feedbackToken(id: a.id) == a)
        #expect(try await store.feedbackToken(id: b.id) == b)
        #expect(try await store.feedbackToken(id: theirs.id) == theirs)
        #expect(try await store.feedbackToken(id: UUID()) == nil)

        #expect(try await store.listFeedbackTokens(runId: run, tenantId: tenant, offset: 0, limit: 10) == [a, b])
        #expect(try await store.listFeedbackTokens(runId: run, tenantId: tenant, offset: 1, limit: 10) == [b])
        #expect(try await store.listFeedbackTokens(runId: run, tenantId: tenant, offset: 0, limit: 1) == [a])
        #expect(try await store.listFeedbackTokens(runId: run, tenantId: otherTenant, offset: 0, limit: 10) == [theirs])
        #expect(try await store.listFeedbackTokens(runId: UUID(), tenantId: tenant, offset: 0, limit: 10) == [])

        // A batch with a taken id stores nothing.
        let fresh = FeedbackToken(tenantId: tenant, runId: otherRun, feedbackKey: "new", createdAt: Fixtures.time(5), expiresAt: Fixtures.time(9))
        let dup = await #expect(throws: StoreError.self) { try await store.createFeedbackTokens([fresh, a]) }
        #expect(dup?.code == .conflict)
        #expect(try await store.feedbackToken(id: fresh.id) == nil)
        #expect(try await store.listFeedbackTokens(runId: otherRun, tenantId: tenant, offset: 0, limit: 10) == [c])

        #expect(b.isExpired(at: Fixtures.time(3)))
        #expect(!b.isExpired(at: Fixtures.time(2.999)))
    }
}
