import AnvilCore
import AnvilIngest
import AnvilOTel
import Foundation
import HTTPTypes
import Hummingbird

/// OTLP/HTTP trace export: `POST /otel/v1/traces` (what the LangSmith SDK and its docs use) and
/// `POST /v1/traces` (a plain `OTEL_EXPORTER_OTLP_ENDPOINT` pointing at the server), protobuf or
/// JSON, optionally gzip'd. The answer is an `ExportTraceServiceResponse` in the request's encoding,
/// sent only once the spans are durable in the ingest queue.
struct OTelController: Sendable {
    let otlp: OTLPIngest

    static let project = HTTPField.Name("langsmith-project")!

    func addRoutes(to group: RouterGroup<TenantContext>) {
        group.post("otel/v1/traces", use: export)
        group.post("v1/traces", use: export)
    }

    @Sendable func export(request: Request, context: TenantContext) async throws -> Response {
        guard let encoding = OTLPIngest.Encoding(contentType: request.headers[.contentType]) else {
            throw APIError(.unsupportedMediaType, "expected Content-Type: application/x-protobuf or application/json (an OTLP ExportTraceServiceRequest)")
        }
        var request = request
        let body = try await request.bytes()
        let project = request.headers[Self.project].flatMap { $0.isEmpty ? nil : $0 }
        let response = try await otlp.export(
            body: body, encoding: encoding, contentEncoding: request.headers[.contentEncoding], project: project, tenantId: context.tenantId)
        return Response(status: .ok, headers: [.contentType: encoding.contentType], body: .init(byteBuffer: ByteBuffer(bytes: response)))
    }
}
