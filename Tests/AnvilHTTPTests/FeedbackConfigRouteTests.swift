import AnvilCore
import AnvilTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("HTTP: /feedback-configs and config enforcement on /feedback")
struct FeedbackConfigRouteTests {
    @Test("create, idempotent re-create, conflicting re-create, list, update, delete")
    func lifecycle() async throws {
        let t = try await TestApp.make()
        try await t.application().test(.router) { client in
            let stars = #"{"feedback_key":"stars","feedback_config":{"type":"continuous","min":0,"max":5}}"#
            try await client.execute(uri: "/api/v1/feedback-configs", method: .post, headers: .auth, body: .json(stars)) { r in
                #expect(r.status == .ok)
                let c = body(r)
                #expect(c["feedback_key"] == "stars")
                #expect(c["feedback_config"]?["type"] == "continuous")
                #expect(c["feedback_config"]?["max"]?.doubleValue == 5)
                #expect(c["tenant_id"]?.stringValue == t.workspace.id.lowercased)
                #expect(c["modified_at"]?.stringValue != nil)
                #expect(c["is_lower_score_better"] == false)
            }
            // The same config again (integers written as floats) is returned unchanged.
            let same = #"{"feedback_key":"stars","feedback_config":{"type":"continuous","min":0.0,"max":5.0}}"#
            try await client.execute(uri: "/feedback-configs", method: .post, headers: .auth, body: .json(same)) { r in
                #expect(r.status == .ok)
                #expect(body(r)["feedback_key"] == "stars")
            }
            let different = #"{"feedback_key":"stars","feedback_config":{"type":"continuous","min":0,"max":10}}"#
            try await client.execute(uri: "/feedback-configs", method: .post, headers: .auth, body: .json(different)) { r in
                #expect(r.status == .conflict)
                #expect(body(r)["detail"]?.stringValue?.contains("already has a different config") == true)
            }
            let flipped = #"{"feedback_key":"stars","feedback_config":{"type":"continuous","min":0,"max":5},"is_lower_score_better":true}"#
            try await client.execute(uri: "/feedback-configs", method: .post, headers: .auth, body: .json(flipped)) { r in
                #expect(r.status == .conflict)
            }
            let mood = #"{"feedback_key":"mood","feedback_config":{"type":"categorical","categories":[{"value":0,"label":"sad"},{"value":1,"label":"happy"}]}}"#
            try await client.execute(uri: "/feedback-configs", method: .post, headers: .auth, body: .json(mood)) { r in
                #expect(r.status == .ok)
                #expect(body(r)["feedback_config"]?["categories"]?.arrayValue?.count == 2)
            }

            try await client.execute(uri: "/feedback-configs", method: .get, headers: .auth) { r in
                #expect(r.status == .ok)
                #expect(Set(body(r).arrayValue?.compactMap { $0["feedback_key"]?.stringValue } ?? []) == ["stars", "mood"])
            }
            try await client.execute(uri: "/feedback-configs?key=mood&key=nope", method: .get, headers: .auth) { r in
                #expect(body(r).arrayValue?.compactMap { $0["feedback_key"]?.stringValue } == ["mood"])
            }
            try await client.execute(uri: "/feedback-configs?name_contains=TAR", method: .get, headers: .auth) { r in
                #expect(body(r).arrayValue?.compactMap { $0["feedback_key"]?.stringValue } == ["stars"])
            }
            try await client.execute(uri: "/feedback-configs?limit=1&offset=1", method: .get, headers: .auth) { r in
                #expect(body(r).arrayValue?.count == 1)
            }

            let patch = #"{"feedback_key":"stars","feedback_config":{"type":"continuous","min":1,"max":10},"is_lower_score_better":true}"#
            try await client.execute(uri: "/feedback-configs", method: .patch, headers: .auth, body: .json(patch)) { r in
                #expect(r.status == .ok)
                #expect(body(r)["feedback_config"]?["max"]?.doubleValue == 10)
                #expect(body(r)["is_lower_score_better"] == true)
            }
            // Only what is sent changes.
            try await client.execute(uri: "/feedback-configs", method: .patch, headers: .auth, body: .json(#"{"feedback_key":"stars","is_lower_score_better":false}"#)) { r in
                #expect(body(r)["feedback_config"]?["max"]?.doubleValue == 10)
                #expect(body(r)["is_lower_score_better"] == false)
            }
            try await client.execute(uri: "/feedback-configs", method: .patch, headers: .auth, body: .json(#"{"feedback_key":"nope"}"#)) { r in
                #expect(r.status == .notFound)
            }

            try await client.execute(uri: "/feedback-configs?feedback_key=stars", method: .delete, headers: .auth) { r in
                #expect(r.status == .noContent)
            }
            try await client.execute(uri: "/feedback-configs?feedback_key=stars", method: .delete, headers: .auth) { r in
                #expect(r.status == .notFound)
                #expect(body(r)["detail"]?.stringValue?.contains("stars") == true)
            }
            try await client.execute(uri: "/feedback-configs", method: .delete, headers: .auth) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "/feedback-configs", method: .get, headers: .auth) { r in
                #expect(body(r).arrayValue?.compactMap { $0["feedback_key"]?.stringValue } == ["mood"])
            }
            // A deleted key can be registered again, with another config.
            try await client.execute(uri: "/feedback-configs", method: .post, headers: .auth, body: .json(different)) { r in
                #expect(r.status == .ok)
                #expect(body(r)["feedback_config"]?["max"]?.doubleValue == 10)
            }
        }
    }

    @Test("invalid configs and bodies are 422s that say what is wrong")
    func invalid() async throws {
        let t = try await TestApp.make()
        try await t.application().test(.router) { client in
            let cases: [(String, String)] = [
                (#"{"feedback_config":{"type":"freeform"}}"#, "feedback_key is required"),
                (#"{"feedback_key":"k"}"#, "feedback_config is required"),
                (#"{"feedback_key":"k","feedback_config":{"type":"slider"}}"#, "continuous, categorical, freeform"),
                (#"{"feedback_key":"k","feedback_config":{"type":"continuous","min":3,"max":1}}"#, "must be less than max"),
                (#"{"feedback_key":"k","feedback_config":{"type":"categorical","categories":[]}}"#, "at least one category"),
                (#"{"feedback_key":"k","feedback_config":{"type":"categorical","categories":[{"value":1},{"value":1}]}}"#, "more than once"),
                (#"{"feedback_key":"k","feedback_config":{"type":"freeform"},"is_lower_score_better":"yes"}"#, "is_lower_score_better"),
            ]
            for (payload, detail) in cases {
                try await client.execute(uri: "/feedback-configs", method: .post, headers: .auth, body: .json(payload)) { r in
                    #expect(r.status == .unprocessableContent, "\(payload)")
                    #expect(body(r)["detail"]?.stringValue?.contains(detail) == true, "\(payload): \(body(r))")
                }
            }
            try await client.execute(uri: "/feedback-configs", method: .get, headers: .auth) { r in
                #expect(body(r) == [])
            }
        }
    }

    @Test("every route needs a key")
    func auth() async throws {
        let t = try await TestApp.make()
        try await t.application().test(.router) { client in
            for method in [HTTPRequest.Method.get, .post, .patch, .delete] {
                try await client.execute(uri: "/feedback-configs", method: method, headers: [.contentType: "application/json"], body: .json("{}")) { r in
                    #expect(r.status == .unauthorized, "\(method)")
                }
            }
        }
    }

    @Test("POST /feedback registers a carried config and holds feedback to the key's config")
    func enforcement() async throws {
        let t = try await TestApp.make()
        let run = UUID().uuidString.lowercased()
        try await t.application().test(.router) { client in
            func feedback(_ fields: String) -> ByteBuffer { .json(#"{"run_id":"\#(run)",\#(fields)}"#) }
            // First feedback for the key carries its config: registered.
            try await client.execute(uri: "/feedback", method: .post, headers: .auth,
                                     body: feedback(#""key":"stars","score":4,"feedback_config":{"type":"continuous","min":0,"max":5}"#)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/feedback-configs?key=stars", method: .get, headers: .auth) { r in
                #expect(body(r).arrayValue?.first?["feedback_config"]?["max"]?.doubleValue == 5)
            }
            // Out of range, with or without a config in the body: refused.
            try await client.execute(uri: "/feedback", method: .post, headers: .auth, body: feedback(#""key":"stars","score":7"#)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(body(r)["detail"]?.stringValue == "score 7 for 'stars' is above the configured maximum 5")
            }
            try await client.execute(uri: "/feedback", method: .post, headers: .auth,
                                     body: feedback(#""key":"stars","score":7,"feedback_config":{"type":"continuous","min":0,"max":10}"#)) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "/feedback", method: .post, headers: .auth, body: feedback(#""key":"stars","score":-0.5"#)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(body(r)["detail"]?.stringValue?.contains("below the configured minimum 0") == true)
            }
            // A score within range, and a PATCH out of range.
            var id = ""
            try await client.execute(uri: "/feedback", method: .post, headers: .auth, body: feedback(#""key":"stars","score":5"#)) { r in
                #expect(r.status == .ok)
                id = body(r)["id"]?.stringValue ?? ""
            }
            try await client.execute(uri: "/feedback/\(id)", method: .patch, headers: .auth, body: .json(#"{"score":6}"#)) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "/feedback/\(id)", method: .get, headers: .auth) { r in
                #expect(body(r)["score"]?.doubleValue == 5)
            }

            // Categorical: values by label or score by value.
            let cat = #""feedback_config":{"type":"categorical","categories":[{"value":0,"label":"no"},{"value":1,"label":"yes"}]}"#
            try await client.execute(uri: "/feedback", method: .post, headers: .auth, body: feedback(#""key":"ok","value":"yes",\#(cat)"#)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/feedback", method: .post, headers: .auth, body: feedback(#""key":"ok","value":"maybe""#)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(body(r)["detail"]?.stringValue?.contains("not one of its categories: 0 (no), 1 (yes)") == true)
            }
            try await client.execute(uri: "/feedback", method: .post, headers: .auth, body: feedback(#""key":"ok","score":2"#)) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "/feedback", method: .post, headers: .auth, body: feedback(#""key":"ok","score":0"#)) { r in
                #expect(r.status == .ok)
            }
            // An invalid carried config is a 422 and registers nothing.
            try await client.execute(uri: "/feedback", method: .post, headers: .auth,
                                     body: feedback(#""key":"bad","score":1,"feedback_config":{"type":"continuous","min":2,"max":1}"#)) { r in
                #expect(r.status == .unprocessableContent)
            }
            // Keys without a config take anything.
            try await client.execute(uri: "/feedback", method: .post, headers: .auth, body: feedback(#""key":"free","score":1000"#)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/feedback-configs", method: .get, headers: .auth) { r in
                #expect(Set(body(r).arrayValue?.compactMap { $0["feedback_key"]?.stringValue } ?? []) == ["stars", "ok"])
            }
        }
    }
}
