import AnvilAuth
import AnvilCore
import AnvilHTTP
import AnvilStorage
import AnvilTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Walks the router's own route table, so a new endpoint is covered the day it is added: every
/// non-public route refuses a missing key, a wrong key, another workspace's key (and another
/// workspace's member) asking for this workspace, and a viewer on anything but reads — with
/// the right status, nothing of this workspace in any answer, and nothing changed.
@Suite("HTTP: authorization on every route")
struct AuthorizationMatrixTests {
    static let viewerKey = "lsv2_sk_viewer_0123456789abcdef0123"
    static let otherKey = "lsv2_sk_other_0123456789abcdef01234"
    static let otherUserToken = "lsv2_pt_other_0123456789abcdef01234"

    /// Workspace A (the test app's) holds one of everything; workspace B, in the same
    /// organization, has its own admin key and an admin member who is not in A.
    struct World {
        var t: TestApp
        var ids: [String: String] = [:]
        /// Strings that only A's data contains: none may appear in an answer to B.
        var secrets: [String] = []
    }

    static func world() async throws -> World {
        let t = try await TestApp.make()
        var w = World(t: t)
        let a = t.workspace!
        let b = Workspace(organizationId: a.organizationId, name: "B")
        try await t.metadata.createWorkspace(b)
        try await t.metadata.createAPIKey(APIKey(tenantId: a.id, role: .viewer, hash: APIKeys.hash(viewerKey), shortKey: "v", description: "viewer"))
        try await t.metadata.createAPIKey(APIKey(tenantId: b.id, role: .admin, hash: APIKeys.hash(otherKey), shortKey: "o", description: "B admin"))
        let bUser = User(email: "bee@example.com", displayName: "Bee")
        try await t.metadata.createUser(bUser)
        try await t.metadata.setOrganizationMember(OrganizationMember(organizationId: a.organizationId, userId: bUser.id, role: .user))
        try await t.metadata.setWorkspaceMember(WorkspaceMember(workspaceId: b.id, userId: bUser.id, role: .admin))
        try await t.metadata.createAPIKey(APIKey(tenantId: b.id, kind: .personal, userId: bUser.id, hash: APIKeys.hash(otherUserToken),
                                                 shortKey: "p", description: "Bee's token"))
        let aUser = User(email: "ay@example.com", displayName: "Ay")
        try await t.metadata.createUser(aUser)
        try await t.metadata.setOrganizationMember(OrganizationMember(organizationId: a.organizationId, userId: aUser.id, role: .user))
        try await t.metadata.setWorkspaceMember(WorkspaceMember(workspaceId: a.id, userId: aUser.id, role: .editor))
        w.ids["user"] = aUser.id.lowercased
        w.ids["workspace"] = a.id.lowercased
        w.secrets.append(aUser.email)

        // A's data, written straight to the stores.
        let project = try await t.metadata.projectNamed("a-only-project", tenantId: a.id)
        let run = RunBuilder.root(name: "a-only-run", start: Fixtures.time(1), sessionId: project.id).inputs(["q": "a-only-input"]).lasting(1)
        try await t.traces.write(runs: [run.post], feedback: [], tenantId: a.id)
        w.ids["project"] = project.id.lowercased
        w.ids["run"] = run.id.lowercased
        w.secrets += [project.id.lowercased, run.id.lowercased, "a-only"]
        return w
    }

