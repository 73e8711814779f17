import AnvilCore
import Foundation

/// Turns LangSmith run JSON (a multipart main part, a `/runs/batch` element, a `POST /runs` body)
/// into a ``RunUpdate``: envelope fields are decoded, payload fields are validated and kept raw.
public enum RunUpdateDecoder {
    /// Run types LangSmith accepts (`RunTypeEnum`).
    public static let runTypes: Set<String> = ["tool", "chain", "llm", "retriever", "embedding", "prompt", "parser"]

    /// Fields split out into their own multipart parts (`post.<id>.<field>`).
    public static let payloadFields: Set<String> = ["inputs", "outputs", "events", "extra", "error", "serialized"]

    /// Decodes one run object. `id` overrides/supplies the run id (from a part name or URL path).
    public static func decode(
        _ bytes: [UInt8], kind: RunUpdateKind, id pathId: UUID? = nil, context: String
    ) throws(IngestError) -> RunUpdate {
        let fields: [JSONField]
        do {
            fields = try JSON.objectFields(bytes)
        } catch {
            throw .bad("\(context): invalid JSON: \(error)")
        }
        var idValue: UUID? = pathId
        var update = RunUpdate(kind: kind, id: pathId ?? UUID())
        for field in fields {
            let raw = bytes[field.range]
            if raw.first == UInt8(ascii: "n") { continue }  // null: "not provided"
            let name = field.key
            switch name {
            case "id":
                let id = try uuid(raw, name, context)
                if let pathId, pathId != id {
                    throw .invalid("\(context): body id \(id.lowercased) does not match \(pathId.lowercased)")
                }
                idValue = id
            case "trace_id": update.traceId = try uuid(raw, name, context)
            case "parent_run_id": update.parentRunId = try uuid(raw, name, context)
            case "session_id": update.sessionId = try uuid(raw, name, context)
            case "reference_example_id": update.referenceExampleId = try uuid(raw, name, context)
            case "dotted_order":
                let s = try string(raw, name, context)
                if !s.isEmpty { update.dottedOrder = s }
            case "name": update.name = try string(raw, name, context)
            case "run_type":
                let t = try string(raw, name, context)
                guard runTypes.contains(t) else {
                    throw .invalid("\(context): run_type '\(t)' is not one of \(runTypes.sorted().joined(separator: ", "))")
                }
                update.runType = t
            case "start_time": update.startTime = try time(raw, name, context)
            case "end_time": update.endTime = try time(raw, name, context)
            case "session_name":
                let s = try string(raw, name, context)
                if !s.isEmpty { update.sessionName = s }
            case "error":
                update.error = try errorText(raw, context)
            case "tags":
                update.tags = try stringArray(raw, name, context)
            case "inputs", "outputs", "extra", "events", "serialized":
                try setPayload(&update, name, Array(raw), context: context)
            default:
                continue  // unknown keys (revision_id, address, attachments, …) are ignored
            }
        }
        guard let id = idValue else { throw .invalid("\(context): the run has no 'id'") }
        update.id = id
        return update
    }

    /// Sets one payload field from its raw JSON (from the main object or its own part).
    public static func setPayload(_ update: inout RunUpdate, _ field: String, _ raw: [UInt8], context: String) throws(IngestError) {
        // The first byte of the value: a part body may carry whitespace around it.
        let first = raw.first { $0 > 0x20 }
        if field == "error" {
            do {
                try JSON.validate(raw)
            } catch {
                throw .bad("\(context).error: invalid JSON: \(error)")
            }
            if first != UInt8(ascii: "n") { update.error = try errorText(raw[...], context) }
            return
        }
        let value: RawJSON
        do {
            value = try RawJSON(validating: raw)
        } catch {
            throw .bad("\(context).\(field): invalid JSON: \(error)")
        }
        if first == UInt8(ascii: "n") { return }  // null (valid JSON starting with 'n'): not provided
        switch field {
        case "events":
            guard first == UInt8(ascii: "[") else { throw .invalid("\(context).events must be an array") }
            update.events = value
        case "inputs":
            guard first == UInt8(ascii: "{") else { throw .invalid("\(context).inputs must be an object") }
            update.inputs = value
        case "outputs":
            guard first == UInt8(ascii: "{") else { throw .invalid("\(context).outputs must be an object") }
            update.outputs = value
        case "extra":
            guard first == UInt8(ascii: "{") else { throw .invalid("\(context).extra must be an object") }
            update.extra = value
        case "serialized":
            update.serialized = value
        default:
            break
        }
    }

