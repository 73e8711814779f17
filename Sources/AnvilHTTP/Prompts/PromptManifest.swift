import AnvilCore
import Crypto
import Foundation

/// What the hub knows about a pushed manifest (LangChain's `dumps` of a prompt, or of a
/// `prompt | model` sequence): which ones it accepts, the commit hash, and what a pull returns.
enum PromptManifest {
    /// Prompt classes a manifest (or the first step of a sequence) may be, by the last element of
    /// its LangChain `id`.
    static let promptTypes: Set<String> = [
        "ChatPromptTemplate", "PromptTemplate", "StructuredPrompt", "FewShotPromptTemplate",
        "FewShotChatMessagePromptTemplate", "FewShotPromptWithTemplates", "ImagePromptTemplate",
    ]
    /// A prompt followed by a model (and maybe a parser). `PromptPlayground` is LangSmith's own
    /// name for `prompt | model` as saved from its playground.
    static let sequenceTypes: Set<String> = ["RunnableSequence", "PromptPlayground"]
    static let runnableSequenceId: JSONValue = ["langchain", "schema", "runnable", "RunnableSequence"]

    /// The type name (last element of `id`) of a manifest object, if it has a well-formed id.
    static func typeName(_ object: [String: JSONValue]) -> String? {
        guard let id = object["id"]?.arrayValue, !id.isEmpty, id.allSatisfy({ $0.stringValue != nil }) else { return nil }
        return id.last?.stringValue
    }

    /// Refuses what cannot be pulled back as a prompt, with LangSmith's messages (400).
    static func validate(_ manifest: JSONValue) throws {
        guard case .object(let object) = manifest else { throw APIError.badRequest("Manifest must be a JSON object") }
        guard let id = object["id"], !id.isNull else { throw APIError.badRequest("Manifest must have an id field") }
        guard let type = typeName(object) else {
            throw APIError.badRequest("Manifest id must be a non-empty list of strings, e.g. [\"langchain\", \"prompts\", \"chat\", \"ChatPromptTemplate\"]")
        }
        if promptTypes.contains(type) { return }
        guard sequenceTypes.contains(type) else { throw APIError.badRequest("Manifest type \(type) is not supported") }
        guard let first = object["kwargs"]?["first"]?.objectValue, let firstType = typeName(first), promptTypes.contains(firstType) else {
            throw APIError.badRequest("Manifest type \(type) is supported only when its first step (kwargs.first) is a prompt template")
        }
    }

    /// The manifest a pull returns. Sequences come back whole with `include_model`, as a
    /// `RunnableSequence` (the SDK loads it with LangChain's loader, which has no
    /// `PromptPlayground`); without it, only their prompt — the SDK then loads with
    /// `allowed_objects="core"`, which would refuse a provider's model class. Anything else is
    /// returned byte for byte as pushed.
    static func forPull(_ manifest: RawJSON, includeModel: Bool) -> RawJSON {
        guard let type = manifest.value(at: "id").flatMap({ id -> String? in
            guard let items = id.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else { return nil }
            return items.last?.stringValue
        }), sequenceTypes.contains(type) else { return manifest }
        guard includeModel else { return manifest.raw(at: "kwargs", "first") ?? manifest }
        guard type != "RunnableSequence", let fields = try? JSON.objectFields(manifest.bytes) else { return manifest }
        var w = JSONWriter(capacity: manifest.bytes.count + 32)
        w.beginObject()
        for field in fields {
            w.key(field.key)
            if field.key == "id" { w.value(runnableSequenceId) } else { w.raw(Array(manifest.bytes[field.range])) }
        }
        w.endObject()
        return RawJSON(validated: w.bytes)
    }

    /// The commit hash: hex SHA-256 over the parent's hash (empty for the first commit), a newline,
    /// and the manifest bytes exactly as received.
    static func commitHash(parent: String?, manifest: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(data: Array((parent ?? "").utf8) + [0x0A])
        hasher.update(data: manifest)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `s` is lowercase hex (a commit hash or a prefix of one).
    static func isHex(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Commit tag names: 1–100 of letters, digits, `.`, `_`, `-` (they travel in URLs and in
    /// `name:tag` identifiers); `latest` is reserved for the head.
    static func isValidTagName(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard (1...100).contains(bytes.count), s != "latest" else { return false }
        return bytes.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
                || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }
}
