import Foundation

/// One compiled (sub)schema. Subschemas are indices into ``JSONSchema/nodes``, so `$ref` cycles are
/// just back-edges and the whole schema is a flat, immutable array.
final class SchemaNode: Sendable {
    let keywords: SchemaKeywords
    init(_ keywords: SchemaKeywords) { self.keywords = keywords }
}

/// The validation keywords of one subschema, already type-checked. `nil`/empty means absent.
struct SchemaKeywords: Sendable {
    /// Where this subschema sits in the document ("#/$defs/Message"), for error messages.
    var location: String
    /// `true`/`false` for a boolean schema; nil for an object schema.
    var boolean: Bool?

    var types: SchemaTypes?
    /// OpenAPI's `nullable: true`: null is accepted outright.
    var nullable = false
    var ref: Int?

    var enumValues: [JSONValue]?
    var constValue: JSONValue?

    var allOf: [Int] = []
    var anyOf: [Int] = []
    var oneOf: [Int] = []
    var not: Int?
    var ifSchema: Int?
    var thenSchema: Int?
    var elseSchema: Int?

    // Objects. `properties` is sorted by name so violations come out in a stable order.
    var properties: [(name: String, schema: Int)] = []
    var propertyIndex: [String: Int] = [:]
    var patternProperties: [(pattern: SchemaPattern, schema: Int)] = []
    var additionalProperties: Int?
    var propertyNames: Int?
    var required: [String] = []
    var dependentRequired: [(name: String, requires: [String])] = []
    var dependentSchemas: [(name: String, schema: Int)] = []
    var minProperties: Int?
    var maxProperties: Int?

    // Arrays.
    var prefixItems: [Int] = []
    var items: Int?
    var contains: Int?
    var minContains: Int?
    var maxContains: Int?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false

    // Strings.
    var minLength: Int?
    var maxLength: Int?
    var pattern: SchemaPattern?

    // Numbers.
    var minimum: SchemaNumber?
    var maximum: SchemaNumber?
    var exclusiveMinimum: SchemaNumber?
    var exclusiveMaximum: SchemaNumber?
    var multipleOf: SchemaNumber?

    /// Subschemas applied to the same instance location (not to a child), for `$ref` cycle detection.
    var inPlaceSubschemas: [Int] {
        var out = allOf + anyOf + oneOf + dependentSchemas.map(\.schema)
        for s in [ref, not, ifSchema, thenSchema, elseSchema] { if let s { out.append(s) } }
        return out
    }
}

/// The JSON Schema primitive types, as a bit set.
struct SchemaTypes: OptionSet, Sendable, Hashable {
    let rawValue: UInt8

    static let null = SchemaTypes(rawValue: 1 << 0)
    static let boolean = SchemaTypes(rawValue: 1 << 1)
    static let object = SchemaTypes(rawValue: 1 << 2)
    static let array = SchemaTypes(rawValue: 1 << 3)
    static let number = SchemaTypes(rawValue: 1 << 4)
    static let string = SchemaTypes(rawValue: 1 << 5)
    static let integer = SchemaTypes(rawValue: 1 << 6)

    /// In the order messages list them ("'string' or 'null'").
    static let named: [(name: String, type: SchemaTypes)] = [
        ("string", .string), ("integer", .integer), ("number", .number), ("boolean", .boolean),
        ("object", .object), ("array", .array), ("null", .null),
    ]

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init?(name: String) {
        guard let match = Self.named.first(where: { $0.name == name }) else { return nil }
        self = match.type
    }

    /// Whether a value of this set's types may be `value`; "integer" takes whole doubles too.
    func admits(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return contains(.null)
        case .bool: return contains(.boolean)
        case .object: return contains(.object)
        case .array: return contains(.array)
        case .string: return contains(.string)
        case .int: return contains(.number) || contains(.integer)
        case .double(let d): return contains(.number) || (contains(.integer) && d.isFinite && d.rounded() == d)
        }
    }

    /// "'string'" or "'string' or 'null'".
    var quotedNames: String {
        let names = Self.named.filter { contains($0.type) }.map { "'\($0.name)'" }
        if names.count <= 1 { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
    }
}

