import AnvilAuth
import AnvilCore
import AnvilStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The prompt hub's HTTP surface (`/repos`, `/commits`, `/likes`, `/settings/handle`) over the
/// in-memory stores, including what another workspace can and cannot see.
@Suite("Prompt hub routes")
struct PromptRoutesTests {
    static let otherKey = "lsv2_sk_other_0123456789abcdef01234567"
    static let other: HTTPFields = [HTTPField.Name("x-api-key")!: otherKey, .contentType: "application/json"]

    /// A manifest as LangChain's `dumps` writes it (spacing and key order kept on purpose: the
    /// server must return these exact bytes).
    static func chat(_ human: String) -> String {
        #"{"lc": 1, "type": "constructor", "id": ["langchain", "prompts", "chat", "ChatPromptTemplate"], "kwargs": {"input_variables": ["topic"], "messages": [{"lc": 1, "type": "constructor", "id": ["langchain", "prompts", "chat", "HumanMessagePromptTemplate"], "kwargs": {"prompt": {"lc": 1, "type": "constructor", "id": ["langchain", "prompts", "prompt", "PromptTemplate"], "kwargs": {"input_variables": ["topic"], "template": "\#(human)", "template_format": "f-string"}}}}]}}"#
    }

    static let model = #"{"lc": 1, "type": "constructor", "id": ["langchain", "chat_models", "openai", "ChatOpenAI"], "kwargs": {"model_name": "gpt-4o"}}"#

