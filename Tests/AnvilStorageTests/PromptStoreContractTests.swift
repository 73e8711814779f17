import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

/// The prompt hub (prompts, commit chains, tags, likes) behaves the same on every backend.
@Suite("Prompt store contract")
struct PromptStoreContractTests {
    let tenant = Fixtures.uuid(800)
    let other = Fixtures.uuid(801)

    /// A 64-hex hash starting with `prefix` (padded with a digit derived from `n`).
    func hash(_ prefix: String, _ n: Int = 0) -> String {
        prefix + String(repeating: String(n % 10), count: 64 - prefix.count)
    }

    func manifest(_ template: String) -> RawJSON {
        Fixtures.raw(#"{"lc": 1, "type": "constructor", "id": ["langchain", "prompts", "prompt", "PromptTemplate"], "kwargs": {"template": "\#(template)"}}"#)
    }

    func repo(_ n: Int, _ handle: String, tenant t: UUID? = nil, at seconds: Double = 0, isPublic: Bool = false) -> PromptRepo {
        PromptRepo(id: Fixtures.uuid(n), tenantId: t ?? tenant, handle: handle, isPublic: isPublic, createdAt: Fixtures.time(seconds))
    }

    func commit(_ n: Int, repo: PromptRepo, hash h: String, parent: String?, template: String, at seconds: Double = 0) -> PromptCommit {
        PromptCommit(id: Fixtures.uuid(n), tenantId: repo.tenantId, repoId: repo.id, hash: h, parentHash: parent, manifest: manifest(template),
                     createdAt: Fixtures.time(seconds))
    }

    @discardableResult
    func created(_ outcome: PromptCommitOutcome) throws -> PromptCommit {
        guard case .created(let c) = outcome else { throw TestFailure("expected a created commit, got \(outcome)") }
        return c
    }

    @Test("workspace handles: unique across workspaces, settable, found by handle", arguments: StoreFactory.allCases)
    func handles(factory: StoreFactory) async throws {
        let s = try factory.make()
        let meta = s.metadata
        let first = try await meta.bootstrapDefaultWorkspace()
        let second = Workspace(organizationId: first.organizationId, name: "Second")
        try await meta.createWorkspace(second)
        #expect(try await meta.workspace(id: second.id) == second)
        let orphan = await #expect(throws: StoreError.self) { try await meta.createWorkspace(Workspace(organizationId: UUID(), name: "x")) }
        #expect(orphan?.code == .notFound)

        #expect(try await meta.workspace(handle: "acme") == nil)
        let named = try await meta.setWorkspaceHandle("acme", workspaceId: first.id)
        #expect(named.handle == "acme" && named.id == first.id)
        #expect(try await meta.workspace(handle: "acme")?.id == first.id)
        #expect(try await meta.setWorkspaceHandle("acme", workspaceId: first.id).handle == "acme")  // setting it again is fine
        let taken = await #expect(throws: StoreError.self) { _ = try await meta.setWorkspaceHandle("acme", workspaceId: second.id) }
        #expect(taken?.code == .conflict)
        let takenAtCreation = await #expect(throws: StoreError.self) {
            try await meta.createWorkspace(Workspace(organizationId: first.organizationId, name: "Third", handle: "acme"))
        }
        #expect(takenAtCreation?.code == .conflict)
        let unknown = await #expect(throws: StoreError.self) { _ = try await meta.setWorkspaceHandle("zeta", workspaceId: UUID()) }
        #expect(unknown?.code == .notFound)

        // Renaming frees the old handle.
        _ = try await meta.setWorkspaceHandle("acme-labs", workspaceId: first.id)
        #expect(try await meta.workspace(handle: "acme") == nil)
        #expect(try await meta.setWorkspaceHandle("acme", workspaceId: second.id).id == second.id)
        #expect(try await meta.workspace(id: first.id)?.handle == "acme-labs")
    }

