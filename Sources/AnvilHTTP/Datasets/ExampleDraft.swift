import AnvilCore
import Foundation

/// One example as a request describes it: every field optional (an update changes only what it
/// names). Built from `/examples` JSON bodies and from the multipart example endpoints.
struct ExampleDraft: Sendable {
    var id: UUID
    var datasetId: UUID?
    var inputs: RawJSON?
    var outputs: RawJSON?
    /// true when the request set outputs explicitly to null (clears them on update).
    var clearOutputs = false
    var metadata: [String: JSONValue]?
    var splits: [String]?
    var createdAt: Timestamp?
    var sourceRunId: UUID?
    var useSourceRunIO = false
    var useSourceRunAttachments = false
    /// New attachment uploads: name, media type, bytes.
    var uploads: [(name: String, mimeType: String, bytes: [UInt8])] = []
    /// `{"rename": {old: new}, "retain": [names]}` on update; nil keeps every existing attachment.
    var renames: [String: String]?
    var retain: [String]?

    init(id: UUID) { self.id = id }

    /// Decodes the JSON shape of `POST /examples`, `/examples/bulk` and `PATCH` bodies.
    static func decode(_ o: [String: JSONValue], id pathId: UUID? = nil, context: String) throws -> ExampleDraft {
        let bodyId = try o.uuid("id")
        var d = ExampleDraft(id: pathId ?? bodyId ?? UUID())
        if let pathId, let bodyId = try o.uuid("id"), bodyId != pathId {
            throw APIError.unprocessable("\(context): body id does not match the path")
        }
        d.datasetId = try o.uuid("dataset_id")
        switch o["inputs"] {
        case nil, .null?: break
        case .object?: d.inputs = RawJSON(o["inputs"]!)
        default: throw APIError.unprocessable("\(context): inputs must be an object")
        }
        switch o["outputs"] {
        case nil: break
        case .null?: d.clearOutputs = true
        case .object?: d.outputs = RawJSON(o["outputs"]!)
        default: throw APIError.unprocessable("\(context): outputs must be an object or null")
        }
        d.metadata = try o.object("metadata")
        d.splits = try splits(o["split"], context)
        d.createdAt = try o.time("created_at")
        d.sourceRunId = try o.uuid("source_run_id")
        d.useSourceRunIO = try o.bool("use_source_run_io") ?? false
        d.useSourceRunAttachments = try o.bool("use_source_run_attachments") ?? false
        if let ops = try o.object("attachments_operations") {
            try d.setOperations(ops, context)
        }
        return d
    }

    static func splits(_ v: JSONValue?, _ context: String) throws -> [String]? {
        switch v {
        case nil, .null?: return nil
        case .string(let s)?: return [s]
        case .array(let items)?:
            let names = items.compactMap(\.stringValue)
            guard names.count == items.count, !names.isEmpty else {
                throw APIError.unprocessable("\(context): split must be a string or a non-empty list of strings")
            }
            return names
        default: throw APIError.unprocessable("\(context): split must be a string or a list of strings")
        }
    }

    mutating func setOperations(_ ops: [String: JSONValue], _ context: String) throws {
        if let rename = try ops.object("rename") {
            var out: [String: String] = [:]
            for (k, v) in rename {
                guard let s = v.stringValue, !s.isEmpty else { throw APIError.unprocessable("\(context): attachments_operations.rename values must be names") }
                out[k] = s
            }
            renames = out
        }
        if case .array(let items)? = ops["retain"] {
            retain = items.compactMap(\.stringValue)
        }
        if renames == nil && retain == nil { retain = [] }
    }
}
