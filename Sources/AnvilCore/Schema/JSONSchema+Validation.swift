/// Walks an instance against compiled ``SchemaNode``s, collecting violations.
///
/// The compiler guarantees every in-place chain (`$ref`, `allOf`, …) ends, so recursion only goes
/// as deep as the instance; the depth and work limits are a backstop for hostile instances and
/// schemas that branch exponentially. Hitting one fails closed, with a violation saying so.
struct SchemaEvaluator {
    /// Nested subschema evaluations; a JSON.parse'd instance (≤ 256 deep) needs far fewer.
    static let maxDepth = 1024
    /// Subschema evaluations per `validate` call: a large instance needs tens of thousands, an
    /// exponential `anyOf`/`allOf` tower would need billions.
    static let workLimit = 1_000_000

    private struct Found {
        var path: String
        var depth: Int
        var message: String
        /// The instance was simply the wrong type here; `anyOf` uses this to pick the branch that
        /// was meant when explaining a failure.
        var typeMismatch: Bool
    }

    private enum Probe { case valid, typeMismatch, invalid }

    private enum Segment {
        case key(String)
        case index(Int)
    }

    let nodes: [SchemaNode]
    private var limit: Int
    private var found: [Found] = []
    private var path: [Segment] = []
    private var depth = 0
    private var work = 0
    private var aborted: JSONSchemaViolation?

    init(nodes: [SchemaNode], limit: Int) {
        self.nodes = nodes
        self.limit = limit
    }

    mutating func run(_ instance: JSONValue) -> [JSONSchemaViolation] {
        validate(0, instance)
        var out = found.prefix(limit).map { JSONSchemaViolation(path: $0.path, message: $0.message) }
        if let aborted {
            if out.count >= limit { out.removeLast() }
            out.append(aborted)
        }
        return out
    }

    private var stopped: Bool { found.count >= limit || aborted != nil }

    private mutating func validate(_ index: Int, _ instance: JSONValue) {
        guard !stopped else { return }
        work += 1
        guard work <= Self.workLimit else {
            aborted = JSONSchemaViolation(path: "", message: "could not be validated: the schema needs too much work for this value")
            return
        }
        guard depth < Self.maxDepth else {
            aborted = JSONSchemaViolation(path: pointer, message: "is nested too deeply to validate")
            return
        }
        depth += 1
        defer { depth -= 1 }
        let node = nodes[index]
        check(node.keywords, instance)
    }

    private mutating func check(_ k: borrowing SchemaKeywords, _ instance: JSONValue) {
        if let allowed = k.boolean {
            if !allowed { report("is not allowed") }
            return
        }
        if k.nullable, case .null = instance { return }
        if let types = k.types, !types.admits(instance) {
            report("is not of type \((k.nullable ? types.union(.null) : types).quotedNames)", typeMismatch: true)
            return  // the remaining keywords would only restate it
        }
        if let ref = k.ref { validate(ref, instance) }
        if let values = k.enumValues, !values.contains(where: { JSONValue.schemaEqual($0, instance) }) {
            let shown = values.prefix(10).map { Self.brief($0) }.joined(separator: ", ")
            report("is not one of " + shown + (values.count > 10 ? ", …" : ""))
        }
        if let constant = k.constValue, !JSONValue.schemaEqual(constant, instance) {
            report("is not equal to " + Self.brief(constant))
        }

        switch instance {
        case .object(let fields): checkObject(k, fields, instance)
        case .array(let elements): checkArray(k, elements)
        case .string(let string): checkString(k, string)
        case .int, .double: checkNumber(k, SchemaNumber(instance)!)
        case .null, .bool: break
        }

        for schema in k.allOf { validate(schema, instance) }
        if !k.anyOf.isEmpty { checkAnyOf(k.anyOf, instance) }
        if !k.oneOf.isEmpty { checkOneOf(k.oneOf, instance) }
        if let not = k.not, probe(not, instance) == .valid { report("must not match the schema in 'not'") }
        if let condition = k.ifSchema {
            if probe(condition, instance) == .valid {
                if let then = k.thenSchema { validate(then, instance) }
            } else if let otherwise = k.elseSchema {
                validate(otherwise, instance)
            }
        }
    }

    // MARK: - Per type

