import AnvilCore
import AnvilStorage
import Foundation
import HTTPTypes
import Hummingbird

/// `/commits/{owner}/{repo}…`: a prompt's commit chain — list, push (with the parent check that
/// makes concurrent edits fail loudly instead of silently overwriting), and pull by hash, tag or
/// `latest`.
struct CommitsController: Sendable {
    let prompts: any PromptStore
    let locator: PromptLocator

    func addRoutes(to group: RouterGroup<TenantContext>) {
        group.get("commits/:owner/:repo", use: list)
        group.post("commits/:owner/:repo", use: create)
        group.get("commits/:owner/:repo/:commit", use: get)
    }

    @Sendable func list(request: Request, context: TenantContext) async throws -> Response {
        let p = try await locator.locate(context, access: .read)
        let qp = request.query
        let includeModel = try qp.bool("include_model") ?? false
        let (commits, total) = try await prompts.commits(
            repoId: p.repo.id, tenantId: p.repo.tenantId, limit: try qp.int("limit", default: 100, range: 1...1000),
            offset: try qp.int("offset", default: 0, range: 0...Int(Int32.max)))
        return .json({ w in
            w.beginObject()
            w.key("commits")
            w.beginArray()
            for c in commits { PromptJSON.write(c, manifest: PromptManifest.forPull(c.manifest, includeModel: includeModel), into: &w) }
            w.endArray()
            w.key("total"); w.int(total)
            w.endObject()
        })
    }

    @Sendable func get(request: Request, context: TenantContext) async throws -> Response {
        let p = try await locator.locate(context, access: .read)
        let qp = request.query
        let c = try await locator.commit(context.parameters.get("commit") ?? "latest", in: p)
        // The UI passes is_view=true: a web view is counted apart from an API pull.
        try await prompts.recordCommitRead(commitId: c.id, tenantId: c.tenantId, view: try qp.bool("is_view") ?? false)
        return .json(PromptJSON.pull(c, manifest: PromptManifest.forPull(c.manifest, includeModel: try qp.bool("include_model") ?? false)),
                     for: request)
    }

    @Sendable func create(request: Request, context: TenantContext) async throws -> Response {
        let p = try await locator.locate(context, access: .write)
        var request = request
        let body = try await request.bytes(limit: 8 * 1024 * 1024)
        let fields: [JSONField]
        do {
            fields = try JSON.objectFields(body)
        } catch {
            throw APIError.badRequest("request body must be a JSON object: \(error)")
        }
        func field(_ key: String) -> [UInt8]? {
            fields.last { $0.key == key }.map { Array(body[$0.range]) }
        }
        func string(_ key: String) throws -> String? {
            guard let raw = field(key) else { return nil }
            switch try? JSON.parse(raw) {
            case .null?: return nil
            case .string(let s)?: return s
            default: throw APIError.unprocessable("\(key) must be a string or null")
            }
        }
        // The manifest is kept as the exact bytes of its value in the request: that is what is
        // hashed, stored and returned.
        guard let manifestBytes = field("manifest") else { throw APIError.badRequest("Manifest is required") }
        try PromptManifest.validate(try JSON.parse(manifestBytes))
        let description = try string("description")
        if let d = description, d.count > 1000 { throw APIError.unprocessable("description must be at most 1000 characters") }

        var parent = try string("parent_commit")?.lowercased()
        if let claimed = parent, claimed.count < 64, PromptManifest.isHex(claimed), claimed.count >= 8,
            let head = try await prompts.latestCommit(repoId: p.repo.id, tenantId: p.repo.tenantId), head.hash.hasPrefix(claimed)
        {
            parent = head.hash  // a short hash of the head, as the SDK prints them
        }
        let commit = PromptCommit(
            tenantId: p.repo.tenantId, repoId: p.repo.id, hash: PromptManifest.commitHash(parent: parent, manifest: manifestBytes),
            parentHash: parent, manifest: RawJSON(validated: manifestBytes), description: description)
        switch try await prompts.createCommit(commit) {
        case .created(let c):
            return .json(Self.commitResponse(c), status: .created)
        case .unchanged(let head):
            return .json(Self.commitResponse(head))
        case .staleParent(let head):
            throw APIError(.conflict, Self.conflictMessage(claimed: parent, head: head, prompt: p.fullName))
        }
    }

    static func commitResponse(_ c: PromptCommit) -> [UInt8] {
        var w = JSONWriter(capacity: c.manifest.bytes.count + 512)
        w.beginObject()
        w.key("commit")
        PromptJSON.write(c, manifest: c.manifest, into: &w)
        w.endObject()
        return w.bytes
    }

    static func conflictMessage(claimed: String?, head: PromptCommit?, prompt: String) -> String {
        switch (claimed, head) {
        case (nil, let head?):
            return "prompt '\(prompt)' already has commits: send parent_commit with the latest commit, \(head.hash) (pull it first)"
        case (let claimed?, nil):
            return "parent_commit \(claimed.prefix(64)) does not exist: prompt '\(prompt)' has no commits yet, so its first commit has parent_commit null"
        case (let claimed?, let head?):
            return "parent_commit \(claimed.prefix(64)) is not the latest commit of prompt '\(prompt)': someone committed since; the latest is \(head.hash). Pull it, reapply your change and commit again"
        case (nil, nil):
            return "conflicting commit on prompt '\(prompt)'"
        }
    }
}