/// A schema number, kept as written so integer bounds compare exactly against integer instances.
enum SchemaNumber: Sendable, Hashable, CustomStringConvertible {
    case int(Int64)
    case double(Double)

    init?(_ value: JSONValue) {
        switch value {
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        default: return nil
        }
    }

    var asDouble: Double {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        }
    }

    var description: String {
        switch self {
        case .int(let i): return String(i)
        case .double(let d): return JSONValue.double(d).encodedString
        }
    }

    /// The sign of `a - b`, exact across the integer/double divide.
    static func compare(_ a: SchemaNumber, _ b: SchemaNumber) -> Int {
        switch (a, b) {
        case let (.int(x), .int(y)): return x < y ? -1 : (x > y ? 1 : 0)
        case let (.double(x), .double(y)): return x < y ? -1 : (x > y ? 1 : 0)
        case let (.int(x), .double(y)): return compare(x, y)
        case let (.double(x), .int(y)): return -compare(y, x)
        }
    }

    private static func compare(_ i: Int64, _ d: Double) -> Int {
        if d >= 9_223_372_036_854_775_808.0 { return -1 }
        if d < -9_223_372_036_854_775_808.0 { return 1 }
        let floor = d.rounded(.down)
        let whole = Int64(floor)
        if i != whole { return i < whole ? -1 : 1 }
        return floor == d ? 0 : -1
    }

    /// Whether `self` is a whole multiple of `divisor` (> 0). Integers are exact; doubles allow the
    /// same 1e-9 slack pydantic does, so `0.3` is a multiple of `0.1`.
    func isMultiple(of divisor: SchemaNumber) -> Bool {
        if case .int(let x) = self, case .int(let m) = divisor { return x % m == 0 }
        let quotient = asDouble / divisor.asDouble
        guard quotient.isFinite else { return false }
        return abs(quotient - quotient.rounded()) < 1e-9
    }
}

/// A `pattern` / `patternProperties` regular expression, matched anywhere in the string (unanchored,
/// as ECMA-262 `test` does).
struct SchemaPattern: Sendable {
    let source: String
    let regex: NSRegularExpression

    init?(_ source: String) {
        guard let regex = try? NSRegularExpression(pattern: source) else { return nil }
        self.source = source
        self.regex = regex
    }

    func matches(_ string: String) -> Bool {
        regex.firstMatch(in: string, range: NSRange(string.startIndex..., in: string)) != nil
    }
}

extension JSONValue {
    /// JSON equality: numbers compare by value (`1 == 1.0`), objects ignore key order.
    static func schemaEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int, .int), (.int, .double), (.double, .int), (.double, .double):
            guard let x = SchemaNumber(a), let y = SchemaNumber(b) else { return false }
            return SchemaNumber.compare(x, y) == 0
        case let (.array(x), .array(y)):
            guard x.count == y.count else { return false }
            for (l, r) in zip(x, y) where !schemaEqual(l, r) { return false }
            return true
        case let (.object(x), .object(y)):
            guard x.count == y.count else { return false }
            for (key, l) in x {
                guard let r = y[key], schemaEqual(l, r) else { return false }
            }
            return true
        default:
            return a == b
        }
    }

    /// The same value with whole doubles as integers, so `Hashable` agrees with ``schemaEqual(_:_:)``.
    var schemaNormalized: JSONValue {
        switch self {
        case .double(let d) where d.rounded() == d && d >= -9_223_372_036_854_775_808.0 && d < 9_223_372_036_854_775_808.0:
            return .int(Int64(d))
        case .array(let a): return .array(a.map(\.schemaNormalized))
        case .object(let o): return .object(o.mapValues(\.schemaNormalized))
        default: return self
        }
    }
}
