import AnvilAuth
import AnvilCore
import AnvilHTTP
import AnvilStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("HTTP: sign-in, sessions, keys, members, audit")
struct IdentityRouteTests {
    static let password = "correct horse battery"

    /// The test app with an organization admin who has a password.
    static func withAdmin() async throws -> (TestApp, User) {
        let t = try await TestApp.make()
        let accounts = Accounts(store: t.metadata, authenticator: Authenticator(store: t.metadata))
        let admin = try await accounts.ensureAdmin(email: "admin@example.com", password: password, workspace: t.workspace)
        return (t, admin)
    }

    static let csrf: HTTPFields = [HTTPField.Name("X-Anvil-CSRF")!: "1", .contentType: "application/json"]

    static func cookie(_ r: TestResponse) -> String? {
        guard let set = r.headers[.setCookie], let pair = set.split(separator: ";").first else { return nil }
        let kv = pair.split(separator: "=", maxSplits: 1)
        guard kv.count == 2, kv[0] == "anvil_session", !kv[1].isEmpty else { return nil }
        return String(kv[1])
    }

    static func session(_ cookie: String, csrf: Bool = true, tenant: UUID? = nil) -> HTTPFields {
        var h: HTTPFields = [.cookie: "anvil_session=\(cookie)", .contentType: "application/json"]
        if csrf { h[HTTPField.Name("X-Anvil-CSRF")!] = "1" }
        if let tenant { h[HTTPField.Name("X-Tenant-Id")!] = tenant.lowercased }
        return h
    }

    func login(_ client: some TestClientProtocol, _ email: String, _ password: String) async throws -> String? {
        try await client.execute(uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "application/json"],
                                 body: .json(#"{"email":"\#(email)","password":"\#(password)"}"#)) { r in
            r.status == .ok ? Self.cookie(r) : nil
        }
    }