    private mutating func checkObject(_ k: borrowing SchemaKeywords, _ fields: [String: JSONValue], _ instance: JSONValue) {
        for name in k.required where fields[name] == nil {
            report("is missing required property '\(name)'")
        }
        for (name, requires) in k.dependentRequired where fields[name] != nil {
            for other in requires where fields[other] == nil {
                report("is missing property '\(other)', required when '\(name)' is present")
            }
        }
        if let min = k.minProperties, fields.count < min { report("has fewer than \(Self.plural(min, "property", "properties"))") }
        if let max = k.maxProperties, fields.count > max { report("has more than \(Self.plural(max, "property", "properties"))") }

        for (name, schema) in k.properties {
            guard let value = fields[name] else { continue }
            path.append(.key(name))
            validate(schema, value)
            path.removeLast()
        }
        if !k.patternProperties.isEmpty || k.additionalProperties != nil || k.propertyNames != nil {
            for name in fields.keys.sorted() {
                guard !stopped else { break }
                let value = fields[name]!
                if let names = k.propertyNames, probe(names, .string(name)) != .valid {
                    report("has invalid property name '\(name)'")
                }
                var declared = k.propertyIndex[name] != nil
                for (pattern, schema) in k.patternProperties where pattern.matches(name) {
                    declared = true
                    path.append(.key(name))
                    validate(schema, value)
                    path.removeLast()
                }
                guard !declared, let additional = k.additionalProperties else { continue }
                if nodes[additional].keywords.boolean == false {
                    report("has unexpected property '\(name)'")
                } else {
                    path.append(.key(name))
                    validate(additional, value)
                    path.removeLast()
                }
            }
        }
        for (name, schema) in k.dependentSchemas where fields[name] != nil {
            validate(schema, instance)
        }
    }

    private mutating func checkArray(_ k: borrowing SchemaKeywords, _ elements: [JSONValue]) {
        if let min = k.minItems, elements.count < min { report("has fewer than \(Self.plural(min, "item", "items"))") }
        if let max = k.maxItems, elements.count > max { report("has more than \(Self.plural(max, "item", "items"))") }
        if k.uniqueItems {
            var seen: [JSONValue: Int] = [:]
            for (i, element) in elements.enumerated() {
                let key = element.schemaNormalized
                if let first = seen[key] {
                    report("has non-unique items: \(first) and \(i) are equal")
                    break
                }
                seen[key] = i
            }
        }
        for (i, schema) in zip(elements.indices, k.prefixItems) {
            path.append(.index(i))
            validate(schema, elements[i])
            path.removeLast()
        }
        if let items = k.items, elements.count > k.prefixItems.count {
            for i in k.prefixItems.count..<elements.count {
                guard !stopped else { break }
                path.append(.index(i))
                validate(items, elements[i])
                path.removeLast()
            }
        }
        if let contains = k.contains {
            var matches = 0
            for (i, element) in elements.enumerated() {
                path.append(.index(i))
                if probe(contains, element) == .valid { matches += 1 }
                path.removeLast()
            }
            let min = k.minContains ?? 1
            if matches < min {
                report(min == 1
                    ? "does not contain an item matching the 'contains' schema"
                    : "has fewer than \(Self.plural(min, "item", "items")) matching the 'contains' schema")
            }
            if let max = k.maxContains, matches > max {
                report("has more than \(Self.plural(max, "item", "items")) matching the 'contains' schema")
            }
        }
    }

    private mutating func checkString(_ k: borrowing SchemaKeywords, _ string: String) {
        if k.minLength != nil || k.maxLength != nil {
            let length = string.unicodeScalars.count
            if let min = k.minLength, length < min { report("has fewer than \(Self.plural(min, "character", "characters"))") }
            if let max = k.maxLength, length > max { report("has more than \(Self.plural(max, "character", "characters"))") }
        }
        if let pattern = k.pattern, !pattern.matches(string) {
            report("does not match pattern '\(pattern.source)'")
        }
    }

