import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

/// The metadata store contract (tenancy, API keys, projects, shares), run against every backend.
@Suite("MetadataStore contract")
struct MetadataStoreContractTests {
    let tenant = UUID()
    let otherTenant = UUID()

    // MARK: tenancy and keys

    @Test("bootstrapping the default workspace is idempotent", arguments: StoreFactory.allCases)
    func bootstrap(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        let first = try await store.bootstrapDefaultWorkspace()
        let second = try await store.bootstrapDefaultWorkspace()
        #expect(first == second)
        #expect(first.name == "Default Workspace")
        #expect(try await store.workspace(id: first.id) == first)
        let org = try #require(try await store.organization(id: first.organizationId))
        #expect(org.name == "Default Organization")
        #expect(try await store.workspace(id: UUID()) == nil)
        #expect(try await store.organization(id: UUID()) == nil)
    }

    @Test("bootstrapping concurrently still creates one workspace", arguments: StoreFactory.allCases)
    func bootstrapRace(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        let ids = try await withThrowingTaskGroup(of: UUID.self) { group in
            for _ in 0..<20 { group.addTask { try await store.bootstrapDefaultWorkspace().id } }
            return try await group.reduce(into: Set<UUID>()) { $0.insert($1) }
        }
        #expect(ids.count == 1)
    }

    @Test("API keys: create, look up by hash, revoked keys are invisible, touch", arguments: StoreFactory.allCases)
    func apiKeys(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        let ws = try await store.bootstrapDefaultWorkspace()
        let key = APIKey(tenantId: ws.id, hash: "hash-live", shortKey: "lsv2_…abcd", description: "ci", createdAt: Fixtures.time(0))
        let revoked = APIKey(tenantId: ws.id, hash: "hash-revoked", shortKey: "lsv2_…dead", description: "old",
                             createdAt: Fixtures.time(0), revokedAt: Fixtures.time(1))
        try await store.createAPIKey(key)
        try await store.createAPIKey(revoked)
        #expect(try await store.apiKey(hash: "hash-live") == key)
        #expect(try await store.apiKey(hash: "hash-revoked") == nil)
        #expect(try await store.apiKey(hash: "nope") == nil)
        #expect(try await store.apiKeyCount(tenantId: ws.id) == 1)
        #expect(try await store.apiKeyCount(tenantId: otherTenant) == 0)

        try await store.touchAPIKey(id: key.id, at: Fixtures.time(42))
        #expect(try await store.apiKey(hash: "hash-live")?.lastUsedAt == Fixtures.time(42))

        let duplicate = APIKey(tenantId: ws.id, hash: "hash-live", shortKey: "x", description: "dup")
        let conflict = await #expect(throws: StoreError.self) { try await store.createAPIKey(duplicate) }
        #expect(conflict?.code == .conflict)
        #expect(try await store.apiKey(hash: "hash-live") == key.with(lastUsedAt: Fixtures.time(42)))
    }

    // MARK: projects

    @Test("project create, read, update and delete", arguments: StoreFactory.allCases)
    func projectCRUD(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        var p = ProjectBuilder.make(name: "alpha", tenantId: tenant, start: Fixtures.time(1), metadata: ["team": "ml"],
                                    referenceDatasetId: UUID(), description: "first")
        p.endTime = Fixtures.time(9)
        p.defaultDatasetId = UUID()
        try await store.createProject(p)
        #expect(try await store.project(id: p.id, tenantId: tenant) == p)
        #expect(try await store.project(name: "alpha", tenantId: tenant) == p)
        #expect(try await store.project(id: p.id, tenantId: otherTenant) == nil)
        #expect(try await store.project(name: "alpha", tenantId: otherTenant) == nil)

        var renamed = p
        renamed.name = "beta"
        renamed.description = nil
        renamed.extra = ["metadata": ["team": "infra"]]
        try await store.updateProject(renamed)
        #expect(try await store.project(id: p.id, tenantId: tenant) == renamed)
        #expect(try await store.project(name: "alpha", tenantId: tenant) == nil)

        var foreign = renamed
        foreign.tenantId = otherTenant
        await #expect(throws: StoreError.self) { try await store.updateProject(foreign) }
        #expect(try await store.project(id: p.id, tenantId: tenant) == renamed)
        var missing = renamed
        missing.id = UUID()
        let error = await #expect(throws: StoreError.self) { try await store.updateProject(missing) }
        #expect(error?.code == .notFound)

        #expect(try await store.deleteProject(id: p.id, tenantId: otherTenant) == false)
        #expect(try await store.deleteProject(id: p.id, tenantId: tenant))
        #expect(try await store.deleteProject(id: p.id, tenantId: tenant) == false)
        #expect(try await store.project(id: p.id, tenantId: tenant) == nil)
    }

