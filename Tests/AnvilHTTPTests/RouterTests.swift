import AnvilCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("HTTP routes over in-memory stores")
struct RouterTests {
    @Test("/info is public and complete under every prefix", arguments: ["", "/api", "/api/v1"])
    func info(prefix: String) async throws {
        let t = try await TestApp.make()
        try await t.application().test(.router) { client in
            try await client.execute(uri: "\(prefix)/info", method: .get, headers: [HTTPField.Name("x-api-key")!: "not-a-real-key"]) { r in
                #expect(r.status == .ok)
                let info = body(r)
                #expect(info["version"]?.stringValue == "0.12.0")
                let config = try #require(info["batch_ingest_config"]?.objectValue)
                #expect(Set(config.keys) == ["use_multipart_endpoint", "size_limit", "size_limit_bytes", "scale_up_nthreads_limit", "scale_up_qsize_trigger", "scale_down_nempty_trigger"])
            }
        }
    }

    @Test("missing, wrong and foreign-workspace keys are refused with {detail}")
    func authFailures() async throws {
        let t = try await TestApp.make()
        try await t.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/sessions", method: .get) { r in
                #expect(r.status == .unauthorized)
                #expect(body(r)["detail"]?.stringValue?.contains("API key") == true)
            }
            try await client.execute(uri: "/sessions", method: .get, headers: [HTTPField.Name("x-api-key")!: "lsv2_sk_wrong_key_000000000000"]) { r in
                #expect(r.status == .unauthorized)
                #expect(body(r)["detail"]?.stringValue == "invalid API key")
            }
            try await client.execute(uri: "/sessions", method: .get, headers: [.authorization: "Bearer \(TestApp.key)"]) { r in
                #expect(r.status == .ok)
            }
            var other = HTTPFields.auth
            other[HTTPField.Name("x-tenant-id")!] = UUID().uuidString
            try await client.execute(uri: "/sessions", method: .get, headers: other) { r in
                #expect(r.status == .forbidden)
            }
        }
    }

    @Test("unknown routes answer 404 with a JSON detail")
    func notFound() async throws {
        let t = try await TestApp.make()
        try await t.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/nope", method: .get, headers: .auth) { r in
                #expect(r.status == .notFound)
                #expect(body(r)["detail"] != nil)
            }
        }
    }

    @Test("batch ingest becomes queryable; patch nulls do not erase")
    func batchRoundTrip() async throws {
        let t = try await TestApp.make()
        let id = UUID().uuidString.lowercased()
        try await t.application().test(.router) { client in
            let post = """
                {"post":[{"id":"\(id)","name":"root","run_type":"chain","start_time":"2026-01-01T00:00:00.000000+00:00",
                "inputs":{"q":"hi"},"session_name":"router-proj","tags":["a"]}]}
                """
            try await client.execute(uri: "/api/runs/batch", method: .post, headers: .auth, body: .json(post)) { r in
                #expect(r.status == .accepted)
            }
            let patch = """
                {"patch":[{"id":"\(id)","end_time":"2026-01-01T00:00:02.000000+00:00","outputs":{"a":1},"tags":null,"parent_run_id":null}]}
                """
            try await client.execute(uri: "/runs/batch", method: .post, headers: .auth, body: .json(patch)) { r in
                #expect(r.status == .accepted)
            }
            try await t.drain()
            try await client.execute(uri: "/runs/\(id)", method: .get, headers: .auth) { r in
                #expect(r.status == .ok)
                let run = body(r)
                #expect(run["name"]?.stringValue == "root")
                #expect(run["status"]?.stringValue == "success")
                #expect(run["tags"] == ["a"])
                #expect(run["outputs"] == ["a": 1])
                #expect(run["inputs"] == ["q": "hi"])
            }
            try await client.execute(uri: "/api/v1/runs/query", method: .post, headers: .auth, body: .json(#"{"filter":"gt(latency, 1.5)"}"#)) { r in
                #expect(r.status == .ok)
                #expect(body(r)["runs"]?.arrayValue?.count == 1)
            }
            try await client.execute(uri: "/api/v1/runs/query", method: .post, headers: .auth, body: .json(#"{"filter":"gt(latency, "}"#)) { r in
                #expect(r.status == .badRequest)
                #expect(body(r)["detail"]?.stringValue?.contains("filter") == true)
            }
        }
    }

    @Test("duplicate project names conflict unless upsert")
    func projectConflict() async throws {
        let t = try await TestApp.make()
        try await t.application().test(.router) { client in
            try await client.execute(uri: "/sessions", method: .post, headers: .auth, body: .json(#"{"name":"dup"}"#)) { r in
                #expect(r.status == .created)
                #expect(body(r).objectValue?.keys.contains("reference_dataset_id") == true)
            }
            try await client.execute(uri: "/sessions", method: .post, headers: .auth, body: .json(#"{"name":"dup"}"#)) { r in
                #expect(r.status == .conflict)
            }
            try await client.execute(uri: "/sessions?upsert=True", method: .post, headers: .auth, body: .json(#"{"name":"dup","description":"d"}"#)) { r in
                #expect(r.status == .created)
                #expect(body(r)["description"]?.stringValue == "d")
            }
        }
    }

    @Test("malformed ingest bodies get 4xx with detail and the server keeps working")
    func malformed() async throws {
        let t = try await TestApp.make()
        try await t.application().test(.router) { client in
            let cases: [(String, HTTPFields, String, HTTPResponse.Status)] = [
                ("/runs/batch", .auth, "{not json", .badRequest),
                ("/runs/batch", .auth, #"{"post":[{"name":"x"}]}"#, .unprocessableContent),
                ("/runs/batch", .auth, #"{"post":[{"id":"nope","name":"x"}]}"#, .unprocessableContent),
                ("/runs", .auth, #"{"id":"\#(UUID())","run_type":"banana","name":"x"}"#, .unprocessableContent),
                ("/runs/multipart", .auth, "--x--", .unsupportedMediaType),
            ]
            for (uri, headers, payload, status) in cases {
                try await client.execute(uri: uri, method: .post, headers: headers, body: .json(payload)) { r in
                    #expect(r.status == status, "\(uri) \(payload)")
                    #expect(body(r)["detail"]?.stringValue?.isEmpty == false)
                }
            }
        }
    }

    @Test("a full queue answers 429 with Retry-After")
    func overloaded() async throws {
        let t = try await TestApp.make()
        try await t.application(maxQueueBytes: -1).test(.router) { client in
            try await client.execute(uri: "/runs/batch", method: .post, headers: .auth, body: .json(#"{"post":[]}"#)) { r in
                #expect(r.status == .tooManyRequests)
                #expect(r.headers[.retryAfter] != nil)
            }
        }
    }
}