    static func commitBody(_ manifest: String, parent: String?) -> ByteBuffer {
        .json(#"{"parent_commit": \#(parent.map { "\"\($0)\"" } ?? "null"), "manifest": \#(manifest)}"#)
    }

    static func expectedHash(parent: String?, manifest: String) -> String {
        APIKeys.hash((parent ?? "") + "\n" + manifest)  // SHA-256 hex of the same bytes
    }

    func app() async throws -> (TestApp, some ApplicationProtocol) {
        let t = try await TestApp.make()
        return (t, t.application())
    }

    /// A second workspace (same organization) with its own key.
    func addOtherWorkspace(_ t: TestApp, handle: String? = "rival") async throws -> Workspace {
        let ws = Workspace(organizationId: t.workspace.organizationId, name: "Rival Workspace", handle: handle)
        try await t.metadata.createWorkspace(ws)
        try await t.metadata.createAPIKey(APIKey(tenantId: ws.id, hash: APIKeys.hash(Self.otherKey), shortKey: "other", description: "other"))
        return ws
    }

    @discardableResult
    func push(_ client: some TestClientProtocol, _ name: String, _ manifest: String, parent: String?, headers: HTTPFields = .auth) async throws -> String {
        try await client.execute(uri: "/api/v1/commits/-/\(name)", method: .post, headers: headers, body: Self.commitBody(manifest, parent: parent)) { r in
            #expect(r.status == .created, "\(String(buffer: r.body))")
            return body(r)["commit"]?["commit_hash"]?.stringValue ?? ""
        }
    }

    func create(_ client: some TestClientProtocol, _ name: String, isPublic: Bool = false, headers: HTTPFields = .auth) async throws {
        try await client.execute(uri: "/api/v1/repos/", method: .post, headers: headers,
                                 body: .json(#"{"repo_handle": "\#(name)", "description": "d", "readme": "", "tags": [], "is_public": \#(isPublic)}"#)) { r in
            #expect(r.status == .ok, "\(String(buffer: r.body))")
        }
    }

    // MARK: settings

    @Test("/settings/handle sets the workspace handle: validated, unique, POST and PATCH")
    func settingsHandle() async throws {
        let (t, app) = try await app()
        _ = try await addOtherWorkspace(t, handle: "taken")
        try await app.test(.router) { client in
            try await client.execute(uri: "/settings", method: .get, headers: .auth) { r in
                #expect(r.status == .ok)
                #expect(body(r)["tenant_handle"] == .null)
                #expect(body(r)["id"]?.stringValue == t.workspace.id.lowercased)
            }
            for bad in [#"{"tenant_handle": "UPPER"}"#, #"{"tenant_handle": "ab"}"#, #"{"tenant_handle": "has space"}"#, "{}"] {
                try await client.execute(uri: "/api/v1/settings/handle", method: .post, headers: .auth, body: .json(bad)) { r in
                    #expect(r.status == .unprocessableContent, "\(bad)")
                    #expect(body(r)["detail"]?.stringValue?.isEmpty == false)
                }
            }
            try await client.execute(uri: "/api/v1/settings/handle", method: .post, headers: .auth, body: .json(#"{"tenant_handle": "taken"}"#)) { r in
                #expect(r.status == .conflict)
                #expect(body(r)["detail"]?.stringValue?.contains("taken") == true)
            }
            try await client.execute(uri: "/api/v1/settings/handle", method: .post, headers: .auth, body: .json(#"{"tenant_handle": "acme_1"}"#)) { r in
                #expect(r.status == .ok)
                #expect(body(r)["tenant_handle"]?.stringValue == "acme_1")
            }
            try await client.execute(uri: "/api/settings/handle", method: .patch, headers: .auth, body: .json(#"{"tenant_handle": "acme-2"}"#)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/settings", method: .get, headers: .auth) { r in
                #expect(body(r)["tenant_handle"]?.stringValue == "acme-2")
            }
            try await client.execute(uri: "/settings/handle", method: .post, body: .json(#"{"tenant_handle": "nokey"}"#)) { r in
                #expect(r.status == .unauthorized)
            }
        }
    }

    // MARK: repos

    @Test("repos: create (trailing slash), read under every prefix, update, delete, with 401/404/409/422")
    func reposCRUD() async throws {
        let (_, app) = try await app()
        try await app.test(.router) { client in
            try await client.execute(uri: "/repos/", method: .post, body: .json(#"{"repo_handle": "x"}"#)) { r in
                #expect(r.status == .unauthorized)
            }
            try await client.execute(uri: "/repos/", method: .post, headers: .auth,
                                     body: .json(#"{"repo_handle": "greeter", "description": "says hi", "readme": "Read me", "tags": ["a", "b"], "is_public": false}"#)) { r in
                #expect(r.status == .ok)
                let repo = try #require(body(r)["repo"]?.objectValue)
                for key in ["repo_handle", "id", "tenant_id", "created_at", "updated_at", "is_public", "is_archived", "tags", "owner", "full_name",
                            "num_likes", "num_downloads", "num_views", "num_commits", "description", "readme", "liked_by_auth_user",
                            "last_commit_hash", "original_repo_id", "upstream_repo_id"] {
                    #expect(repo.keys.contains(key), "missing \(key)")
                }
                #expect(repo["owner"] == .null)
                #expect(repo["full_name"]?.stringValue == "greeter")
                #expect(repo["tags"] == ["a", "b"])
                #expect(repo["num_commits"] == 0)
            }
            try await client.execute(uri: "/repos", method: .post, headers: .auth, body: .json(#"{"repo_handle": "greeter", "is_public": false}"#)) { r in
                #expect(r.status == .conflict)
            }
            for bad in [#"{"is_public": false}"#, #"{"repo_handle": "bad/name"}"#, #"{"repo_handle": "-x"}"#, #"{"repo_handle": "ok", "tags": "nope"}"#] {
                try await client.execute(uri: "/repos", method: .post, headers: .auth, body: .json(bad)) { r in
                    #expect(r.status == .unprocessableContent, "\(bad)")
                }
            }
            // Public prompts need a handle (their owner name).
            try await client.execute(uri: "/repos", method: .post, headers: .auth, body: .json(#"{"repo_handle": "pub", "is_public": true}"#)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(body(r)["detail"]?.stringValue?.contains("/settings/handle") == true)
            }
            for prefix in ["", "/api", "/api/v1"] {
                try await client.execute(uri: "\(prefix)/repos/-/greeter", method: .get, headers: .auth) { r in
                    #expect(r.status == .ok)
                    #expect(body(r)["repo"]?["description"]?.stringValue == "says hi")
                }
            }
            try await client.execute(uri: "/repos/-/missing", method: .get, headers: .auth) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/repos/-/greeter", method: .patch, headers: .auth,
                                     body: .json(#"{"description": "waves", "tags": ["c"], "is_archived": true}"#)) { r in
                #expect(r.status == .ok)
                #expect(body(r)["repo"]?["description"]?.stringValue == "waves")
                #expect(body(r)["repo"]?["readme"]?.stringValue == "Read me")  // untouched
                #expect(body(r)["repo"]?["tags"] == ["c"])
                #expect(body(r)["repo"]?["is_archived"] == true)
            }
            try await client.execute(uri: "/repos/-/greeter", method: .patch, headers: .auth, body: .json(#"{"is_public": true}"#)) { r in
                #expect(r.status == .unprocessableContent)
            }
            // With a handle, the prompt is addressable as handle/name and may go public.
            try await client.execute(uri: "/settings/handle", method: .post, headers: .auth, body: .json(#"{"tenant_handle": "acme"}"#)) { _ in }
            try await client.execute(uri: "/repos/acme/greeter", method: .patch, headers: .auth, body: .json(#"{"is_public": true}"#)) { r in
                #expect(r.status == .ok)
                #expect(body(r)["repo"]?["owner"]?.stringValue == "acme")
                #expect(body(r)["repo"]?["full_name"]?.stringValue == "acme/greeter")
            }
            try await client.execute(uri: "/repos/-/greeter", method: .delete, headers: .auth) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/repos/-/greeter", method: .get, headers: .auth) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/repos/-/greeter", method: .delete, headers: .auth) { r in
                #expect(r.status == .notFound)
            }
        }
    }

    @Test("repos list: query, is_public, is_archived, tags, sorting, paging and bad parameters")
    func reposList() async throws {
        let (_, app) = try await app()
        try await app.test(.router) { client in
            try await client.execute(uri: "/settings/handle", method: .post, headers: .auth, body: .json(#"{"tenant_handle": "acme"}"#)) { _ in }
            try await create(client, "alpha", isPublic: true)
            try await create(client, "beta")
            try await create(client, "gamma-old")
            try await client.execute(uri: "/repos/-/gamma-old", method: .patch, headers: .auth, body: .json(#"{"is_archived": true, "tags": ["t1"]}"#)) { _ in }
            try await client.execute(uri: "/likes/-/beta", method: .post, headers: .auth, body: .json(#"{"like": true}"#)) { _ in }

            func names(_ query: String) async throws -> [String] {
                try await client.execute(uri: "/repos/?\(query)", method: .get, headers: .auth) { r in
                    #expect(r.status == .ok, "\(query)")
                    return body(r)["repos"]?.arrayValue?.compactMap { $0["repo_handle"]?.stringValue } ?? []
                }
            }
            #expect(try await names("") == ["beta", "alpha"])  // archived hidden by default; updated_at desc
            #expect(try await names("is_archived=false&sort_direction=asc") == ["alpha", "beta"])
            #expect(try await names("is_archived=true") == ["gamma-old"])
            #expect(try await names("is_archived=allow") == ["gamma-old", "beta", "alpha"])
            #expect(try await names("is_archived=allow&tags=t1") == ["gamma-old"])
            #expect(try await names("is_public=true") == ["alpha"])
            #expect(try await names("is_public=False") == ["beta"])
            #expect(try await names("query=ALP&match_prefix=true") == ["alpha"])
            #expect(try await names("sort_field=num_likes&sort_direction=desc") == ["beta", "alpha"])
            #expect(try await names("sort_field=num_likes&sort_direction=asc") == ["alpha", "beta"])
            #expect(try await names("limit=1&offset=1") == ["alpha"])
            try await client.execute(uri: "/repos?limit=1", method: .get, headers: .auth) { r in
                #expect(body(r)["total"] == 2)
                #expect(body(r)["repos"]?.arrayValue?.count == 1)
            }
            for bad in ["sort_field=stars", "sort_direction=up", "is_archived=maybe", "is_public=perhaps", "limit=0"] {
                try await client.execute(uri: "/repos?\(bad)", method: .get, headers: .auth) { r in
                    #expect(r.status == .unprocessableContent, "\(bad)")
                }
            }
        }
    }

    // MARK: commits

    @Test("commits: hash chain, verbatim manifests, stale parents, lookups by latest/hash/prefix/tag, trailing slashes")
    func commits() async throws {
        let (_, app) = try await app()
        try await app.test(.router) { client in
            try await create(client, "chain")
            let m1 = Self.chat("tell me about {topic}"), m2 = Self.chat("tell me a joke about {topic}")
            // Validation, LangSmith's messages.
            for (manifest, message) in [(#"{"hi": "hello"}"#, "Manifest must have an id field"), (#"{"id": ["hi"]}"#, "Manifest type hi is not supported"),
                                        (#"{"id": ["x", "RunnableSequence"], "kwargs": {"first": {"id": ["x", "Nope"]}}}"#, "first step")] {
                try await client.execute(uri: "/commits/-/chain", method: .post, headers: .auth, body: Self.commitBody(manifest, parent: nil)) { r in
                    #expect(r.status == .badRequest)
                    #expect(body(r)["detail"]?.stringValue?.contains(message) == true, "\(manifest)")
                }
            }
            let h1 = try await push(client, "chain", m1, parent: nil)
            #expect(h1 == Self.expectedHash(parent: nil, manifest: m1))
            // A stale parent (h1 is the head, but we claim a made-up one) and a missing parent: 409 naming the head.
            let bogus = String(repeating: "0", count: 64)
            try await client.execute(uri: "/commits/-/chain", method: .post, headers: .auth, body: Self.commitBody(m2, parent: bogus)) { r in
                #expect(r.status == .conflict)
                #expect(body(r)["detail"]?.stringValue?.contains(h1) == true)
            }
            try await client.execute(uri: "/commits/-/chain", method: .post, headers: .auth, body: Self.commitBody(m2, parent: nil)) { r in
                #expect(r.status == .conflict)
                #expect(body(r)["detail"]?.stringValue?.contains(h1) == true)
            }
            let h2 = try await push(client, "chain", m2, parent: String(h1.prefix(8)))  // the head by its short hash
            #expect(h2 == Self.expectedHash(parent: h1, manifest: m2))
            // Committing on the old head now conflicts.
            try await client.execute(uri: "/commits/-/chain", method: .post, headers: .auth, body: Self.commitBody(m1, parent: h1)) { r in
                #expect(r.status == .conflict)
                #expect(body(r)["detail"]?.stringValue?.contains("latest is \(h2)") == true)
            }
            // The head's manifest again: nothing to commit; the head comes back (200, not 201).
            try await client.execute(uri: "/commits/-/chain", method: .post, headers: .auth, body: Self.commitBody(m2, parent: h2)) { r in
                #expect(r.status == .ok)
                #expect(body(r)["commit"]?["commit_hash"]?.stringValue == h2)
            }

            // Reads: the manifest bytes come back exactly as pushed.
            for ref in ["latest", h2, String(h2.prefix(8)), String(h2.prefix(12)).uppercased()] {
                try await client.execute(uri: "/api/v1/commits/-/chain/\(ref)", method: .get, headers: .auth) { r in
                    #expect(r.status == .ok, "\(ref)")
                    #expect(body(r)["commit_hash"]?.stringValue == h2)
                    #expect(body(r)["examples"] == [])
                    let text = String(buffer: r.body)
                    #expect(text.contains(#""manifest":\#(m2)"#), "manifest not verbatim for \(ref)")
                }
            }
            try await client.execute(uri: "/commits/-/chain/\(h1)", method: .get, headers: .auth) { r in
                #expect(body(r)["commit_hash"]?.stringValue == h1)
            }
            for ref in [String(h1.prefix(7)), "nosuchtag", String(repeating: "e", count: 64)] {
                try await client.execute(uri: "/commits/-/chain/\(ref)", method: .get, headers: .auth) { r in
                    #expect(r.status == .notFound, "\(ref)")
                }
            }
            // Listing, newest first, with the SDK's trailing slash.
            try await client.execute(uri: "/commits/-/chain/?limit=1&offset=0", method: .get, headers: .auth) { r in
                #expect(r.status == .ok)
                #expect(body(r)["total"] == 2)
                let c = try #require(body(r)["commits"]?.arrayValue?.first)
                #expect(c["commit_hash"]?.stringValue == h2)
                #expect(c["parent_commit_hash"]?.stringValue == h1)
                #expect(c["id"]?.stringValue != nil)
            }
            try await client.execute(uri: "/commits/-/chain?limit=10&offset=1", method: .get, headers: .auth) { r in
                #expect(body(r)["commits"]?.arrayValue?.map { $0["commit_hash"]?.stringValue ?? "" } == [h1])
            }
            try await client.execute(uri: "/commits/-/nope/latest", method: .get, headers: .auth) { r in
                #expect(r.status == .notFound)
            }
            try await create(client, "empty")
            try await client.execute(uri: "/commits/-/empty/latest", method: .get, headers: .auth) { r in
                #expect(r.status == .notFound)
                #expect(body(r)["detail"]?.stringValue?.contains("no commits") == true)
            }
            try await client.execute(uri: "/commits/-/chain", method: .post, body: Self.commitBody(m1, parent: h2)) { r in
                #expect(r.status == .unauthorized)
            }
        }
    }

    @Test("pulls count downloads, web views count views; the repo shows commit totals")
    func counters() async throws {
        let (_, app) = try await app()
        try await app.test(.router) { client in
            try await create(client, "counted")
            let h = try await push(client, "counted", Self.chat("{topic}"), parent: nil)
            for _ in 0..<3 { try await client.execute(uri: "/commits/-/counted/latest", method: .get, headers: .auth) { _ in } }
            try await client.execute(uri: "/commits/-/counted/\(h)?is_view=true", method: .get, headers: .auth) { _ in }
            try await client.execute(uri: "/repos/-/counted", method: .get, headers: .auth) { r in
                let repo = body(r)["repo"]
                #expect(repo?["num_downloads"] == 3)
                #expect(repo?["num_views"] == 1)
                #expect(repo?["num_commits"] == 1)
                #expect(repo?["last_commit_hash"]?.stringValue == h)
            }
        }
    }

    @Test("include_model: sequences come back whole only when asked; PromptPlayground is read as RunnableSequence")
    func includeModel() async throws {
        let (_, app) = try await app()
        try await app.test(.router) { client in
            try await create(client, "with-model")
            let prompt = Self.chat("hi {topic}")
            let sequence = #"{"lc": 1, "type": "constructor", "id": ["langchain", "schema", "runnable", "RunnableSequence"], "kwargs": {"first": \#(prompt), "middle": [], "last": \#(Self.model)}}"#
            let h = try await push(client, "with-model", sequence, parent: nil)
            try await client.execute(uri: "/commits/-/with-model/latest", method: .get, headers: .auth) { r in
                #expect(String(buffer: r.body).contains(#""manifest":\#(prompt),"#))
            }
            try await client.execute(uri: "/commits/-/with-model/latest?include_model=true", method: .get, headers: .auth) { r in
                #expect(String(buffer: r.body).contains(#""manifest":\#(sequence),"#))
            }
            try await client.execute(uri: "/commits/-/with-model?include_model=false", method: .get, headers: .auth) { r in
                #expect(body(r)["commits"]?.arrayValue?.first?["manifest"]?["id"]?.arrayValue?.last == "ChatPromptTemplate")
            }
            let playground = #"{"id": ["langsmith", "playground", "PromptPlayground"], "lc": 1, "type": "constructor", "kwargs": {"last": \#(Self.model), "first": \#(prompt)}}"#
            try await push(client, "with-model", playground, parent: h)
            try await client.execute(uri: "/commits/-/with-model/latest?include_model=true", method: .get, headers: .auth) { r in
                let manifest = body(r)["manifest"]
                #expect(manifest?["id"] == ["langchain", "schema", "runnable", "RunnableSequence"])
                #expect(manifest?["kwargs"]?["last"]?["id"]?.arrayValue?.last == "ChatOpenAI")
            }
            try await client.execute(uri: "/commits/-/with-model/latest", method: .get, headers: .auth) { r in
                #expect(body(r)["manifest"]?["id"]?.arrayValue?.last == "ChatPromptTemplate")
            }
        }
    }

    // MARK: tags and likes

    @Test("tags: create by commit id, list, read, move (POST and PATCH), delete, pull by tag")
    func tags() async throws {
        let (_, app) = try await app()
        try await app.test(.router) { client in
            try await create(client, "tagged")
            let h1 = try await push(client, "tagged", Self.chat("one {topic}"), parent: nil)
            let h2 = try await push(client, "tagged", Self.chat("two {topic}"), parent: h1)
            let ids = try await client.execute(uri: "/commits/-/tagged", method: .get, headers: .auth) { r in
                body(r)["commits"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            }
            #expect(ids.count == 2)
            let (id2, id1) = (ids[0], ids[1])
            try await client.execute(uri: "/repos/-/tagged/tags", method: .post, headers: .auth, body: .json(#"{"tag_name": "prod", "commit_id": "\#(id1)"}"#)) { r in
                #expect(r.status == .ok)
                #expect(body(r)["commit_hash"]?.stringValue == h1)
                #expect(body(r)["tag_name"]?.stringValue == "prod")
                for key in ["id", "repo_id", "commit_id", "created_at", "updated_at"] { #expect(body(r)[key] != nil, "\(key)") }
            }
            try await client.execute(uri: "/commits/-/tagged/prod", method: .get, headers: .auth) { r in
                #expect(body(r)["commit_hash"]?.stringValue == h1)
            }
            // Posting the tag again moves it (push_prompt with commit_tags does this).
            try await client.execute(uri: "/repos/-/tagged/tags", method: .post, headers: .auth, body: .json(#"{"tag_name": "prod", "commit_id": "\#(id2)"}"#)) { r in
                #expect(body(r)["commit_hash"]?.stringValue == h2)
            }
            try await client.execute(uri: "/repos/-/tagged/tags/prod", method: .patch, headers: .auth, body: .json(#"{"commit_id": "\#(id1)"}"#)) { r in
                #expect(r.status == .ok)
                #expect(body(r)["commit_hash"]?.stringValue == h1)
            }
            try await client.execute(uri: "/repos/-/tagged/tags", method: .post, headers: .auth, body: .json(#"{"tag_name": "v2", "commit_id": "\#(h2.prefix(10))"}"#)) { r in
                #expect(r.status == .ok)  // a hash prefix works too
            }
            try await client.execute(uri: "/repos/-/tagged/tags", method: .get, headers: .auth) { r in
                #expect(body(r).arrayValue?.map { $0["tag_name"]?.stringValue ?? "" } == ["prod", "v2"])
            }
            try await client.execute(uri: "/repos/-/tagged/tags/v2", method: .get, headers: .auth) { r in
                #expect(body(r)["commit_hash"]?.stringValue == h2)
            }
            for (payload, status) in [(#"{"tag_name": "latest", "commit_id": "\#(id1)"}"#, HTTPResponse.Status.unprocessableContent),
                                      (#"{"tag_name": "has space", "commit_id": "\#(id1)"}"#, .unprocessableContent),
                                      (#"{"tag_name": "ok"}"#, .unprocessableContent),
                                      (#"{"tag_name": "ok", "commit_id": "\#(UUID().uuidString)"}"#, .notFound)] {
                try await client.execute(uri: "/repos/-/tagged/tags", method: .post, headers: .auth, body: .json(payload)) { r in
                    #expect(r.status == status, "\(payload)")
                }
            }
            try await client.execute(uri: "/repos/-/tagged/tags/v2", method: .delete, headers: .auth) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/repos/-/tagged/tags/v2", method: .get, headers: .auth) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "/repos/-/tagged/tags/v2", method: .patch, headers: .auth, body: .json(#"{"commit_id": "\#(id1)"}"#)) { r in
                #expect(r.status == .notFound)
            }
        }
    }

    @Test("likes: like, unlike, idempotent, validated")
    func likes() async throws {
        let (_, app) = try await app()
        try await app.test(.router) { client in
            try await create(client, "liked")
            for (like, count) in [(true, 1), (true, 1), (false, 0)] {
                try await client.execute(uri: "/likes/-/liked", method: .post, headers: .auth, body: .json(#"{"like": \#(like)}"#)) { r in
                    #expect(r.status == .ok)
                    #expect(body(r) == ["likes": .int(Int64(count))])
                }
            }
            try await client.execute(uri: "/likes/-/liked", method: .post, headers: .auth, body: .json("{}")) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "/likes/-/ghost", method: .post, headers: .auth, body: .json(#"{"like": true}"#)) { r in
                #expect(r.status == .notFound)
            }
        }
    }

    // MARK: tenancy

    @Test("another workspace reads public prompts by handle, never private ones, and cannot change either")
    func otherWorkspace() async throws {
        let (t, app) = try await app()
        _ = try await addOtherWorkspace(t, handle: "rival")
        try await app.test(.router) { client in
            try await client.execute(uri: "/settings/handle", method: .post, headers: .auth, body: .json(#"{"tenant_handle": "acme"}"#)) { _ in }
            try await create(client, "open", isPublic: true)
            try await create(client, "secret")
            let h = try await push(client, "open", Self.chat("{topic}"), parent: nil)
            try await push(client, "secret", Self.chat("hidden {topic}"), parent: nil)

            // Reads of the public prompt work through the owner's handle.
            try await client.execute(uri: "/repos/acme/open", method: .get, headers: Self.other) { r in
                #expect(r.status == .ok)
                #expect(body(r)["repo"]?["full_name"]?.stringValue == "acme/open")
            }
            try await client.execute(uri: "/commits/acme/open/latest", method: .get, headers: Self.other) { r in
                #expect(r.status == .ok)
                #expect(body(r)["commit_hash"]?.stringValue == h)
            }
            try await client.execute(uri: "/repos?is_public=true", method: .get, headers: Self.other) { r in
                #expect(body(r)["repos"]?.arrayValue?.map { $0["full_name"]?.stringValue ?? "" } == ["acme/open"])
            }
            try await client.execute(uri: "/likes/acme/open", method: .post, headers: Self.other, body: .json(#"{"like": true}"#)) { r in
                #expect(body(r)["likes"] == 1)
            }
            try await client.execute(uri: "/repos/acme/open", method: .get, headers: Self.other) { r in
                #expect(body(r)["repo"]?["liked_by_auth_user"] == true)
            }
            // Its own listing and "-" are its own workspace.
            try await client.execute(uri: "/repos", method: .get, headers: Self.other) { r in
                #expect(body(r)["total"] == 0)
            }
            try await client.execute(uri: "/repos/-/open", method: .get, headers: Self.other) { r in
                #expect(r.status == .notFound)
            }
            // Private prompts are invisible (404, like a missing one) in every way.
            for uri in ["/repos/acme/secret", "/commits/acme/secret/latest", "/commits/acme/secret", "/repos/acme/secret/tags", "/repos/nobody/open"] {
                try await client.execute(uri: uri, method: .get, headers: Self.other) { r in
                    #expect(r.status == .notFound, "\(uri)")
                }
            }
            try await client.execute(uri: "/repos?is_public=false&tenant_handle=acme", method: .get, headers: Self.other) { r in
                #expect(body(r)["total"] == 0)
            }
            try await client.execute(uri: "/likes/acme/secret", method: .post, headers: Self.other, body: .json(#"{"like": true}"#)) { r in
                #expect(r.status == .notFound)
            }
            // Public prompts of others are read-only.
            let writes: [(String, HTTPRequest.Method, String)] = [
                ("/repos/acme/open", .patch, #"{"description": "mine now"}"#),
                ("/repos/acme/open", .delete, ""),
                ("/commits/acme/open", .post, #"{"parent_commit": "\#(h)", "manifest": \#(Self.chat("x {topic}"))}"#),
                ("/repos/acme/open/tags", .post, #"{"tag_name": "evil", "commit_id": "\#(h)"}"#),
            ]
            for (uri, method, payload) in writes {
                try await client.execute(uri: uri, method: method, headers: Self.other, body: .json(payload)) { r in
                    #expect(r.status == .forbidden, "\(method) \(uri)")
                }
            }
            try await client.execute(uri: "/repos/acme/secret", method: .patch, headers: Self.other, body: .json(#"{"description": "x"}"#)) { r in
                #expect(r.status == .notFound)
            }
            // The owner still sees both, and its own handle works like "-".
            try await client.execute(uri: "/repos/acme/secret", method: .get, headers: .auth) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/repos?is_archived=false", method: .get, headers: .auth) { r in
                #expect(body(r)["total"] == 2)
            }
        }
    }
}
