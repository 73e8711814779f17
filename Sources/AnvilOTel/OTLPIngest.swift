import AnvilCore
import AnvilIngest
import Foundation
import SwiftProtobuf

/// The request side of OTLP trace ingestion, shared by OTLP/HTTP and OTLP/gRPC: decode an
/// `ExportTraceServiceRequest`, map its spans to run posts, and append them to the durable ingest
/// queue through ``IngestService`` (the same record, queue, worker and store as every other ingest
/// route). Returns only once the record is durable.
public struct OTLPIngest: Sendable {
    /// The body encodings of OTLP/HTTP.
    public enum Encoding: Sendable {
        case protobuf, json

        /// From a Content-Type; nil when it is neither.
        public init?(contentType: String?) {
            let type = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            switch type {
            case "application/x-protobuf", "application/protobuf", "application/octet-stream": self = .protobuf
            case "application/json": self = .json
            default: return nil
            }
        }

        public var contentType: String { self == .json ? "application/json" : "application/x-protobuf" }
    }

    public let ingest: IngestService

    public init(ingest: IngestService) { self.ingest = ingest }

    /// OTLP/HTTP: a (possibly compressed) body in, the encoded `ExportTraceServiceResponse` out.
    public func export(body raw: [UInt8], encoding: Encoding, contentEncoding: String?, project: String?, tenantId: UUID) async throws -> [UInt8] {
        try await ingest.checkCapacity()
        let body = try ingest.decodeBody(raw, encoding: contentEncoding)
        let request = try Self.decode(body, encoding: encoding)
        let response = try await export(request, project: project, tenantId: tenantId)
        return try Self.encode(response, encoding: encoding)
    }

    /// Maps and enqueues one request; the response carries partial success for rejected spans.
    func export(_ request: OTLPRequest, project: String?, tenantId: UUID) async throws -> OTLPResponse {
        let mapping = SpanMapper.map(request, project: project, now: .now())
        try await ingest.enqueue(updates: mapping.updates, tenantId: tenantId)
        var response = OTLPResponse()
        if mapping.rejectedSpans > 0 {
            response.partialSuccess.rejectedSpans = Int64(mapping.rejectedSpans)
            response.partialSuccess.errorMessage = mapping.errorMessage
        }
        return response
    }

    static func decode(_ body: [UInt8], encoding: Encoding) throws(IngestError) -> OTLPRequest {
        switch encoding {
        case .protobuf:
            do {
                return try OTLPRequest(serializedBytes: body)
            } catch {
                throw IngestError(.badRequest, "malformed OTLP protobuf body (expected an ExportTraceServiceRequest): \(error)")
            }
        case .json:
            var options = JSONDecodingOptions()
            options.ignoreUnknownFields = true
            var request: OTLPRequest
            do {
                request = try OTLPRequest(jsonUTF8Bytes: body, options: options)
            } catch {
                throw IngestError(.badRequest, "malformed OTLP JSON body (expected an ExportTraceServiceRequest): \(error)")
            }
            fixJSONIds(&request)
            return request
        }
    }

    static func encode(_ response: OTLPResponse, encoding: Encoding) throws -> [UInt8] {
        switch encoding {
        case .protobuf: return try response.serializedBytes()
        case .json: return try response.jsonUTF8Bytes()
        }
    }

    /// OTLP/JSON writes trace and span ids as hex, where proto3 JSON would use base64; the generic
    /// decoder read them as base64, so a 32-character hex trace id arrives as 24 bytes (16 for a
    /// span id as 12). Re-encoding those bytes as base64 gives the hex text back exactly. Ids that
    /// really were base64 (16 and 8 bytes) are left alone.
    static func fixJSONIds(_ request: inout OTLPRequest) {
        func fix(_ data: Data, hexLength: Int) -> Data {
            guard data.count == hexLength / 4 * 3 else { return data }
            return OTelIds.bytes(hex: data.base64EncodedString()).map { Data($0) } ?? data
        }
        for r in request.resourceSpans.indices {
            for s in request.resourceSpans[r].scopeSpans.indices {
                for i in request.resourceSpans[r].scopeSpans[s].spans.indices {
                    let span = request.resourceSpans[r].scopeSpans[s].spans[i]
                    request.resourceSpans[r].scopeSpans[s].spans[i].traceID = fix(span.traceID, hexLength: 32)
                    request.resourceSpans[r].scopeSpans[s].spans[i].spanID = fix(span.spanID, hexLength: 16)
                    request.resourceSpans[r].scopeSpans[s].spans[i].parentSpanID = fix(span.parentSpanID, hexLength: 16)
                }
            }
        }
    }
}
