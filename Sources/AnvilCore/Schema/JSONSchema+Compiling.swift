import Foundation

/// Turns a schema document into ``SchemaNode``s, checking every keyword it understands.
///
/// Subschemas are memoised by their JSON Pointer location, so a `$ref` to a subschema that is also
/// reached directly compiles once, and a recursive `$ref` becomes a back-edge instead of recursion.
struct SchemaCompiler {
    /// Nesting deeper than this is hostile, not a real schema.
    static let maxDepth = 256

    let root: JSONValue
    private let rootID: String?
    private var specs: [SchemaKeywords?] = []
    private var indexByLocation: [String: Int] = [:]
    private var depth = 0

    init(root: JSONValue) {
        self.root = root
        var id = root["$id"]?.stringValue
        if id?.hasSuffix("#") == true { id?.removeLast() }
        self.rootID = id?.isEmpty == true ? nil : id
    }

    /// The compiled nodes; the root is node 0.
    mutating func compileDocument() throws(JSONSchemaError) -> [SchemaNode] {
        _ = try compile(root, at: "#")
        try rejectInPlaceLoops()
        return specs.map { SchemaNode($0!) }
    }

    private mutating func compile(_ value: JSONValue, at location: String) throws(JSONSchemaError) -> Int {
        if let index = indexByLocation[location] { return index }
        guard depth < Self.maxDepth else { throw Self.error(location, "the schema is nested too deeply") }
        depth += 1
        defer { depth -= 1 }

        let index = specs.count
        specs.append(nil)
        indexByLocation[location] = index
        var keywords = SchemaKeywords(location: location)
        switch value {
        case .bool(let b): keywords.boolean = b
        case .object(let fields): try parse(fields, into: &keywords)
        default: throw Self.error(location, "a schema must be an object or a boolean, not \(Self.kind(value))")
        }
        specs[index] = keywords
        return index
    }

