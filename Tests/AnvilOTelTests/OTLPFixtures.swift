import AnvilCore
import AnvilIngest
import AnvilStorage
import Foundation
@testable import AnvilOTel

/// Builds OTLP requests for the tests.
enum OTLP {
    static let trace: [UInt8] = Array(1...16)
    static func span(_ n: UInt8) -> [UInt8] { [0xa0, 0, 0, 0, 0, 0, 0, n] }

    static func value(_ v: Any) -> OTLPAnyValue {
        var a = OTLPAnyValue()
        switch v {
        case let s as String: a.stringValue = s
        case let b as Bool: a.boolValue = b
        case let i as Int: a.intValue = Int64(i)
        case let d as Double: a.doubleValue = d
        case let list as [Any]:
            var arr = Opentelemetry_Proto_Common_V1_ArrayValue()
            arr.values = list.map(value)
            a.arrayValue = arr
        default: preconditionFailure("unsupported fixture value \(v)")
        }
        return a
    }

    static func attributes(_ pairs: KeyValuePairs<String, Any>) -> [OTLPKeyValue] {
        pairs.map { k, v in
            var kv = OTLPKeyValue()
            kv.key = k
            kv.value = value(v)
            return kv
        }
    }

    static func makeSpan(
        _ n: UInt8, parent: [UInt8]? = nil, name: String = "span", trace: [UInt8] = OTLP.trace,
        start: UInt64 = 1_714_564_800_000_000_000, end: UInt64 = 1_714_564_801_000_000_000,
        attributes: KeyValuePairs<String, Any> = [:]
    ) -> OTLPSpan {
        var s = OTLPSpan()
        s.traceID = Data(trace)
        s.spanID = Data(span(n))
        if let parent { s.parentSpanID = Data(parent) }
        s.name = name
        s.startTimeUnixNano = start
        s.endTimeUnixNano = end
        s.attributes = Self.attributes(attributes)
        return s
    }

    static func request(_ spans: [OTLPSpan], scope: String = "test", resource: KeyValuePairs<String, Any> = [:]) -> OTLPRequest {
        var scopeSpans = Opentelemetry_Proto_Trace_V1_ScopeSpans()
        scopeSpans.scope.name = scope
        scopeSpans.spans = spans
        var resourceSpans = Opentelemetry_Proto_Trace_V1_ResourceSpans()
        resourceSpans.resource.attributes = attributes(resource)
        resourceSpans.scopeSpans = [scopeSpans]
        var r = OTLPRequest()
        r.resourceSpans = [resourceSpans]
        return r
    }

    static func map(_ request: OTLPRequest, project: String? = nil) -> SpanMapping {
        SpanMapper.map(request, project: project, now: Timestamp(microseconds: 1_714_564_900_000_000))
    }

    static func one(_ span: OTLPSpan, scope: String = "test", project: String? = nil, resource: KeyValuePairs<String, Any> = [:]) throws -> RunUpdate {
        let m = map(request([span], scope: scope, resource: resource), project: project)
        guard m.rejectedSpans == 0, let u = m.updates.first else { throw Failure(message: m.errorMessage) }
        return u
    }

    struct Failure: Error { var message: String }
}

extension RunUpdate {
    var metadata: JSONValue? { extra?.value(at: "metadata") }
    func inputsValue() -> JSONValue? { try? inputs?.parsed() }
    func outputsValue() -> JSONValue? { try? outputs?.parsed() }
}
