import AnvilCore
import Foundation
import SwiftProtobuf

typealias OTLPRequest = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
typealias OTLPResponse = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse
typealias OTLPSpan = Opentelemetry_Proto_Trace_V1_Span
typealias OTLPAnyValue = Opentelemetry_Proto_Common_V1_AnyValue
typealias OTLPKeyValue = Opentelemetry_Proto_Common_V1_KeyValue

extension OTLPAnyValue {
    /// The attribute value as JSON: bytes become base64 strings, key-value lists objects.
    var json: JSONValue {
        switch value {
        case .stringValue(let s)?: return .string(s)
        case .boolValue(let b)?: return .bool(b)
        case .intValue(let i)?: return .int(i)
        case .doubleValue(let d)?: return d.isFinite ? .double(d) : .string(String(d))
        case .arrayValue(let a)?: return .array(a.values.map(\.json))
        case .kvlistValue(let kv)?: return .object(Dictionary(kv.values.map { ($0.key, $0.value.json) }, uniquingKeysWith: { _, b in b }))
        case .bytesValue(let d)?: return .string(d.base64EncodedString())
        // A profiles string-table reference: the spec says other signals treat it as absent.
        case .stringValueStrindex?, nil: return .null
        }
    }
}

extension Array where Element == OTLPKeyValue {
    var jsonPairs: [(String, JSONValue)] { map { ($0.key, $0.value.json) } }
}

extension Timestamp {
    /// From OTLP's nanoseconds since the epoch; nil for 0 ("not set").
    init?(unixNano: UInt64) {
        guard unixNano > 0 else { return nil }
        self.init(microseconds: Int64(clamping: unixNano / 1000))
    }
}
