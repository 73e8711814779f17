import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("HTTP: /annotation-queues")
struct AnnotationQueueRouteTests {
    /// `n` stored root runs in one project.
    func storedRuns(_ t: TestApp, _ n: Int) async throws -> [RunBuilder] {
        let project = try await t.metadata.projectNamed("queued", tenantId: t.workspace.id)
        let runs = (0..<n).map { i in
            RunBuilder.root(name: "run-\(i)", start: Fixtures.time(Double(i)), sessionId: project.id).inputs(["i": .int(Int64(i))]).lasting(1)
        }
        try await t.traces.write(runs: runs.map(\.post), feedback: [], tenantId: t.workspace.id)
        return runs
    }

    func ids(_ v: JSONValue, _ key: String = "id") -> [String] {
        v.arrayValue?.compactMap { $0[key]?.stringValue } ?? []
    }

    @Test("create with rubric, read (rubric items carry the key's config), update, list filters, delete")
    func crud() async throws {
        let t = try await TestApp.make()
        try await t.application().test(.router) { client in
            try await client.execute(uri: "/feedback-configs", method: .post, headers: .auth,
                                     body: .json(#"{"feedback_key":"correctness","feedback_config":{"type":"continuous","min":0,"max":1}}"#)) { r in
                #expect(r.status == .ok)
            }
            let qid = UUID().uuidString.lowercased()
            let create = """
                {"name":"Triage","description":"first pass","id":"\(qid)","rubric_instructions":"be fair",
                 "rubric_items":[{"feedback_key":"correctness","description":"right?","is_required":true},
                                 {"feedback_key":"tone","value_descriptions":{"1":"polite"}}],
                 "num_reviewers_per_item":1,"metadata":{"team":"ml"}}
                """
            try await client.execute(uri: "/api/v1/annotation-queues", method: .post, headers: .auth, body: .json(create)) { r in
                #expect(r.status == .ok)
                let q = body(r)
                #expect(q["id"]?.stringValue == qid)
                #expect(q["name"] == "Triage")
                #expect(q["tenant_id"]?.stringValue == t.workspace.id.lowercased)
                #expect(q["queue_type"] == "single")
                #expect(q["rubric_instructions"] == "be fair")
                #expect(q["metadata"] == ["team": "ml"])
                #expect(q["total_runs"] == 0)
                #expect(q["created_at"]?.stringValue != nil && q["updated_at"]?.stringValue != nil)
                let items = q["rubric_items"]?.arrayValue ?? []
                #expect(items.map { $0["feedback_key"] } == ["correctness", "tone"])
                #expect(items.first?["is_required"] == true)
                #expect(items.first?["feedback_config"]?["feedback_config"]?["max"]?.doubleValue == 1)
                #expect(items.last?["feedback_config"] == .null)
                #expect(items.last?["value_descriptions"] == ["1": "polite"])
            }
            try await client.execute(uri: "/annotation-queues/\(qid)", method: .get, headers: .auth) { r in
                #expect(r.status == .ok)
                #expect(body(r)["description"] == "first pass")
            }
            try await client.execute(uri: "/annotation-queues", method: .post, headers: .auth, body: .json(#"{"name":"Triage"}"#)) { r in
                #expect(r.status == .conflict)
            }
            try await client.execute(uri: "/annotation-queues", method: .post, headers: .auth, body: .json(#"{"name":"Golden"}"#)) { r in
                #expect(r.status == .ok)
                #expect(body(r)["rubric_items"] == [])
                #expect(body(r)["num_reviewers_per_item"] == 1)
            }

            let patch = #"{"name":"Triage v2","description":null,"rubric_items":[{"feedback_key":"tone"}]}"#
            try await client.execute(uri: "/annotation-queues/\(qid)", method: .patch, headers: .auth, body: .json(patch)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/annotation-queues/\(qid)", method: .get, headers: .auth) { r in
                let q = body(r)
                #expect(q["name"] == "Triage v2")
                #expect(q["description"] == .null)
                #expect(q["rubric_instructions"] == "be fair", "unsent fields are kept")
                #expect(q["rubric_items"]?.arrayValue?.map { $0["feedback_key"] } == ["tone"])
                #expect(q["updated_at"] != q["created_at"])
            }

            try await client.execute(uri: "/annotation-queues", method: .get, headers: .auth) { r in
                #expect(Set(body(r).arrayValue?.compactMap { $0["name"]?.stringValue } ?? []) == ["Triage v2", "Golden"])
                #expect(body(r).arrayValue?.allSatisfy { $0["total_runs"] == 0 } == true)
            }
            try await client.execute(uri: "/annotation-queues?name=Golden", method: .get, headers: .auth) { r in
                #expect(body(r).arrayValue?.compactMap { $0["name"]?.stringValue } == ["Golden"])
            }
            try await client.execute(uri: "/annotation-queues?name_contains=V2", method: .get, headers: .auth) { r in
                #expect(ids(body(r)) == [qid])
            }
            try await client.execute(uri: "/annotation-queues?ids=\(qid)&ids=\(UUID())", method: .get, headers: .auth) { r in
                #expect(ids(body(r)) == [qid])
            }
            try await client.execute(uri: "/annotation-queues?limit=1&offset=1", method: .get, headers: .auth) { r in
                #expect(ids(body(r)) == [qid], "newest first: Golden, then Triage")
            }

            try await client.execute(uri: "/annotation-queues/\(qid)", method: .delete, headers: .auth) { r in
                #expect(r.status == .ok)
            }
            for method in [HTTPRequest.Method.get, .delete, .patch] {
                try await client.execute(uri: "/annotation-queues/\(qid)", method: method, headers: .auth, body: .json("{}")) { r in
                    #expect(r.status == .notFound, "\(method)")
                    #expect(body(r)["detail"]?.stringValue?.contains(qid) == true)
                }
            }
            try await client.execute(uri: "/annotation-queues?queue_ids=\(UUID())", method: .delete, headers: .auth) { r in
                #expect(r.status == .notFound)
            }
            var gid = ""
            try await client.execute(uri: "/annotation-queues?name=Golden", method: .get, headers: .auth) { r in
                gid = ids(body(r)).first ?? ""
            }
            try await client.execute(uri: "/annotation-queues?queue_ids=\(gid)", method: .delete, headers: .auth) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/annotation-queues", method: .get, headers: .auth) { r in
                #expect(body(r) == [])
            }
        }
    }

    @Test("invalid queue bodies are 422s; every route needs a key")
    func errors() async throws {
        let t = try await TestApp.make()
        try await t.application().test(.router) { client in
            let bad: [(String, String)] = [
                (#"{}"#, "name is required"),
                (#"{"name":"  "}"#, "name must not be empty"),
                (#"{"name":"x","id":"nope"}"#, "id must be a UUID"),
                (#"{"name":"x","rubric_items":{}}"#, "rubric_items must be a list"),
                (#"{"name":"x","rubric_items":[{"description":"no key"}]}"#, "rubric_items[0].feedback_key"),
                (#"{"name":"x","rubric_items":[{"feedback_key":"a"},{"feedback_key":"a"}]}"#, "more than once"),
                (#"{"name":"x","rubric_items":[{"feedback_key":"a","value_descriptions":{"1":2}}]}"#, "value_descriptions"),
                (#"{"name":"x","num_reviewers_per_item":0}"#, "at least 1"),
                (#"{"name":"x","metadata":[1]}"#, "metadata must be an object"),
            ]
            for (payload, detail) in bad {
                try await client.execute(uri: "/annotation-queues", method: .post, headers: .auth, body: .json(payload)) { r in
                    #expect(r.status == .unprocessableContent, "\(payload)")
                    #expect(body(r)["detail"]?.stringValue?.contains(detail) == true, "\(payload): \(body(r))")
                }
            }
            let q = UUID()
            let routes: [(HTTPRequest.Method, String)] = [
                (.get, "/annotation-queues"), (.post, "/annotation-queues"), (.get, "/annotation-queues/\(q)"),
                (.patch, "/annotation-queues/\(q)"), (.delete, "/annotation-queues/\(q)"), (.post, "/annotation-queues/\(q)/runs"),
                (.get, "/annotation-queues/\(q)/runs"), (.post, "/annotation-queues/\(q)/runs/by-key"),
                (.get, "/annotation-queues/\(q)/run/0"), (.get, "/annotation-queues/\(q)/size"),
                (.patch, "/annotation-queues/\(q)/runs/\(q)"), (.delete, "/annotation-queues/\(q)/runs/\(q)"),
                (.post, "/annotation-queues/status/\(q)"),
            ]
            for (method, uri) in routes {
                try await client.execute(uri: uri, method: method, headers: [.contentType: "application/json"], body: .json("[]")) { r in
                    #expect(r.status == .unauthorized, "\(method) \(uri)")
                }
            }
        }
    }

    @Test("runs: add by id and by key (idempotent), unknown runs 404, list by status, index, size, review, remove")
    func runs() async throws {
        let t = try await TestApp.make()
        let runs = try await storedRuns(t, 4)
        let rid = runs.map(\.id.lowercased)
        try await t.application().test(.router) { client in
            var qid = ""
            try await client.execute(uri: "/annotation-queues", method: .post, headers: .auth, body: .json(#"{"name":"q"}"#)) { r in
                qid = body(r)["id"]?.stringValue ?? ""
            }
            let base = "/api/v1/annotation-queues/\(qid)"
            try await client.execute(uri: "\(base)/runs", method: .post, headers: .auth, body: .json(#"["\#(rid[1])","\#(rid[0])"]"#)) { r in
                #expect(r.status == .ok)
                let entries = body(r).arrayValue ?? []
                #expect(entries.map { $0["run_id"]?.stringValue } == [rid[1], rid[0]])
                #expect(entries.allSatisfy { $0["queue_id"]?.stringValue == qid && $0["id"]?.stringValue != nil && $0["last_reviewed_time"] == .null })
            }
            let key = { (i: Int) in
                #"{"run_id":"\#(rid[i])","session_id":"\#(runs[i].sessionId!.lowercased)","start_time":"\#(runs[i].startTime.iso8601)"}"#
            }
            try await client.execute(uri: "\(base)/runs/by-key", method: .post, headers: .auth, body: .json("[\(key(2)),\(key(1))]")) { r in
                #expect(r.status == .ok)
                #expect(body(r).arrayValue?.count == 2)
            }
            // Unknown runs, or a run named with the wrong session, add nothing.
            try await client.execute(uri: "\(base)/runs", method: .post, headers: .auth, body: .json(#"["\#(rid[3])","\#(UUID())"]"#)) { r in
                #expect(r.status == .notFound)
                #expect(body(r)["detail"]?.stringValue?.contains("runs ") == true)
            }
            let wrongSession = #"[{"run_id":"\#(rid[3])","session_id":"\#(UUID())","start_time":"\#(runs[3].startTime.iso8601)"}]"#
            try await client.execute(uri: "\(base)/runs/by-key", method: .post, headers: .auth, body: .json(wrongSession)) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "\(base)/runs/by-key", method: .post, headers: .auth, body: .json(#"[{"run_id":"\#(rid[3])"}]"#)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(body(r)["detail"]?.stringValue?.contains("session_id and start_time") == true)
            }
            try await client.execute(uri: "\(base)/runs", method: .post, headers: .auth, body: .json(#"{"run_id":"\#(rid[3])"}"#)) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "/annotation-queues/\(UUID())/runs", method: .post, headers: .auth, body: .json(#"["\#(rid[3])"]"#)) { r in
                #expect(r.status == .notFound)
            }

            // Queue order is the order runs were first added: 1, 0, 2.
            var entryIds: [String: String] = [:]
            try await client.execute(uri: "\(base)/runs", method: .get, headers: .auth) { r in
                #expect(r.status == .ok)
                let items = body(r).arrayValue ?? []
                #expect(items.map { $0["id"]?.stringValue } == [rid[1], rid[0], rid[2]])
                #expect(items.first?["name"] == "run-1")
                #expect(items.first?["inputs"] == ["i": 1])
                #expect(items.allSatisfy { $0["queue_run_id"]?.stringValue != nil && $0["added_at"]?.stringValue != nil })
                #expect(items.first?["completed_by"] == [])
                for item in items { entryIds[item["id"]?.stringValue ?? ""] = item["queue_run_id"]?.stringValue }
            }
            try await client.execute(uri: "\(base)/size", method: .get, headers: .auth) { r in #expect(body(r) == ["size": 3]) }
            try await client.execute(uri: "\(base)/run/0", method: .get, headers: .auth) { r in
                #expect(body(r)["id"]?.stringValue == rid[1])
                #expect(body(r)["queue_run_id"]?.stringValue == entryIds[rid[1]])
            }
            try await client.execute(uri: "\(base)/run/2", method: .get, headers: .auth) { r in #expect(body(r)["id"]?.stringValue == rid[2]) }
            try await client.execute(uri: "\(base)/run/3", method: .get, headers: .auth) { r in
                #expect(r.status == .notFound)
                #expect(body(r)["detail"]?.stringValue?.contains("3 need review") == true)
            }
            try await client.execute(uri: "\(base)/run/-1", method: .get, headers: .auth) { r in #expect(r.status == .unprocessableContent) }

            // Review run 1 by PATCH (by queue-run id) and run 2 by the status endpoint.
            try await client.execute(uri: "\(base)/runs/\(entryIds[rid[1]]!)", method: .patch, headers: .auth,
                                     body: .json(#"{"last_reviewed_time":"2026-01-02T03:04:05+00:00"}"#)) { r in
                #expect(r.status == .ok)
                #expect(body(r)["last_reviewed_time"]?.stringValue?.hasPrefix("2026-01-02T03:04:05") == true)
            }
            try await client.execute(uri: "/annotation-queues/status/\(entryIds[rid[2]]!)", method: .post, headers: .auth,
                                     body: .json(#"{"status":"completed"}"#)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "\(base)/runs?status=needs_my_review", method: .get, headers: .auth) { r in
                #expect(ids(body(r)) == [rid[0]])
            }
            try await client.execute(uri: "\(base)/runs?status=completed", method: .get, headers: .auth) { r in
                let items = body(r).arrayValue ?? []
                #expect(items.map { $0["id"]?.stringValue } == [rid[1], rid[2]])
                #expect(items.allSatisfy { $0["last_reviewed_time"] != .null && $0["completed_by"]?.arrayValue?.count == 1 })
            }
            try await client.execute(uri: "\(base)/runs?status=needs_others_review", method: .get, headers: .auth) { r in #expect(body(r) == []) }
            try await client.execute(uri: "\(base)/runs?status=later", method: .get, headers: .auth) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "\(base)/runs?limit=1&offset=1", method: .get, headers: .auth) { r in #expect(ids(body(r)) == [rid[0]]) }
            try await client.execute(uri: "\(base)/run/0", method: .get, headers: .auth) { r in #expect(body(r)["id"]?.stringValue == rid[0]) }
            try await client.execute(uri: "\(base)/run/1", method: .get, headers: .auth) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "\(base)/size", method: .get, headers: .auth) { r in #expect(body(r) == ["size": 1]) }
            try await client.execute(uri: "\(base)/size?status=completed", method: .get, headers: .auth) { r in #expect(body(r) == ["size": 2]) }
            try await client.execute(uri: "\(base)/total_size", method: .get, headers: .auth) { r in #expect(body(r) == ["size": 3]) }
            try await client.execute(uri: "/annotation-queues/\(qid)", method: .get, headers: .auth) { r in #expect(body(r)["total_runs"] == 3) }

            // Back to review by run id with status; contradictory and unknown statuses are refused.
            try await client.execute(uri: "\(base)/runs/\(rid[2])", method: .patch, headers: .auth, body: .json(#"{"status":"needs_review"}"#)) { r in
                #expect(r.status == .ok)
                #expect(body(r)["last_reviewed_time"] == .null)
            }
            try await client.execute(uri: "\(base)/runs/\(rid[2])", method: .patch, headers: .auth,
                                     body: .json(#"{"status":"needs_review","last_reviewed_time":"2026-01-01T00:00:00Z"}"#)) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "/annotation-queues/status/\(entryIds[rid[0]]!)", method: .post, headers: .auth, body: .json(#"{"status":"done"}"#)) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "/annotation-queues/status/\(UUID())", method: .post, headers: .auth, body: .json(#"{"status":"completed"}"#)) { r in
                #expect(r.status == .notFound)
            }
            try await client.execute(uri: "\(base)/size", method: .get, headers: .auth) { r in #expect(body(r) == ["size": 2]) }

            // Adding a reviewed run again keeps its review.
            try await client.execute(uri: "\(base)/runs", method: .post, headers: .auth, body: .json(#"["\#(rid[1])"]"#)) { r in
                #expect(body(r).arrayValue?.first?["last_reviewed_time"] != .null)
            }

            try await client.execute(uri: "/annotation-queues/\(rid[1])/queues", method: .get, headers: .auth) { r in
                #expect(ids(body(r)) == [qid])
            }
            try await client.execute(uri: "/annotation-queues/\(rid[3])/queues", method: .get, headers: .auth) { r in #expect(body(r) == []) }

            // Remove by run id (what the SDK sends) and by queue-run id.
            try await client.execute(uri: "\(base)/runs/\(rid[0])", method: .delete, headers: .auth) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "\(base)/runs/\(entryIds[rid[2]]!)", method: .delete, headers: .auth) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "\(base)/runs/\(rid[0])", method: .delete, headers: .auth) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "\(base)/runs", method: .get, headers: .auth) { r in #expect(ids(body(r)) == [rid[1]]) }
            try await client.execute(uri: "/annotation-queues/\(rid[0])/queues", method: .get, headers: .auth) { r in #expect(body(r) == []) }
        }
    }

    @Test("bulk removal, and deleting a queue removes its runs")
    func bulkRemove() async throws {
        let t = try await TestApp.make()
        let runs = try await storedRuns(t, 3)
        let rid = runs.map(\.id.lowercased)
        try await t.application().test(.router) { client in
            var qid = ""
            try await client.execute(uri: "/annotation-queues", method: .post, headers: .auth, body: .json(#"{"name":"bulk"}"#)) { r in
                qid = body(r)["id"]?.stringValue ?? ""
            }
            let all = "[" + rid.map { "\"\($0)\"" }.joined(separator: ",") + "]"
            try await client.execute(uri: "/annotation-queues/\(qid)/runs", method: .post, headers: .auth, body: .json(all)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/annotation-queues/\(qid)/runs/delete", method: .post, headers: .auth,
                                     body: .json(#"{"delete_all":true,"exclude_run_ids":["\#(rid[1])"]}"#)) { r in
                #expect(body(r)["deleted"] == 2)
            }
            try await client.execute(uri: "/annotation-queues/\(qid)/runs", method: .get, headers: .auth) { r in #expect(ids(body(r)) == [rid[1]]) }
            try await client.execute(uri: "/annotation-queues/\(qid)/runs/delete", method: .post, headers: .auth, body: .json(#"{}"#)) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "/annotation-queues/\(qid)/runs/delete", method: .post, headers: .auth,
                                     body: .json(#"{"run_ids":["\#(rid[1])"]}"#)) { r in
                #expect(body(r)["deleted"] == 1)
            }
            try await client.execute(uri: "/annotation-queues/\(qid)/runs", method: .post, headers: .auth, body: .json(all)) { r in
                #expect(body(r).arrayValue?.count == 3)
            }
            let queueId = try #require(UUID(uuidString: qid))
            #expect(try await t.metadata.annotationQueueSizes(queueIds: [queueId], tenantId: t.workspace.id, status: nil) == [queueId: 3])
            try await client.execute(uri: "/annotation-queues/\(qid)", method: .delete, headers: .auth) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/annotation-queues/\(rid[0])/queues", method: .get, headers: .auth) { r in #expect(body(r) == []) }
            #expect(try await t.metadata.annotationQueueSizes(queueIds: [queueId], tenantId: t.workspace.id, status: nil) == [queueId: 0])
        }
    }
}
