import AnvilCore
import Foundation

/// The reference ``PromptStore``: prompts, commit chains (oldest first), tags and likes in memory.
public actor MemoryPromptStore: PromptStore {
    private var repos: [UUID: PromptRepo] = [:]
    private var commitsByRepo: [UUID: [PromptCommit]] = [:]
    private var tagsByRepo: [UUID: [String: PromptTag]] = [:]
    private var likesByRepo: [UUID: Set<UUID>] = [:]

    public init() {}

    private func summary(_ repo: PromptRepo, viewer: UUID) -> PromptRepoSummary {
        let commits = commitsByRepo[repo.id] ?? []
        let likes = likesByRepo[repo.id] ?? []
        return PromptRepoSummary(
            repo: repo, numLikes: likes.count, numDownloads: commits.reduce(0) { $0 + $1.numDownloads },
            numViews: commits.reduce(0) { $0 + $1.numViews }, numCommits: commits.count, lastCommitHash: commits.last?.hash,
            likedByViewer: likes.contains(viewer))
    }

    private func owned(_ id: UUID, _ tenantId: UUID) -> PromptRepo? {
        repos[id].flatMap { $0.tenantId == tenantId ? $0 : nil }
    }

    // MARK: prompts

    public func createPrompt(_ repo: PromptRepo) async throws {
        if repos[repo.id] != nil { throw StoreError(.conflict, "a prompt with id \(repo.id.lowercased) already exists") }
        if repos.values.contains(where: { $0.tenantId == repo.tenantId && $0.handle == repo.handle }) {
            throw StoreError(.conflict, "a prompt named '\(repo.handle)' already exists")
        }
        repos[repo.id] = repo
    }

    public func prompt(handle: String, tenantId: UUID, viewer: UUID) async throws -> PromptRepoSummary? {
        repos.values.first { $0.tenantId == tenantId && $0.handle == handle }.map { summary($0, viewer: viewer) }
    }

    public func listPrompts(_ q: PromptRepoQuery) async throws -> (prompts: [PromptRepoSummary], total: Int) {
        let matches = repos.values.filter { r in
            switch q.scope {
            case .workspace(let tenant): if r.tenantId != tenant { return false }
            case .publicPrompts(let owner):
                if !r.isPublic { return false }
                if let owner, r.tenantId != owner { return false }
            }
            if let p = q.isPublic, r.isPublic != p { return false }
            if let a = q.isArchived, r.isArchived != a { return false }
            if let s = q.search, !s.isEmpty,
                !RunPredicate.textMatches(r.handle, .contains(s)), !RunPredicate.textMatches(r.description ?? "", .contains(s))
            {
                return false
            }
            if let tags = q.tags, !tags.allSatisfy({ r.tags.contains($0) }) { return false }
            if let c = q.hasCommits, (commitsByRepo[r.id]?.isEmpty == false) != c { return false }
            return true
        }.map { summary($0, viewer: q.viewer) }

        func key(_ s: PromptRepoSummary) -> Int64 {
            switch q.sort {
            case .updatedAt: return s.repo.updatedAt.microseconds
            case .numLikes: return Int64(s.numLikes)
            case .numDownloads: return Int64(s.numDownloads)
            case .numViews: return Int64(s.numViews)
            }
        }
        let sorted = matches.sorted { a, b in
            let ka = key(a), kb = key(b)
            if ka != kb { return q.ascending ? ka < kb : ka > kb }
            if a.repo.updatedAt != b.repo.updatedAt { return a.repo.updatedAt > b.repo.updatedAt }
            return a.repo.id.lowercased > b.repo.id.lowercased
        }
        return (Array(sorted.dropFirst(max(0, q.offset)).prefix(max(0, q.limit))), sorted.count)
    }

    public func updatePrompt(_ repo: PromptRepo) async throws {
        guard var existing = owned(repo.id, repo.tenantId) else {
            throw StoreError(.notFound, "prompt \(repo.id.lowercased) not found")
        }
        existing.description = repo.description
        existing.readme = repo.readme
        existing.tags = repo.tags
        existing.isPublic = repo.isPublic
        existing.isArchived = repo.isArchived
        existing.updatedAt = repo.updatedAt
        repos[repo.id] = existing
    }

    public func deletePrompt(id: UUID, tenantId: UUID) async throws -> Bool {
        guard owned(id, tenantId) != nil else { return false }
        repos[id] = nil
        commitsByRepo[id] = nil
        tagsByRepo[id] = nil
        likesByRepo[id] = nil
        return true
    }

    // MARK: commits

    public func createCommit(_ commit: PromptCommit) async throws -> PromptCommitOutcome {
        guard var repo = owned(commit.repoId, commit.tenantId) else {
            throw StoreError(.notFound, "prompt \(commit.repoId.lowercased) not found")
        }
        let head = commitsByRepo[repo.id]?.last
        guard head?.hash == commit.parentHash else { return .staleParent(head: head) }
        if let head, head.manifest == commit.manifest { return .unchanged(head) }
        var c = commit
        c.parentId = head?.id
        commitsByRepo[repo.id, default: []].append(c)
        repo.updatedAt = max(repo.updatedAt, c.createdAt)
        repos[repo.id] = repo
        return .created(c)
    }

    public func commits(repoId: UUID, tenantId: UUID, limit: Int, offset: Int) async throws -> (commits: [PromptCommit], total: Int) {
        guard owned(repoId, tenantId) != nil else { return ([], 0) }
        let all = commitsByRepo[repoId] ?? []
        return (Array(all.reversed().dropFirst(max(0, offset)).prefix(max(0, limit))), all.count)
    }

    public func latestCommit(repoId: UUID, tenantId: UUID) async throws -> PromptCommit? {
        guard owned(repoId, tenantId) != nil else { return nil }
        return commitsByRepo[repoId]?.last
    }

    public func commit(id: UUID, repoId: UUID, tenantId: UUID) async throws -> PromptCommit? {
        guard owned(repoId, tenantId) != nil else { return nil }
        return commitsByRepo[repoId]?.first { $0.id == id }
    }

    public func commits(repoId: UUID, tenantId: UUID, hashPrefix: String, limit: Int) async throws -> [PromptCommit] {
        guard owned(repoId, tenantId) != nil else { return [] }
        return Array((commitsByRepo[repoId] ?? []).filter { $0.hash.hasPrefix(hashPrefix) }.sorted { $0.hash < $1.hash }.prefix(limit))
    }

    public func recordCommitRead(commitId: UUID, tenantId: UUID, view: Bool) async throws {
        for (repoId, commits) in commitsByRepo {
            guard let i = commits.firstIndex(where: { $0.id == commitId && $0.tenantId == tenantId }) else { continue }
            if view { commitsByRepo[repoId]![i].numViews += 1 } else { commitsByRepo[repoId]![i].numDownloads += 1 }
            return
        }
    }

    // MARK: tags

    public func setTag(_ name: String, commitId: UUID, repoId: UUID, tenantId: UUID, at: Timestamp) async throws -> PromptTag {
        guard owned(repoId, tenantId) != nil, let commit = commitsByRepo[repoId]?.first(where: { $0.id == commitId }) else {
            throw StoreError(.notFound, "commit \(commitId.lowercased) not found in this prompt")
        }
        var tag = tagsByRepo[repoId]?[name]
            ?? PromptTag(tenantId: tenantId, repoId: repoId, name: name, commitId: commitId, commitHash: commit.hash, createdAt: at, updatedAt: at)
        tag.commitId = commitId
        tag.commitHash = commit.hash
        tag.updatedAt = at
        tagsByRepo[repoId, default: [:]][name] = tag
        return tag
    }

    public func tags(repoId: UUID, tenantId: UUID) async throws -> [PromptTag] {
        guard owned(repoId, tenantId) != nil else { return [] }
        return (tagsByRepo[repoId] ?? [:]).values.sorted { $0.name < $1.name }
    }

    public func tag(_ name: String, repoId: UUID, tenantId: UUID) async throws -> PromptTag? {
        guard owned(repoId, tenantId) != nil else { return nil }
        return tagsByRepo[repoId]?[name]
    }

    public func deleteTag(_ name: String, repoId: UUID, tenantId: UUID) async throws -> Bool {
        guard owned(repoId, tenantId) != nil, tagsByRepo[repoId]?[name] != nil else { return false }
        tagsByRepo[repoId]![name] = nil
        return true
    }

    // MARK: likes

    public func setLike(_ like: Bool, repoId: UUID, tenantId: UUID, liker: UUID) async throws -> Int {
        guard owned(repoId, tenantId) != nil else { throw StoreError(.notFound, "prompt \(repoId.lowercased) not found") }
        if like { likesByRepo[repoId, default: []].insert(liker) } else { likesByRepo[repoId]?.remove(liker) }
        return likesByRepo[repoId]?.count ?? 0
    }
}