    private mutating func parse(_ o: [String: JSONValue], into k: inout SchemaKeywords) throws(JSONSchemaError) {
        let at = k.location

        for keyword in ["$dynamicRef", "$recursiveRef"] where o[keyword] != nil {
            throw Self.error(at, "'\(keyword)' is not supported; use '$ref'")
        }
        for keyword in ["unevaluatedProperties", "unevaluatedItems"] {
            if let value = o[keyword], value != .bool(true) {
                throw Self.error(at, "'\(keyword)' is not supported; use 'additionalProperties' / 'items'")
            }
        }

        // Definitions first and eagerly, so a broken one is reported even if nothing refers to it.
        for keyword in ["$defs", "definitions"] {
            if let value = o[keyword] { _ = try schemaMap(value, keyword, at) }
        }

        if let value = o["$ref"] {
            guard case .string(let ref) = value else { throw Self.error(at, "'$ref' must be a string") }
            k.ref = try resolve(ref, from: at)
        }

        if let value = o["type"] { k.types = try Self.types(value, at) }
        if let value = o["nullable"] { k.nullable = try Self.bool(value, "nullable", at) }
        if let value = o["enum"] {
            guard case .array(let values) = value else { throw Self.error(at, "'enum' must be an array") }
            k.enumValues = values
        }
        k.constValue = o["const"]

        if let value = o["allOf"] { k.allOf = try schemaList(value, "allOf", at) }
        if let value = o["anyOf"] { k.anyOf = try schemaList(value, "anyOf", at) }
        if let value = o["oneOf"] { k.oneOf = try schemaList(value, "oneOf", at) }
        if let value = o["not"] { k.not = try compile(value, at: at + "/not") }
        if let value = o["if"] { k.ifSchema = try compile(value, at: at + "/if") }
        if let value = o["then"] { k.thenSchema = try compile(value, at: at + "/then") }
        if let value = o["else"] { k.elseSchema = try compile(value, at: at + "/else") }

        // Objects.
        if let value = o["properties"] {
            k.properties = try schemaMap(value, "properties", at)
            k.propertyIndex = Dictionary(k.properties.map { ($0.name, $0.schema) }, uniquingKeysWith: { a, _ in a })
        }
        if let value = o["patternProperties"] {
            for (source, schema) in try schemaMap(value, "patternProperties", at) {
                guard let pattern = SchemaPattern(source) else {
                    throw Self.error(at, "'patternProperties' has an invalid regular expression '\(source)'")
                }
                k.patternProperties.append((pattern, schema))
            }
        }
        if let value = o["additionalProperties"] {
            k.additionalProperties = try compile(value, at: at + "/additionalProperties")
        }
        if let value = o["propertyNames"] { k.propertyNames = try compile(value, at: at + "/propertyNames") }
        if let value = o["required"] { k.required = try Self.strings(value, "required", at) }
        if let value = o["dependentRequired"] {
            guard case .object(let deps) = value else { throw Self.error(at, "'dependentRequired' must be an object") }
            for (name, list) in deps.sorted(by: { $0.key < $1.key }) {
                k.dependentRequired.append((name, try Self.strings(list, "dependentRequired/\(name)", at)))
            }
        }
        if let value = o["dependentSchemas"] { k.dependentSchemas = try schemaMap(value, "dependentSchemas", at) }
        if let value = o["dependencies"] {  // draft 4–7: arrays are dependentRequired, schemas dependentSchemas
            guard case .object(let deps) = value else { throw Self.error(at, "'dependencies' must be an object") }
            for (name, dep) in deps.sorted(by: { $0.key < $1.key }) {
                if case .array = dep {
                    k.dependentRequired.append((name, try Self.strings(dep, "dependencies/\(name)", at)))
                } else {
                    k.dependentSchemas.append((name, try compile(dep, at: at + "/dependencies/" + Self.escape(name))))
                }
            }
        }
        k.minProperties = try Self.count(o, "minProperties", at)
        k.maxProperties = try Self.count(o, "maxProperties", at)

        // Arrays. Draft 4–2019's array form of `items` is `prefixItems`, and its `additionalItems` is `items`.
        if let value = o["prefixItems"] { k.prefixItems = try schemaList(value, "prefixItems", at) }
        if let value = o["items"] {
            if case .array = value {
                guard o["prefixItems"] == nil else {
                    throw Self.error(at, "'items' must be a schema when 'prefixItems' is present")
                }
                k.prefixItems = try schemaList(value, "items", at)
                if let extra = o["additionalItems"] { k.items = try compile(extra, at: at + "/additionalItems") }
            } else {
                k.items = try compile(value, at: at + "/items")
            }
        }
        if let value = o["contains"] { k.contains = try compile(value, at: at + "/contains") }
        k.minContains = try Self.count(o, "minContains", at)
        k.maxContains = try Self.count(o, "maxContains", at)
        k.minItems = try Self.count(o, "minItems", at)
        k.maxItems = try Self.count(o, "maxItems", at)
        if let value = o["uniqueItems"] { k.uniqueItems = try Self.bool(value, "uniqueItems", at) }

        // Strings.
        k.minLength = try Self.count(o, "minLength", at)
        k.maxLength = try Self.count(o, "maxLength", at)
        if let value = o["pattern"] {
            guard case .string(let source) = value else { throw Self.error(at, "'pattern' must be a string") }
            guard let pattern = SchemaPattern(source) else {
                throw Self.error(at, "'pattern' is not a valid regular expression: '\(source)'")
            }
            k.pattern = pattern
        }

        // Numbers. Draft 4 spells exclusive bounds as booleans that modify `minimum`/`maximum`.
        k.minimum = try Self.number(o, "minimum", at)
        k.maximum = try Self.number(o, "maximum", at)
        if case .bool(let exclusive) = o["exclusiveMinimum"] {
            if exclusive { (k.exclusiveMinimum, k.minimum) = (k.minimum, nil) }
        } else {
            k.exclusiveMinimum = try Self.number(o, "exclusiveMinimum", at)
        }
        if case .bool(let exclusive) = o["exclusiveMaximum"] {
            if exclusive { (k.exclusiveMaximum, k.maximum) = (k.maximum, nil) }
        } else {
            k.exclusiveMaximum = try Self.number(o, "exclusiveMaximum", at)
        }
        k.multipleOf = try Self.number(o, "multipleOf", at)
        if let divisor = k.multipleOf, divisor.asDouble <= 0 {
            throw Self.error(at, "'multipleOf' must be greater than 0")
        }
    }

    // MARK: - $ref

