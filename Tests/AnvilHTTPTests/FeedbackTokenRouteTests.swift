import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("HTTP: presigned feedback tokens")
struct FeedbackTokenRouteTests {
    /// A stored root run to leave feedback on.
    func storedRun(_ t: TestApp) async throws -> RunBuilder {
        let project = try await t.metadata.projectNamed("tokens", tenantId: t.workspace.id)
        let run = RunBuilder.root(name: "answer", start: Fixtures.time(0), sessionId: project.id).lasting(1)
        try await t.traces.write(runs: [run.post], feedback: [], tenantId: t.workspace.id)
        return run
    }

    static let noKey: HTTPFields = [.contentType: "application/json"]

    @Test("create one token (absolute URL from the request's host), use it without a key by POST and by GET, list")
    func roundTrip() async throws {
        let t = try await TestApp.make()
        let run = try await storedRun(t)
        let rid = run.id.lowercased
        try await t.application().test(.router) { client in
            // The router test client addresses "localhost"; a TLS proxy says so in X-Forwarded-Proto.
            var headers = HTTPFields.auth
            headers[HTTPField.Name("x-forwarded-proto")!] = "https"
            var token = JSONValue.null
            let before = Timestamp.now()
            try await client.execute(uri: "/api/v1/feedback/tokens", method: .post, headers: headers,
                                     body: .json(#"{"run_id":"\#(rid)","feedback_key":"thumbs"}"#)) { r in
                #expect(r.status == .ok)
                token = body(r)
            }
            let id = try #require(token["id"]?.stringValue)
            #expect(token["url"]?.stringValue == "https://localhost/api/v1/feedback/tokens/\(id)")
            #expect(token["feedback_key"] == "thumbs")
            // Three hours by default.
            let expires = try #require(token["expires_at"]?.stringValue.flatMap(Timestamp.init(iso8601:)))
            #expect(abs(expires.microseconds - before.microseconds - 3 * 3600 * 1_000_000) < 60 * 1_000_000)

            // No API key: the token is the credential.
            try await client.execute(uri: "/api/v1/feedback/tokens/\(id)", method: .post, headers: Self.noKey,
                                     body: .json(#"{"score":1,"comment":"great","correction":{"a":1},"metadata":{"from":"widget"}}"#)) { r in
                #expect(r.status == .ok)
                let f = body(r)
                #expect(f["key"] == "thumbs")
                #expect(f["run_id"]?.stringValue == rid)
                #expect(f["trace_id"]?.stringValue == rid)
                #expect(f["session_id"]?.stringValue == run.sessionId?.lowercased)
                #expect(f["feedback_source"] == ["type": "app", "metadata": ["from": "widget"]])
            }
            try await client.execute(uri: "/feedback/tokens/\(id)?score=0&value=meh&comment=two+words", method: .get) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/feedback?run=\(rid)", method: .get, headers: .auth) { r in
                let rows = body(r).arrayValue ?? []
                #expect(rows.count == 2)
                let byScore = Dictionary(rows.map { ($0["score"]?.doubleValue ?? -1, $0) }, uniquingKeysWith: { a, _ in a })
                #expect(byScore[1]?["comment"] == "great")
                #expect(byScore[1]?["correction"] == ["a": 1])
                #expect(byScore[0]?["value"] == "meh")
                #expect(byScore[0]?["comment"] == "two words")
                #expect(byScore[0]?["feedback_source"]?["type"] == "app")
            }
            try await client.execute(uri: "/feedback/tokens?run_id=\(rid)", method: .get, headers: headers) { r in
                #expect(r.status == .ok)
                #expect(body(r).arrayValue?.map { $0["id"] } == [.string(id)])
                #expect(body(r).arrayValue?.first?["url"] == token["url"])
            }
            try await client.execute(uri: "/feedback/tokens?run_id=\(UUID())", method: .get, headers: .auth) { r in
                #expect(body(r) == [])
            }
        }
    }

    @Test("an array creates one token per item; expires_in and expires_at set the expiry")
    func batch() async throws {
        let t = try await TestApp.make()
        let run = try await storedRun(t)
        let rid = run.id.lowercased
        try await t.application().test(.router) { client in
            let at = Timestamp(microseconds: Timestamp.now().microseconds + 86_400_000_000).iso8601
            let payload = """
                [{"run_id":"\(rid)","feedback_key":"a","expires_in":{"days":1,"hours":2,"minutes":3},"expires_at":null},
                 {"run_id":"\(rid)","feedback_key":"b","expires_in":null,"expires_at":"\(at)",
                  "feedback_config":{"type":"continuous","min":0,"max":1}}]
                """
            let before = Timestamp.now()
            try await client.execute(uri: "/feedback/tokens", method: .post, headers: .auth, body: .json(payload)) { r in
                #expect(r.status == .ok)
                let items = body(r).arrayValue ?? []
                #expect(items.map { $0["feedback_key"] } == ["a", "b"])
                let a = items.first?["expires_at"]?.stringValue.flatMap(Timestamp.init(iso8601:))
                let delta = (a?.microseconds ?? 0) - before.microseconds - (86_400 + 7_200 + 180) * 1_000_000
                #expect(abs(delta) < 60_000_000)
                #expect(items.last?["expires_at"]?.stringValue.flatMap(Timestamp.init(iso8601:)) == Timestamp(iso8601: at))
                // Plain http without X-Forwarded-Proto.
                #expect(items.first?["url"]?.stringValue?.hasPrefix("http://localhost/api/v1/feedback/tokens/") == true)
            }
            // The token's config was registered for its key.
            try await client.execute(uri: "/feedback-configs?key=b", method: .get, headers: .auth) { r in
                #expect(body(r).arrayValue?.first?["feedback_config"]?["max"]?.doubleValue == 1)
            }
            try await client.execute(uri: "/feedback/tokens", method: .post, headers: .auth, body: .json("[]")) { r in
                #expect(body(r) == [])
            }
        }
    }

    @Test("bad token requests are 422s; unknown and expired tokens are 404s; configs hold")
    func errors() async throws {
        let t = try await TestApp.make()
        let run = try await storedRun(t)
        let rid = run.id.lowercased
        try await t.application().test(.router) { client in
            let past = Timestamp(microseconds: Timestamp.now().microseconds - 1_000_000).iso8601
            let bad: [(String, String)] = [
                (#"{"feedback_key":"k"}"#, "run_id is required"),
                (#"{"run_id":"nope","feedback_key":"k"}"#, "run_id must be a UUID"),
                (#"{"run_id":"\#(rid)"}"#, "feedback_key is required"),
                (#"{"run_id":"\#(rid)","feedback_key":"k","expires_at":"\#(past)"}"#, "must be in the future"),
                (#"{"run_id":"\#(rid)","feedback_key":"k","expires_in":{"days":0}}"#, "longer than zero"),
                (#"{"run_id":"\#(rid)","feedback_key":"k","expires_in":{"hours":-1}}"#, "non-negative"),
                (#"{"run_id":"\#(rid)","feedback_key":"k","feedback_config":{"type":"nope"}}"#, "feedback_config.type"),
                (#"[{"run_id":"\#(rid)","feedback_key":"k"}, 3]"#, "item 1"),
                ("42", "token object"),
            ]
            for (payload, detail) in bad {
                try await client.execute(uri: "/feedback/tokens", method: .post, headers: .auth, body: .json(payload)) { r in
                    #expect(r.status == .unprocessableContent, "\(payload)")
                    #expect(body(r)["detail"]?.stringValue?.contains(detail) == true, "\(payload): \(body(r))")
                }
            }
            try await client.execute(uri: "/feedback/tokens", method: .get, headers: .auth) { r in
                #expect(r.status == .unprocessableContent)
            }
            // Creating and listing need a key; using does not, but needs a real token.
            try await client.execute(uri: "/feedback/tokens", method: .post, headers: Self.noKey,
                                     body: .json(#"{"run_id":"\#(rid)","feedback_key":"k"}"#)) { r in
                #expect(r.status == .unauthorized)
            }
            try await client.execute(uri: "/feedback/tokens?run_id=\(rid)", method: .get) { r in
                #expect(r.status == .unauthorized)
            }
            try await client.execute(uri: "/feedback/tokens/\(UUID())", method: .post, headers: Self.noKey, body: .json(#"{"score":1}"#)) { r in
                #expect(r.status == .notFound)
                #expect(body(r)["detail"]?.stringValue == "feedback token not found")
            }
            try await client.execute(uri: "/feedback/tokens/not-a-token?score=1", method: .get) { r in
                #expect(r.status == .notFound)
            }

            // An expired token (stored directly: the API refuses past expiry times).
            let expired = FeedbackToken(tenantId: t.workspace.id, runId: run.id, feedbackKey: "k",
                                        createdAt: Fixtures.time(0), expiresAt: Timestamp(microseconds: Timestamp.now().microseconds - 1))
            try await t.metadata.createFeedbackTokens([expired])
            try await client.execute(uri: "/feedback/tokens/\(expired.id.lowercased)", method: .post, headers: Self.noKey, body: .json(#"{"score":1}"#)) { r in
                #expect(r.status == .notFound)
                #expect(body(r)["detail"]?.stringValue?.contains("expired") == true)
            }
            try await client.execute(uri: "/feedback/tokens/\(expired.id.lowercased)?score=1", method: .get) { r in
                #expect(r.status == .notFound)
            }

            // A token whose key has a config: scores outside it are refused.
            var id = ""
            try await client.execute(uri: "/feedback/tokens", method: .post, headers: .auth,
                                     body: .json(#"{"run_id":"\#(rid)","feedback_key":"stars","feedback_config":{"type":"continuous","min":1,"max":5}}"#)) { r in
                id = body(r)["id"]?.stringValue ?? ""
            }
            try await client.execute(uri: "/feedback/tokens/\(id)?score=9", method: .get) { r in
                #expect(r.status == .unprocessableContent)
                #expect(body(r)["detail"]?.stringValue?.contains("above the configured maximum 5") == true)
            }
            try await client.execute(uri: "/feedback/tokens/\(id)?score=many", method: .get) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "/feedback/tokens/\(id)", method: .post, headers: Self.noKey, body: .json(#"{"score":"3"}"#)) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "/feedback?run=\(rid)", method: .get, headers: .auth) { r in
                #expect(body(r) == [])
            }
        }
    }

    @Test("a token bound to a feedback id updates that one feedback on every use")
    func boundFeedbackId() async throws {
        let t = try await TestApp.make()
        let run = try await storedRun(t)
        let rid = run.id.lowercased
        let fid = UUID().uuidString.lowercased()
        try await t.application().test(.router) { client in
            var id = ""
            try await client.execute(uri: "/feedback/tokens", method: .post, headers: .auth,
                                     body: .json(#"{"run_id":"\#(rid)","feedback_key":"thumbs","id":"\#(fid)"}"#)) { r in
                id = body(r)["id"]?.stringValue ?? ""
            }
            #expect(id != fid, "the token id is its own secret, not the feedback id")
            for score in [0, 1] {
                try await client.execute(uri: "/feedback/tokens/\(id)?score=\(score)", method: .get) { r in
                    #expect(body(r)["id"]?.stringValue == fid)
                }
            }
            try await client.execute(uri: "/feedback?run=\(rid)", method: .get, headers: .auth) { r in
                let rows = body(r).arrayValue ?? []
                #expect(rows.count == 1)
                #expect(rows.first?["score"]?.doubleValue == 1)
            }
        }
    }

    @Test("tokens are listed only to their own workspace")
    func tenancy() async throws {
        let t = try await TestApp.make()
        let run = try await storedRun(t)
        let foreign = FeedbackToken(tenantId: UUID(), runId: run.id, feedbackKey: "k", expiresAt: Timestamp(microseconds: Timestamp.now().microseconds + 60_000_000))
        try await t.metadata.createFeedbackTokens([foreign])
        try await t.application().test(.router) { client in
            try await client.execute(uri: "/feedback/tokens?run_id=\(run.id.lowercased)", method: .get, headers: .auth) { r in
                #expect(body(r) == [])
            }
            // Using it writes into its own workspace, not the caller's.
            try await client.execute(uri: "/feedback/tokens/\(foreign.id.lowercased)?score=1", method: .get, headers: .auth) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/feedback?run=\(run.id.lowercased)", method: .get, headers: .auth) { r in
                #expect(body(r) == [])
            }
        }
        #expect(try await t.traces.listFeedback(FeedbackQuery(tenantId: foreign.tenantId)).count == 1)
    }
}