    @Test("prompts: create, per-workspace unique names, read, update, delete with everything under them", arguments: StoreFactory.allCases)
    func prompts(factory: StoreFactory) async throws {
        let s = try factory.make()
        let ps = s.prompts
        var a = repo(1, "alpha")
        a.description = "first"
        a.tags = ["x", "y"]
        try await ps.createPrompt(a)
        try await ps.createPrompt(repo(2, "alpha", tenant: other))  // same name, other workspace
        let dup = await #expect(throws: StoreError.self) { try await ps.createPrompt(repo(3, "alpha")) }
        #expect(dup?.code == .conflict)

        let read = try #require(try await ps.prompt(handle: "alpha", tenantId: tenant, viewer: tenant))
        #expect(read.repo == a)
        #expect(read.numCommits == 0 && read.lastCommitHash == nil && read.numLikes == 0 && !read.likedByViewer)
        #expect(try await ps.prompt(handle: "alpha", tenantId: other, viewer: other)?.repo.id == Fixtures.uuid(2))
        #expect(try await ps.prompt(handle: "nope", tenantId: tenant, viewer: tenant) == nil)

        var edited = a
        edited.description = nil
        edited.readme = "# readme"
        edited.tags = ["z"]
        edited.isPublic = true
        edited.isArchived = true
        edited.updatedAt = Fixtures.time(50)
        try await ps.updatePrompt(edited)
        #expect(try await ps.prompt(handle: "alpha", tenantId: tenant, viewer: tenant)?.repo == edited)
        var foreign = edited
        foreign.tenantId = other
        let missing = await #expect(throws: StoreError.self) { try await ps.updatePrompt(foreign) }
        #expect(missing?.code == .notFound)

        try created(try await ps.createCommit(commit(10, repo: a, hash: hash("aa"), parent: nil, template: "t")))
        _ = try await ps.setTag("prod", commitId: Fixtures.uuid(10), repoId: a.id, tenantId: tenant, at: Fixtures.time(1))
        #expect(try await ps.setLike(true, repoId: a.id, tenantId: tenant, liker: other) == 1)

        #expect(try await ps.deletePrompt(id: a.id, tenantId: other) == false)
        #expect(try await ps.deletePrompt(id: a.id, tenantId: tenant))
        #expect(try await ps.prompt(handle: "alpha", tenantId: tenant, viewer: tenant) == nil)
        #expect(try await ps.commit(id: Fixtures.uuid(10), repoId: a.id, tenantId: tenant) == nil)
        #expect(try await ps.tags(repoId: a.id, tenantId: tenant).isEmpty)
        // A new prompt with the old name starts from nothing.
        let again = repo(4, "alpha")
        try await ps.createPrompt(again)
        #expect(try await ps.prompt(handle: "alpha", tenantId: tenant, viewer: other)?.numLikes == 0)
        #expect(try await ps.latestCommit(repoId: again.id, tenantId: tenant) == nil)
    }

    @Test("commits chain on the head: a stale or missing parent is refused, an identical manifest commits nothing", arguments: StoreFactory.allCases)
    func commitChain(factory: StoreFactory) async throws {
        let s = try factory.make()
        let ps = s.prompts
        let r = repo(1, "chain", at: 0)
        try await ps.createPrompt(r)

        // The first commit must have no parent.
        guard case .staleParent(head: nil) = try await ps.createCommit(commit(10, repo: r, hash: hash("a1"), parent: hash("ff"), template: "v1")) else {
            throw TestFailure("a parent on the first commit must be refused")
        }
        let c1 = try created(try await ps.createCommit(commit(10, repo: r, hash: hash("a1"), parent: nil, template: "v1", at: 10)))
        #expect(c1.parentId == nil)
        let c2 = try created(try await ps.createCommit(commit(11, repo: r, hash: hash("b2"), parent: c1.hash, template: "v2", at: 20)))
        #expect(c2.parentId == c1.id && c2.parentHash == c1.hash)

        // Stale (c1 is no longer the head) and missing parents are refused, naming the head.
        guard case .staleParent(head: let head?) = try await ps.createCommit(commit(12, repo: r, hash: hash("c3"), parent: c1.hash, template: "v3")) else {
            throw TestFailure("a stale parent must be refused")
        }
        #expect(head.id == c2.id)
        guard case .staleParent(head: let head2?) = try await ps.createCommit(commit(12, repo: r, hash: hash("c3"), parent: nil, template: "v3")) else {
            throw TestFailure("a missing parent must be refused once there are commits")
        }
        #expect(head2.id == c2.id)

        // The head's manifest again: nothing new.
        guard case .unchanged(let same) = try await ps.createCommit(commit(13, repo: r, hash: hash("d4"), parent: c2.hash, template: "v2")) else {
            throw TestFailure("an identical manifest must not commit")
        }
        #expect(same.id == c2.id)
        // An older manifest is a new commit (a revert).
        let c3 = try created(try await ps.createCommit(commit(14, repo: r, hash: hash("e5"), parent: c2.hash, template: "v1", at: 30)))

        let (page, total) = try await ps.commits(repoId: r.id, tenantId: tenant, limit: 2, offset: 0)
        #expect(total == 3)
        #expect(page.map(\.id) == [c3.id, c2.id])
        #expect(try await ps.commits(repoId: r.id, tenantId: tenant, limit: 10, offset: 2).commits.map(\.id) == [c1.id])
        #expect(try await ps.latestCommit(repoId: r.id, tenantId: tenant) == c3)
        #expect(try await ps.commit(id: c1.id, repoId: r.id, tenantId: tenant)?.manifest == manifest("v1"))

        let summary = try #require(try await ps.prompt(handle: "chain", tenantId: tenant, viewer: tenant))
        #expect(summary.numCommits == 3)
        #expect(summary.lastCommitHash == c3.hash)
        #expect(summary.repo.updatedAt == Fixtures.time(30))  // commits bump updated_at

        // Another workspace cannot commit to, or read the commits of, this prompt.
        var foreign = commit(15, repo: r, hash: hash("f6"), parent: c3.hash, template: "x")
        foreign.tenantId = other
        await #expect(throws: StoreError.self) { try await ps.createCommit(foreign) }
        #expect(try await ps.commits(repoId: r.id, tenantId: other, limit: 10, offset: 0).total == 0)
        #expect(try await ps.latestCommit(repoId: r.id, tenantId: other) == nil)
        #expect(try await ps.commit(id: c1.id, repoId: r.id, tenantId: other) == nil)
    }