    private mutating func resolve(_ ref: String, from location: String) throws(JSONSchemaError) -> Int {
        var fragment: Substring
        if ref.hasPrefix("#") {
            fragment = ref.dropFirst()
        } else if let id = rootID, ref.hasPrefix(id), case let rest = ref.dropFirst(id.count), rest.isEmpty || rest.hasPrefix("#") {
            fragment = rest.dropFirst(rest.isEmpty ? 0 : 1)  // the schema's own $id names its root
        } else {
            throw Self.error(location, "'$ref' '\(ref)' is not supported: only references within the schema ('#', '#/$defs/…') are")
        }
        guard let decoded = String(fragment).removingPercentEncoding else {
            throw Self.error(location, "'$ref' '\(ref)' is not a valid URI fragment")
        }
        fragment = Substring(decoded)
        if fragment.isEmpty { return try compile(root, at: "#") }
        guard fragment.hasPrefix("/") else {
            throw Self.error(location, "'$ref' '\(ref)' uses an anchor; only JSON Pointer references ('#/$defs/…') are supported")
        }

        var target = root
        var canonical = "#"
        for raw in fragment.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let token = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch target {
            case .object(let fields) where fields[token] != nil:
                target = fields[token]!
            case .array(let elements) where Int(token).map(elements.indices.contains) == true:
                target = elements[Int(token)!]
            default:
                throw Self.error(location, "'$ref' '\(ref)' does not point to anything in the schema")
            }
            canonical += "/" + Self.escape(token)
        }
        switch target {
        case .object, .bool: return try compile(target, at: canonical)
        default: throw Self.error(location, "'$ref' '\(ref)' points to \(Self.kind(target)), not a schema")
        }
    }

    /// A `$ref`/`allOf`/`anyOf`/… chain that comes back to where it started without stepping into a
    /// property or item would evaluate forever, whatever the instance; such a schema is meaningless.
    private func rejectInPlaceLoops() throws(JSONSchemaError) {
        let edges = specs.map { $0!.inPlaceSubschemas }
        var state = [UInt8](repeating: 0, count: specs.count)  // 0 unseen, 1 on the stack, 2 done
        for start in specs.indices where state[start] == 0 {
            var stack: [(node: Int, next: Int)] = [(start, 0)]
            state[start] = 1
            while let top = stack.last {
                let successors = edges[top.node]
                guard top.next < successors.count else {
                    state[top.node] = 2
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let next = successors[top.next]
                if state[next] == 1 {
                    let from = stack.firstIndex(where: { $0.node == next })!
                    let loop = (stack[from...].map(\.node) + [next]).map { specs[$0]!.location }
                    throw Self.error(
                        loop[0], "it refers back to itself (\(loop.joined(separator: " → "))) without descending into the instance")
                }
                if state[next] == 0 {
                    state[next] = 1
                    stack.append((next, 0))
                }
            }
        }
    }

    // MARK: - Keyword values

    private mutating func schemaList(_ value: JSONValue, _ keyword: String, _ at: String) throws(JSONSchemaError) -> [Int] {
        guard case .array(let elements) = value, !elements.isEmpty else {
            throw Self.error(at, "'\(keyword)' must be a non-empty array of schemas")
        }
        var out: [Int] = []
        for (i, element) in elements.enumerated() {
            out.append(try compile(element, at: "\(at)/\(keyword)/\(i)"))
        }
        return out
    }

    /// An object of named schemas, sorted by name.
    private mutating func schemaMap(
        _ value: JSONValue, _ keyword: String, _ at: String
    ) throws(JSONSchemaError) -> [(name: String, schema: Int)] {
        guard case .object(let fields) = value else { throw Self.error(at, "'\(keyword)' must be an object of schemas") }
        var out: [(name: String, schema: Int)] = []
        for (name, schema) in fields.sorted(by: { $0.key < $1.key }) {
            out.append((name, try compile(schema, at: "\(at)/\(keyword)/\(Self.escape(name))")))
        }
        return out
    }

    private static func types(_ value: JSONValue, _ at: String) throws(JSONSchemaError) -> SchemaTypes {
        let names: [JSONValue]
        switch value {
        case .string: names = [value]
        case .array(let list) where !list.isEmpty: names = list
        default: throw error(at, "'type' must be a type name or a non-empty array of type names")
        }
        var types: SchemaTypes = []
        for name in names {
            guard let string = name.stringValue, let type = SchemaTypes(name: string) else {
                throw error(at, "'type' has unknown type \(name.encodedString); expected one of "
                    + SchemaTypes.named.map { "'\($0.name)'" }.joined(separator: ", "))
            }
            types.insert(type)
        }
        return types
    }

    private static func strings(_ value: JSONValue, _ keyword: String, _ at: String) throws(JSONSchemaError) -> [String] {
        guard case .array(let list) = value else { throw error(at, "'\(keyword)' must be an array of strings") }
        var out: [String] = []
        for element in list {
            guard case .string(let s) = element else { throw error(at, "'\(keyword)' must be an array of strings") }
            out.append(s)
        }
        return out
    }

    private static func bool(_ value: JSONValue, _ keyword: String, _ at: String) throws(JSONSchemaError) -> Bool {
        guard case .bool(let b) = value else { throw error(at, "'\(keyword)' must be true or false") }
        return b
    }

    private static func count(_ o: [String: JSONValue], _ keyword: String, _ at: String) throws(JSONSchemaError) -> Int? {
        guard let value = o[keyword] else { return nil }
        guard let n = value.intValue, n >= 0 else {
            throw error(at, "'\(keyword)' must be a non-negative integer")
        }
        return Int(clamping: n)
    }

    private static func number(_ o: [String: JSONValue], _ keyword: String, _ at: String) throws(JSONSchemaError) -> SchemaNumber? {
        guard let value = o[keyword] else { return nil }
        guard let n = SchemaNumber(value) else { throw error(at, "'\(keyword)' must be a number") }
        return n
    }

    static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    private static func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    private static func error(_ location: String, _ message: String) -> JSONSchemaError {
        JSONSchemaError(message: "invalid schema at \(location): \(message)")
    }
}