    /// Creates the rest of A's data through the API (as its admin) and records the ids.
    static func seed(_ w: inout World, _ client: some TestClientProtocol) async throws {
        func post(_ uri: String, _ json: String, method: HTTPRequest.Method = .post) async throws -> JSONValue {
            try await client.execute(uri: uri, method: method, headers: .auth, body: .json(json)) { r in
                #expect(r.status == .ok, "seeding \(uri): \(String(buffer: r.body))")
                return body(r)
            }
        }
        let dataset = try await post("/api/v1/datasets", #"{"name":"a-only-dataset"}"#)
        w.ids["dataset"] = dataset["id"]?.stringValue
        let example = try await post("/api/v1/examples", #"{"dataset_id":"\#(w.ids["dataset"]!)","inputs":{"q":"a-only-example"}}"#)
        w.ids["example"] = example["id"]?.stringValue
        let feedback = try await post("/api/v1/feedback", #"{"run_id":"\#(w.ids["run"]!)","key":"a-only-score","score":1}"#)
        w.ids["feedback"] = feedback["id"]?.stringValue
        let queue = try await post("/api/v1/annotation-queues", #"{"name":"a-only-queue"}"#)
        w.ids["queue"] = queue["id"]?.stringValue
        let entries = try await post("/api/v1/annotation-queues/\(w.ids["queue"]!)/runs", #"["\#(w.ids["run"]!)"]"#)
        w.ids["entry"] = entries.arrayValue?.first?["id"]?.stringValue
        _ = try await post("/api/v1/feedback-configs", #"{"feedback_key":"a-only-key","feedback_config":{"type":"continuous","min":0,"max":1}}"#)
        let share = try await post("/api/v1/runs/\(w.ids["run"]!)/share", #"{}"#, method: .put)
        w.ids["token"] = share["share_token"]?.stringValue
        let key = try await post("/api/v1/api-key", #"{"description":"a-only-key"}"#)
        w.ids["key"] = key["id"]?.stringValue
        for (name, id) in w.ids where !["workspace", "user"].contains(name) { w.secrets.append(id) }
        w.secrets.append(key["key"]?.stringValue ?? "missing")
    }

    /// A concrete path for a route pattern, with A's ids in its captures.
    static func path(_ pattern: String, _ ids: [String: String]) -> String {
        let parts = pattern.split(separator: "/").map(String.init)
        var out: [String] = []
        for (i, part) in parts.enumerated() {
            guard part.hasPrefix("{") || part.hasPrefix(":") else { out.append(part); continue }
            let name = part.trimmingCharacters(in: CharacterSet(charactersIn: "{}:"))
            let previous = i > 0 ? parts[i - 1] : ""
            let id: String? = switch (previous, name) {
            case ("sessions", _): ids["project"]
            case ("runs", _): ids["run"]
            case ("datasets", _): ids["dataset"]
            case ("examples", _): ids["example"]
            case ("feedback", "id"): ids["feedback"]
            case ("annotation-queues", _): ids["queue"]
            case (_, "entry"): ids["entry"]
            case ("api-key", _): ids["key"]
            case ("members", _): ids["user"]
            case ("workspaces", _): ids["workspace"]
            case (_, "token"), (_, "secret"): ids["token"]
            default: nil
            }
            out.append(id ?? UUID().uuidString.lowercased())
        }
        return "/" + out.joined(separator: "/")
    }

    /// A's state as its admin sees it (volatile fields removed).
    static func snapshot(_ w: World, _ client: some TestClientProtocol) async throws -> String {
        var parts: [String] = []
        let reads = [
            "/api/v1/sessions", "/api/v1/datasets", "/api/v1/examples?dataset=\(w.ids["dataset"]!)", "/api/v1/feedback",
            "/api/v1/annotation-queues", "/api/v1/annotation-queues/\(w.ids["queue"]!)/runs", "/api/v1/feedback-configs",
            "/api/v1/api-key", "/api/v1/workspaces/current/members", "/api/v1/settings",
            "/api/v1/runs/\(w.ids["run"]!)", "/api/v1/runs/\(w.ids["run"]!)/share", "/api/v1/workspaces",
        ]
        for uri in reads {
            try await client.execute(uri: uri, method: .get, headers: .auth) { r in
                #expect(r.status == .ok, "snapshot \(uri)")
                parts.append(uri + " " + String(buffer: r.body))
            }
        }
        return parts.joined(separator: "\n").replacing(/"last_used_at":(null|"[^"]*")/, with: "")
    }

    @Test("every route refuses missing, wrong, foreign and under-privileged credentials")
    func matrix() async throws {
        let unseeded = try await Self.world()
        let router = unseeded.t.router()
        let routes = router.routes
            .filter { $0.path.description.hasPrefix("/api/v1/") || $0.path.description == "/api/v1" }
            .map { (path: $0.path.description, method: $0.method) }
        #expect(routes.count > 100, "the route table looks incomplete: \(routes.count) routes")
        let app = Application(router: router)
        try await app.test(.router) { client in
            var seeded = unseeded
            try await Self.seed(&seeded, client)
            let w = seeded
            let before = try await Self.snapshot(w, client)
            let aTenant = w.ids["workspace"]!
            var checked = 0
            var sent: [String] = []
            for route in routes {
                let pattern = route.path
                let isPublic = AccessPolicy.isPublic(endpointPath: pattern)
                if isPublic { continue }
                let needed = AccessPolicy.required(method: route.method, endpointPath: pattern)
                let uri = Self.path(pattern, w.ids)
                let label = "\(route.method) \(pattern)"
                let json: HTTPFields = [.contentType: "application/json"]
                func send(_ extra: HTTPFields) async throws -> TestResponse {
                    var headers = json
                    headers.append(contentsOf: extra)
                    return try await client.execute(uri: uri, method: route.method, headers: headers, body: .json("{}"))
                }
                let key = HTTPField.Name("x-api-key")!
                let tenant = HTTPField.Name("x-tenant-id")!

                let none = try await send([:])
                #expect(none.status == .unauthorized, "\(label) without a key: \(none.status)")
                let wrong = try await send([key: "lsv2_sk_wrong_0000000000000000000000"])
                #expect(wrong.status == .unauthorized, "\(label) with a wrong key: \(wrong.status)")
                let foreign = try await send([key: Self.otherKey, tenant: aTenant])
                #expect(foreign.status == .forbidden, "\(label) with B's key for A: \(foreign.status)")
                let outsider = try await send([key: Self.otherUserToken, tenant: aTenant])
                #expect(outsider.status == .forbidden, "\(label) with a B member's token for A: \(outsider.status)")
                if needed != .read {
                    let viewer = try await send([key: Self.viewerKey])
                    #expect(viewer.status == .forbidden, "\(label) as a viewer: \(viewer.status)")
                }
                for r in [none, wrong, foreign, outsider] {
                    #expect(body(r)["detail"]?.stringValue?.isEmpty == false, "\(label): refusals carry {detail}")
                }
                // B's own key naming A's ids: whatever it answers, none of A's data is in it.
                let cross = try await send([key: Self.otherKey])
                #expect(cross.status.code < 500, "\(label) with B's key on A's ids: \(cross.status)")
                let text = String(buffer: cross.body)
                // (An id the request itself named may be echoed back, as in "dataset <id> not found".)
                // So may an id B itself sent before, in B's own audit log.
                sent.append(uri)
                for secret in w.secrets where text.contains(secret) && !sent.contains(where: { $0.contains(secret) }) {
                    Issue.record("\(label) with B's key leaked A's \(secret): \(text.prefix(300))")
                }
                checked += 1
            }
            #expect(checked > 100)
            let after = try await Self.snapshot(w, client)
            #expect(before == after, "refused requests changed workspace A")
        }
    }

    @Test("public routes are exactly the ones the policy names")
    func publicRoutes() async throws {
        let w = try await Self.world()
        let router = w.t.router()
        let publicRoutes = router.routes
            .map { (path: $0.path.description, method: $0.method) }
            .filter { $0.path.hasPrefix("/api/v1/") && AccessPolicy.isPublic(endpointPath: $0.path) }
        #expect(!publicRoutes.isEmpty)
        let app = Application(router: router)
        try await app.test(.router) { client in
            for route in publicRoutes {
                let uri = Self.path(route.path, w.ids)
                try await client.execute(uri: uri, method: route.method, headers: [.contentType: "application/json"], body: .json("{}")) { r in
                    #expect(r.status != .unauthorized, "\(route.method) \(route.path) is listed public but wants a key")
                }
            }
        }
    }
}