    @Test("hash prefix lookup, pull and view counters", arguments: StoreFactory.allCases)
    func prefixesAndCounters(factory: StoreFactory) async throws {
        let s = try factory.make()
        let ps = s.prompts
        let r = repo(1, "prefix")
        try await ps.createPrompt(r)
        let c1 = try created(try await ps.createCommit(commit(10, repo: r, hash: hash("abcdef01", 1), parent: nil, template: "1")))
        let c2 = try created(try await ps.createCommit(commit(11, repo: r, hash: hash("abcdef02", 2), parent: c1.hash, template: "2")))
        #expect(try await ps.commits(repoId: r.id, tenantId: tenant, hashPrefix: "abcdef01", limit: 2).map(\.id) == [c1.id])
        #expect(try await ps.commits(repoId: r.id, tenantId: tenant, hashPrefix: "abcdef", limit: 5).map(\.id) == [c1.id, c2.id])
        #expect(try await ps.commits(repoId: r.id, tenantId: tenant, hashPrefix: c2.hash, limit: 2).map(\.id) == [c2.id])
        #expect(try await ps.commits(repoId: r.id, tenantId: tenant, hashPrefix: "abcdef03", limit: 2).isEmpty)
        #expect(try await ps.commits(repoId: r.id, tenantId: other, hashPrefix: "abcdef", limit: 2).isEmpty)

        try await ps.recordCommitRead(commitId: c1.id, tenantId: tenant, view: false)
        try await ps.recordCommitRead(commitId: c2.id, tenantId: tenant, view: false)
        try await ps.recordCommitRead(commitId: c2.id, tenantId: tenant, view: true)
        try await ps.recordCommitRead(commitId: c2.id, tenantId: other, view: true)  // not its workspace: ignored
        let counted = try #require(try await ps.commit(id: c2.id, repoId: r.id, tenantId: tenant))
        #expect(counted.numDownloads == 1 && counted.numViews == 1)
        let summary = try #require(try await ps.prompt(handle: "prefix", tenantId: tenant, viewer: tenant))
        #expect(summary.numDownloads == 2 && summary.numViews == 1)
    }

