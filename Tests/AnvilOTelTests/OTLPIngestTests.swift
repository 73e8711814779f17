import AnvilCore
import AnvilIngest
import AnvilStorage
import Foundation
import SwiftProtobuf
import Testing
@testable import AnvilOTel

@Suite("OTLP ingest (decode, enqueue, respond)")
struct OTLPIngestTests {
    let tenant = UUID()

    func make() -> (OTLPIngest, MemoryIngestQueue) {
        let queue = MemoryIngestQueue()
        return (OTLPIngest(ingest: IngestService(queue: queue, blobs: MemoryBlobStore())), queue)
    }

    func queued(_ queue: MemoryIngestQueue) async throws -> [IngestRecord] {
        try await queue.next(maxBytes: 1 << 30).map { try IngestRecord(decoding: $0.payload) }
    }

    @Test("a protobuf body is decoded, mapped and queued as one durable record")
    func protobuf() async throws {
        let (otlp, queue) = make()
        let body: [UInt8] = try OTLP.request([OTLP.makeSpan(1), OTLP.makeSpan(2, parent: OTLP.span(1))]).serializedBytes()
        let response = try await otlp.export(body: body, encoding: .protobuf, contentEncoding: nil, project: "p", tenantId: tenant)
        let decoded = try OTLPResponse(serializedBytes: response)
        #expect(!decoded.hasPartialSuccess)
        let records = try await queued(queue)
        #expect(records.count == 1)
        #expect(records.first?.tenantId == tenant)
        #expect(records.first?.updates.map(\.sessionName) == ["p", "p"])
    }

    @Test("OTLP/JSON: hex ids, camelCase fields, int64 as strings, enums as numbers")
    func json() async throws {
        let (otlp, queue) = make()
        let body = """
            {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}]},
              "scopeSpans": [{"scope": {"name": "manual"}, "spans": [
                {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "parentSpanId": "eee19b7ec3c1b173",
                 "name": "child", "kind": 3, "startTimeUnixNano": "1714564800000000000", "endTimeUnixNano": "1714564801000000000",
                 "attributes": [{"key": "gen_ai.usage.input_tokens", "value": {"intValue": "12"}}],
                 "status": {"code": 2, "message": "failed"}}]}]}]}
            """
        let response = try await otlp.export(body: Array(body.utf8), encoding: .json, contentEncoding: nil, project: nil, tenantId: tenant)
        #expect(String(decoding: response, as: UTF8.self) == "{}")
        let u = try #require(try await queued(queue).first?.updates.first)
        #expect(u.id.uuidString.lowercased() == "00000000-0000-0000-eee1-9b7ec3c1b174")
        #expect(u.parentRunId?.uuidString.lowercased() == "00000000-0000-0000-eee1-9b7ec3c1b173")
        #expect(u.metadata?["otel_trace_id"] == .string("5b8efff798038103d269b633813fc60c"))
        #expect(u.metadata?["otel_span_kind"] == .string("CLIENT"))
        #expect(u.metadata?["usage_metadata"]?["input_tokens"] == .int(12))
        #expect(u.error == "failed")
        #expect(u.startTime == Timestamp(microseconds: 1_714_564_800_000_000))
    }

    @Test("gzip bodies are accepted")
    func gzip() async throws {
        let (otlp, queue) = make()
        let body: [UInt8] = try OTLP.request([OTLP.makeSpan(1)]).serializedBytes()
        let packed = try #require(Decompression.gzip(body))
        _ = try await otlp.export(body: packed, encoding: .protobuf, contentEncoding: "gzip", project: nil, tenantId: tenant)
        #expect(try await queued(queue).first?.updates.count == 1)
    }

    @Test("rejected spans are reported as partial success, in the request's encoding")
    func partialSuccess() async throws {
        let (otlp, queue) = make()
        let bad = OTLP.makeSpan(2, name: "zero", trace: [UInt8](repeating: 0, count: 16))
        let body: [UInt8] = try OTLP.request([OTLP.makeSpan(1), bad]).serializedBytes()
        let response = try OTLPResponse(serializedBytes: try await otlp.export(body: body, encoding: .protobuf, contentEncoding: nil, project: nil, tenantId: tenant))
        #expect(response.partialSuccess.rejectedSpans == 1)
        #expect(response.partialSuccess.errorMessage.contains("zero"))
        #expect(try await queued(queue).first?.updates.count == 1)

        let json = try await otlp.export(body: try OTLP.request([bad]).jsonUTF8Bytes(), encoding: .json, contentEncoding: nil, project: nil, tenantId: tenant)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"rejectedSpans\":\"1\""))
    }

    @Test("malformed protobuf and JSON are 400s that say what was expected; nothing is queued")
    func malformed() async throws {
        let (otlp, queue) = make()
        for (body, encoding) in [([UInt8]([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), OTLPIngest.Encoding.protobuf), (Array("{not json".utf8), .json)] {
            await #expect(throws: IngestError.self) {
                try await otlp.export(body: body, encoding: encoding, contentEncoding: nil, project: nil, tenantId: tenant)
            }
            do {
                _ = try await otlp.export(body: body, encoding: encoding, contentEncoding: nil, project: nil, tenantId: tenant)
            } catch let e as IngestError {
                #expect(e.code == .badRequest)
                #expect(e.message.contains("ExportTraceServiceRequest"))
            }
        }
        #expect(await queue.depth() == 0)
    }

    @Test("bodies over the limit are refused before decoding")
    func tooLarge() async throws {
        let queue = MemoryIngestQueue()
        let otlp = OTLPIngest(ingest: IngestService(queue: queue, blobs: MemoryBlobStore(), limits: IngestLimits(maxBodyBytes: 100)))
        let body: [UInt8] = try OTLP.request((1...20).map { OTLP.makeSpan(UInt8($0)) }).serializedBytes()
        do {
            _ = try await otlp.export(body: body, encoding: .protobuf, contentEncoding: nil, project: nil, tenantId: tenant)
            Issue.record("expected tooLarge")
        } catch let e as IngestError {
            #expect(e.code == .tooLarge)
        }
    }

    @Test("Content-Type selects the encoding")
    func contentTypes() {
        #expect(OTLPIngest.Encoding(contentType: "application/x-protobuf") == .protobuf)
        #expect(OTLPIngest.Encoding(contentType: "application/json; charset=utf-8") == .json)
        #expect(OTLPIngest.Encoding(contentType: "text/plain") == nil)
        #expect(OTLPIngest.Encoding(contentType: nil) == nil)
    }
}
