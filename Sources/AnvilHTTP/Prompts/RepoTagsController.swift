import AnvilCore
import AnvilStorage
import Foundation
import Hummingbird

/// `/repos/{owner}/{repo}/tags…`: named pointers to commits (`prod`, `v2`). Posting an existing
/// tag moves it, which is what `push_prompt(..., commit_tags=[…])` relies on when it re-tags.
struct RepoTagsController: Sendable {
    let prompts: any PromptStore
    let locator: PromptLocator

    func addRoutes(to group: RouterGroup<TenantContext>) {
        group.get("repos/:owner/:repo/tags", use: list)
        group.post("repos/:owner/:repo/tags", use: create)
        group.get("repos/:owner/:repo/tags/:tag", use: get)
        group.patch("repos/:owner/:repo/tags/:tag", use: update)
        group.delete("repos/:owner/:repo/tags/:tag", use: delete)
    }

    func respond(_ t: PromptTag) -> Response {
        .json { w in PromptJSON.write(t, into: &w) }
    }

    /// The commit a body's `commit_id` names: its id (what the SDK sends), or its hash or a prefix.
    func commit(_ b: [String: JSONValue], in p: LocatedPrompt) async throws -> PromptCommit {
        guard let ref = try b.string("commit_id"), !ref.isEmpty else { throw APIError.unprocessable("commit_id is required") }
        if let id = UUID(uuidString: ref) {
            guard let c = try await prompts.commit(id: id, repoId: p.repo.id, tenantId: p.repo.tenantId) else {
                throw APIError.notFound("commit \(ref) of prompt '\(p.fullName)'")
            }
            return c
        }
        return try await locator.commit(ref, in: p)
    }

    func tag(_ context: TenantContext, _ p: LocatedPrompt) async throws -> PromptTag {
        let name = context.parameters.get("tag") ?? ""
        guard let t = try await prompts.tag(name, repoId: p.repo.id, tenantId: p.repo.tenantId) else {
            throw APIError.notFound("tag '\(name.prefix(100))' of prompt '\(p.fullName)'")
        }
        return t
    }

    @Sendable func list(request: Request, context: TenantContext) async throws -> Response {
        let p = try await locator.locate(context, access: .read)
        let tags = try await prompts.tags(repoId: p.repo.id, tenantId: p.repo.tenantId)
        return .json { w in
            w.beginArray()
            for t in tags { PromptJSON.write(t, into: &w) }
            w.endArray()
        }
    }

    @Sendable func create(request: Request, context: TenantContext) async throws -> Response {
        let p = try await locator.locate(context, access: .write)
        var request = request
        let b = try await request.jsonObject()
        guard let name = try b.string("tag_name"), PromptManifest.isValidTagName(name) else {
            throw APIError.unprocessable("tag_name must be 1–100 letters, digits, '.', '_' or '-' (and not 'latest')")
        }
        let c = try await commit(b, in: p)
        return respond(try await prompts.setTag(name, commitId: c.id, repoId: p.repo.id, tenantId: p.repo.tenantId, at: .now()))
    }

    @Sendable func get(request: Request, context: TenantContext) async throws -> Response {
        let p = try await locator.locate(context, access: .read)
        return respond(try await tag(context, p))
    }

    @Sendable func update(request: Request, context: TenantContext) async throws -> Response {
        let p = try await locator.locate(context, access: .write)
        let existing = try await tag(context, p)
        var request = request
        let c = try await commit(try await request.jsonObject(), in: p)
        return respond(try await prompts.setTag(existing.name, commitId: c.id, repoId: p.repo.id, tenantId: p.repo.tenantId, at: .now()))
    }

    @Sendable func delete(request: Request, context: TenantContext) async throws -> Response {
        let p = try await locator.locate(context, access: .write)
        let existing = try await tag(context, p)
        _ = try await prompts.deleteTag(existing.name, repoId: p.repo.id, tenantId: p.repo.tenantId)
        return .json(JSONValue.object([:]))
    }
}