    @Test("tags point at commits of their prompt and move", arguments: StoreFactory.allCases)
    func tags(factory: StoreFactory) async throws {
        let s = try factory.make()
        let ps = s.prompts
        let r = repo(1, "tagged")
        let o = repo(2, "other-prompt")
        try await ps.createPrompt(r)
        try await ps.createPrompt(o)
        let c1 = try created(try await ps.createCommit(commit(10, repo: r, hash: hash("a1"), parent: nil, template: "1")))
        let c2 = try created(try await ps.createCommit(commit(11, repo: r, hash: hash("b2"), parent: c1.hash, template: "2")))
        let oc = try created(try await ps.createCommit(commit(12, repo: o, hash: hash("c3"), parent: nil, template: "o")))

        let prod = try await ps.setTag("prod", commitId: c1.id, repoId: r.id, tenantId: tenant, at: Fixtures.time(1))
        #expect(prod.commitId == c1.id && prod.commitHash == c1.hash && prod.name == "prod" && prod.repoId == r.id)
        _ = try await ps.setTag("beta", commitId: c2.id, repoId: r.id, tenantId: tenant, at: Fixtures.time(2))
        #expect(try await ps.tags(repoId: r.id, tenantId: tenant).map(\.name) == ["beta", "prod"])

        let moved = try await ps.setTag("prod", commitId: c2.id, repoId: r.id, tenantId: tenant, at: Fixtures.time(3))
        #expect(moved.id == prod.id && moved.commitHash == c2.hash && moved.createdAt == Fixtures.time(1) && moved.updatedAt == Fixtures.time(3))
        #expect(try await ps.tag("prod", repoId: r.id, tenantId: tenant)?.commitId == c2.id)

        // A commit of another prompt, or an unknown one, cannot be tagged here.
        let wrong = await #expect(throws: StoreError.self) {
            _ = try await ps.setTag("x", commitId: oc.id, repoId: r.id, tenantId: tenant, at: Fixtures.time(4))
        }
        #expect(wrong?.code == .notFound)
        await #expect(throws: StoreError.self) { _ = try await ps.setTag("x", commitId: UUID(), repoId: r.id, tenantId: tenant, at: Fixtures.time(4)) }
        #expect(try await ps.tags(repoId: r.id, tenantId: other).isEmpty)
        #expect(try await ps.tag("prod", repoId: r.id, tenantId: other) == nil)

