import AnvilCore
import AnvilStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Frontend role and UI endpoints")
struct WebTests {
    /// A web directory with an index and one module.
    static func webDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("anvil-web-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/lib", withIntermediateDirectories: true)
        try Data("<!doctype html><title>Anvil</title>".utf8).write(to: URL(fileURLWithPath: dir + "/index.html"))
        try Data("export const x = 1;".utf8).write(to: URL(fileURLWithPath: dir + "/lib/x.js"))
        try Data("secret".utf8).write(to: URL(fileURLWithPath: dir + "/../anvil-web-secret.txt"))
        return dir
    }

    static let html: HTTPFields = [.accept: "text/html,application/xhtml+xml"]

    @Test("static files, SPA fallback for browser navigations, API 404s stay JSON")
    func staticAndFallback() async throws {
        let t = try await TestApp.make()
        let dir = try Self.webDir()
        try await t.application(webDirectory: dir).test(.router) { client in
            try await client.execute(uri: "/ui/lib/x.js", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(String(buffer: r.body) == "export const x = 1;")
            }
            try await client.execute(uri: "/projects/p/123/r/456?trace_id=1", method: .get, headers: Self.html) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body).contains("<title>Anvil</title>"))
                #expect(r.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("script-src 'self'") == true)
            }
            try await client.execute(uri: "/", method: .get, headers: Self.html) { r in
                #expect(r.status == .ok)
            }
            // Not a browser navigation: a JSON 404, as API clients expect.
            try await client.execute(uri: "/projects/p/123", method: .get) { r in
                #expect(r.status == .notFound)
                #expect(body(r)["detail"] != nil)
            }
            try await client.execute(uri: "/api/v1/nope", method: .get, headers: Self.html) { r in
                #expect(r.status == .notFound)
            }
            for evil in ["/ui/../anvil-web-secret.txt", "/ui/%2e%2e/anvil-web-secret.txt", "/ui/.hidden", "/ui/missing.js"] {
                try await client.execute(uri: evil, method: .get) { r in
                    #expect(r.status == .notFound, "\(evil)")
                    #expect(!String(buffer: r.body).contains("secret"))
                }
            }
            // API routes still answer.
            try await client.execute(uri: "/api/v1/info", method: .get, headers: Self.html) { r in
                #expect(r.status == .ok)
            }
        }
    }

    @Test("UI endpoints: whole trace, threads, monitor; auth required")
    func uiEndpoints() async throws {
        let t = try await TestApp.make()
        let root = UUID().uuidString.lowercased()
        let child = UUID().uuidString.lowercased()
        try await t.application().test(.router) { client in
            let body1 = """
                {"post":[
                {"id":"\(root)","name":"root","run_type":"chain","start_time":"2026-01-01T00:00:00+00:00","end_time":"2026-01-01T00:00:03+00:00",
                 "session_name":"ui-proj","extra":{"metadata":{"thread_id":"t-1"}},"inputs":{"question":"hi there"},"outputs":{"answer":"hello"}},
                {"id":"\(child)","trace_id":"\(root)","parent_run_id":"\(root)","name":"llm","run_type":"llm",
                 "dotted_order":"20260101T000000000000Z\(root).20260101T000001000000Z\(child)",
                 "start_time":"2026-01-01T00:00:01+00:00","end_time":"2026-01-01T00:00:02+00:00","session_name":"ui-proj",
                 "extra":{"metadata":{"usage_metadata":{"input_tokens":5,"output_tokens":6}}}}]}
                """
            try await client.execute(uri: "/runs/batch", method: .post, headers: .auth, body: .json(body1)) { r in
                #expect(r.status == .accepted)
            }
            try await t.drain()
            try await client.execute(uri: "/api/v1/ui/traces/\(root)", method: .get) { r in
                #expect(r.status == .unauthorized)
            }
            try await client.execute(uri: "/api/v1/ui/traces/\(root)", method: .get, headers: .auth) { r in
                #expect(r.status == .ok)
                let runs = body(r)["runs"]?.arrayValue ?? []
                #expect(runs.map { $0["name"]?.stringValue } == ["root", "llm"])
                #expect(runs.first?["total_tokens"] == 11)
                #expect(runs.first?["inputs"] == nil)
            }
            try await client.execute(uri: "/api/v1/ui/traces/\(UUID().uuidString)", method: .get, headers: .auth) { r in
                #expect(r.status == .notFound)
            }
            let projectId = try #require(try await t.metadata.project(name: "ui-proj", tenantId: t.workspace.id)?.id.lowercased)
            try await client.execute(uri: "/api/v1/ui/sessions/\(projectId)/threads", method: .get, headers: .auth) { r in
                #expect(r.status == .ok)
                let threads = body(r)["threads"]?.arrayValue ?? []
                #expect(threads.count == 1)
                #expect(threads.first?["thread_id"] == "t-1")
                #expect(threads.first?["first_input_preview"] == "hi there")
                #expect(threads.first?["last_output_preview"] == "hello")
                #expect(body(r)["total"] == 1)
            }
            try await client.execute(
                uri: "/api/v1/ui/sessions/\(projectId)/monitor?start=2026-01-01T00:00:00Z&end=2026-01-02T00:00:00Z&buckets=24",
                method: .get, headers: .auth
            ) { r in
                #expect(r.status == .ok)
                let buckets = body(r)["buckets"]?.arrayValue ?? []
                #expect(buckets.count == 24)
                #expect(body(r)["bucket_seconds"] == 3600)
                #expect(buckets.first?["traces"] == 1)
                #expect(buckets.first?["latency_p50"] == 3.0)
                #expect(buckets.dropFirst().allSatisfy { $0["traces"] == 0 })
            }
            try await client.execute(uri: "/api/v1/ui/sessions/\(projectId)/monitor?start=2026-01-02T00:00:00Z&end=2026-01-01T00:00:00Z", method: .get, headers: .auth) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await client.execute(uri: "/api/v1/runs/query", method: .post, headers: .auth,
                                     body: .json(#"{"select":["id","name","inputs_preview","outputs_preview"],"is_root":true}"#)) { r in
                let run = body(r)["runs"]?.arrayValue?.first
                #expect(run?["inputs_preview"] == "hi there")
                #expect(run?["outputs_preview"] == "hello")
                #expect(run?["inputs"] == nil)
            }
        }
    }
}
