/// A malformed JSON document: what is wrong and the byte offset where it was found.
public struct JSONError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

/// One top-level member of a JSON object, with the byte range of its value.
public struct JSONField: Sendable, Hashable {
    public var key: String
    public var range: Range<Int>
}

/// Fast, allocation-light JSON reading over UTF-8 bytes.
///
/// The ingest hot path only needs to validate payloads and pick a few envelope fields, so this
/// works on byte ranges and skips values it does not need instead of building a tree.
/// Strict RFC 8259: no NaN/Infinity, no trailing commas, no control characters in strings,
/// valid UTF-8; nesting is limited to ``maxDepth`` so hostile input cannot exhaust the stack.
public enum JSON {
    public static let maxDepth = 256

    public static func validate(_ bytes: [UInt8]) throws(JSONError) {
        try read(bytes) { (c: inout JSONCursor) throws(JSONError) in try c.skipValue(depth: 0) }
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        try read(bytes) { (c: inout JSONCursor) throws(JSONError) in try c.parseValue(depth: 0) }
    }

    public static func parse(_ string: String) throws(JSONError) -> JSONValue {
        try parse(Array(string.utf8))
    }

    /// The members of a top-level object, each value validated but not parsed.
    public static func objectFields(_ bytes: [UInt8]) throws(JSONError) -> [JSONField] {
        try read(bytes) { (c: inout JSONCursor) throws(JSONError) in try c.objectFields() }
    }

    /// The byte ranges of the elements of a top-level array, each validated but not parsed.
    public static func arrayElements(_ bytes: [UInt8]) throws(JSONError) -> [Range<Int>] {
        try read(bytes) { (c: inout JSONCursor) throws(JSONError) in try c.arrayElements() }
    }

    /// The byte range of the value at `path` (a chain of object keys) in an already-valid document.
    public static func valueRange(in bytes: [UInt8], path: [String]) -> Range<Int>? {
        bytes.withUnsafeBufferPointer { buffer -> Range<Int>? in
            var c = JSONCursor(buffer)
            return try? c.find(path: path[...])
        }
    }

