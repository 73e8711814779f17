import AnvilCore
import AnvilStorage
import Foundation

extension SQLiteMetadataStore: PromptStore {
    /// The repo columns plus the counters every response carries; the first binding is the viewer.
    static let promptSummarySelect = """
        SELECT r.id, r.tenant_id, r.repo_handle, r.description, r.readme, r.tags, r.is_public, r.is_archived, r.created_at, r.updated_at,
            (SELECT count(*) FROM prompt_likes l WHERE l.repo_id = r.id) AS num_likes,
            (SELECT coalesce(sum(c.num_downloads), 0) FROM prompt_commits c WHERE c.repo_id = r.id) AS num_downloads,
            (SELECT coalesce(sum(c.num_views), 0) FROM prompt_commits c WHERE c.repo_id = r.id) AS num_views,
            (SELECT count(*) FROM prompt_commits c WHERE c.repo_id = r.id) AS num_commits,
            (SELECT c.commit_hash FROM prompt_commits c WHERE c.repo_id = r.id ORDER BY c.seq DESC LIMIT 1) AS last_commit_hash,
            EXISTS (SELECT 1 FROM prompt_likes l WHERE l.repo_id = r.id AND l.liker_id = ?) AS liked
        FROM prompt_repos r
        """

    static func decodePromptSummary(_ row: SQLiteRow) -> PromptRepoSummary {
        var repo = PromptRepo(
            id: row.uuid(0)!, tenantId: row.uuid(1)!, handle: row.string(2) ?? "", description: row.string(3), readme: row.string(4),
            tags: row.bytes(5).flatMap { try? JSON.parse($0) }?.arrayValue?.compactMap(\.stringValue) ?? [],
            isPublic: row.int(6) == 1, isArchived: row.int(7) == 1, createdAt: Timestamp(microseconds: row.int(8) ?? 0))
        repo.updatedAt = Timestamp(microseconds: row.int(9) ?? 0)
        return PromptRepoSummary(
            repo: repo, numLikes: Int(row.int(10) ?? 0), numDownloads: Int(row.int(11) ?? 0), numViews: Int(row.int(12) ?? 0),
            numCommits: Int(row.int(13) ?? 0), lastCommitHash: row.string(14), likedByViewer: row.int(15) == 1)
    }

    static func tagsValue(_ tags: [String]) -> SQLiteValue { .json(JSONValue.array(tags.map { .string($0) })) }