    private mutating func checkNumber(_ k: borrowing SchemaKeywords, _ number: SchemaNumber) {
        if let min = k.minimum, SchemaNumber.compare(number, min) < 0 {
            report("is less than the minimum of \(min)")
        }
        if let max = k.maximum, SchemaNumber.compare(number, max) > 0 {
            report("is greater than the maximum of \(max)")
        }
        if let min = k.exclusiveMinimum, SchemaNumber.compare(number, min) <= 0 {
            report("is less than or equal to the exclusive minimum of \(min)")
        }
        if let max = k.exclusiveMaximum, SchemaNumber.compare(number, max) >= 0 {
            report("is greater than or equal to the exclusive maximum of \(max)")
        }
        if let divisor = k.multipleOf, !number.isMultiple(of: divisor) {
            report("is not a multiple of \(divisor)")
        }
    }

    // MARK: - Combinators

    private mutating func checkAnyOf(_ branches: [Int], _ instance: JSONValue) {
        var candidates: [Int] = []
        for branch in branches {
            switch probe(branch, instance) {
            case .valid: return
            case .typeMismatch: continue
            case .invalid: candidates.append(branch)
            }
        }
        explainNoMatch("anyOf", branches, candidates, instance)
    }

    private mutating func checkOneOf(_ branches: [Int], _ instance: JSONValue) {
        var candidates: [Int] = []
        var matched: [Int] = []
        for (i, branch) in branches.enumerated() {
            switch probe(branch, instance) {
            case .valid: matched.append(i)
            case .typeMismatch: continue
            case .invalid: candidates.append(branch)
            }
            if matched.count == 2 { break }
        }
        if matched.count > 1 {
            report("matches more than one of the schemas in 'oneOf' (\(matched[0]) and \(matched[1]))")
        } else if matched.isEmpty {
            explainNoMatch("oneOf", branches, candidates, instance)
        }
    }

    /// When only one branch accepts the instance's type (an `Optional[Model]` is `anyOf: [Model,
    /// null]`), that branch is the one meant, and its own violations say what to fix.
    private mutating func explainNoMatch(_ keyword: String, _ branches: [Int], _ candidates: [Int], _ instance: JSONValue) {
        if candidates.count == 1 {
            validate(candidates[0], instance)
        } else if candidates.isEmpty, let types = declaredTypes(of: branches) {
            report("is not of type \(types.quotedNames)", typeMismatch: true)
        } else {
            report("does not match any of the schemas in '\(keyword)'", typeMismatch: candidates.isEmpty)
        }
    }

    /// The union of the types a set of alternatives declares, or nil if any leaves its type open.
    private func declaredTypes(of branches: [Int]) -> SchemaTypes? {
        var union: SchemaTypes = []
        for branch in branches {
            guard let types = declaredTypes(of: branch) else { return nil }
            union.formUnion(types)
        }
        return union
    }

    private func declaredTypes(of index: Int) -> SchemaTypes? {
        let k = nodes[index].keywords
        if let types = k.types { return k.nullable ? types.union(.null) : types }
        if let ref = k.ref { return declaredTypes(of: ref) }  // in-place chains are acyclic
        if !k.anyOf.isEmpty { return declaredTypes(of: k.anyOf) }
        if !k.oneOf.isEmpty { return declaredTypes(of: k.oneOf) }
        return nil
    }

    /// Whether `instance` is valid against a subschema, without reporting anything.
    private mutating func probe(_ index: Int, _ instance: JSONValue) -> Probe {
        let saved = (found, limit)
        found = []
        limit = 1
        validate(index, instance)
        let result: Probe
        if let first = found.first {
            result = first.typeMismatch && first.depth == path.count ? .typeMismatch : .invalid
        } else {
            result = aborted == nil ? .valid : .invalid
        }
        (found, limit) = saved
        return result
    }

    // MARK: - Reporting

    private mutating func report(_ message: String, typeMismatch: Bool = false) {
        guard !stopped else { return }
        found.append(Found(path: pointer, depth: path.count, message: message, typeMismatch: typeMismatch))
    }

    /// The current instance location as a JSON Pointer.
    private var pointer: String {
        var out = ""
        for segment in path {
            switch segment {
            case .key(let key): out += "/" + SchemaCompiler.escape(key)
            case .index(let i): out += "/" + String(i)
            }
        }
        return out
    }

    private static func plural(_ n: Int, _ one: String, _ many: String) -> String {
        "\(n) \(n == 1 ? one : many)"
    }

    /// A value's JSON, shortened for a message.
    private static func brief(_ value: JSONValue) -> String {
        let text = value.encodedString
        return text.count <= 60 ? text : String(text.prefix(57)) + "…"
    }
}