    @Test("password sign-in sets an http-only session cookie; logout ends it; wrong passwords and form posts are refused")
    func loginLogout() async throws {
        let (t, admin) = try await Self.withAdmin()
        try await t.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "application/json"],
                                     body: .json(#"{"email":"admin@example.com","password":"\#(Self.password)"}"#)) { r in
                #expect(r.status == .ok)
                let set = r.headers[.setCookie] ?? ""
                #expect(set.contains("HttpOnly"))
                #expect(set.lowercased().contains("samesite=lax"))
                #expect(body(r)["user"]?["email"] == "admin@example.com")
                #expect(body(r)["role"] == "admin")
                #expect(body(r)["organization_role"] == "admin")
                #expect(body(r)["workspaces"]?.arrayValue?.count == 1)
            }
            try await client.execute(uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "application/json"],
                                     body: .json(#"{"email":"admin@example.com","password":"wrong password"}"#)) { r in
                #expect(r.status == .unauthorized)
                #expect(r.headers[.setCookie] == nil)
            }
            try await client.execute(uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "application/json"],
                                     body: .json(#"{"email":"nobody@example.com","password":"whatever123"}"#)) { r in
                #expect(r.status == .unauthorized)
                #expect(body(r)["detail"] == "wrong email or password")
            }
            try await client.execute(uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                     body: .json("email=admin@example.com&password=x")) { r in
                #expect(r.status == .unsupportedMediaType)
            }
            let cookie = try #require(try await login(client, "admin@example.com", Self.password))
            try await client.execute(uri: "/api/v1/auth/me", method: .get, headers: Self.session(cookie, csrf: false)) { r in
                #expect(r.status == .ok)
                #expect(body(r)["user"]?["id"]?.stringValue == admin.id.lowercased)
                #expect(body(r)["kind"] == "session")
            }
            // Session cookies are ambient: writes without the CSRF header are refused.
            try await client.execute(uri: "/api/v1/sessions", method: .post, headers: Self.session(cookie, csrf: false),
                                     body: .json(#"{"name":"p"}"#)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/sessions", method: .post, headers: Self.session(cookie), body: .json(#"{"name":"p"}"#)) { r in
                #expect(r.status == .created)
            }
            try await client.execute(uri: "/api/v1/auth/logout", method: .post, headers: Self.session(cookie)) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            try await client.execute(uri: "/api/v1/auth/me", method: .get, headers: Self.session(cookie)) { r in
                #expect(r.status == .unauthorized)
            }
        }
    }

    @Test("repeated wrong passwords lock out further tries for that account, even the right one")
    func throttling() async throws {
        let (t, _) = try await Self.withAdmin()
        try await t.application().test(.router) { client in
            for _ in 0..<5 { #expect(try await login(client, "Admin@example.com", "wrong password") == nil) }
            try await client.execute(uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "application/json"],
                                     body: .json(#"{"email":"admin@example.com","password":"\#(Self.password)"}"#)) { r in
                #expect(r.status == .tooManyRequests)
                #expect(Int(r.headers[.retryAfter] ?? "") ?? 0 > 800)
                #expect(body(r)["detail"]?.stringValue?.contains("too many failed sign-ins") == true)
            }
            // Another account is unaffected.
            try await client.execute(uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "application/json"],
                                     body: .json(#"{"email":"other@example.com","password":"whatever123"}"#)) { r in
                #expect(r.status == .unauthorized)
            }
        }
        // The window slides: failures older than it no longer count; a success clears the count.
        let throttle = LoginThrottle(limit: 2, window: 10)
        await throttle.failed(email: "a@b", now: 0)
        await throttle.failed(email: "a@b", now: 5)
        #expect(await throttle.retryAfter(email: "a@b", now: 6) == 4)
        #expect(await throttle.retryAfter(email: "a@b", now: 10.5) == nil)
        await throttle.failed(email: "a@b", now: 11)
        await throttle.succeeded(email: "A@b ")
        await throttle.failed(email: "a@b", now: 12)
        #expect(await throttle.retryAfter(email: "a@b", now: 12) == nil)
    }

    @Test("sessions last the configured time and are refused once expired")
    func expiry() async throws {
        let (t, admin) = try await Self.withAdmin()
        try await t.application(sessionLifetime: 120).test(.router) { client in
            try await client.execute(uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "application/json"],
                                     body: .json(#"{"email":"admin@example.com","password":"\#(Self.password)"}"#)) { r in
                #expect(r.headers[.setCookie]?.contains("Max-Age=120") == true)
            }
            // Sessions written with a chosen expiry, so the check is exact whatever the machine's load.
            let now = Timestamp.now()
            let cases: [(String, Timestamp, HTTPResponse.Status)] = [
                (APIKeys.randomHex(32), now.adding(seconds: -1), .unauthorized),
                (APIKeys.randomHex(32), now.adding(seconds: 3600), .ok),
            ]
            for (secret, expires, status) in cases {
                try await t.metadata.createSession(UserSession(hash: APIKeys.hash(secret), userId: admin.id, createdAt: now.adding(seconds: -10),
                                                               expiresAt: expires))
                try await client.execute(uri: "/api/v1/sessions", method: .get, headers: Self.session(secret)) { r in
                    #expect(r.status == status)
                    if status == .unauthorized { #expect(body(r)["detail"]?.stringValue?.contains("expired") == true) }
                }
            }
        }
    }

    @Test("changing the password ends other sessions and keeps the caller signed in")
    func passwordChange() async throws {
        let (t, _) = try await Self.withAdmin()
        try await t.application().test(.router) { client in
            let first = try #require(try await login(client, "admin@example.com", Self.password))
            let second = try #require(try await login(client, "admin@example.com", Self.password))
            try await client.execute(uri: "/api/v1/auth/password", method: .post, headers: Self.session(second),
                                     body: .json(#"{"current_password":"nope nope","new_password":"a new passphrase"}"#)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/auth/password", method: .post, headers: Self.session(second),
                                     body: .json(#"{"current_password":"\#(Self.password)","new_password":"short"}"#)) { r in
                #expect(r.status == .unprocessableContent)
            }
            let fresh = try await client.execute(uri: "/api/v1/auth/password", method: .post, headers: Self.session(second),
                                                 body: .json(#"{"current_password":"\#(Self.password)","new_password":"a new passphrase"}"#)) { r in
                #expect(r.status == .ok)
                return Self.cookie(r)
            }
            for old in [first, second] {
                try await client.execute(uri: "/api/v1/auth/me", method: .get, headers: Self.session(old)) { r in
                    #expect(r.status == .unauthorized)
                }
            }
            try await client.execute(uri: "/api/v1/auth/me", method: .get, headers: Self.session(try #require(fresh))) { r in
                #expect(r.status == .ok)
            }
            #expect(try await login(client, "admin@example.com", Self.password) == nil)
            #expect(try await login(client, "admin@example.com", "a new passphrase") != nil)
        }
    }

    @Test("service keys: created once with their secret, listed without it, revoked keys stop at once")
    func serviceKeys() async throws {
        let t = try await TestApp.make()
        try await t.application().test(.router) { client in
            let (id, secret) = try await client.execute(uri: "/api/v1/api-key", method: .post, headers: .auth,
                                                        body: .json(#"{"description":"ci","read_only":true}"#)) { r in
                #expect(r.status == .ok)
                let k = body(r)
                #expect(k["description"] == "ci")
                #expect(k["read_only"] == true)
                #expect(k["role_name"] == "WORKSPACE_VIEWER")
                #expect(k["short_key"]?.stringValue?.hasPrefix("lsv2_sk_") == true)
                return (k["id"]?.stringValue ?? "", k["key"]?.stringValue ?? "")
            }
            #expect(secret.hasPrefix("lsv2_sk_") && secret.count > 40)
            let key: HTTPFields = [HTTPField.Name("x-api-key")!: secret, .contentType: "application/json"]
            try await client.execute(uri: "/api/v1/sessions", method: .get, headers: key) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/api/v1/sessions", method: .post, headers: key, body: .json(#"{"name":"x"}"#)) { r in
                #expect(r.status == .forbidden)
                #expect(body(r)["detail"]?.stringValue?.contains("editor") == true)
            }
            try await client.execute(uri: "/api/v1/api-key", method: .get, headers: .auth) { r in
                let listed = body(r).arrayValue ?? []
                #expect(listed.contains { $0["id"]?.stringValue == id })
                #expect(!String(buffer: r.body).contains(secret))
                #expect(listed.first { $0["id"]?.stringValue == id }?["last_used_at"]?.stringValue != nil)
            }
            try await client.execute(uri: "/api/v1/api-key/\(id)", method: .delete, headers: .auth) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/api/v1/sessions", method: .get, headers: key) { r in #expect(r.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/api-key/\(id)", method: .delete, headers: .auth) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/api/v1/api-key/current", method: .post, headers: .auth, body: .json("{}")) { r in
                #expect(r.status == .badRequest)
            }
        }
    }

    @Test("members: invite, accept, roles enforced, role change, removal revokes their tokens; audit log records it")
    func membersAndAudit() async throws {
        let (t, _) = try await Self.withAdmin()
        try await t.application().test(.router) { client in
            let admin = try #require(try await login(client, "admin@example.com", Self.password))
            let invite = try await client.execute(uri: "/api/v1/workspaces/current/members/batch", method: .post, headers: Self.session(admin),
                                                  body: .json(#"[{"email":"val@example.com","read_only":true}]"#)) { r in
                #expect(r.status == .ok, "\(String(buffer: r.body))")
                let i = body(r).arrayValue?.first
                #expect(i?["role_name"] == "WORKSPACE_VIEWER")
                return i?["invite_url"]?.stringValue ?? ""
            }
            let secret = String(invite.split(separator: "/").last ?? "")
            try await client.execute(uri: "/api/v1/auth/invitations/\(secret)", method: .get) { r in
                #expect(r.status == .ok)
                #expect(body(r)["email"] == "val@example.com")
            }
            let val = try await client.execute(uri: "/api/v1/auth/invitations/\(secret)/accept", method: .post,
                                               headers: [.contentType: "application/json"], body: .json(#"{"password":"val's passphrase"}"#)) { r in
                #expect(r.status == .ok, "\(String(buffer: r.body))")
                #expect(body(r)["role"] == "viewer")
                return Self.cookie(r)
            }
            let valCookie = try #require(val)
            try await client.execute(uri: "/api/v1/auth/invitations/\(secret)/accept", method: .post,
                                     headers: [.contentType: "application/json"], body: .json(#"{"password":"val's passphrase"}"#)) { r in
                #expect(r.status == .notFound)
            }
            // A viewer reads but does not write, and cannot manage.
            try await client.execute(uri: "/api/v1/sessions", method: .get, headers: Self.session(valCookie)) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/api/v1/datasets", method: .post, headers: Self.session(valCookie), body: .json(#"{"name":"d"}"#)) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/api-key", method: .get, headers: Self.session(valCookie)) { r in #expect(r.status == .forbidden) }
            // Their personal token acts with their role.
            let pat = try await client.execute(uri: "/api/v1/api-key/current", method: .post, headers: Self.session(valCookie),
                                               body: .json(#"{"description":"laptop"}"#)) { r in
                #expect(r.status == .ok)
                return body(r)["key"]?.stringValue ?? ""
            }
            #expect(pat.hasPrefix("lsv2_pt_"))
            let patHeaders: HTTPFields = [HTTPField.Name("x-api-key")!: pat, .contentType: "application/json"]
            try await client.execute(uri: "/api/v1/datasets", method: .post, headers: patHeaders, body: .json(#"{"name":"d"}"#)) { r in
                #expect(r.status == .forbidden)
            }
            let valId = try await client.execute(uri: "/api/v1/workspaces/current/members", method: .get, headers: Self.session(admin)) { r in
                #expect(r.status == .ok)
                let members = body(r)["members"]?.arrayValue ?? []
                #expect(members.count == 2)
                return members.first { $0["email"] == "val@example.com" }?["id"]?.stringValue ?? ""
            }
            // Promotion applies to the next request of every credential of theirs.
            try await client.execute(uri: "/api/v1/workspaces/current/members/\(valId)", method: .patch, headers: Self.session(admin),
                                     body: .json(#"{"role_id":"WORKSPACE_USER"}"#)) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/api/v1/datasets", method: .post, headers: patHeaders, body: .json(#"{"name":"d"}"#)) { r in
                #expect(r.status == .ok)
            }
            // Removal from the organization ends their sessions and tokens.
            try await client.execute(uri: "/api/v1/orgs/current/members/\(valId)", method: .delete, headers: Self.session(admin)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/api/v1/sessions", method: .get, headers: patHeaders) { r in #expect(r.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/sessions", method: .get, headers: Self.session(valCookie)) { r in
                #expect(r.status == .unauthorized)
            }
            // The last organization admin stays.
            let adminId = try await client.execute(uri: "/api/v1/auth/me", method: .get, headers: Self.session(admin)) { r in
                body(r)["user"]?["id"]?.stringValue ?? ""
            }
            try await client.execute(uri: "/api/v1/orgs/current/members/\(adminId)", method: .delete, headers: Self.session(admin)) { r in
                #expect(r.status == .conflict)
            }
            try await client.execute(uri: "/api/v1/audit-logs?limit=100", method: .get, headers: Self.session(admin)) { r in
                #expect(r.status == .ok)
                let items = body(r)["items"]?.arrayValue ?? []
                let ops = items.compactMap { $0["api"]?["operation"]?.stringValue }
                #expect(ops.contains("auth.login"))
                #expect(ops.contains("invitation.create"))
                #expect(ops.contains("invitation.accept"))
                #expect(ops.contains("personal_access_token.create"))
                #expect(ops.contains { $0.hasPrefix("orgs/current/members/:id DELETE") })
                // The refused removal of the last admin is there too, as a failure.
                #expect(items.contains { $0["status"] == "Failure" && $0["status_code"] == "409" })
                #expect(items.first?["class_uid"] == 6003)
                #expect(items.first?["actor"]?["user"]?["email_addr"]?.stringValue != nil)
            }
            try await client.execute(uri: "/api/v1/audit-logs", method: .get, headers: .auth) { r in #expect(r.status == .ok) }
        }
    }

    @Test("X-Tenant-Id switches a user's workspace; workspaces list what they can use")
    func workspaceSwitching() async throws {
        let (t, _) = try await Self.withAdmin()
        try await t.application().test(.router) { client in
            let admin = try #require(try await login(client, "admin@example.com", Self.password))
            let second = try await client.execute(uri: "/api/v1/workspaces", method: .post, headers: Self.session(admin),
                                                  body: .json(#"{"display_name":"Second","tenant_handle":"second"}"#)) { r in
                #expect(r.status == .ok, "\(String(buffer: r.body))")
                return UUID(uuidString: body(r)["id"]?.stringValue ?? "")
            }
            let ws = try #require(second)
            try await client.execute(uri: "/api/v1/workspaces", method: .get, headers: Self.session(admin)) { r in
                #expect(body(r).arrayValue?.count == 2)
                #expect(body(r).arrayValue?.allSatisfy { $0["role_name"] == "WORKSPACE_ADMIN" } == true)
            }
            try await client.execute(uri: "/api/v1/sessions", method: .post, headers: Self.session(admin, tenant: ws),
                                     body: .json(#"{"name":"in-second"}"#)) { r in
                #expect(r.status == .created)
                #expect(body(r)["tenant_id"]?.stringValue == ws.lowercased)
            }
            try await client.execute(uri: "/api/v1/sessions?name=in-second", method: .get, headers: Self.session(admin)) { r in
                #expect(body(r).arrayValue?.isEmpty == true)
            }
            // A service key sees only its own workspace.
            try await client.execute(uri: "/api/v1/workspaces", method: .get, headers: .auth) { r in
                #expect(body(r).arrayValue?.map { $0["id"]?.stringValue } == [t.workspace.id.lowercased])
            }
            try await client.execute(uri: "/api/v1/tenants", method: .post, headers: .auth, body: .json(#"{"display_name":"Nope"}"#)) { r in
                #expect(r.status == .forbidden)
            }
        }
    }
}
