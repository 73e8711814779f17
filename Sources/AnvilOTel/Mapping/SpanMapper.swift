import AnvilCore
import AnvilIngest
import Foundation

/// The result of mapping one export request: the run posts to ingest, and how many spans could not
/// be used at all (answered as OTLP partial success).
public struct SpanMapping: Sendable {
    public var updates: [RunUpdate] = []
    public var rejectedSpans = 0
    public var errors: [String] = []

    /// OTLP's `partial_success.error_message`: the first few reasons.
    public var errorMessage: String {
        errors.prefix(5).joined(separator: "; ") + (errors.count > 5 ? "; and \(errors.count - 5) more" : "")
    }
}

/// Turns OTLP spans into run posts. Every span becomes one complete run (`post`): ids by
/// ``OTelIds``, run type, name, times, status, inputs/outputs, usage, model and events by the
/// LangSmith, GenAI, OpenInference and Traceloop conventions (see `SpanMapper+Conventions.swift`),
/// and every attribute no convention used kept in `extra.metadata`. Only a structurally unusable
/// span (no valid trace or span id) is rejected.
enum SpanMapper {
    static let langsmithScope = "langsmith"

    static func map(_ request: OTLPRequest, project: String?, now: Timestamp) -> SpanMapping {
        var out = SpanMapping()
        for resourceSpans in request.resourceSpans {
            let resource = resourceSpans.resource.attributes.jsonPairs
            for scopeSpans in resourceSpans.scopeSpans {
                for span in scopeSpans.spans {
                    do {
                        out.updates.append(try mapSpan(
                            span, resource: resource, scope: scopeSpans.scope.name, project: project, now: now))
                    } catch {
                        out.rejectedSpans += 1
                        out.errors.append(error.message)
                    }
                }
            }
        }
        return out
    }

    struct Rejection: Error { var message: String }

    static func mapSpan(
        _ span: OTLPSpan, resource: [(String, JSONValue)], scope: String, project: String?, now: Timestamp
    ) throws(Rejection) -> RunUpdate {
        let traceBytes = [UInt8](span.traceID)
        let spanBytes = [UInt8](span.spanID)
        let parentBytes = [UInt8](span.parentSpanID)
        let label = "span '\(span.name.prefix(100))'"
        guard OTelIds.isValid(traceId: traceBytes) else {
            throw Rejection(message: "\(label): trace_id must be 16 bytes and not all zero (got \(traceBytes.count) bytes)")
        }
        guard OTelIds.isValid(spanId: spanBytes) else {
            throw Rejection(message: "\(label): span_id must be 8 bytes and not all zero (got \(spanBytes.count) bytes)")
        }
        var attrs = SpanAttributes(span.attributes.jsonPairs)
        var res = SpanAttributes(resource)

        // Ids and lineage: explicit langsmith.* ids win over the OTel ones.
        let id = uuid(attrs.string("langsmith.span.id")) ?? OTelIds.runId(spanId: spanBytes)
        var u = RunUpdate(kind: .post, id: id)
        u.traceId = uuid(attrs.string("langsmith.trace.id"))
        if let parent = uuid(attrs.string("langsmith.span.parent_id")) {
            u.parentRunId = parent
        } else if parentBytes.count == 8, parentBytes.contains(where: { $0 != 0 }) {
            if OTelIds.isTraceRootContext(parentSpanId: parentBytes, traceId: traceBytes) {
                // The SDK's stand-in context for the trace's root run: a span the SDK itself exported
                // for that run is the root; anything else ran inside the root run.
                if scope != langsmithScope { u.parentRunId = OTelIds.traceUUID(traceId: traceBytes) }
            } else {
                u.parentRunId = OTelIds.runId(spanId: parentBytes)
            }
        }
        if let dotted = attrs.string("langsmith.span.dotted_order"), let order = DottedOrder(dotted), order.runId == id {
            u.dottedOrder = dotted
            u.traceId = order.traceId
            u.parentRunId = order.parentId
        }

        u.name = attrs.string("langsmith.trace.name").flatMap { $0.isEmpty ? nil : $0 } ?? (span.name.isEmpty ? "Unnamed" : span.name)
        u.startTime = Timestamp(unixNano: span.startTimeUnixNano) ?? now
        u.endTime = Timestamp(unixNano: span.endTimeUnixNano)
        u.runType = runType(&attrs)

        // Project: the request's header, else the span's or resource's attributes, else the default.
        if let project, !project.isEmpty {
            u.sessionName = project
        } else {
            u.sessionName = attrs.string("langsmith.trace.session_name") ?? res.string("langsmith.trace.session_name")
                ?? attrs.string("langsmith.project") ?? res.string("langsmith.project")
                ?? attrs.string("openinference.project.name") ?? res.string("openinference.project.name")
            u.sessionId = uuid(attrs.string("langsmith.trace.session_id") ?? res.string("langsmith.trace.session_id"))
        }
        u.tags = tags(&attrs)

        var metadata: [String: JSONValue] = [:]
        var extra: [String: JSONValue] = [:]
        mapPayloads(&u, &attrs, events: span.events)
        mapMetadata(&metadata, &attrs)
        mapModel(&metadata, &extra, &attrs)
        mapUsage(&metadata, &attrs)
        let (events, exceptionText) = mapEvents(span.events)
        if !events.isEmpty { u.events = RawJSON(.array(events)) }
        if span.status.code == .error {
            u.error = span.status.message.isEmpty ? (exceptionText ?? "error") : span.status.message
        }

        // What no convention used stays visible: span attributes, then the resource's.
        for (key, value) in attrs.leftovers where metadata[key] == nil {
            metadata[key] = value
        }
        for (key, value) in res.leftovers where metadata[key] == nil {
            metadata[key] = value
        }
        metadata[Run.otelTraceIdMetadataKey] = .string(OTelIds.hex(traceBytes))
        metadata["otel_span_id"] = .string(OTelIds.hex(spanBytes))
        if !parentBytes.isEmpty { metadata["otel_parent_span_id"] = .string(OTelIds.hex(parentBytes)) }
        if span.kind != .internal && span.kind != .unspecified { metadata["otel_span_kind"] = .string(kindName(span.kind)) }
        if !scope.isEmpty { metadata["otel_scope"] = .string(scope) }
        extra["metadata"] = .object(metadata)
        u.extra = RawJSON(.object(extra))

        do {
            try RunUpdateDecoder.validateAndDefault(&u, now: now, context: label)
        } catch {
            throw Rejection(message: error.message)
        }
        return u
    }

    static func uuid(_ s: String?) -> UUID? { s.flatMap { UUID(fast: $0) } }

    static func kindName(_ kind: OTLPSpan.SpanKind) -> String {
        switch kind {
        case .server: "SERVER"
        case .client: "CLIENT"
        case .producer: "PRODUCER"
        case .consumer: "CONSUMER"
        case .internal: "INTERNAL"
        default: "UNSPECIFIED"
        }
    }
}
