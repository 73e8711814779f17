import AnvilCore
import AnvilStorage
import Foundation
import HTTPTypes
import Hummingbird

/// `/repos…` and `/likes…`: prompts of the hub (create, list, read, update, delete) and likes.
struct ReposController: Sendable {
    let prompts: any PromptStore
    let tenants: any TenantStore
    let locator: PromptLocator

    func addRoutes(to group: RouterGroup<TenantContext>) {
        // Trailing slashes (`/repos/`, as the SDK sends) route the same: the router drops empty segments.
        group.get("repos", use: list)
        group.post("repos", use: create)
        group.get("repos/:owner/:repo", use: get)
        group.patch("repos/:owner/:repo", use: update)
        group.delete("repos/:owner/:repo", use: delete)
        group.post("likes/:owner/:repo", use: like)
    }

    static let publicNeedsHandle = APIError.unprocessable(
        "a public prompt needs a workspace handle (its owner name): set one with POST /settings/handle {\"tenant_handle\": \"…\"}")

    static let emptyList: JSONValue = ["repos": [], "total": 0]

    func respond(_ p: LocatedPrompt) -> Response {
        .json(PromptJSON.repoResponse(p.summary, owner: p.owner.handle))
    }

    // MARK: handlers

    @Sendable func list(request: Request, context: TenantContext) async throws -> Response {
        let qp = request.query
        var ownerFilter: Workspace?
        if let handle = qp.string("tenant_handle") {
            guard let found = try await locator.workspace(owner: handle, context: context) else { return .json(Self.emptyList) }
            ownerFilter = found.0
        } else if let id = try qp.uuid("tenant_id") {
            guard let ws = try await tenants.workspace(id: id) else { return .json(Self.emptyList) }
            ownerFilter = ws
        }
        let isPublic = try qp.bool("is_public")
        // Public listings span workspaces (the hub); anything else is the caller's own prompts.
        let scope: PromptRepoQuery.Scope
        if isPublic == true || (ownerFilter != nil && ownerFilter?.id != context.tenantId) {
            scope = .publicPrompts(owner: ownerFilter?.id)
        } else {
            scope = .workspace(context.tenantId)
        }
        var q = PromptRepoQuery(scope: scope, viewer: context.tenantId)
        q.isPublic = isPublic
        switch qp.string("is_archived")?.lowercased() {
        case nil, "false": q.isArchived = false
        case "true": q.isArchived = true
        case "allow": q.isArchived = nil
        case let other?: throw APIError.unprocessable("is_archived must be true, false or allow, got '\(other.prefix(20))'")
        }
        q.search = qp.string("query")
        let tags = qp.all("tags")
        q.tags = tags.isEmpty ? nil : tags
        q.hasCommits = try qp.bool("has_commits")
        switch qp.string("sort_field") {
        case nil, "relevance": q.sort = .updatedAt
        case let field?:
            guard let f = PromptSortField(rawValue: field) else {
                throw APIError.unprocessable("sort_field must be one of updated_at, num_likes, num_downloads, num_views")
            }
            q.sort = f
        }
        switch qp.string("sort_direction")?.lowercased() {
        case nil, "desc": q.ascending = false
        case "asc": q.ascending = true
        case let other?: throw APIError.unprocessable("sort_direction must be asc or desc, got '\(other.prefix(20))'")
        }
        q.limit = try qp.int("limit", default: 100, range: 1...1000)
        q.offset = try qp.int("offset", default: 0, range: 0...Int(Int32.max))

        let (rows, total) = try await prompts.listPrompts(q)
        var handles: [UUID: String?] = [:]
        for id in Set(rows.map(\.repo.tenantId)) { handles[id] = try await tenants.workspace(id: id)?.handle }
        return .json { w in
            w.beginObject()
            w.key("repos")
            w.beginArray()
            for s in rows { PromptJSON.write(s, owner: handles[s.repo.tenantId] ?? nil, into: &w) }
            w.endArray()
            w.key("total"); w.int(total)
            w.endObject()
        }
    }

    @Sendable func create(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let b = try await request.jsonObject()
        guard let handle = try b.string("repo_handle"), !handle.isEmpty else { throw APIError.unprocessable("repo_handle is required") }
        guard PromptRepo.isValidHandle(handle) else {
            throw APIError.unprocessable("repo_handle must be 1–128 letters, digits, '-', '_' or '.', starting with a letter or digit")
        }
        guard let ws = try await tenants.workspace(id: context.tenantId) else { throw APIError.notFound("workspace") }
        let repo = PromptRepo(
            tenantId: context.tenantId, handle: handle, description: try b.string("description"), readme: try b.string("readme"),
            tags: try Self.tags(b), isPublic: try b.bool("is_public") ?? false)
        if repo.isPublic && ws.handle == nil { throw Self.publicNeedsHandle }
        do {
            try await prompts.createPrompt(repo)
        } catch let e as StoreError where e.code == .conflict {
            throw APIError(.conflict, "a prompt named '\(handle)' already exists in this workspace")
        }
        return respond(LocatedPrompt(summary: PromptRepoSummary(repo: repo), owner: ws, isOwn: true))
    }

    static func tags(_ b: [String: JSONValue]) throws -> [String] {
        switch b["tags"] {
        case nil, .null?: return []
        case .array(let items)?:
            return try items.map { item in
                guard let s = item.stringValue else { throw APIError.unprocessable("tags must be a list of strings") }
                return s
            }
        default: throw APIError.unprocessable("tags must be a list of strings")
        }
    }

    @Sendable func get(request: Request, context: TenantContext) async throws -> Response {
        respond(try await locator.locate(context, access: .read))
    }

    @Sendable func update(request: Request, context: TenantContext) async throws -> Response {
        var p = try await locator.locate(context, access: .write)
        var request = request
        let b = try await request.jsonObject()
        var repo = p.repo
        if b.keys.contains("description") { repo.description = try b.string("description") }
        if b.keys.contains("readme") { repo.readme = try b.string("readme") }
        if let tags = b["tags"], !tags.isNull { repo.tags = try Self.tags(b) }
        if let isPublic = try b.bool("is_public") { repo.isPublic = isPublic }
        if let isArchived = try b.bool("is_archived") { repo.isArchived = isArchived }
        if repo.isPublic && !p.repo.isPublic && p.owner.handle == nil { throw Self.publicNeedsHandle }
        repo.updatedAt = max(.now(), repo.updatedAt)
        try await prompts.updatePrompt(repo)
        p.summary.repo = repo
        return respond(p)
    }

    @Sendable func delete(request: Request, context: TenantContext) async throws -> Response {
        let p = try await locator.locate(context, access: .write)
        guard try await prompts.deletePrompt(id: p.repo.id, tenantId: p.repo.tenantId) else { throw APIError.notFound("prompt '\(p.fullName)'") }
        return .json(JSONValue.object([:]))
    }

    /// Likes are per workspace; any prompt the caller can read can be liked.
    @Sendable func like(request: Request, context: TenantContext) async throws -> Response {
        let p = try await locator.locate(context, access: .read)
        var request = request
        let b = try await request.jsonObject()
        guard let like = try b.bool("like") else { throw APIError.unprocessable("like (true or false) is required") }
        let count = try await prompts.setLike(like, repoId: p.repo.id, tenantId: p.repo.tenantId, liker: context.tenantId)
        return .json(["likes": .int(Int64(count))])
    }
}
