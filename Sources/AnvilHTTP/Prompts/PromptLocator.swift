import AnvilCore
import AnvilStorage
import Foundation
import HTTPTypes
import Hummingbird

/// A prompt as a request found it: the prompt, the workspace that owns it, and whether that is
/// the caller's own workspace.
struct LocatedPrompt: Sendable {
    var summary: PromptRepoSummary
    var owner: Workspace
    var isOwn: Bool

    var repo: PromptRepo { summary.repo }
    var fullName: String { PromptJSON.fullName(owner: owner.handle, handle: repo.handle) }
}

/// Resolves `{owner}/{repo}` path pairs. `-` and the caller's own handle mean the caller's
/// workspace (every prompt visible); any other handle names another workspace, whose public
/// prompts can be read but never changed, and whose private prompts do not exist as far as the
/// caller can tell (404, never 403, so names do not leak).
struct PromptLocator: Sendable {
    let tenants: any TenantStore
    let prompts: any PromptStore

    enum Access { case read, write }

    /// The workspace an owner segment names, and whether it is the caller's.
    func workspace(owner: String, context: TenantContext) async throws -> (Workspace, isOwn: Bool)? {
        if owner == "-" {
            guard let ws = try await tenants.workspace(id: context.tenantId) else { throw APIError.notFound("workspace") }
            return (ws, true)
        }
        guard let ws = try await tenants.workspace(handle: owner) else { return nil }
        return (ws, ws.id == context.tenantId)
    }

    func locate(owner: String, name: String, context: TenantContext, access: Access) async throws -> LocatedPrompt {
        let notFound = APIError.notFound("prompt '\(owner)/\(name)'")
        guard let found = try await workspace(owner: owner, context: context),
            let summary = try await prompts.prompt(handle: name, tenantId: found.0.id, viewer: context.tenantId)
        else { throw notFound }
        let (ws, isOwn) = found
        if !isOwn {
            guard summary.repo.isPublic else { throw notFound }
            if access == .write {
                throw APIError(.forbidden, "prompt '\(owner)/\(name)' belongs to another workspace: you can read it, but only its owner can change it")
            }
        }
        return LocatedPrompt(summary: summary, owner: ws, isOwn: isOwn)
    }

    func locate(_ context: TenantContext, access: Access) async throws -> LocatedPrompt {
        let owner = context.parameters.get("owner") ?? "-"
        let name = context.parameters.get("repo") ?? ""
        return try await locate(owner: owner, name: name, context: context, access: access)
    }

    /// Resolves a commit reference: `latest`, a full hash, a tag, or a unique hash prefix of at
    /// least 8 characters (the SDK prints 8), in that order.
    func commit(_ ref: String, in p: LocatedPrompt) async throws -> PromptCommit {
        let repo = p.repo
        if ref == "latest" {
            guard let head = try await prompts.latestCommit(repoId: repo.id, tenantId: repo.tenantId) else {
                throw APIError(.notFound, "prompt '\(p.fullName)' has no commits yet: push one first")
            }
            return head
        }
        let lower = ref.lowercased()
        let hex = PromptManifest.isHex(lower)
        if hex && lower.count == 64, let c = try await prompts.commits(repoId: repo.id, tenantId: repo.tenantId, hashPrefix: lower, limit: 1).first {
            return c
        }
        if let tag = try await prompts.tag(ref, repoId: repo.id, tenantId: repo.tenantId),
            let c = try await prompts.commit(id: tag.commitId, repoId: repo.id, tenantId: repo.tenantId)
        {
            return c
        }
        if hex && lower.count >= 8 {
            let found = try await prompts.commits(repoId: repo.id, tenantId: repo.tenantId, hashPrefix: lower, limit: 2)
            if found.count == 1 { return found[0] }
            if found.count > 1 {
                throw APIError.badRequest("commit prefix '\(ref)' is ambiguous in prompt '\(p.fullName)': give more characters of the hash")
            }
        }
        let hint = hex && lower.count < 8 ? " (hash prefixes need at least 8 characters)" : ""
        throw APIError(.notFound, "prompt '\(p.fullName)' has no commit, tag or hash prefix '\(ref.prefix(80))'\(hint)")
    }
}