    private static func read<T>(
        _ bytes: [UInt8], _ body: (inout JSONCursor) throws(JSONError) -> T
    ) throws(JSONError) -> T {
        let result: Result<T, JSONError> = bytes.withUnsafeBufferPointer { buffer in
            var cursor = JSONCursor(buffer)
            do throws(JSONError) {
                cursor.skipWhitespace()
                let value = try body(&cursor)
                cursor.skipWhitespace()
                guard cursor.index == buffer.count else {
                    return .failure(JSONError(message: "unexpected data after the JSON value", offset: cursor.index))
                }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// A read position in a UTF-8 buffer. Only valid while the buffer is.
struct JSONCursor {
    let buffer: UnsafeBufferPointer<UInt8>
    var index = 0

    init(_ buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

    @inline(__always) var atEnd: Bool { index >= buffer.count }
    @inline(__always) var current: UInt8 { buffer[index] }

    func fail(_ message: String) -> JSONError { JSONError(message: message, offset: index) }

    @inline(__always) mutating func skipWhitespace() {
        while index < buffer.count {
            switch buffer[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(JSONError) {
        skipWhitespace()
        guard !atEnd else { throw fail("unexpected end of JSON, expected \(what)") }
        guard current == byte else { throw fail("expected \(what)") }
        index += 1
    }

    // MARK: skipping (validation only)

    mutating func skipValue(depth: Int) throws(JSONError) {
        skipWhitespace()
        guard !atEnd else { throw fail("unexpected end of JSON, expected a value") }
        switch current {
        case UInt8(ascii: "{"):
            guard depth < JSON.maxDepth else { throw fail("JSON nested deeper than \(JSON.maxDepth) levels") }
            index += 1
            skipWhitespace()
            if !atEnd && current == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipWhitespace()
                guard !atEnd, current == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                try skipString()
                try expect(UInt8(ascii: ":"), "':'")
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard !atEnd else { throw fail("unexpected end of JSON inside an object") }
                if current == UInt8(ascii: ",") { index += 1; continue }
                if current == UInt8(ascii: "}") { index += 1; return }
                throw fail("expected ',' or '}' in an object")
            }
        case UInt8(ascii: "["):
            guard depth < JSON.maxDepth else { throw fail("JSON nested deeper than \(JSON.maxDepth) levels") }
            index += 1
            skipWhitespace()
            if !atEnd && current == UInt8(ascii: "]") { index += 1; return }
            while true {
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard !atEnd else { throw fail("unexpected end of JSON inside an array") }
                if current == UInt8(ascii: ",") { index += 1; continue }
                if current == UInt8(ascii: "]") { index += 1; return }
                throw fail("expected ',' or ']' in an array")
            }
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try numberRange()
        default:
            throw fail("unexpected character '\(Unicode.Scalar(current))'")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= buffer.count else { throw fail("invalid literal") }
        let p = word.utf8Start
        for k in 0..<count where buffer[index + k] != p[k] {
            throw fail("invalid literal")
        }
        index += count
    }

    /// Validates a number and returns its range and whether it is integral.
    mutating func numberRange() throws(JSONError) -> (Range<Int>, Bool) {
        let start = index
        var integral = true
        if current == UInt8(ascii: "-") { index += 1 }
        guard !atEnd, isDigit(current) else { throw fail("invalid number") }
        if current == UInt8(ascii: "0") {
            index += 1
        } else {
            while !atEnd && isDigit(current) { index += 1 }
        }
        if !atEnd && current == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard !atEnd, isDigit(current) else { throw fail("invalid number: digits expected after '.'") }
            while !atEnd && isDigit(current) { index += 1 }
        }
        if !atEnd && (current == UInt8(ascii: "e") || current == UInt8(ascii: "E")) {
            integral = false
            index += 1
            if !atEnd && (current == UInt8(ascii: "+") || current == UInt8(ascii: "-")) { index += 1 }
            guard !atEnd, isDigit(current) else { throw fail("invalid number: digits expected in exponent") }
            while !atEnd && isDigit(current) { index += 1 }
        }
        return (start..<index, integral)
    }

    @inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// Skips a string starting at the opening quote; validates escapes and UTF-8.
    /// Returns true when the string contained escapes.
    @discardableResult
    mutating func skipString() throws(JSONError) -> Bool {
        index += 1  // opening quote
        var escaped = false
        while index < buffer.count {
            let b = buffer[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return escaped
            } else if b == UInt8(ascii: "\\") {
                escaped = true
                index += 1
                guard !atEnd else { break }
                switch current {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    guard index + 4 < buffer.count else { throw fail("truncated \\u escape") }
                    for k in 1...4 where hexValue(buffer[index + k]) == nil {
                        throw fail("invalid \\u escape")
                    }
                    index += 5
                default:
                    throw fail("invalid escape sequence")
                }
            } else if b < 0x20 {
                throw fail("control character in string")
            } else if b < 0x80 {
                index += 1
            } else {
                try skipUTF8Scalar()
            }
        }
        throw fail("unterminated string")
    }

    /// Validates one multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF).
    mutating func skipUTF8Scalar() throws(JSONError) {
        let b0 = buffer[index]
        func cont(_ k: Int) -> UInt8? {
            guard index + k < buffer.count else { return nil }
            let b = buffer[index + k]
            return b & 0xC0 == 0x80 ? b : nil
        }
        switch b0 {
        case 0xC2...0xDF:
            guard cont(1) != nil else { throw fail("invalid UTF-8") }
            index += 2
        case 0xE0...0xEF:
            guard let b1 = cont(1), cont(2) != nil else { throw fail("invalid UTF-8") }
            if b0 == 0xE0 && b1 < 0xA0 { throw fail("invalid UTF-8 (overlong)") }
            if b0 == 0xED && b1 >= 0xA0 { throw fail("invalid UTF-8 (surrogate)") }
            index += 3
        case 0xF0...0xF4:
            guard let b1 = cont(1), cont(2) != nil, cont(3) != nil else { throw fail("invalid UTF-8") }
            if b0 == 0xF0 && b1 < 0x90 { throw fail("invalid UTF-8 (overlong)") }
            if b0 == 0xF4 && b1 >= 0x90 { throw fail("invalid UTF-8 (above U+10FFFF)") }
            index += 4
        default:
            throw fail("invalid UTF-8")
        }
    }

    @inline(__always) func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case 0x30...0x39: return UInt32(b - 0x30)
        case 0x41...0x46: return UInt32(b - 0x41 + 10)
        case 0x61...0x66: return UInt32(b - 0x61 + 10)
        default: return nil
        }
    }

    // MARK: decoding

    /// Reads a string value starting at the opening quote.
    mutating func parseString() throws(JSONError) -> String {
        let start = index + 1
        let hadEscapes = try skipString()
        let end = index - 1
        let slice = UnsafeBufferPointer(rebasing: buffer[start..<end])
        if !hadEscapes {
            return String(decoding: slice, as: UTF8.self)
        }
        return decodeEscaped(slice)
    }

    /// Decodes a validated string body containing escapes.
    func decodeEscaped(_ body: UnsafeBufferPointer<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(body.count)
        var i = 0
        func hex4(_ at: Int) -> UInt32 {
            var v: UInt32 = 0
            for k in 0..<4 { v = v << 4 | (hexValue(body[at + k]) ?? 0) }
            return v
        }
        func append(scalar: UInt32) {
            let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(s)).utf8))
        }
        while i < body.count {
            let b = body[i]
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                i += 1
                continue
            }
            let e = body[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var v = hex4(i)
                i += 4
                if v >= 0xD800 && v < 0xDC00, i + 6 <= body.count, body[i] == UInt8(ascii: "\\"),
                    body[i + 1] == UInt8(ascii: "u")
                {
                    let low = hex4(i + 2)
                    if low >= 0xDC00 && low < 0xE000 {
                        v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                append(scalar: v)
            default: out.append(e)  // \" \\ \/
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
        skipWhitespace()
        guard !atEnd else { throw fail("unexpected end of JSON, expected a value") }
        switch current {
        case UInt8(ascii: "{"):
            guard depth < JSON.maxDepth else { throw fail("JSON nested deeper than \(JSON.maxDepth) levels") }
            index += 1
            var object: [String: JSONValue] = [:]
            skipWhitespace()
            if !atEnd && current == UInt8(ascii: "}") { index += 1; return .object(object) }
            while true {
                skipWhitespace()
                guard !atEnd, current == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let key = try parseString()
                try expect(UInt8(ascii: ":"), "':'")
                object[key] = try parseValue(depth: depth + 1)
                skipWhitespace()
                guard !atEnd else { throw fail("unexpected end of JSON inside an object") }
                if current == UInt8(ascii: ",") { index += 1; continue }
                if current == UInt8(ascii: "}") { index += 1; return .object(object) }
                throw fail("expected ',' or '}' in an object")
            }
        case UInt8(ascii: "["):
            guard depth < JSON.maxDepth else { throw fail("JSON nested deeper than \(JSON.maxDepth) levels") }
            index += 1
            var array: [JSONValue] = []
            skipWhitespace()
            if !atEnd && current == UInt8(ascii: "]") { index += 1; return .array(array) }
            while true {
                array.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard !atEnd else { throw fail("unexpected end of JSON inside an array") }
                if current == UInt8(ascii: ",") { index += 1; continue }
                if current == UInt8(ascii: "]") { index += 1; return .array(array) }
                throw fail("expected ',' or ']' in an array")
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let (range, integral) = try numberRange()
            return number(range, integral: integral)
        default:
            throw fail("unexpected character '\(Unicode.Scalar(current))'")
        }
    }

    func number(_ range: Range<Int>, integral: Bool) -> JSONValue {
        if integral && range.count <= 18 {
            var value: Int64 = 0
            var i = range.lowerBound
            let negative = buffer[i] == UInt8(ascii: "-")
            if negative { i += 1 }
            while i < range.upperBound {
                value = value * 10 + Int64(buffer[i] - 0x30)
                i += 1
            }
            return .int(negative ? -value : value)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
        if integral, let i = Int64(text) { return .int(i) }
        return .double(Double(text) ?? 0)
    }

    // MARK: object navigation

    mutating func objectFields() throws(JSONError) -> [JSONField] {
        guard !atEnd, current == UInt8(ascii: "{") else { throw fail("expected a JSON object") }
        index += 1
        var fields: [JSONField] = []
        skipWhitespace()
        if !atEnd && current == UInt8(ascii: "}") { index += 1; return fields }
        while true {
            skipWhitespace()
            guard !atEnd, current == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try parseString()
            try expect(UInt8(ascii: ":"), "':'")
            skipWhitespace()
            let start = index
            try skipValue(depth: 1)
            fields.append(JSONField(key: key, range: start..<index))
            skipWhitespace()
            guard !atEnd else { throw fail("unexpected end of JSON inside an object") }
            if current == UInt8(ascii: ",") { index += 1; continue }
            if current == UInt8(ascii: "}") { index += 1; return fields }
            throw fail("expected ',' or '}' in an object")
        }
    }

    mutating func arrayElements() throws(JSONError) -> [Range<Int>] {
        guard !atEnd, current == UInt8(ascii: "[") else { throw fail("expected a JSON array") }
        index += 1
        var elements: [Range<Int>] = []
        skipWhitespace()
        if !atEnd && current == UInt8(ascii: "]") { index += 1; return elements }
        while true {
            skipWhitespace()
            let start = index
            try skipValue(depth: 1)
            elements.append(start..<index)
            skipWhitespace()
            guard !atEnd else { throw fail("unexpected end of JSON inside an array") }
            if current == UInt8(ascii: ",") { index += 1; continue }
            if current == UInt8(ascii: "]") { index += 1; return elements }
            throw fail("expected ',' or ']' in an array")
        }
    }

    /// Finds the value at `path`; the last matching key wins, as in a parse.
    mutating func find(path: ArraySlice<String>) throws(JSONError) -> Range<Int>? {
        skipWhitespace()
        guard let key = path.first else {
            let start = index
            try skipValue(depth: 0)
            return start..<index
        }
        guard !atEnd, current == UInt8(ascii: "{") else { return nil }
        index += 1
        var found: Range<Int>?
        skipWhitespace()
        if !atEnd && current == UInt8(ascii: "}") { return nil }
        while true {
            skipWhitespace()
            guard !atEnd, current == UInt8(ascii: "\"") else { return found }
            let name = try parseString()
            try expect(UInt8(ascii: ":"), "':'")
            skipWhitespace()
            if name == key {
                var inner = self
                if let r = try inner.find(path: path.dropFirst()) { found = r }
            }
            try skipValue(depth: 1)
            skipWhitespace()
            guard !atEnd else { return found }
            if current == UInt8(ascii: ",") { index += 1; continue }
            return found
        }
    }
}