    public func createPrompt(_ repo: PromptRepo) async throws {
        try await db.write { conn in
            do {
                try conn.run("""
                    INSERT INTO prompt_repos (id, tenant_id, repo_handle, description, readme, tags, is_public, is_archived, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [.uuid(repo.id), .uuid(repo.tenantId), .text(repo.handle), .text(repo.description), .text(repo.readme),
                          Self.tagsValue(repo.tags), .int(repo.isPublic ? 1 : 0), .int(repo.isArchived ? 1 : 0),
                          .time(repo.createdAt), .time(repo.updatedAt)])
            } catch let e as SQLiteError where e.isConstraintViolation {
                throw StoreError(.conflict, "a prompt named '\(repo.handle)' (or with id \(repo.id.lowercased)) already exists")
            }
        }
    }

    public func prompt(handle: String, tenantId: UUID, viewer: UUID) async throws -> PromptRepoSummary? {
        try await db.read { conn in
            var out: PromptRepoSummary?
            try conn.query(Self.promptSummarySelect + " WHERE r.tenant_id = ? AND r.repo_handle = ?",
                           [.uuid(viewer), .uuid(tenantId), .text(handle)]) { row in out = Self.decodePromptSummary(row) }
            return out
        }
    }

    public func listPrompts(_ q: PromptRepoQuery) async throws -> (prompts: [PromptRepoSummary], total: Int) {
        var conditions: [String] = []
        var bindings: [SQLiteValue] = []
        switch q.scope {
        case .workspace(let tenant):
            conditions.append("r.tenant_id = ?")
            bindings.append(.uuid(tenant))
        case .publicPrompts(let owner):
            // The public hub: the one read across workspaces, and it only ever sees public rows.
            conditions.append("r.is_public = 1")
            if let owner {
                conditions.append("r.tenant_id = ?")
                bindings.append(.uuid(owner))
            }
        }
        if let p = q.isPublic { conditions.append("r.is_public = ?"); bindings.append(.int(p ? 1 : 0)) }
        if let a = q.isArchived { conditions.append("r.is_archived = ?"); bindings.append(.int(a ? 1 : 0)) }
        if let s = q.search, !s.isEmpty {
            conditions.append("(instr(lower(r.repo_handle), lower(?)) > 0 OR instr(lower(coalesce(r.description, '')), lower(?)) > 0)")
            bindings += [.text(s), .text(s)]
        }
        for tag in q.tags ?? [] {
            conditions.append("EXISTS (SELECT 1 FROM json_each(r.tags) WHERE value = ?)")
            bindings.append(.text(tag))
        }
        if let c = q.hasCommits {
            conditions.append((c ? "" : "NOT ") + "EXISTS (SELECT 1 FROM prompt_commits c WHERE c.repo_id = r.id)")
        }
        let whereClause = conditions.joined(separator: " AND ")
        let direction = q.ascending ? "ASC" : "DESC"
        let sortColumn: String
        switch q.sort {
        case .updatedAt: sortColumn = "r.updated_at"
        case .numLikes: sortColumn = "num_likes"
        case .numDownloads: sortColumn = "num_downloads"
        case .numViews: sortColumn = "num_views"
        }
        let sql = Self.promptSummarySelect
            + " WHERE \(whereClause) ORDER BY \(sortColumn) \(direction), r.updated_at DESC, r.id DESC LIMIT \(max(0, q.limit)) OFFSET \(max(0, q.offset))"
        let viewer = q.viewer
        let conditionBindings = bindings
        return try await db.read { conn in
            var out: [PromptRepoSummary] = []
            try conn.query(sql, [.uuid(viewer)] + conditionBindings) { row in out.append(Self.decodePromptSummary(row)) }
            let total = try conn.scalarInt("SELECT count(*) FROM prompt_repos r WHERE \(whereClause)", conditionBindings) ?? 0
            return (out, Int(total))
        }
    }

    public func updatePrompt(_ repo: PromptRepo) async throws {
        try await db.write { conn in
            let changed = try conn.run("""
                UPDATE prompt_repos SET description = ?, readme = ?, tags = ?, is_public = ?, is_archived = ?, updated_at = ?
                WHERE id = ? AND tenant_id = ?
                """, [.text(repo.description), .text(repo.readme), Self.tagsValue(repo.tags), .int(repo.isPublic ? 1 : 0),
                      .int(repo.isArchived ? 1 : 0), .time(repo.updatedAt), .uuid(repo.id), .uuid(repo.tenantId)])
            guard changed > 0 else { throw StoreError(.notFound, "prompt \(repo.id.lowercased) not found") }
        }
    }

    public func deletePrompt(id: UUID, tenantId: UUID) async throws -> Bool {
        try await db.write { conn in
            try conn.transaction {
                guard try conn.run("DELETE FROM prompt_repos WHERE id = ? AND tenant_id = ?", [.uuid(id), .uuid(tenantId)]) > 0 else { return false }
                for table in ["prompt_commits", "prompt_tags", "prompt_likes"] {
                    try conn.run("DELETE FROM \(table) WHERE repo_id = ? AND tenant_id = ?", [.uuid(id), .uuid(tenantId)])
                }
                return true
            }
        }
    }

    // MARK: commits

    static let commitColumns = "id, tenant_id, repo_id, commit_hash, parent_id, parent_hash, manifest, description, created_at, num_downloads, num_views"

    static func decodeCommit(_ row: SQLiteRow) -> PromptCommit {
        PromptCommit(
            id: row.uuid(0)!, tenantId: row.uuid(1)!, repoId: row.uuid(2)!, hash: row.string(3) ?? "", parentId: row.uuid(4),
            parentHash: row.string(5), manifest: RawJSON(validated: row.bytes(6) ?? Array("{}".utf8)), description: row.string(7),
            createdAt: Timestamp(microseconds: row.int(8) ?? 0), numDownloads: Int(row.int(9) ?? 0), numViews: Int(row.int(10) ?? 0))
    }

    static func commits(_ conn: SQLiteConnection, _ sql: String, _ bindings: [SQLiteValue]) throws -> [PromptCommit] {
        var out: [PromptCommit] = []
        try conn.query(sql, bindings) { row in out.append(decodeCommit(row)) }
        return out
    }

    public func createCommit(_ commit: PromptCommit) async throws -> PromptCommitOutcome {
        try await db.write { conn in
            try conn.transaction {
                guard try conn.scalarInt("SELECT count(*) FROM prompt_repos WHERE id = ? AND tenant_id = ?",
                                         [.uuid(commit.repoId), .uuid(commit.tenantId)]) == 1 else {
                    throw StoreError(.notFound, "prompt \(commit.repoId.lowercased) not found")
                }
                let head = try Self.commits(
                    conn, "SELECT \(Self.commitColumns) FROM prompt_commits WHERE repo_id = ? AND tenant_id = ? ORDER BY seq DESC LIMIT 1",
                    [.uuid(commit.repoId), .uuid(commit.tenantId)]).first
                guard head?.hash == commit.parentHash else { return .staleParent(head: head) }
                if let head, head.manifest == commit.manifest { return .unchanged(head) }
                var c = commit
                c.parentId = head?.id
                do {
                    try conn.run("INSERT INTO prompt_commits (\(Self.commitColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                        .uuid(c.id), .uuid(c.tenantId), .uuid(c.repoId), .text(c.hash), .uuid(c.parentId), .text(c.parentHash),
                        .blob(c.manifest.bytes), .text(c.description), .time(c.createdAt), .int(Int64(c.numDownloads)), .int(Int64(c.numViews)),
                    ])
                } catch let e as SQLiteError where e.isConstraintViolation {
                    throw StoreError(.conflict, "commit \(c.hash) (or id \(c.id.lowercased)) already exists")
                }
                try conn.run("UPDATE prompt_repos SET updated_at = max(updated_at, ?) WHERE id = ? AND tenant_id = ?",
                             [.time(c.createdAt), .uuid(c.repoId), .uuid(c.tenantId)])
                return .created(c)
            }
        }
    }

    public func commits(repoId: UUID, tenantId: UUID, limit: Int, offset: Int) async throws -> (commits: [PromptCommit], total: Int) {
        try await db.read { conn in
            let page = try Self.commits(
                conn, "SELECT \(Self.commitColumns) FROM prompt_commits WHERE repo_id = ? AND tenant_id = ? ORDER BY seq DESC LIMIT \(max(0, limit)) OFFSET \(max(0, offset))",
                [.uuid(repoId), .uuid(tenantId)])
            let total = try conn.scalarInt("SELECT count(*) FROM prompt_commits WHERE repo_id = ? AND tenant_id = ?", [.uuid(repoId), .uuid(tenantId)]) ?? 0
            return (page, Int(total))
        }
    }

    public func latestCommit(repoId: UUID, tenantId: UUID) async throws -> PromptCommit? {
        try await db.read { conn in
            try Self.commits(conn, "SELECT \(Self.commitColumns) FROM prompt_commits WHERE repo_id = ? AND tenant_id = ? ORDER BY seq DESC LIMIT 1",
                             [.uuid(repoId), .uuid(tenantId)]).first
        }
    }

    public func commit(id: UUID, repoId: UUID, tenantId: UUID) async throws -> PromptCommit? {
        try await db.read { conn in
            try Self.commits(conn, "SELECT \(Self.commitColumns) FROM prompt_commits WHERE id = ? AND repo_id = ? AND tenant_id = ?",
                             [.uuid(id), .uuid(repoId), .uuid(tenantId)]).first
        }
    }

    public func commits(repoId: UUID, tenantId: UUID, hashPrefix: String, limit: Int) async throws -> [PromptCommit] {
        // Hashes are lowercase hex, so every hash starting with the prefix sorts in [prefix, prefix + "g").
        try await db.read { conn in
            try Self.commits(conn, """
                SELECT \(Self.commitColumns) FROM prompt_commits
                WHERE repo_id = ? AND tenant_id = ? AND commit_hash >= ? AND commit_hash < ? ORDER BY commit_hash LIMIT \(max(0, limit))
                """, [.uuid(repoId), .uuid(tenantId), .text(hashPrefix), .text(hashPrefix + "g")])
        }
    }

    public func recordCommitRead(commitId: UUID, tenantId: UUID, view: Bool) async throws {
        let column = view ? "num_views" : "num_downloads"
        _ = try await db.write { conn in
            try conn.run("UPDATE prompt_commits SET \(column) = \(column) + 1 WHERE id = ? AND tenant_id = ?", [.uuid(commitId), .uuid(tenantId)])
        }
    }

    // MARK: tags

    static let tagSelect = """
        SELECT t.id, t.tenant_id, t.repo_id, t.tag_name, t.commit_id, c.commit_hash, t.created_at, t.updated_at
        FROM prompt_tags t JOIN prompt_commits c ON c.id = t.commit_id
        """

    static func tags(_ conn: SQLiteConnection, _ sql: String, _ bindings: [SQLiteValue]) throws -> [PromptTag] {
        var out: [PromptTag] = []
        try conn.query(sql, bindings) { row in
            out.append(PromptTag(
                id: row.uuid(0)!, tenantId: row.uuid(1)!, repoId: row.uuid(2)!, name: row.string(3) ?? "", commitId: row.uuid(4)!,
                commitHash: row.string(5) ?? "", createdAt: Timestamp(microseconds: row.int(6) ?? 0),
                updatedAt: Timestamp(microseconds: row.int(7) ?? 0)))
        }
        return out
    }

    public func setTag(_ name: String, commitId: UUID, repoId: UUID, tenantId: UUID, at: Timestamp) async throws -> PromptTag {
        try await db.write { conn in
            try conn.transaction {
                guard try conn.scalarInt("SELECT count(*) FROM prompt_commits WHERE id = ? AND repo_id = ? AND tenant_id = ?",
                                         [.uuid(commitId), .uuid(repoId), .uuid(tenantId)]) == 1 else {
                    throw StoreError(.notFound, "commit \(commitId.lowercased) not found in this prompt")
                }
                try conn.run("""
                    INSERT INTO prompt_tags (id, tenant_id, repo_id, tag_name, commit_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (repo_id, tag_name) DO UPDATE SET commit_id = excluded.commit_id, updated_at = excluded.updated_at
                    """, [.uuid(UUID()), .uuid(tenantId), .uuid(repoId), .text(name), .uuid(commitId), .time(at), .time(at)])
                guard let tag = try Self.tags(conn, Self.tagSelect + " WHERE t.repo_id = ? AND t.tenant_id = ? AND t.tag_name = ?",
                                              [.uuid(repoId), .uuid(tenantId), .text(name)]).first else {
                    throw StoreError(.notFound, "tag '\(name)' vanished while being set")
                }
                return tag
            }
        }
    }

    public func tags(repoId: UUID, tenantId: UUID) async throws -> [PromptTag] {
        try await db.read { conn in
            try Self.tags(conn, Self.tagSelect + " WHERE t.repo_id = ? AND t.tenant_id = ? ORDER BY t.tag_name", [.uuid(repoId), .uuid(tenantId)])
        }
    }

    public func tag(_ name: String, repoId: UUID, tenantId: UUID) async throws -> PromptTag? {
        try await db.read { conn in
            try Self.tags(conn, Self.tagSelect + " WHERE t.repo_id = ? AND t.tenant_id = ? AND t.tag_name = ?",
                          [.uuid(repoId), .uuid(tenantId), .text(name)]).first
        }
    }

    public func deleteTag(_ name: String, repoId: UUID, tenantId: UUID) async throws -> Bool {
        try await db.write { conn in
            try conn.run("DELETE FROM prompt_tags WHERE repo_id = ? AND tenant_id = ? AND tag_name = ?", [.uuid(repoId), .uuid(tenantId), .text(name)]) > 0
        }
    }

    // MARK: likes

    public func setLike(_ like: Bool, repoId: UUID, tenantId: UUID, liker: UUID) async throws -> Int {
        try await db.write { conn in
            try conn.transaction {
                guard try conn.scalarInt("SELECT count(*) FROM prompt_repos WHERE id = ? AND tenant_id = ?", [.uuid(repoId), .uuid(tenantId)]) == 1 else {
                    throw StoreError(.notFound, "prompt \(repoId.lowercased) not found")
                }
                if like {
                    try conn.run("INSERT INTO prompt_likes (repo_id, liker_id, tenant_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                 [.uuid(repoId), .uuid(liker), .uuid(tenantId), .time(.now())])
                } else {
                    try conn.run("DELETE FROM prompt_likes WHERE repo_id = ? AND tenant_id = ? AND liker_id = ?",
                                 [.uuid(repoId), .uuid(tenantId), .uuid(liker)])
                }
                return Int(try conn.scalarInt("SELECT count(*) FROM prompt_likes WHERE repo_id = ? AND tenant_id = ?", [.uuid(repoId), .uuid(tenantId)]) ?? 0)
            }
        }
    }
}
