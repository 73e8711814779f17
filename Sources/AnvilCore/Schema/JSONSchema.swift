/// The schema itself is invalid or uses something Anvil does not support; `message` says where and what.
public struct JSONSchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// One way an instance fails a schema.
public struct JSONSchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// A JSON Pointer into the instance: "" for the root, "/messages/0/role" below it.
    public var path: String
    /// What is wrong, phrased to follow the path: "is not of type 'string'".
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { (path.isEmpty ? "(root)" : path) + " " + message }
}

/// A compiled JSON Schema (draft 2020-12 style, as pydantic's `model_json_schema()` emits, with the
/// draft-4/7 spellings LangSmith users still send), used to enforce a dataset's
/// `inputs_schema_definition` / `outputs_schema_definition` on its examples.
///
/// The schema is checked once, at `init`: unknown types, malformed keyword values, bad patterns,
/// non-local or dangling `$ref`s and `$ref` loops that never descend into the instance are all
/// rejected there, so ``validate(_:)`` cannot fail on the schema and always terminates.
/// Annotation keywords (`title`, `description`, `default`, `examples`, `format`, …) and unknown
/// keywords are ignored, as the specification asks.
public struct JSONSchema: Sendable, Hashable {
    /// The most violations ``validate(_:)`` reports; past this the instance is plainly wrong.
    public static let violationLimit = 50

    /// The schema as given; equality and hashing use it.
    public let source: JSONValue
    let nodes: [SchemaNode]

    /// Compiles `schema` (an object, or `true`/`false`).
    public init(_ schema: JSONValue) throws(JSONSchemaError) {
        var compiler = SchemaCompiler(root: schema)
        self.nodes = try compiler.compileDocument()
        self.source = schema
    }

    /// Every way `instance` breaks the schema, up to ``violationLimit``, in a stable order; empty
    /// means valid.
    public func validate(_ instance: JSONValue) -> [JSONSchemaViolation] {
        var evaluator = SchemaEvaluator(nodes: nodes, limit: Self.violationLimit)
        return evaluator.run(instance)
    }

    /// Whether `instance` is valid; stops at the first violation.
    public func isValid(_ instance: JSONValue) -> Bool {
        var evaluator = SchemaEvaluator(nodes: nodes, limit: 1)
        return evaluator.run(instance).isEmpty
    }

    public static func == (lhs: JSONSchema, rhs: JSONSchema) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}