    @Test("names are unique per workspace: a duplicate is a conflict, another workspace is fine", arguments: StoreFactory.allCases)
    func uniqueNames(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        let a = ProjectBuilder.make(name: "shared", tenantId: tenant)
        try await store.createProject(a)
        let again = await #expect(throws: StoreError.self) {
            try await store.createProject(ProjectBuilder.make(name: "shared", tenantId: tenant))
        }
        #expect(again?.code == .conflict)
        let sameId = await #expect(throws: StoreError.self) {
            try await store.createProject(ProjectBuilder.make(name: "different", tenantId: tenant, id: a.id))
        }
        #expect(sameId?.code == .conflict)
        try await store.createProject(ProjectBuilder.make(name: "shared", tenantId: otherTenant))
        #expect(try await store.project(name: "shared", tenantId: otherTenant)?.tenantId == otherTenant)

        // Renaming onto a taken name is a conflict too.
        var b = ProjectBuilder.make(name: "other", tenantId: tenant)
        try await store.createProject(b)
        b.name = "shared"
        let rename = await #expect(throws: StoreError.self) { try await store.updateProject(b) }
        #expect(rename?.code == .conflict)
        #expect(try await store.project(id: b.id, tenantId: tenant)?.name == "other")
    }

    @Test("projectNamed creates once under 100 concurrent calls", arguments: StoreFactory.allCases)
    func projectNamedRace(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        let tenant = self.tenant
        let ids = try await withThrowingTaskGroup(of: UUID.self) { group in
            for _ in 0..<100 { group.addTask { try await store.projectNamed("auto", tenantId: tenant).id } }
            return try await group.reduce(into: [UUID]()) { $0.append($1) }
        }
        #expect(ids.count == 100)
        #expect(Set(ids).count == 1)
        var q = ProjectQuery(tenantId: tenant)
        q.name = "auto"
        #expect(try await store.listProjects(q).map(\.id) == [ids[0]])
        // An existing project is returned as is, and other workspaces get their own.
        #expect(try await store.projectNamed("auto", tenantId: tenant).id == ids[0])
        let theirs = try await store.projectNamed("auto", tenantId: otherTenant)
        #expect(theirs.id != ids[0])
        #expect(theirs.tenantId == otherTenant)
    }

    @Test("listProjects honours every query field", arguments: StoreFactory.allCases)
    func listProjects(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        let dataset = UUID()
        let projects = [
            ProjectBuilder.make(name: "Tracing-Prod", tenantId: tenant, start: Fixtures.time(1), metadata: [
                "env": "prod", "tier": 1, "beta": true, "owner": ["team": "ml", "size": 3], "quote\"key": "q",
            ]),
            ProjectBuilder.make(name: "tracing-dev", tenantId: tenant, start: Fixtures.time(2), metadata: ["env": "dev"]),
            ProjectBuilder.make(name: "experiment-1", tenantId: tenant, start: Fixtures.time(3), metadata: ["env": "prod", "tier": 2],
                                referenceDatasetId: dataset),
            ProjectBuilder.make(name: "experiment-2", tenantId: tenant, start: Fixtures.time(4), referenceDatasetId: UUID()),
            ProjectBuilder.make(name: "Tracing-Prod", tenantId: otherTenant, start: Fixtures.time(5), metadata: ["env": "prod"]),
        ]
        for p in projects { try await store.createProject(p) }

        func names(_ configure: (inout ProjectQuery) -> Void) async throws -> [String] {
            var q = ProjectQuery(tenantId: tenant)
            configure(&q)
            return try await store.listProjects(q).map(\.name)
        }
        #expect(try await names { _ in } == ["experiment-2", "experiment-1", "tracing-dev", "Tracing-Prod"])
        #expect(try await names { $0.sortByDesc = false } == ["Tracing-Prod", "tracing-dev", "experiment-1", "experiment-2"])
        #expect(try await names { $0.ids = [projects[1].id, projects[3].id, projects[4].id] } == ["experiment-2", "tracing-dev"])
        #expect(try await names { $0.ids = [] } == [])
        #expect(try await names { $0.name = "Tracing-Prod" } == ["Tracing-Prod"])
        #expect(try await names { $0.name = "tracing-prod" } == [])
        #expect(try await names { $0.nameContains = "TRACING" } == ["tracing-dev", "Tracing-Prod"])
        #expect(try await names { $0.nameContains = "ment-" } == ["experiment-2", "experiment-1"])
        #expect(try await names { $0.referenceDatasetId = dataset } == ["experiment-1"])
        #expect(try await names { $0.referenceFree = true } == ["tracing-dev", "Tracing-Prod"])
        #expect(try await names { $0.referenceFree = false } == ["experiment-2", "experiment-1"])
        #expect(try await names { $0.metadata = ["env": "prod"] } == ["experiment-1", "Tracing-Prod"])
        #expect(try await names { $0.metadata = ["env": "prod", "tier": 2] } == ["experiment-1"])
        #expect(try await names { $0.metadata = ["env": "staging"] } == [])
        // Values compare as JSON: numbers numerically, objects whatever their key order, and
        // booleans are not numbers. Keys are literal.
        #expect(try await names { $0.metadata = ["tier": 1.0] } == ["Tracing-Prod"])
        #expect(try await names { $0.metadata = ["beta": true] } == ["Tracing-Prod"])
        #expect(try await names { $0.metadata = ["beta": 1] } == [])
        #expect(try await names { $0.metadata = ["tier": true] } == [])
        #expect(try await names { $0.metadata = ["tier": "1"] } == [])
        #expect(try await names { $0.metadata = ["owner": ["size": 3.0, "team": "ml"]] } == ["Tracing-Prod"])
        #expect(try await names { $0.metadata = ["owner": ["team": "ml"]] } == [])
        #expect(try await names { $0.metadata = ["quote\"key": "q"] } == ["Tracing-Prod"])
        #expect(try await names { $0.metadata = [:] } == ["experiment-2", "experiment-1", "tracing-dev", "Tracing-Prod"])
        #expect(try await names { $0.limit = 2 } == ["experiment-2", "experiment-1"])
        #expect(try await names { $0.offset = 1; $0.limit = 2 } == ["experiment-1", "tracing-dev"])
        #expect(try await names { $0.offset = 4 } == [])
        #expect(try await names { $0.nameContains = "tracing"; $0.sortByDesc = false; $0.offset = 1 } == ["tracing-dev"])
    }

    // MARK: shares

    @Test("sharing a run is idempotent, scoped, and revocable", arguments: StoreFactory.allCases)
    func shares(_ factory: StoreFactory) async throws {
        let store = try factory.make().metadata
        let run = UUID()
        let share = RunShare(token: UUID(), tenantId: tenant, runId: run, createdAt: Fixtures.time(1))
        #expect(try await store.shareRun(share) == share)
        // Sharing again returns the existing token.
        let again = try await store.shareRun(RunShare(token: UUID(), tenantId: tenant, runId: run, createdAt: Fixtures.time(2)))
        #expect(again == share)
        #expect(try await store.runShare(runId: run, tenantId: tenant) == share)
        #expect(try await store.runShare(token: share.token) == share)
        #expect(try await store.runShare(runId: run, tenantId: otherTenant) == nil)

        try await store.unshareRun(runId: run, tenantId: otherTenant)
        #expect(try await store.runShare(token: share.token) == share)
        try await store.unshareRun(runId: run, tenantId: tenant)
        #expect(try await store.runShare(token: share.token) == nil)
        #expect(try await store.runShare(runId: run, tenantId: tenant) == nil)
        // A new share after revoking gets the new token.
        let fresh = RunShare(token: UUID(), tenantId: tenant, runId: run, createdAt: Fixtures.time(3))
        #expect(try await store.shareRun(fresh) == fresh)
    }
}

extension APIKey {
    func with(lastUsedAt: Timestamp) -> APIKey {
        var copy = self
        copy.lastUsedAt = lastUsedAt
        return copy
    }
}
