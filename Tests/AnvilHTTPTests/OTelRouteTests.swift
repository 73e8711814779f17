import AnvilCore
import AnvilStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("OTLP/HTTP routes")
struct OTelRouteTests {
    static let project = HTTPField.Name("langsmith-project")!

    func span(_ spanId: String, name: String, parent: String = "") -> String {
        """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"router"}}]},
          "scopeSpans":[{"scope":{"name":"t"},"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"\(spanId)",
          "parentSpanId":"\(parent)","name":"\(name)","kind":1,"startTimeUnixNano":"1714564800000000000",
          "endTimeUnixNano":"1714564801000000000"}]}]}]}
        """
    }

    @Test("both paths under every prefix take OTLP/JSON, answer in JSON, and the span becomes a run", arguments: ["", "/api", "/api/v1"])
    func everyPrefix(prefix: String) async throws {
        let t = try await TestApp.make()
        try await t.application().test(.router) { client in
            var headers = HTTPFields.auth
            headers[Self.project] = "otel-router"
            for (n, path) in ["/otel/v1/traces", "/v1/traces"].enumerated() {
                try await client.execute(uri: prefix + path, method: .post, headers: headers, body: .json(span("b7ad6b716920333\(n)", name: "s\(n)"))) { r in
                    #expect(r.status == .ok)
                    #expect(r.headers[.contentType] == "application/json")
                    #expect(String(buffer: r.body) == "{}")
                }
            }
            try await t.drain()
            try await client.execute(uri: "/runs/00000000-0000-0000-b7ad-6b7169203331", method: .get, headers: .auth) { r in
                #expect(r.status == .ok)
                #expect(body(r)["name"]?.stringValue == "s1")
                #expect(body(r)["extra"]?["metadata"]?["service.name"]?.stringValue == "router")
            }
        }
    }

    @Test("malformed bodies are 400, unknown content types 415, missing keys 401 — each with a detail")
    func refusals() async throws {
        let t = try await TestApp.make()
        try await t.application().test(.router) { client in
            var proto = HTTPFields.auth
            proto[.contentType] = "application/x-protobuf"
            try await client.execute(uri: "/otel/v1/traces", method: .post, headers: proto, body: ByteBuffer(bytes: [0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01])) { r in
                #expect(r.status == .badRequest)
                #expect(body(r)["detail"]?.stringValue?.contains("ExportTraceServiceRequest") == true)
            }
            try await client.execute(uri: "/otel/v1/traces", method: .post, headers: .auth, body: .json("{nope")) { r in
                #expect(r.status == .badRequest)
                #expect(body(r)["detail"] != nil)
            }
            var text = HTTPFields.auth
            text[.contentType] = "text/plain"
            try await client.execute(uri: "/otel/v1/traces", method: .post, headers: text, body: .json("x")) { r in
                #expect(r.status == .unsupportedMediaType)
                #expect(body(r)["detail"] != nil)
            }
            try await client.execute(uri: "/otel/v1/traces", method: .post, headers: [.contentType: "application/json"], body: .json(span("b7ad6b7169203331", name: "s"))) { r in
                #expect(r.status == .unauthorized)
            }
            #expect(await t.queue.depth() == 0)
        }
    }
}
