import AnvilCore
import AnvilIngest
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Dataset downloads: CSV (one column per input and output key), JSONL (one example per line), and
/// OpenAI fine-tuning JSONL (chat datasets).
enum DatasetExport {
    static func download(_ text: String, type: String, filename: String) -> Response {
        let safe = filename.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" }
        return Response(
            status: .ok,
            headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(String(safe))\""],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func cell(_ v: JSONValue?) -> String {
        switch v {
        case nil, .null?: return ""
        case .string(let s)?: return neutralised(s)
        case let other?: return other.encodedString
        }
    }

    /// Text that a spreadsheet would run as a formula (`=`, `@`, or `+`/`-` not followed by a
    /// number) gets a leading apostrophe, the usual CSV-injection guard.
    static func neutralised(_ s: String) -> String {
        guard let first = s.first else { return s }
        let isFormula = first == "=" || first == "@" || ((first == "+" || first == "-") && Double(s) == nil)
        return isFormula ? "'" + s : s
    }

    static func csv(_ examples: [Example], name: String) -> Response {
        let inputs = examples.map { (try? $0.inputs.parsed())?.objectValue ?? [:] }
        let outputs = examples.map { e in e.outputs.flatMap { try? $0.parsed() }?.objectValue ?? [:] }
        let inputKeys = Set(inputs.flatMap(\.keys)).sorted()
        let outputKeys = Set(outputs.flatMap(\.keys)).sorted()
        let outputColumns = outputKeys.map { inputKeys.contains($0) ? "output_\($0)" : $0 }
        var rows: [[String]] = [["example_id"] + inputKeys + outputColumns + ["split", "metadata"]]
        for (i, e) in examples.enumerated() {
            var meta = e.metadata
            meta["dataset_split"] = nil
            rows.append([e.id.lowercased] + inputKeys.map { cell(inputs[i][$0]) } + outputKeys.map { cell(outputs[i][$0]) }
                + [e.splits.joined(separator: ","), meta.isEmpty ? "" : JSONValue.object(meta).encodedString])
        }
        return download(CSV.write(rows), type: "text/csv; charset=utf-8", filename: "\(name).csv")
    }

    static func jsonl(_ examples: [Example], name: String) -> Response {
        var out = [UInt8]()
        for e in examples {
            var w = JSONWriter()
            w.beginObject()
            w.key("id"); w.string(e.id.lowercased)
            w.key("inputs"); w.raw(e.inputs.bytes)
            w.key("outputs"); w.raw(e.outputs)
            w.key("metadata"); w.value(.object(e.metadata))
            w.key("created_at"); w.string(e.createdAt.iso8601)
            w.key("modified_at"); w.string(e.modifiedAt.iso8601)
            w.endObject()
            out += w.bytes
            out.append(0x0A)
        }
        return download(String(decoding: out, as: UTF8.self), type: "application/jsonl; charset=utf-8", filename: "\(name).jsonl")
    }

    /// `{"messages": [...]}` per example: the input messages followed by the reference answer.
    static func openAIFineTuning(_ examples: [Example], name: String) throws -> Response {
        var lines: [String] = []
        for e in examples {
            let inputs = (try? e.inputs.parsed()) ?? .object([:])
            let outputs: JSONValue? = e.outputs.flatMap { try? $0.parsed() }
            guard var messages = (inputs["messages"] ?? inputs["input"])?.arrayValue.map({ $0.flatMap { $0.arrayValue ?? [$0] } }) else {
                throw APIError.unprocessable("example \(e.id.lowercased) has no input messages; OpenAI fine-tuning export needs a chat dataset")
            }
            messages = messages.map(openAIMessage)
            if let out = outputs {
                if let m = out["message"] ?? out["output"], case .object = m {
                    messages.append(openAIMessage(m))
                } else if let text = (out["output"] ?? out["answer"] ?? out["content"])?.stringValue {
                    messages.append(["role": "assistant", "content": .string(text)])
                }
            }
            lines.append(JSONValue.object(["messages": .array(messages)]).encodedString)
        }
        return download(lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n"), type: "application/jsonl; charset=utf-8", filename: "\(name)-openai.jsonl")
    }

    /// LangChain-serialised or `{type, content}` messages to OpenAI's `{role, content}`.
    static func openAIMessage(_ m: JSONValue) -> JSONValue {
        // LangChain serialised (`kwargs`), `messages_to_dict` (`{type, data}`), or plain dicts.
        var o = m["kwargs"]?.objectValue ?? m["data"]?.objectValue ?? m.objectValue ?? [:]
        if o["role"] == nil {
            let kind = (m["id"]?.arrayValue?.last?.stringValue ?? m["type"]?.stringValue ?? o["type"]?.stringValue ?? m["role"]?.stringValue ?? "").lowercased()
            let role: String
            switch kind {
            case let k where k.contains("human") || k == "user": role = "user"
            case let k where k.contains("system"): role = "system"
            case let k where k.contains("tool"): role = "tool"
            default: role = "assistant"
            }
            o["role"] = .string(role)
        }
        var out: [String: JSONValue] = ["role": o["role"]!, "content": o["content"] ?? ""]
        if let calls = o["tool_calls"] { out["tool_calls"] = calls }
        if let id = o["tool_call_id"] { out["tool_call_id"] = id }
        return .object(out)
    }
}

/// `POST /datasets/upload`: a CSV file plus the columns that are inputs and outputs.
enum DatasetUpload {
    struct Upload {
        var id: UUID?
        var name: String
        var description: String?
        var dataType: String
        var examples: [ExampleDraft]
    }

    /// Form fields (text parts) and the file part.
    static func form(_ body: [UInt8], boundary: String) throws -> (fields: [(String, String)], file: [UInt8]?) {
        let parts: [MultipartPart]
        do {
            parts = try Multipart.parse(body, boundary: boundary)
        } catch {
            throw APIError.badRequest(error.message)
        }
        var fields: [(String, String)] = []
        var file: [UInt8]?
        for p in parts {
            if p.name == "file" {
                file = Array(body[p.body])
            } else {
                fields.append((p.name, String(decoding: body[p.body], as: UTF8.self)))
            }
        }
        return (fields, file)
    }

    static func parse(_ form: (fields: [(String, String)], file: [UInt8]?)) throws -> Upload {
        guard let file = form.file else { throw APIError.unprocessable("the upload needs a 'file' part holding CSV") }
        func all(_ k: String) -> [String] { form.fields.filter { $0.0 == k }.map(\.1) }
        func one(_ k: String) -> String? { all(k).first.flatMap { $0.isEmpty ? nil : $0 } }
        let inputKeys = all("input_keys")
        let outputKeys = all("output_keys")
        guard !inputKeys.isEmpty else { throw APIError.unprocessable("input_keys is required") }
        let table: (header: [String], rows: [[String: String]])
        do {
            table = try CSV.records(file)
        } catch {
            throw APIError.unprocessable("the CSV file is invalid: \(error.message) (line \(error.line))")
        }
        for k in inputKeys + outputKeys where !table.header.contains(k) {
            throw APIError.unprocessable("column '\(k)' is not in the CSV header (\(table.header.joined(separator: ", ")))")
        }
        let name = one("name") ?? "Uploaded dataset \(UUID().uuidString.prefix(8).lowercased())"
        let dataType = one("data_type") ?? "kv"
        guard Dataset.dataTypes.contains(dataType) else { throw APIError.unprocessable("data_type must be one of kv, llm, chat") }
        let drafts = table.rows.map { row -> ExampleDraft in
            var d = ExampleDraft(id: UUID())
            d.inputs = RawJSON(.object(Dictionary(uniqueKeysWithValues: inputKeys.map { ($0, JSONValue.string(row[$0] ?? "")) })))
            if !outputKeys.isEmpty {
                d.outputs = RawJSON(.object(Dictionary(uniqueKeysWithValues: outputKeys.map { ($0, JSONValue.string(row[$0] ?? "")) })))
            }
            return d
        }
        return Upload(id: one("id").flatMap { UUID(fast: $0) }, name: name, description: one("description"), dataType: dataType, examples: drafts)
    }
}
