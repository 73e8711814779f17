import Foundation
import Testing
@testable import AnvilCore

private func utf8(_ s: String) -> [UInt8] { Array(s.utf8) }

/// The text of `range` in `bytes`.
private func slice(_ bytes: [UInt8], _ range: Range<Int>) -> String {
    String(decoding: bytes[range], as: UTF8.self)
}

/// A document and the value it must parse to.
struct JSONParseCase: Sendable, CustomTestStringConvertible {
    var text: String
    var value: JSONValue
    init(_ text: String, _ value: JSONValue) {
        self.text = text
        self.value = value
    }
    var testDescription: String { text }
}

/// Bytes that must be rejected, and why.
struct JSONRejectCase: Sendable, CustomTestStringConvertible {
    var bytes: [UInt8]
    var why: String
    init(_ text: String, _ why: String) {
        bytes = Array(text.utf8)
        self.why = why
    }
    init(bytes: [UInt8], _ why: String) {
        self.bytes = bytes
        self.why = why
    }
    var testDescription: String { why }
}

// MARK: - Accepting and rejecting documents

@Suite("JSON: RFC 8259 documents")
struct JSONGrammarTests {
    static let accepted: [JSONParseCase] = [
        JSONParseCase("null", .null),
        JSONParseCase("true", .bool(true)),
        JSONParseCase("false", .bool(false)),
        JSONParseCase("0", .int(0)),
        JSONParseCase("-0", .int(0)),
        JSONParseCase("7", .int(7)),
        JSONParseCase("-123", .int(-123)),
        JSONParseCase("1.5", .double(1.5)),
        JSONParseCase("-0.25", .double(-0.25)),
        JSONParseCase("0.0", .double(0)),
        JSONParseCase("1e2", .double(100)),
        JSONParseCase("1E2", .double(100)),
        JSONParseCase("1e+2", .double(100)),
        JSONParseCase("1e-2", .double(0.01)),
        JSONParseCase("-1.5E+3", .double(-1500)),
        JSONParseCase("0e0", .double(0)),
        JSONParseCase("1e007", .double(1e7)),
        JSONParseCase(#""""#, .string("")),
        JSONParseCase(#""abc""#, .string("abc")),
        JSONParseCase(#""h\u00e9llo""#, .string("héllo")),
        JSONParseCase(#""\u00E9\u00e9""#, .string("éé")),
        JSONParseCase(#""\"\\\/\b\f\n\r\t""#, .string("\"\\/\u{8}\u{c}\n\r\t")),
        JSONParseCase(#""\u0000""#, .string("\u{0}")),
        JSONParseCase(#""a\ud83d\ude00b""#, .string("a😀b")),
        JSONParseCase(#""\uD83D\uDE00""#, .string("😀")),
        JSONParseCase(#""\udbff\udfff""#, .string("\u{10FFFF}")),
        JSONParseCase("\"héllo ✓ 😀\"", .string("héllo ✓ 😀")),
        JSONParseCase("\"\u{7F}\"", .string("\u{7F}")),
        JSONParseCase("\"\u{80}\u{7FF}\u{800}\u{D7FF}\u{E000}\u{FFFF}\u{10000}\u{10FFFF}\"",
                      .string("\u{80}\u{7FF}\u{800}\u{D7FF}\u{E000}\u{FFFF}\u{10000}\u{10FFFF}")),
        JSONParseCase("[]", .array([])),
        JSONParseCase("{}", .object([:])),
        JSONParseCase("[1,[2,[3,[]]]]", [1, [2, [3, []]]]),
        JSONParseCase(#"{"a":{"b":{"c":null}}}"#, ["a": ["b": ["c": nil]]]),
        JSONParseCase(#"{"a":1,"a":2}"#, ["a": 2]),
        JSONParseCase(#"{"\u0061":1}"#, ["a": 1]),
        JSONParseCase(" \t\r\n[ 1 ,\n\t2 ] \r\n", [1, 2]),
        JSONParseCase(#"{ "k" : [ true , false , null ] , "n" : -1.0 }"#, ["k": [true, false, nil], "n": .double(-1)]),
        JSONParseCase(#"["a","b"]"#, ["a", "b"]),
    ]

    @Test("validate and parse accept", arguments: accepted)
    func accepts(_ c: JSONParseCase) throws {
        try JSON.validate(utf8(c.text))
        #expect(try JSON.parse(c.text) == c.value)
        #expect(try JSON.parse(utf8(c.text)) == c.value)
    }

    static let rejected: [JSONRejectCase] = [
        JSONRejectCase("", "empty document"),
        JSONRejectCase(" \n ", "only whitespace"),
        JSONRejectCase("[1,]", "trailing comma in array"),
        JSONRejectCase(#"{"a":1,}"#, "trailing comma in object"),
        JSONRejectCase("[,1]", "leading comma"),
        JSONRejectCase("[1,,2]", "double comma"),
        JSONRejectCase("{,}", "comma in empty object"),
        JSONRejectCase("NaN", "NaN"),
        JSONRejectCase("[nan]", "lowercase nan"),
        JSONRejectCase("Infinity", "Infinity"),
        JSONRejectCase("-Infinity", "-Infinity"),
        JSONRejectCase("+1", "leading plus"),
        JSONRejectCase("01", "leading zero"),
        JSONRejectCase("-01", "negative leading zero"),
        JSONRejectCase("[00]", "double zero"),
        JSONRejectCase("1.", "no digits after the point"),
        JSONRejectCase(".5", "no digits before the point"),
        JSONRejectCase("1e", "empty exponent"),
        JSONRejectCase("1e+", "signed empty exponent"),
        JSONRejectCase("1.e3", "point then exponent"),
        JSONRejectCase("-", "lone minus"),
        JSONRejectCase("--1", "double minus"),
        JSONRejectCase("0x10", "hex number"),
        JSONRejectCase("1.2.3", "two points"),
        JSONRejectCase("tru", "truncated true"),
        JSONRejectCase("True", "capitalised literal"),
        JSONRejectCase("nul", "truncated null"),
        JSONRejectCase("nulll", "null with trailing letter"),
        JSONRejectCase("[1 2]", "missing comma"),
        JSONRejectCase(#"{"a" 1}"#, "missing colon"),
        JSONRejectCase(#"{"a":}"#, "missing value"),
        JSONRejectCase("{a:1}", "unquoted key"),
        JSONRejectCase("{1:1}", "number key"),
        JSONRejectCase("{'a':1}", "single-quoted key"),
        JSONRejectCase("'a'", "single-quoted string"),
        JSONRejectCase(#""abc"#, "unterminated string"),
        JSONRejectCase(#""\"#, "unterminated escape"),
        JSONRejectCase(#""\x41""#, "unknown escape"),
        JSONRejectCase(#""\a""#, "bell escape"),
        JSONRejectCase(#""\u12""#, "short unicode escape"),
        JSONRejectCase(#""\u12G4""#, "non-hex unicode escape"),
        JSONRejectCase(#""\U1234""#, "capital U escape"),
        JSONRejectCase("\"a\tb\"", "raw tab in a string"),
        JSONRejectCase("\"a\nb\"", "raw newline in a string"),
        JSONRejectCase("\"\u{0}\"", "raw NUL in a string"),
        JSONRejectCase("\"\u{1F}\"", "raw unit separator in a string"),
        JSONRejectCase("[1]]", "extra close bracket"),
        JSONRejectCase("{}}", "extra close brace"),
        JSONRejectCase("1 2", "two values"),
        JSONRejectCase("[", "open array"),
        JSONRejectCase("{", "open object"),
        JSONRejectCase("]", "close bracket"),
        JSONRejectCase("}", "close brace"),
        JSONRejectCase("[1}", "mismatched brackets"),
        JSONRejectCase("// c\n1", "comment"),
        JSONRejectCase("\u{FEFF}1", "byte order mark"),
        JSONRejectCase("\u{A0}1", "non-breaking space as whitespace"),
        JSONRejectCase("\u{0B}1", "vertical tab as whitespace"),
        JSONRejectCase(bytes: [0x22, 0x80, 0x22], "lone continuation byte"),
        JSONRejectCase(bytes: [0x22, 0xC0, 0xAF, 0x22], "overlong 2-byte C0"),
        JSONRejectCase(bytes: [0x22, 0xC1, 0xBF, 0x22], "overlong 2-byte C1"),
        JSONRejectCase(bytes: [0x22, 0xE0, 0x80, 0xAF, 0x22], "overlong 3-byte"),
        JSONRejectCase(bytes: [0x22, 0xE0, 0x9F, 0xBF, 0x22], "overlong 3-byte U+07FF"),
        JSONRejectCase(bytes: [0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], "overlong 4-byte"),
        JSONRejectCase(bytes: [0x22, 0xF0, 0x8F, 0xBF, 0xBF, 0x22], "overlong 4-byte U+FFFF"),
        JSONRejectCase(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], "encoded surrogate U+D800"),
        JSONRejectCase(bytes: [0x22, 0xED, 0xBF, 0xBF, 0x22], "encoded surrogate U+DFFF"),
        JSONRejectCase(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "U+110000"),
        JSONRejectCase(bytes: [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], "lead byte F5"),
        JSONRejectCase(bytes: [0x22, 0xF8, 0x88, 0x80, 0x80, 0x80, 0x22], "5-byte sequence"),
        JSONRejectCase(bytes: [0x22, 0xFE, 0x22], "byte FE"),
        JSONRejectCase(bytes: [0x22, 0xFF, 0x22], "byte FF"),
        JSONRejectCase(bytes: [0x22, 0xC3, 0x22], "truncated 2-byte sequence"),
        JSONRejectCase(bytes: [0x22, 0xE2, 0x82, 0x22], "truncated 3-byte sequence"),
        JSONRejectCase(bytes: [0x22, 0xF0, 0x9F, 0x98, 0x22], "truncated 4-byte sequence"),
        JSONRejectCase(bytes: [0x22, 0xC3, 0x28, 0x22], "bad continuation byte"),
        JSONRejectCase(bytes: [0x22, 0xE2, 0x28, 0xA1, 0x22], "bad second byte of 3"),
        JSONRejectCase(bytes: [0x22, 0xC3], "sequence cut by the end"),
        JSONRejectCase(bytes: [0xC3, 0xA9], "non-ASCII outside a string"),
        JSONRejectCase(bytes: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D], "invalid UTF-8 in a key"),
    ]

    @Test("validate and parse reject", arguments: rejected)
    func rejects(_ c: JSONRejectCase) {
        #expect(throws: JSONError.self) { try JSON.validate(c.bytes) }
        #expect(throws: JSONError.self) { try JSON.parse(c.bytes) }
        #expect(throws: JSONError.self) { try RawJSON(validating: c.bytes) }
    }

    struct Located: Sendable, CustomTestStringConvertible {
        var text: String
        var offset: Int
        var message: String
        var testDescription: String { text }
    }

    static let located: [Located] = [
        Located(text: "[1,]", offset: 3, message: "unexpected character ']'"),
        Located(text: #"{"a":1,}"#, offset: 7, message: "expected a string key"),
        Located(text: "01", offset: 1, message: "unexpected data after the JSON value"),
        Located(text: "[1 2]", offset: 3, message: "expected ',' or ']' in an array"),
        Located(text: "\"a\tb\"", offset: 2, message: "control character in string"),
        Located(text: #""\x""#, offset: 2, message: "invalid escape sequence"),
        Located(text: "1.", offset: 2, message: "invalid number: digits expected after '.'"),
        Located(text: "[1,2", offset: 4, message: "unexpected end of JSON inside an array"),
        Located(text: #""abc"#, offset: 4, message: "unterminated string"),
        Located(text: "", offset: 0, message: "unexpected end of JSON, expected a value"),
    ]

    @Test("errors carry the message and byte offset", arguments: located)
    func errorLocation(_ c: Located) {
        #expect(throws: JSONError(message: c.message, offset: c.offset)) { try JSON.validate(utf8(c.text)) }
        #expect(throws: JSONError(message: c.message, offset: c.offset)) { try JSON.parse(c.text) }
        #expect(JSONError(message: c.message, offset: c.offset).description == "\(c.message) at byte \(c.offset)")
    }

    @Test("invalid UTF-8 errors say why")
    func utf8ErrorMessages() {
        #expect(throws: JSONError(message: "invalid UTF-8 (overlong)", offset: 1)) {
            try JSON.validate([0x22, 0xE0, 0x80, 0xAF, 0x22])
        }
        #expect(throws: JSONError(message: "invalid UTF-8 (surrogate)", offset: 1)) {
            try JSON.validate([0x22, 0xED, 0xA0, 0x80, 0x22])
        }
        #expect(throws: JSONError(message: "invalid UTF-8 (above U+10FFFF)", offset: 1)) {
            try JSON.validate([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22])
        }
    }

    /// A document using every construct, none of whose proper prefixes is valid JSON.
    static let everything = #"{"a":[1,-2.5e+3,0,true,false,null,{}],"s":"x\u00e9\ud83d\ude00\n\"é😀","o":{"k":{"z":[]}}, "n" : -0.5E-2}"#

    @Test("a document truncated at every byte throws")
    func truncation() throws {
        let full = utf8(Self.everything)
        try JSON.validate(full)
        for n in 0..<full.count {
            let prefix = Array(full[..<n])
            #expect(throws: JSONError.self, "prefix of \(n) bytes") { try JSON.validate(prefix) }
            #expect(throws: JSONError.self, "prefix of \(n) bytes") { try JSON.parse(prefix) }
            #expect(throws: JSONError.self, "prefix of \(n) bytes") { try JSON.objectFields(prefix) }
        }
    }

    @Test("random mutations: validate and parse agree and never crash")
    func mutations() {
        var rng = SplitMix64(seed: 0x4A53_4F4E)
        let full = utf8(Self.everything)
        let interesting: [UInt8] = Array("{}[]\",:\\-+.eE0123456789tfnu ".utf8) + [0x00, 0x0A, 0x80, 0xC3, 0xED, 0xF4, 0xFF]
        var accepted = 0
        for iteration in 0..<3000 {
            var bytes = full
            for _ in 0...Int.random(in: 0...3, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[i] = interesting.randomElement(using: &rng)!
                case 1: bytes.remove(at: i)
                default: bytes.insert(interesting.randomElement(using: &rng)!, at: i)
                }
                if bytes.isEmpty { bytes = [0x20] }
            }
            let valid = (try? JSON.validate(bytes)) != nil
            let parsed = try? JSON.parse(bytes)
            #expect(valid == (parsed != nil), "iteration \(iteration): \(String(decoding: bytes, as: UTF8.self))")
            if valid { accepted += 1 }
        }
        // Some mutations (a digit for a digit, a space inserted) keep the document valid.
        #expect(accepted > 0)
        #expect(accepted < 3000)
    }
}

// MARK: - Depth

@Suite("JSON: nesting limit")
struct JSONDepthTests {
    static func arrays(_ depth: Int) -> [UInt8] {
        [UInt8](repeating: UInt8(ascii: "["), count: depth) + [UInt8](repeating: UInt8(ascii: "]"), count: depth)
    }

    static func objects(_ depth: Int) -> [UInt8] {
        Array(String(repeating: #"{"a":"#, count: depth).utf8) + [0x31] + [UInt8](repeating: UInt8(ascii: "}"), count: depth)
    }

    @Test("exactly maxDepth levels are accepted")
    func atLimit() throws {
        #expect(JSON.maxDepth == 256)
        try JSON.validate(Self.arrays(256))
        try JSON.validate(Self.objects(256))
        var value = try JSON.parse(Self.arrays(256))
        var depth = 0
        while case .array(let items) = value, let first = items.first {
            value = first
            depth += 1
        }
        #expect(depth == 255)  // 256 arrays: 255 non-empty ones and the innermost empty one
        #expect(value == .array([]))
        #expect(try JSON.objectFields(Self.objects(256)).map(\.key) == ["a"])
        #expect(try JSON.arrayElements(Self.arrays(256)).count == 1)
    }

    @Test("one level more throws at the offending bracket")
    func overLimit() {
        let error = JSONError(message: "JSON nested deeper than 256 levels", offset: 256)
        #expect(throws: error) { try JSON.validate(Self.arrays(257)) }
        #expect(throws: error) { try JSON.parse(Self.arrays(257)) }
        #expect(throws: error) { try JSON.arrayElements(Self.arrays(257)) }
        let objectError = JSONError(message: "JSON nested deeper than 256 levels", offset: 256 * 5)
        #expect(throws: objectError) { try JSON.validate(Self.objects(257)) }
        #expect(throws: objectError) { try JSON.parse(Self.objects(257)) }
        #expect(throws: objectError) { try JSON.objectFields(Self.objects(257)) }
    }

    @Test("hostile nesting throws instead of exhausting the stack")
    func hostile() {
        let open = [UInt8](repeating: UInt8(ascii: "["), count: 200_000)
        #expect(throws: JSONError.self) { try JSON.validate(open) }
        #expect(throws: JSONError.self) { try JSON.parse(open) }
        let deep = Self.objects(100_000)
        #expect(throws: JSONError.self) { try JSON.validate(deep) }
        #expect(throws: JSONError.self) { try JSON.parse(deep) }
        #expect(throws: JSONError.self) { try JSON.objectFields(deep) }
        #expect(JSON.valueRange(in: deep, path: ["a"]) == nil)
    }
}

// MARK: - Navigation

@Suite("JSON: objectFields, arrayElements, valueRange")
struct JSONNavigationTests {
    @Test("objectFields gives each key and the exact range of its value")
    func objectFields() throws {
        let doc = utf8(#"{"a":1,"b":[1,2],"c":{"d":"e"},"e":null}"#)
        let fields = try JSON.objectFields(doc)
        #expect(fields == [
            JSONField(key: "a", range: 5..<6),
            JSONField(key: "b", range: 11..<16),
            JSONField(key: "c", range: 21..<30),
            JSONField(key: "e", range: 35..<39),
        ])
        #expect(fields.map { slice(doc, $0.range) } == ["1", "[1,2]", #"{"d":"e"}"#, "null"])
    }

    @Test("ranges exclude surrounding whitespace; keys are unescaped; duplicates are kept in order")
    func objectFieldsDetails() throws {
        let doc = utf8(" { \"a\\\"b\" : 1 ,\n\"k\":\t\"x\" , \"k\" : [ ] } ")
        let fields = try JSON.objectFields(doc)
        #expect(fields.map(\.key) == ["a\"b", "k", "k"])
        #expect(fields.map { slice(doc, $0.range) } == ["1", "\"x\"", "[ ]"])
        #expect(try JSON.objectFields(utf8("{}")) == [])
        #expect(try JSON.objectFields(utf8(" { } ")) == [])
    }

    @Test("objectFields rejects non-objects and malformed members", arguments: [
        "[1]", "1", #""x""#, "null", #"{"a":[1,}"#, #"{"a":1} x"#, #"{"a":01}"#, #"{"a"}"#, #"{"a":1"#,
    ])
    func objectFieldsRejects(_ text: String) {
        #expect(throws: JSONError.self) { try JSON.objectFields(utf8(text)) }
    }

    @Test("arrayElements gives each element's range")
    func arrayElements() throws {
        let doc = utf8(#"[1, "two" ,{"x":[3]},null , -2.5e1]"#)
        let ranges = try JSON.arrayElements(doc)
        #expect(ranges == [1..<2, 4..<9, 11..<20, 21..<25, 28..<34])
        #expect(ranges.map { slice(doc, $0) } == ["1", #""two""#, #"{"x":[3]}"#, "null", "-2.5e1"])
        #expect(try JSON.arrayElements(utf8("[]")) == [])
        #expect(try JSON.arrayElements(utf8(" [ ] ")) == [])
    }

    @Test("arrayElements rejects non-arrays and malformed elements", arguments: [
        "{}", "1", "[1,]", "[1 2]", "[1", "[1] 2", "[nan]",
    ])
    func arrayElementsRejects(_ text: String) {
        #expect(throws: JSONError.self) { try JSON.arrayElements(utf8(text)) }
    }

    struct PathCase: Sendable, CustomTestStringConvertible {
        var path: [String]
        var expected: String?
        var testDescription: String { path.isEmpty ? "(root)" : path.joined(separator: ".") }
    }

    static let document = #" {"a": 1, "b": {"c": [1, {"d": 2}], "e": {"f": "g"}}, "h": null, "a\u0062": true, "dup": 1, "dup": {"x": 3}, "s": "t"} "#

    static let paths: [PathCase] = [
        PathCase(path: [], expected: String(document.dropFirst().dropLast())),
        PathCase(path: ["a"], expected: "1"),
        PathCase(path: ["b"], expected: #"{"c": [1, {"d": 2}], "e": {"f": "g"}}"#),
        PathCase(path: ["b", "c"], expected: #"[1, {"d": 2}]"#),
        PathCase(path: ["b", "e", "f"], expected: #""g""#),
        PathCase(path: ["h"], expected: "null"),
        PathCase(path: ["ab"], expected: "true"),
        PathCase(path: ["dup"], expected: #"{"x": 3}"#),
        PathCase(path: ["dup", "x"], expected: "3"),
        PathCase(path: ["missing"], expected: nil),
        PathCase(path: ["b", "missing"], expected: nil),
        PathCase(path: ["a", "x"], expected: nil),
        PathCase(path: ["b", "c", "d"], expected: nil),
        PathCase(path: ["s", "t"], expected: nil),
        PathCase(path: ["h", "x"], expected: nil),
    ]

    @Test("valueRange finds the value at a path", arguments: paths)
    func valueRange(_ c: PathCase) {
        let bytes = utf8(Self.document)
        let range = JSON.valueRange(in: bytes, path: c.path)
        #expect(range.map { slice(bytes, $0) } == c.expected)
    }

    @Test("valueRange on non-objects and empty objects")
    func valueRangeEdges() {
        #expect(JSON.valueRange(in: utf8("[1]"), path: ["a"]) == nil)
        #expect(JSON.valueRange(in: utf8("{}"), path: ["a"]) == nil)
        #expect(JSON.valueRange(in: utf8("{ }"), path: ["a"]) == nil)
        #expect(JSON.valueRange(in: utf8("\"a\""), path: ["a"]) == nil)
        #expect(JSON.valueRange(in: utf8("7"), path: []) == 0..<1)
    }
}

// MARK: - Values

@Suite("JSON: strings and numbers")
struct JSONValueDecodingTests {
    /// Lone surrogates in `\u` escapes are accepted (as most parsers do) and decoded as U+FFFD,
    /// since a Swift String cannot hold them.
    @Test("lone and mismatched surrogate escapes decode to U+FFFD", arguments: [
        (#""\ud800""#, "\u{FFFD}"),
        (#""\udc00""#, "\u{FFFD}"),
        (#""\ud800\u0041""#, "\u{FFFD}A"),
        (#""\ud800x""#, "\u{FFFD}x"),
        (#""\ud800\ud800""#, "\u{FFFD}\u{FFFD}"),
        (#""\udc00\ud800""#, "\u{FFFD}\u{FFFD}"),
        (#""\ud83d\ude00\ud83d""#, "😀\u{FFFD}"),
        (#""\ud800\n""#, "\u{FFFD}\n"),
    ])
    func surrogates(_ text: String, _ expected: String) throws {
        try JSON.validate(utf8(text))
        #expect(try JSON.parse(text) == .string(expected))
    }

    @Test("integers", arguments: [
        ("9223372036854775807", JSONValue.int(.max)),
        ("-9223372036854775808", .int(.min)),
        ("999999999999999999", .int(999_999_999_999_999_999)),
        ("-99999999999999999", .int(-99_999_999_999_999_999)),
        ("1000000000000000000", .int(1_000_000_000_000_000_000)),
        ("-1000000000000000000", .int(-1_000_000_000_000_000_000)),
        ("9223372036854775808", .double(9.223372036854775808e18)),
        ("-9223372036854775809", .double(-9.223372036854775809e18)),
        ("123456789012345678901234567890", .double(1.2345678901234568e29)),
    ])
    func integers(_ text: String, _ expected: JSONValue) throws {
        #expect(try JSON.parse(text) == expected)
    }

    @Test("doubles and exponents", arguments: [
        ("0.1", 0.1),
        ("-0.0", -0.0),
        ("1.7976931348623157e308", 1.7976931348623157e308),
        ("5e-324", Double.leastNonzeroMagnitude),
        ("2.5E-3", 0.0025),
        ("1e-400", 0.0),
        ("3.141592653589793", 3.141592653589793),
        ("1.0", 1.0),
        ("100e-2", 1.0),
    ])
    func doubles(_ text: String, _ expected: Double) throws {
        let value = try JSON.parse(text)
        guard case .double(let d) = value else {
            Issue.record("\(text) parsed as \(value), expected a double")
            return
        }
        #expect(d == expected)
        #expect(d.sign == expected.sign)
    }

    /// Out of Double range is valid JSON grammar; it becomes infinity, which the writer emits as null.
    @Test("overflowing exponents become infinity")
    func overflow() throws {
        #expect(try JSON.parse("1e400") == .double(.infinity))
        #expect(try JSON.parse("-1e400") == .double(-.infinity))
        #expect(JSONValue.double(.infinity).encodedString == "null")
    }

    @Test("accessors")
    func accessors() throws {
        let v = try JSON.parse(#"{"s":"x","i":3,"d":2.5,"w":4.0,"b":true,"n":null,"a":[1],"o":{"k":1},"big":1e19}"#)
        #expect(v["s"]?.stringValue == "x")
        #expect(v["i"]?.intValue == 3)
        #expect(v["i"]?.doubleValue == 3)
        #expect(v["d"]?.intValue == nil)
        #expect(v["d"]?.doubleValue == 2.5)
        #expect(v["w"]?.intValue == 4)
        #expect(v["big"]?.intValue == nil)
        #expect(v["b"]?.boolValue == true)
        #expect(v["b"]?.doubleValue == 1)
        #expect(JSONValue.bool(false).doubleValue == 0)
        #expect(v["b"]?.intValue == nil)
        #expect(v["n"]?.isNull == true)
        #expect(v["s"]?.isNull == false)
        #expect(v["a"]?.arrayValue == [1])
        #expect(v["o"]?.objectValue == ["k": 1])
        #expect(v["missing"] == nil)
        #expect(v["s"]?["x"] == nil)
        #expect(v["s"]?.doubleValue == nil)
        #expect(v["a"]?.stringValue == nil)
    }

    @Test("Codable round trip through Foundation")
    func codable() throws {
        let value: JSONValue = ["s": "x", "i": 3, "d": 2.5, "b": true, "n": nil, "a": [1, "two", [false]], "o": ["k": -1]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
        #expect(try JSON.parse(Array(data)) == value)
    }
}

// MARK: - Writer

@Suite("JSONWriter")
struct JSONWriterTests {
    @Test("escapes quotes, backslashes and every control character")
    func escaping() throws {
        var controls = ""
        for c in 0..<0x20 { controls.unicodeScalars.append(Unicode.Scalar(UInt8(c))) }
        let encoded = JSONValue.string("\"\\/" + controls + "\u{7F}é😀").encodedString
        let expected = #""\"\\/\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\t\n\u000b\u000c\r\u000e\u000f"#
            + #"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f"#
            + "\u{7F}é😀\""
        #expect(encoded == expected)
        #expect(try JSON.parse(encoded) == .string("\"\\/" + controls + "\u{7F}é😀"))
    }

    @Test("keys are escaped and sorted")
    func keys() {
        let value: JSONValue = ["b": 1, "a\"\n": 2, "A": 3, "é": 4]
        #expect(value.encodedString == #"{"A":3,"a\"\n":2,"b":1,"é":4}"#)
    }

    @Test("numbers", arguments: [
        (JSONValue.int(0), "0"),
        (.int(.max), "9223372036854775807"),
        (.int(.min), "-9223372036854775808"),
        (.double(1), "1.0"),
        (.double(-2), "-2.0"),
        (.double(0.5), "0.5"),
        (.double(999_999_999_999_999), "999999999999999.0"),
        (.double(1e15), "1000000000000000.0"),
        (.double(1e16), "1e+16"),
        (.double(1e20), "1e+20"),
        (.double(1.5e-7), "1.5e-07"),
        (.double(0.1), "0.1"),
        (.double(.nan), "null"),
        (.double(-.infinity), "null"),
    ])
    func numbers(_ value: JSONValue, _ expected: String) {
        #expect(value.encodedString == expected)
    }

    @Test("the streaming API places commas and splices raw JSON")
    func streaming() throws {
        var w = JSONWriter()
        w.beginObject()
        w.key("a")
        w.beginArray()
        w.int(1)
        w.int(Int64(2))
        w.beginObject()
        w.key("b")
        w.null()
        w.endObject()
        w.endArray()
        w.key("c")
        w.string("x")
        w.key("d")
        w.raw(Array(#"{"pre": [1, 2]}"#.utf8))
        w.key("e")
        w.raw(nil)
        w.key("f")
        w.string(nil)
        w.key("g")
        w.int(nil)
        w.key("h")
        w.double(2.5)
        w.key("i")
        w.bool(false)
        w.key("j")
        w.stringArray(["p", "q"])
        w.key("k")
        w.raw(RawJSON(validated: Array("[]".utf8)))
        w.key("l")
        w.value(["z": [nil, true]])
        w.key("m")
        w.double(nil)
        w.key("n")
        w.bool(nil)
        w.endObject()
        let text = String(decoding: w.bytes, as: UTF8.self)
        #expect(text == #"{"a":[1,2,{"b":null}],"c":"x","d":{"pre": [1, 2]},"e":null,"f":null,"g":null,"h":2.5,"i":false,"j":["p","q"],"k":[],"l":{"z":[null,true]},"m":null,"n":null}"#)
        try JSON.validate(w.bytes)
    }

    @Test("top-level sequence of values is comma-separated")
    func sequence() {
        var w = JSONWriter()
        w.beginArray()
        w.beginArray()
        w.endArray()
        w.beginObject()
        w.endObject()
        w.string("s")
        w.endArray()
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"[[],{},"s"]"#)
    }

    static func randomString(_ rng: inout SplitMix64) -> String {
        let pools: [ClosedRange<UInt32>] = [0x00...0x1F, 0x20...0x7E, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF]
        var s = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &rng) {
            let pool = pools.randomElement(using: &rng)!
            let special: [Unicode.Scalar] = ["\"", "\\", "/", "\n", "\u{0}"]
            if Int.random(in: 0..<4, using: &rng) == 0 {
                s.append(special.randomElement(using: &rng)!)
            } else {
                s.append(Unicode.Scalar(UInt32.random(in: pool, using: &rng))!)
            }
        }
        return String(s)
    }

    static func randomValue(_ rng: inout SplitMix64, depth: Int = 0) -> JSONValue {
        let leafOnly = depth >= 5
        switch Int.random(in: 0..<(leafOnly ? 6 : 8), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2:
            let edges: [Int64] = [0, 1, -1, .max, .min, 1 << 53, -(1 << 53) - 1]
            return .int(Bool.random(using: &rng) ? edges.randomElement(using: &rng)! : Int64.random(in: .min ... .max, using: &rng))
        case 3:
            // Any finite double, by bit pattern, plus common shapes.
            var d: Double
            repeat {
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: d = Double(bitPattern: rng.next())
                case 1: d = Double(Int.random(in: -1000...1000, using: &rng)) / 8
                default: d = Double.random(in: -1e6...1e6, using: &rng)
                }
            } while !d.isFinite
            return .double(d)
        case 4, 5: return .string(randomString(&rng))
        case 6:
            return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var o: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &rng) { o[randomString(&rng)] = randomValue(&rng, depth: depth + 1) }
            return .object(o)
        }
    }

    @Test("output of random values re-parses to the same value", arguments: [1, 2, 3, 4] as [UInt64])
    func roundTrip(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        for iteration in 0..<500 {
            let value = Self.randomValue(&rng)
            let bytes = value.encoded
            try JSON.validate(bytes)
            let back = try JSON.parse(bytes)
            #expect(back == value, "seed \(seed) iteration \(iteration): \(value.encodedString)")
            #expect(back.encoded == bytes, "seed \(seed) iteration \(iteration): encoding is not stable")
        }
    }

    @Test("doubles survive the round trip bit for bit")
    func doubleBits() throws {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<2000 {
            let d = Double(bitPattern: rng.next())
            guard d.isFinite, d != 0 else { continue }
            guard case .double(let back) = try JSON.parse(JSONValue.double(d).encoded) else {
                Issue.record("\(d) did not parse back as a double")
                continue
            }
            #expect(back.bitPattern == d.bitPattern, "\(d)")
        }
    }
}

// MARK: - RawJSON and textForm

@Suite("RawJSON and JSONValue.textForm")
struct RawJSONTests {
    @Test("validating rejects invalid bytes and keeps valid ones verbatim")
    func validating() throws {
        #expect(throws: JSONError.self) { try RawJSON(validating: utf8("{\"a\":}")) }
        let raw = try RawJSON(validating: utf8(#"{ "b": 1,  "a": [2] }"#))
        #expect(raw.string == #"{ "b": 1,  "a": [2] }"#)
        #expect(try raw.parsed() == ["a": [2], "b": 1])
    }

    @Test("helpers")
    func helpers() throws {
        let raw = try RawJSON(validating: utf8(#"{"a": {"b" : [1, 2]}, "n": null, "s": "x"}"#))
        #expect(raw.raw(at: "a")?.string == #"{"b" : [1, 2]}"#)
        #expect(raw.raw(at: "a", "b")?.string == "[1, 2]")
        #expect(raw.raw(at: "n")?.isNull == true)
        #expect(raw.raw(at: "missing") == nil)
        #expect(raw.value(at: "a", "b") == [1, 2])
        #expect(raw.value(at: "s") == "x")
        #expect(raw.value(at: "s", "t") == nil)
        #expect(raw.value(at: "n") == .null)
        #expect(raw.isNull == false)
        #expect(raw.isEmptyObject == false)
        #expect(RawJSON(validated: utf8("null")).isNull)
        #expect(RawJSON(validated: utf8("{}")).isEmptyObject)
        #expect(RawJSON(validated: utf8("{ }")).isEmptyObject)
        #expect(!RawJSON(validated: utf8("[]")).isEmptyObject)
        #expect(RawJSON(["z": 1, "a": "é"]).string == #"{"a":"é","z":1}"#)
        #expect(RawJSON(.null).isNull)
    }

    @Test("textForm", arguments: [
        (JSONValue.string("x y"), "x y"),
        (.string(""), ""),
        (.int(-3), "-3"),
        (.double(2), "2"),
        (.double(-7), "-7"),
        (.double(2.5), "2.5"),
        (.double(1e14), "100000000000000"),
        (.double(1e16), "1e+16"),
        (.bool(true), "true"),
        (.bool(false), "false"),
        (.null, "null"),
        (JSONValue.array([1, "a"]), #"[1,"a"]"#),
        (JSONValue.object(["b": 1, "a": [true]]), #"{"a":[true],"b":1}"#),
    ])
    func textForm(_ value: JSONValue, _ expected: String) {
        #expect(value.textForm == expected)
    }
}