        #expect(try await ps.deleteTag("prod", repoId: r.id, tenantId: other) == false)
        #expect(try await ps.deleteTag("prod", repoId: r.id, tenantId: tenant))
        #expect(try await ps.deleteTag("prod", repoId: r.id, tenantId: tenant) == false)
        #expect(try await ps.tags(repoId: r.id, tenantId: tenant).map(\.name) == ["beta"])
    }

    @Test("likes are per workspace and idempotent", arguments: StoreFactory.allCases)
    func likes(factory: StoreFactory) async throws {
        let s = try factory.make()
        let ps = s.prompts
        let r = repo(1, "liked", isPublic: true)
        try await ps.createPrompt(r)
        #expect(try await ps.setLike(true, repoId: r.id, tenantId: tenant, liker: tenant) == 1)
        #expect(try await ps.setLike(true, repoId: r.id, tenantId: tenant, liker: tenant) == 1)
        #expect(try await ps.setLike(true, repoId: r.id, tenantId: tenant, liker: other) == 2)
        #expect(try await ps.prompt(handle: "liked", tenantId: tenant, viewer: other)?.likedByViewer == true)
        #expect(try await ps.setLike(false, repoId: r.id, tenantId: tenant, liker: other) == 1)
        #expect(try await ps.setLike(false, repoId: r.id, tenantId: tenant, liker: other) == 1)
        let summary = try #require(try await ps.prompt(handle: "liked", tenantId: tenant, viewer: other))
        #expect(summary.numLikes == 1 && !summary.likedByViewer)
        // The prompt must exist in the workspace named.
        let missing = await #expect(throws: StoreError.self) { _ = try await ps.setLike(true, repoId: r.id, tenantId: other, liker: other) }
        #expect(missing?.code == .notFound)
    }

    @Test("listing: scope, filters, sorting, paging and totals", arguments: StoreFactory.allCases)
    func listing(factory: StoreFactory) async throws {
        let s = try factory.make()
        let ps = s.prompts
        var rows: [PromptRepo] = []
        for (i, (handle, isPublic, archived)) in [("joke-teller", true, false), ("summarizer", false, false), ("jokes-archive", true, true),
                                                  ("translator", true, false)].enumerated() {
            var r = repo(i + 1, handle, at: Double(i), isPublic: isPublic)
            r.isArchived = archived
            r.description = i == 3 ? "translates JOKES too" : nil
            r.tags = i % 2 == 0 ? ["fun"] : ["work", "fun"]
            try await ps.createPrompt(r)
            rows.append(r)
        }
        let foreign = repo(9, "foreign-joke", tenant: other, at: 10, isPublic: true)
        try await ps.createPrompt(foreign)
        try await ps.createPrompt(repo(10, "foreign-private", tenant: other, at: 11))
        // Commits, likes and pulls to sort by.
        let c = try created(try await ps.createCommit(commit(20, repo: rows[1], hash: hash("a1"), parent: nil, template: "s", at: 0.5)))
        for _ in 0..<3 { try await ps.recordCommitRead(commitId: c.id, tenantId: tenant, view: false) }
        let t = try created(try await ps.createCommit(commit(21, repo: rows[3], hash: hash("b2"), parent: nil, template: "t", at: 0.6)))
        try await ps.recordCommitRead(commitId: t.id, tenantId: tenant, view: false)
        try await ps.recordCommitRead(commitId: t.id, tenantId: tenant, view: true)
        _ = try await ps.setLike(true, repoId: rows[0].id, tenantId: tenant, liker: tenant)
        _ = try await ps.setLike(true, repoId: rows[0].id, tenantId: tenant, liker: other)
        _ = try await ps.setLike(true, repoId: rows[3].id, tenantId: tenant, liker: other)

        func names(_ configure: (inout PromptRepoQuery) -> Void, scope: PromptRepoQuery.Scope? = nil) async throws -> [String] {
            var q = PromptRepoQuery(scope: scope ?? .workspace(tenant), viewer: tenant)
            configure(&q)
            return try await ps.listPrompts(q).prompts.map(\.repo.handle)
        }
        // updated_at desc by default (rows 0–3 were created at 0…3 s).
        #expect(try await names { _ in } == ["translator", "jokes-archive", "summarizer", "joke-teller"])
        #expect(try await names { $0.ascending = true } == ["joke-teller", "summarizer", "jokes-archive", "translator"])
        #expect(try await names { $0.isArchived = false } == ["translator", "summarizer", "joke-teller"])
        #expect(try await names { $0.isArchived = true } == ["jokes-archive"])
        #expect(try await names { $0.isPublic = false } == ["summarizer"])
        #expect(try await names { $0.search = "JOKE" } == ["translator", "jokes-archive", "joke-teller"])  // name or description
        #expect(try await names { $0.tags = ["work", "fun"] } == ["translator", "summarizer"])
        #expect(try await names { $0.hasCommits = true } == ["translator", "summarizer"])
        #expect(try await names { $0.hasCommits = false } == ["jokes-archive", "joke-teller"])
        // Counters; ties fall back to updated_at desc.
        #expect(try await names { $0.sort = .numLikes } == ["joke-teller", "translator", "jokes-archive", "summarizer"])
        #expect(try await names { $0.sort = .numDownloads } == ["summarizer", "translator", "jokes-archive", "joke-teller"])
        #expect(try await names { $0.sort = .numDownloads; $0.ascending = true } == ["jokes-archive", "joke-teller", "translator", "summarizer"])
        #expect(try await names { $0.sort = .numViews } == ["translator", "jokes-archive", "summarizer", "joke-teller"])

        // Paging keeps the total of all matches.
        var q = PromptRepoQuery(scope: .workspace(tenant), viewer: tenant)
        q.limit = 2
        q.offset = 1
        let page = try await ps.listPrompts(q)
        #expect(page.total == 4)
        #expect(page.prompts.map(\.repo.handle) == ["jokes-archive", "summarizer"])

        // The public hub spans workspaces but never shows a private prompt.
        #expect(try await names({ _ in }, scope: .publicPrompts(owner: nil)) == ["foreign-joke", "translator", "jokes-archive", "joke-teller"])
        #expect(try await names({ $0.search = "joke"; $0.isArchived = false }, scope: .publicPrompts(owner: nil)) == ["foreign-joke", "translator", "joke-teller"])
        #expect(try await names({ _ in }, scope: .publicPrompts(owner: other)) == ["foreign-joke"])
        #expect(try await names({ $0.isPublic = false }, scope: .publicPrompts(owner: nil)) == [])
        // Another workspace's own listing is its own.
        let theirs = try await ps.listPrompts(PromptRepoQuery(scope: .workspace(other), viewer: other))
        #expect(theirs.prompts.map(\.repo.handle) == ["foreign-private", "foreign-joke"])
        // Counters and liked_by reflect the viewer.
        let joke = try #require(try await ps.listPrompts(PromptRepoQuery(scope: .publicPrompts(owner: tenant), viewer: other)).prompts.last)
        #expect(joke.repo.handle == "joke-teller" && joke.numLikes == 2 && joke.likedByViewer)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