    /// Validates the envelope and fills what LangSmith defaults: `start_time` of a post, and
    /// `trace_id`/`dotted_order` of a root run. Children without them are resolved by the worker.
    public static func validateAndDefault(_ u: inout RunUpdate, now: Timestamp, context: String) throws(IngestError) {
        if u.kind == .post && u.startTime == nil { u.startTime = now }
        if let dotted = u.dottedOrder {
            guard let order = DottedOrder(dotted) else {
                throw .invalid("\(context): dotted_order '\(dotted.prefix(120))' is malformed (expected <YYYYMMDDTHHMMSSffffffZ><uuid> segments joined by '.')")
            }
            guard order.runId == u.id else {
                throw .invalid("\(context): dotted_order must end with the run's own id \(u.id.lowercased)")
            }
            if let trace = u.traceId, order.traceId != trace {
                throw .invalid("\(context): dotted_order must start with trace_id \(trace.lowercased)")
            }
            if let parent = u.parentRunId, order.parentId != parent {
                throw .invalid("\(context): parent_run_id \(parent.lowercased) is not the parent in dotted_order")
            }
            if u.traceId == nil { u.traceId = order.traceId }
            if u.parentRunId == nil, let parent = order.parentId, u.kind == .post { u.parentRunId = parent }
        }
        if u.kind == .post && u.parentRunId == nil {
            if u.traceId == nil { u.traceId = u.id }
            if u.dottedOrder == nil, let start = u.startTime, u.traceId == u.id {
                u.dottedOrder = DottedOrder.root(id: u.id, start: start).string
            }
        }
        if let s = u.startTime, let e = u.endTime, e < s {
            // Clock skew between processes: keep the run, clamp its end (latency 0), as LangSmith does.
            u.endTime = s
        }
    }

    // MARK: field decoding

    static func uuid(_ raw: ArraySlice<UInt8>, _ name: String, _ context: String) throws(IngestError) -> UUID {
        let s = try string(raw, name, context)
        guard let id = UUID(fast: s) else { throw .invalid("\(context): \(name) '\(s.prefix(64))' is not a UUID") }
        return id
    }

    static func string(_ raw: ArraySlice<UInt8>, _ name: String, _ context: String) throws(IngestError) -> String {
        guard case .string(let s)? = try? JSON.parse(Array(raw)) else {
            throw .invalid("\(context): \(name) must be a string")
        }
        return s
    }

    static func time(_ raw: ArraySlice<UInt8>, _ name: String, _ context: String) throws(IngestError) -> Timestamp {
        switch try? JSON.parse(Array(raw)) {
        case .string(let s)?:
            guard let t = Timestamp(iso8601: s) else {
                throw .invalid("\(context): \(name) '\(s.prefix(64))' is not an ISO-8601 date-time")
            }
            return t
        case .int(let ms)?:  // older JS SDKs send epoch milliseconds
            // Checked: `ms * 1000` on a hostile value would overflow and trap.
            guard epochMilliseconds.contains(Double(ms)) else { throw outOfRange(name, context) }
            return Timestamp(microseconds: ms * 1000)
        case .double(let ms)?:
            guard epochMilliseconds.contains(ms) else { throw outOfRange(name, context) }
            return Timestamp(microseconds: Int64((ms * 1000).rounded()))
        default:
            throw .invalid("\(context): \(name) must be an ISO-8601 string")
        }
    }

    /// Epoch milliseconds accepted for times: years 0001 through 9999, the range ISO-8601 strings
    /// (and the SDKs' datetimes) can express.
    static let epochMilliseconds: ClosedRange<Double> = -62_135_596_800_000...253_402_300_799_999

    static func outOfRange(_ name: String, _ context: String) -> IngestError {
        .invalid("\(context): \(name) is out of range (epoch milliseconds must fall in years 0001–9999)")
    }

    static func errorText(_ raw: ArraySlice<UInt8>, _ context: String) throws(IngestError) -> String {
        switch try? JSON.parse(Array(raw)) {
        case .string(let s)?: return s
        case let other?: return other.encodedString  // structured errors are kept as their JSON text
        case nil: throw .bad("\(context): error must be a string")
        }
    }

    static func stringArray(_ raw: ArraySlice<UInt8>, _ name: String, _ context: String) throws(IngestError) -> [String] {
        guard case .array(let items)? = try? JSON.parse(Array(raw)) else {
            throw .invalid("\(context): \(name) must be an array of strings")
        }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else { throw .invalid("\(context): \(name) must be an array of strings") }
            out.append(s)
        }
        return out
    }
}
