/// A parsed JSON value.
///
/// Used for the small, structured parts of the wire format (metadata, feedback values, configs).
/// Large payloads (inputs, outputs) stay as ``RawJSON`` bytes and are never parsed into this.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// Numbers (and booleans, as 0/1) as a Double; nil for anything else.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// Integral numbers as Int64 (doubles only when they are whole); nil otherwise.
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int64(d)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Compact UTF-8 JSON encoding (object keys sorted, for stable output).
    public var encoded: [UInt8] {
        var writer = JSONWriter()
        writer.value(self)
        return writer.bytes
    }

    public var encodedString: String { String(decoding: encoded, as: UTF8.self) }

    /// JSON equality as filters and metadata lookups use it: numbers by value at every depth
    /// (`1` equals `1.0`), objects by key set and members (order-free), arrays element by element.
    public func jsonEquals(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { value.jsonEquals($0) } ?? false }
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.jsonEquals($1) }
        default:
            if let a = numericValue, let b = other.numericValue { return a == b }
            return self == other
        }
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// Whether this object has every key of `wanted` with a `jsonEquals` value.
    public func containsAll(_ wanted: [String: JSONValue]) -> Bool {
        wanted.allSatisfy { key, value in self[key].map { $0.jsonEquals(value) } ?? false }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? container.decode(Double.self) {
            self = .double(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .int(let i): try container.encode(i)
        case .double(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }
}

/// A JSON document kept as the exact UTF-8 bytes it arrived as (already validated).
public struct RawJSON: Sendable, Hashable {
    public let bytes: [UInt8]

    /// Wraps bytes the caller has already validated.
    public init(validated bytes: [UInt8]) { self.bytes = bytes }

    /// Validates and wraps.
    public init(validating bytes: [UInt8]) throws(JSONError) {
        try JSON.validate(bytes)
        self.bytes = bytes
    }

    public init(_ value: JSONValue) { self.bytes = value.encoded }

    public func parsed() throws(JSONError) -> JSONValue { try JSON.parse(bytes) }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// The raw bytes of the value at `path` (object keys), if present.
    public func raw(at path: String...) -> RawJSON? {
        guard let range = JSON.valueRange(in: bytes, path: path) else { return nil }
        return RawJSON(validated: Array(bytes[range]))
    }

    /// Parses only the value at `path`.
    public func value(at path: String...) -> JSONValue? {
        guard let range = JSON.valueRange(in: bytes, path: path) else { return nil }
        return try? JSON.parse(Array(bytes[range]))
    }

    public var isNull: Bool { bytes == Array("null".utf8) }
    public var isEmptyObject: Bool {
        (try? JSON.parse(bytes)) == .object([:])
    }
}
