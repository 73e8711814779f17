import AnvilCore
import AnvilIngest
import Foundation

/// Decodes the SDK's multipart example uploads: parts `<id>` (fields), `<id>.inputs`,
/// `<id>.outputs`, `<id>.attachment.<name>` (bytes) and `<id>.attachments_operations`.
enum ExampleMultipart {
    static func decode(_ body: [UInt8], boundary: String, requireInputs: Bool) throws -> [ExampleDraft] {
        let parts: [MultipartPart]
        do {
            parts = try Multipart.parse(body, boundary: boundary)
        } catch {
            throw APIError.badRequest(error.message)
        }
        var order: [UUID] = []
        var drafts: [UUID: ExampleDraft] = [:]
        func json(_ part: MultipartPart) throws -> JSONValue {
            do {
                return try JSON.parse(Array(body[part.body]))
            } catch {
                throw APIError.badRequest("part '\(part.name.prefix(100))': invalid JSON: \(error)")
            }
        }
        for part in parts {
            let pieces = part.name.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard let id = UUID(fast: pieces[0]) else {
                throw APIError.unprocessable("part '\(part.name.prefix(100))' must start with an example id")
            }
            if drafts[id] == nil {
                order.append(id)
                drafts[id] = ExampleDraft(id: id)
            }
            switch pieces.count {
            case 1:
                guard case .object(let o) = try json(part) else { throw APIError.unprocessable("part '\(part.name)' must be a JSON object") }
                var fields = o
                fields["id"] = nil
                fields["inputs"] = nil
                fields["outputs"] = nil
                var main = try ExampleDraft.decode(fields, id: id, context: "example \(id.lowercased)")
                main.inputs = drafts[id]!.inputs
                main.outputs = drafts[id]!.outputs
                main.clearOutputs = drafts[id]!.clearOutputs
                main.uploads = drafts[id]!.uploads
                if main.renames == nil && main.retain == nil {
                    main.renames = drafts[id]!.renames
                    main.retain = drafts[id]!.retain
                }
                drafts[id] = main
            case 2 where pieces[1] == "inputs":
                guard case .object = try json(part) else { throw APIError.unprocessable("\(part.name) must be a JSON object") }
                drafts[id]!.inputs = RawJSON(validated: Array(body[part.body]))
            case 2 where pieces[1] == "outputs":
                switch try json(part) {
                case .object: drafts[id]!.outputs = RawJSON(validated: Array(body[part.body]))
                case .null: drafts[id]!.clearOutputs = true
                default: throw APIError.unprocessable("\(part.name) must be a JSON object")
                }
            case 2 where pieces[1] == "attachments_operations":
                guard case .object(let ops) = try json(part) else { throw APIError.unprocessable("\(part.name) must be a JSON object") }
                try drafts[id]!.setOperations(ops, part.name)
            case 3 where pieces[1] == "attachment":
                let name = pieces[2]
                guard !name.isEmpty else { throw APIError.unprocessable("attachment part '\(part.name)' needs a name") }
                let mime = part.contentType.map { $0.split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? $0 }
                drafts[id]!.uploads.append((name, mime ?? "application/octet-stream", Array(body[part.body])))
            default:
                throw APIError.badRequest("unknown example part '\(part.name.prefix(100))'")
            }
        }
        for id in order where requireInputs && drafts[id]!.inputs == nil && !drafts[id]!.useSourceRunIO {
            throw APIError.unprocessable("example \(id.lowercased) has no '\(id.lowercased).inputs' part")
        }
        return order.map { drafts[$0]! }
    }
}
