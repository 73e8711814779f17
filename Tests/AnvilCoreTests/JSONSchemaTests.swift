import Testing
@testable import AnvilCore

private func json(_ text: String) throws -> JSONValue { try JSON.parse(text) }

/// The violations of `instance` against `schema`, as their descriptions ("/a is not of type 'string'").
private func check(_ schema: String, _ instance: String) throws -> [String] {
    try JSONSchema(json(schema)).validate(json(instance)).map(\.description)
}

/// A schema, an instance and exactly the violations it must produce (empty: valid).
struct SchemaCase: Sendable, CustomTestStringConvertible {
    var schema: String
    var instance: String
    var expected: [String]
    init(_ schema: String, _ instance: String, _ expected: [String] = []) {
        self.schema = schema
        self.instance = instance
        self.expected = expected
    }
    var testDescription: String { "\(schema) ⟵ \(instance)" }
}

/// A schema that must be rejected at `init`, with its exact message.
struct SchemaRejectCase: Sendable, CustomTestStringConvertible {
    var schema: String
    var message: String
    init(_ schema: String, _ message: String) {
        self.schema = schema
        self.message = message
    }
    var testDescription: String { schema }
}

@Suite("JSONSchema: keywords")
struct JSONSchemaKeywordTests {
    static let typeCases: [SchemaCase] = [
        SchemaCase(#"{"type":"string"}"#, #""a""#),
        SchemaCase(#"{"type":"string"}"#, "1", ["(root) is not of type 'string'"]),
        SchemaCase(#"{"type":["string","null"]}"#, "null"),
        SchemaCase(#"{"type":["null","string"]}"#, "true", ["(root) is not of type 'string' or 'null'"]),
        SchemaCase(#"{"type":["object","array","integer"]}"#, "1.5", ["(root) is not of type 'integer', 'object' or 'array'"]),
        SchemaCase(#"{"type":"integer"}"#, "3"),
        SchemaCase(#"{"type":"integer"}"#, "3.0"),
        SchemaCase(#"{"type":"integer"}"#, "-1e3"),
        SchemaCase(#"{"type":"integer"}"#, "3.5", ["(root) is not of type 'integer'"]),
        SchemaCase(#"{"type":"integer"}"#, #""3""#, ["(root) is not of type 'integer'"]),
        SchemaCase(#"{"type":"number"}"#, "3.5"),
        SchemaCase(#"{"type":"number"}"#, "3"),
        SchemaCase(#"{"type":"number"}"#, "true", ["(root) is not of type 'number'"]),
        SchemaCase(#"{"type":"boolean"}"#, "false"),
        SchemaCase(#"{"type":"boolean"}"#, "0", ["(root) is not of type 'boolean'"]),
        SchemaCase(#"{"type":"object"}"#, "{}"),
        SchemaCase(#"{"type":"object"}"#, "[]", ["(root) is not of type 'object'"]),
        SchemaCase(#"{"type":"array"}"#, "[]"),
        SchemaCase(#"{"type":"array"}"#, "{}", ["(root) is not of type 'array'"]),
        SchemaCase(#"{"type":"null"}"#, "null"),
        SchemaCase(#"{"type":"null"}"#, "0", ["(root) is not of type 'null'"]),
        // A type failure is the whole story: the string keywords are not restated.
        SchemaCase(#"{"type":"string","minLength":3,"enum":["abc"]}"#, "7", ["(root) is not of type 'string'"]),
        // OpenAPI's nullable.
        SchemaCase(#"{"type":"string","nullable":true}"#, "null"),
        SchemaCase(#"{"type":"string","nullable":true,"enum":["a"]}"#, "null"),
        SchemaCase(#"{"type":"string","nullable":true}"#, "1", ["(root) is not of type 'string' or 'null'"]),
        SchemaCase(#"{"type":"string","nullable":false}"#, "null", ["(root) is not of type 'string'"]),
        // Boolean schemas.
        SchemaCase("true", #"{"anything":[1,2]}"#),
        SchemaCase("{}", "null"),
        SchemaCase("false", "null", ["(root) is not allowed"]),
    ]

    @Test("type, nullable and boolean schemas", arguments: typeCases)
    func types(_ c: SchemaCase) throws {
        #expect(try check(c.schema, c.instance) == c.expected)
    }

    static let objectCases: [SchemaCase] = [
        SchemaCase(#"{"properties":{"a":{"type":"string"}}}"#, #"{"a":"x","b":1}"#),
        SchemaCase(#"{"properties":{"a":{"type":"string"}}}"#, #"{"a":1}"#, ["/a is not of type 'string'"]),
        SchemaCase(#"{"properties":{"b":{"type":"string"},"a":{"type":"string"}}}"#, #"{"a":1,"b":2}"#,
                   ["/a is not of type 'string'", "/b is not of type 'string'"]),
        SchemaCase(#"{"properties":{"a/b":{"type":"string"},"m~n":{"type":"string"}}}"#, #"{"a/b":1,"m~n":2}"#,
                   ["/a~1b is not of type 'string'", "/m~0n is not of type 'string'"]),
        SchemaCase(#"{"properties":{"a":{"type":"string"}}}"#, "[1]"),  // object keywords ignore non-objects
        SchemaCase(#"{"required":["a","b"]}"#, #"{"a":null,"b":0}"#),
        SchemaCase(#"{"required":["a","b","c"]}"#, #"{"b":1}"#,
                   ["(root) is missing required property 'a'", "(root) is missing required property 'c'"]),
        SchemaCase(#"{"required":["a"]}"#, #""not an object""#),
        SchemaCase(#"{"properties":{"a":{}},"additionalProperties":false}"#, #"{"a":1}"#),
        SchemaCase(#"{"properties":{"a":{}},"additionalProperties":false}"#, #"{"a":1,"c":2,"b":3}"#,
                   ["(root) has unexpected property 'b'", "(root) has unexpected property 'c'"]),
        SchemaCase(#"{"additionalProperties":{"type":"integer"}}"#, #"{"x":1,"y":"no"}"#, ["/y is not of type 'integer'"]),
        SchemaCase(#"{"properties":{"x":{"type":"string"}},"additionalProperties":true}"#, #"{"y":"anything"}"#),
        SchemaCase(#"{"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false}"#,
                   #"{"x-a":"ok","x-b":1,"y":1}"#,
                   ["/x-b is not of type 'string'", "(root) has unexpected property 'y'"]),
        SchemaCase(#"{"patternProperties":{"a":{"minimum":0},"b":{"maximum":0}}}"#, #"{"ab":5}"#,
                   ["/ab is greater than the maximum of 0"]),
        SchemaCase(#"{"propertyNames":{"maxLength":3}}"#, #"{"abc":1,"abcd":2}"#, ["(root) has invalid property name 'abcd'"]),
        SchemaCase(#"{"minProperties":2}"#, #"{"a":1}"#, ["(root) has fewer than 2 properties"]),
        SchemaCase(#"{"minProperties":1}"#, #"{}"#, ["(root) has fewer than 1 property"]),
        SchemaCase(#"{"maxProperties":1}"#, #"{"a":1,"b":2}"#, ["(root) has more than 1 property"]),
        SchemaCase(#"{"maxProperties":2}"#, #"{"a":1,"b":2}"#),
        SchemaCase(#"{"dependentRequired":{"card":["billing"]}}"#, #"{"card":1}"#,
                   ["(root) is missing property 'billing', required when 'card' is present"]),
        SchemaCase(#"{"dependentRequired":{"card":["billing"]}}"#, #"{"other":1}"#),
        SchemaCase(#"{"dependencies":{"card":["billing"]}}"#, #"{"card":1}"#,
                   ["(root) is missing property 'billing', required when 'card' is present"]),
        SchemaCase(#"{"dependentSchemas":{"card":{"required":["cvv"]}}}"#, #"{"card":1}"#,
                   ["(root) is missing required property 'cvv'"]),
        SchemaCase(#"{"dependencies":{"card":{"properties":{"cvv":{"type":"string"}}}}}"#, #"{"card":1,"cvv":1}"#,
                   ["/cvv is not of type 'string'"]),
    ]

    @Test("object keywords", arguments: objectCases)
    func objects(_ c: SchemaCase) throws {
        #expect(try check(c.schema, c.instance) == c.expected)
    }

    static let arrayCases: [SchemaCase] = [
        SchemaCase(#"{"items":{"type":"integer"}}"#, "[1,2,3]"),
        SchemaCase(#"{"items":{"type":"integer"}}"#, #"[1,"x",3,null]"#,
                   ["/1 is not of type 'integer'", "/3 is not of type 'integer'"]),
        SchemaCase(#"{"items":{"type":"integer"}}"#, #"{"0":"x"}"#),
        SchemaCase(#"{"prefixItems":[{"type":"string"},{"type":"integer"}]}"#, #"["a",1,true]"#),
        SchemaCase(#"{"prefixItems":[{"type":"string"},{"type":"integer"}]}"#, #"["a"]"#),
        SchemaCase(#"{"prefixItems":[{"type":"string"},{"type":"integer"}]}"#, #"["a","b"]"#, ["/1 is not of type 'integer'"]),
        SchemaCase(#"{"prefixItems":[{"type":"string"}],"items":false}"#, #"["a",1,2]"#, ["/1 is not allowed", "/2 is not allowed"]),
        SchemaCase(#"{"prefixItems":[{"type":"string"}],"items":{"type":"integer"}}"#, #"["a",1,"b"]"#, ["/2 is not of type 'integer'"]),
        // Draft 4–2019: array-form items plus additionalItems.
        SchemaCase(#"{"items":[{"type":"string"}],"additionalItems":{"type":"integer"}}"#, #"["a",1,"b"]"#,
                   ["/2 is not of type 'integer'"]),
        SchemaCase(#"{"items":[{"type":"string"}]}"#, #"[1,"anything"]"#, ["/0 is not of type 'string'"]),
        SchemaCase(#"{"minItems":2}"#, "[1]", ["(root) has fewer than 2 items"]),
        SchemaCase(#"{"minItems":1}"#, "[]", ["(root) has fewer than 1 item"]),
        SchemaCase(#"{"maxItems":1}"#, "[1,2]", ["(root) has more than 1 item"]),
        SchemaCase(#"{"maxItems":2}"#, "[1,2]"),
        SchemaCase(#"{"uniqueItems":true}"#, #"[1,"1",true,null,[1],{"a":1}]"#),
        SchemaCase(#"{"uniqueItems":true}"#, "[1,2,1.0]", ["(root) has non-unique items: 0 and 2 are equal"]),
        SchemaCase(#"{"uniqueItems":true}"#, #"[{"a":1,"b":[2.0]},{"b":[2],"a":1}]"#, ["(root) has non-unique items: 0 and 1 are equal"]),
        SchemaCase(#"{"uniqueItems":false}"#, "[1,1]"),
        SchemaCase(#"{"contains":{"type":"string"}}"#, #"[1,"a"]"#),
        SchemaCase(#"{"contains":{"type":"string"}}"#, "[1,2]", ["(root) does not contain an item matching the 'contains' schema"]),
        SchemaCase(#"{"contains":{"type":"string"},"minContains":2}"#, #"["a",1]"#,
                   ["(root) has fewer than 2 items matching the 'contains' schema"]),
        SchemaCase(#"{"contains":{"type":"string"},"maxContains":1}"#, #"["a","b"]"#,
                   ["(root) has more than 1 item matching the 'contains' schema"]),
        SchemaCase(#"{"contains":{"type":"string"},"minContains":0}"#, "[]"),
    ]

    @Test("array keywords", arguments: arrayCases)
    func arrays(_ c: SchemaCase) throws {
        #expect(try check(c.schema, c.instance) == c.expected)
    }

    static let scalarCases: [SchemaCase] = [
        SchemaCase(#"{"enum":["a","b",1]}"#, #""b""#),
        SchemaCase(#"{"enum":["a","b",1]}"#, "1.0"),
        SchemaCase(#"{"enum":["a","b",1]}"#, #""c""#, [#"(root) is not one of "a", "b", 1"#]),
        SchemaCase(#"{"enum":[null]}"#, "false", ["(root) is not one of null"]),
        SchemaCase(#"{"enum":[[1,{"k":true}]]}"#, #"[1.0,{"k":true}]"#),
        SchemaCase(#"{"enum":[0,1,2,3,4,5,6,7,8,9,10,11]}"#, "12", ["(root) is not one of 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, …"]),
        SchemaCase(#"{"const":{"a":[1,2]}}"#, #"{"a":[1.0,2]}"#),
        SchemaCase(#"{"const":{"a":[1,2]}}"#, #"{"a":[2,1]}"#, [#"(root) is not equal to {"a":[1,2]}"#]),
        SchemaCase(#"{"const":null}"#, "null"),
        SchemaCase(#"{"const":null}"#, "0", ["(root) is not equal to null"]),
        SchemaCase(#"{"const":false}"#, "0", ["(root) is not equal to false"]),
        SchemaCase(#"{"minLength":2}"#, #""ab""#),
        SchemaCase(#"{"minLength":2}"#, #""é""#, ["(root) has fewer than 2 characters"]),
        SchemaCase(#"{"minLength":2}"#, #""👍🏽""#),  // two Unicode scalars, one grapheme
        SchemaCase(#"{"maxLength":1}"#, #""👍🏽""#, ["(root) has more than 1 character"]),
        SchemaCase(#"{"maxLength":3}"#, #""héé""#),
        SchemaCase(#"{"minLength":5}"#, "12"),  // string keywords ignore numbers
        SchemaCase(#"{"pattern":"^[a-z]+$"}"#, #""abc""#),
        SchemaCase(#"{"pattern":"^[a-z]+$"}"#, #""aBc""#, ["(root) does not match pattern '^[a-z]+$'"]),
        SchemaCase(#"{"pattern":"b"}"#, #""abc""#),  // unanchored, as ECMA-262 test()
        SchemaCase(#"{"pattern":"^\\d{3}-\\d{4}$"}"#, #""555-1234""#),
        SchemaCase(#"{"minimum":5}"#, "5"),
        SchemaCase(#"{"minimum":5}"#, "4", ["(root) is less than the minimum of 5"]),
        SchemaCase(#"{"minimum":5}"#, "4.999", ["(root) is less than the minimum of 5"]),
        SchemaCase(#"{"minimum":-1.5}"#, "-1"),
        SchemaCase(#"{"maximum":5.5}"#, "6", ["(root) is greater than the maximum of 5.5"]),
        SchemaCase(#"{"maximum":5.5}"#, "5.5"),
        SchemaCase(#"{"exclusiveMinimum":5}"#, "5", ["(root) is less than or equal to the exclusive minimum of 5"]),
        SchemaCase(#"{"exclusiveMinimum":5}"#, "5.0001"),
        SchemaCase(#"{"exclusiveMaximum":5}"#, "5.0", ["(root) is greater than or equal to the exclusive maximum of 5"]),
        SchemaCase(#"{"exclusiveMaximum":5}"#, "4"),
        // Draft 4's boolean exclusive bounds.
        SchemaCase(#"{"minimum":5,"exclusiveMinimum":true}"#, "5", ["(root) is less than or equal to the exclusive minimum of 5"]),
        SchemaCase(#"{"maximum":5,"exclusiveMaximum":true}"#, "5", ["(root) is greater than or equal to the exclusive maximum of 5"]),
        SchemaCase(#"{"maximum":5,"exclusiveMaximum":false}"#, "5"),
        // Integers compare exactly, even past 2^53 and against double bounds.
        SchemaCase(#"{"maximum":9007199254740992}"#, "9007199254740993", ["(root) is greater than the maximum of 9007199254740992"]),
        SchemaCase(#"{"maximum":9007199254740992.0}"#, "9007199254740993", ["(root) is greater than the maximum of 9007199254740992.0"]),
        SchemaCase(#"{"minimum":-9223372036854775808}"#, "-9223372036854775808"),
        SchemaCase(#"{"maximum":1e300}"#, "9223372036854775807"),
        SchemaCase(#"{"multipleOf":3}"#, "9"),
        SchemaCase(#"{"multipleOf":3}"#, "-9"),
        SchemaCase(#"{"multipleOf":3}"#, "10", ["(root) is not a multiple of 3"]),
        SchemaCase(#"{"multipleOf":0.1}"#, "0.3"),
        SchemaCase(#"{"multipleOf":0.01}"#, "19.99"),
        SchemaCase(#"{"multipleOf":0.1}"#, "0.35", ["(root) is not a multiple of 0.1"]),
        SchemaCase(#"{"multipleOf":1.5}"#, "6"),
        SchemaCase(#"{"multipleOf":2}"#, "4.0"),
        SchemaCase(#"{"multipleOf":1e-300}"#, "1e300", ["(root) is not a multiple of 1e-300"]),
        // Annotations are ignored, whatever they say.
        SchemaCase(#"""
            {"type":"string","title":"T","description":"D","default":1,"examples":[1],"format":"email",
             "$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://example.com/s",
             "deprecated":true,"readOnly":true,"writeOnly":true,"$comment":"c","contentMediaType":"text/plain",
             "discriminator":{"propertyName":"kind"},"x-vendor":{"type":5}}
            """#, #""not an email""#),
    ]

    @Test("enum, const, string and number keywords", arguments: scalarCases)
    func scalars(_ c: SchemaCase) throws {
        #expect(try check(c.schema, c.instance) == c.expected)
    }

    static let combinatorCases: [SchemaCase] = [
        SchemaCase(#"{"allOf":[{"type":"integer"},{"minimum":3}]}"#, "4"),
        SchemaCase(#"{"allOf":[{"type":"integer"},{"minimum":3},{"multipleOf":2}]}"#, "1",
                   ["(root) is less than the minimum of 3", "(root) is not a multiple of 2"]),
        SchemaCase(#"{"anyOf":[{"type":"string"},{"type":"integer"}]}"#, "2"),
        // Every branch wants another type: say which types would do.
        SchemaCase(#"{"anyOf":[{"type":"string"},{"type":"integer"}]}"#, "true", ["(root) is not of type 'string' or 'integer'"]),
        // Only one branch takes a string: its own violation is the useful one.
        SchemaCase(#"{"anyOf":[{"type":"string","minLength":3},{"type":"integer"}]}"#, #""ab""#,
                   ["(root) has fewer than 3 characters"]),
        SchemaCase(#"{"anyOf":[{"minimum":10},{"maximum":2}]}"#, "5", ["(root) does not match any of the schemas in 'anyOf'"]),
        SchemaCase(#"{"anyOf":[{"minimum":10},{"type":"string"}]}"#, "true"),  // minimum says nothing about booleans
        SchemaCase(#"{"anyOf":[{"minimum":10},{"type":"string"}]}"#, "5", ["(root) is less than the minimum of 10"]),
        SchemaCase(#"{"anyOf":[{"minimum":10},{"maximum":2},{"type":"string"}]}"#, "5",
                   ["(root) does not match any of the schemas in 'anyOf'"]),
        SchemaCase(#"{"oneOf":[{"type":"integer"},{"minimum":2}]}"#, "1"),
        SchemaCase(#"{"oneOf":[{"type":"integer"},{"minimum":2}]}"#, "3",
                   ["(root) matches more than one of the schemas in 'oneOf' (0 and 1)"]),
        SchemaCase(#"{"oneOf":[{"type":"integer"},{"minimum":2}]}"#, "1.5", ["(root) is less than the minimum of 2"]),
        SchemaCase(#"{"oneOf":[{"type":"integer"},{"type":"boolean"}]}"#, "null", ["(root) is not of type 'integer' or 'boolean'"]),
        SchemaCase(#"{"not":{"type":"null"}}"#, "0"),
        SchemaCase(#"{"not":{"type":"null"}}"#, "null", ["(root) must not match the schema in 'not'"]),
        SchemaCase(#"{"if":{"properties":{"kind":{"const":"a"}}},"then":{"required":["a"]},"else":{"required":["b"]}}"#,
                   #"{"kind":"a"}"#, ["(root) is missing required property 'a'"]),
        SchemaCase(#"{"if":{"properties":{"kind":{"const":"a"}}},"then":{"required":["a"]},"else":{"required":["b"]}}"#,
                   #"{"kind":"x"}"#, ["(root) is missing required property 'b'"]),
        SchemaCase(#"{"if":{"properties":{"kind":{"const":"a"}}},"then":{"required":["a"]},"else":{"required":["b"]}}"#,
                   #"{"kind":"a","a":1}"#),
        SchemaCase(#"{"then":{"required":["a"]}}"#, "{}"),  // then without if does nothing
    ]

    @Test("allOf, anyOf, oneOf, not, if/then/else", arguments: combinatorCases)
    func combinators(_ c: SchemaCase) throws {
        #expect(try check(c.schema, c.instance) == c.expected)
    }

    static let refCases: [SchemaCase] = [
        SchemaCase(##"{"$defs":{"S":{"type":"string"}},"properties":{"x":{"$ref":"#/$defs/S"}}}"##, #"{"x":1}"#,
                   ["/x is not of type 'string'"]),
        SchemaCase(##"{"definitions":{"S":{"type":"string"}},"items":{"$ref":"#/definitions/S"}}"##, #"["a",2]"#,
                   ["/1 is not of type 'string'"]),
        SchemaCase(##"{"$defs":{"a/b":{"type":"string"}},"$ref":"#/$defs/a~1b"}"##, "1", ["(root) is not of type 'string'"]),
        SchemaCase(##"{"$defs":{"a b":{"type":"string"}},"$ref":"#/$defs/a%20b"}"##, "1", ["(root) is not of type 'string'"]),
        SchemaCase(##"{"properties":{"a":{"type":"string"},"b":{"$ref":"#/properties/a"}}}"##, #"{"b":1}"#,
                   ["/b is not of type 'string'"]),
        SchemaCase(##"{"prefixItems":[{"type":"string"}],"items":{"$ref":"#/prefixItems/0"}}"##, #"["a",2]"#,
                   ["/1 is not of type 'string'"]),
        SchemaCase(#"{"$id":"https://example.com/s.json","$defs":{"A":{"type":"string"}},"$ref":"https://example.com/s.json#/$defs/A"}"#,
                   "1", ["(root) is not of type 'string'"]),
        // 2020-12: $ref applies alongside its siblings.
        SchemaCase(##"{"$ref":"#/$defs/A","required":["b"],"$defs":{"A":{"required":["a"]}}}"##, "{}",
                   ["(root) is missing required property 'a'", "(root) is missing required property 'b'"]),
        SchemaCase(##"{"type":"object","properties":{"next":{"$ref":"#"}}}"##, #"{"next":{"next":{"next":5}}}"#,
                   ["/next/next/next is not of type 'object'"]),
    ]

    @Test("$ref", arguments: refCases)
    func refs(_ c: SchemaCase) throws {
        #expect(try check(c.schema, c.instance) == c.expected)
    }

    @Test("violations are capped, in instance order")
    func cap() throws {
        let schema = try JSONSchema(json(#"{"items":{"type":"string"}}"#))
        let found = schema.validate(.array((0..<100).map { .int($0) }))
        #expect(found.count == JSONSchema.violationLimit)
        #expect(found.first == JSONSchemaViolation(path: "/0", message: "is not of type 'string'"))
        #expect(found.last == JSONSchemaViolation(path: "/49", message: "is not of type 'string'"))
        #expect(!schema.isValid(.array([1])))
        #expect(schema.isValid(.array(["a"])))
    }

    @Test("equal schemas are equal and hash alike; violations describe themselves")
    func identity() throws {
        let a = try JSONSchema(json(#"{"type":"object","required":["a","b"]}"#))
        let b = try JSONSchema(json(#"{ "required" : ["a","b"], "type" : "object" }"#))
        let c = try JSONSchema(json(#"{"type":"object","required":["b","a"]}"#))
        #expect(a == b)
        #expect(Set([a, b, c]).count == 2)
        #expect(JSONSchemaViolation(path: "", message: "is bad").description == "(root) is bad")
        #expect(JSONSchemaViolation(path: "/a/0", message: "is bad").description == "/a/0 is bad")
        #expect(try JSONSchema(true).validate(.null).isEmpty)
        #expect(try JSONSchema(false).validate(.null) == [JSONSchemaViolation(path: "", message: "is not allowed")])
    }
}

@Suite("JSONSchema: real-world schemas")
struct JSONSchemaRealWorldTests {
    /// What pydantic v2's `model_json_schema()` emits for a small model with Optional fields,
    /// nested models, an enum, lists of models and `extra="forbid"`.
    static let pydantic = #"""
        {
          "$defs": {
            "Address": {
              "properties": {
                "street": {"title": "Street", "type": "string"},
                "zip": {"anyOf": [{"pattern": "^[0-9]{5}$", "type": "string"}, {"type": "null"}], "default": null, "title": "Zip"}
              },
              "required": ["street"], "title": "Address", "type": "object"
            },
            "Role": {"enum": ["user", "assistant"], "title": "Role", "type": "string"},
            "Turn": {
              "properties": {"role": {"$ref": "#/$defs/Role"}, "text": {"title": "Text", "type": "string"}},
              "required": ["role", "text"], "title": "Turn", "type": "object"
            }
          },
          "additionalProperties": false,
          "properties": {
            "question": {"minLength": 1, "title": "Question", "type": "string"},
            "address": {"anyOf": [{"$ref": "#/$defs/Address"}, {"type": "null"}], "default": null},
            "history": {"items": {"$ref": "#/$defs/Turn"}, "title": "History", "type": "array"},
            "tags": {"default": [], "items": {"type": "string"}, "title": "Tags", "type": "array", "uniqueItems": true},
            "score": {"anyOf": [{"maximum": 1, "minimum": 0, "type": "number"}, {"type": "null"}], "default": null, "title": "Score"},
            "k": {"default": 4, "exclusiveMinimum": 0, "title": "K", "type": "integer"}
          },
          "required": ["question", "history"],
          "title": "Inputs",
          "type": "object"
        }
        """#

    @Test("a pydantic model schema accepts good examples")
    func pydanticValid() throws {
        let schema = try JSONSchema(json(Self.pydantic))
        #expect(schema.validate(try json(#"{"question":"why?","history":[]}"#)).isEmpty)
        #expect(schema.validate(try json(#"""
            {"question":"why?","address":{"street":"Main St","zip":"12345"},
             "history":[{"role":"user","text":"hi"},{"role":"assistant","text":"hello"}],
             "tags":["a","b"],"score":0.5,"k":3.0}
            """#)).isEmpty)
        #expect(schema.validate(try json(#"{"question":"q","history":[],"address":null,"score":null}"#)).isEmpty)
        #expect(schema.validate(try json(#"{"question":"q","history":[],"address":{"street":"s","zip":null}}"#)).isEmpty)
    }

    @Test("a pydantic model schema reports every problem where it is")
    func pydanticInvalid() throws {
        let schema = try JSONSchema(json(Self.pydantic))
        let found = schema.validate(try json(#"""
            {"address":{"zip":"123"},"history":[{"role":"user","text":"hi"},{"role":"bot"}],
             "tags":["a","a"],"score":2,"k":0,"extra":1}
            """#)).map(\.description)
        #expect(found == [
            "(root) is missing required property 'question'",
            "/address is missing required property 'street'",
            "/address/zip does not match pattern '^[0-9]{5}$'",
            "/history/1 is missing required property 'text'",
            #"/history/1/role is not one of "user", "assistant""#,
            "/k is less than or equal to the exclusive minimum of 0",
            "/score is greater than the maximum of 1",
            "/tags has non-unique items: 0 and 1 are equal",
            "(root) has unexpected property 'extra'",
        ])
        let wrongTypes = schema.validate(try json(#"{"question":1,"history":{},"address":5,"k":1.5}"#)).map(\.description)
        #expect(wrongTypes == [
            "/address is not of type 'object' or 'null'",
            "/history is not of type 'array'",
            "/k is not of type 'integer'",
            "/question is not of type 'string'",
        ])
    }

    static let chat = #"""
        {
          "type": "object",
          "required": ["messages"],
          "properties": {
            "messages": {
              "type": "array",
              "minItems": 1,
              "items": {
                "type": "object",
                "required": ["role", "content"],
                "properties": {
                  "role": {"enum": ["system", "user", "assistant", "tool"]},
                  "content": {"anyOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}}},
                    {"type": "null"}
                  ]},
                  "tool_calls": {"type": "array", "items": {"type": "object", "required": ["id", "function"]}}
                },
                "if": {"properties": {"role": {"const": "tool"}}},
                "then": {"required": ["tool_call_id"]}
              }
            }
          }
        }
        """#

    @Test("a chat-messages schema")
    func chatMessages() throws {
        let schema = try JSONSchema(json(Self.chat))
        #expect(schema.validate(try json(#"""
            {"messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hi"}]},
             {"role":"assistant","content":null,"tool_calls":[{"id":"c1","function":{"name":"f"}}]},
             {"role":"tool","content":"42","tool_call_id":"c1"}]}
            """#)).isEmpty)
        let found = schema.validate(try json(#"""
            {"messages":[{"role":"user","content":"hi"},{"role":"robot","content":5},{"role":"tool","content":"x"},
             {"content":[{"text":"a"}],"role":"user"},{"role":"assistant","content":"","tool_calls":[{"id":"c"}]}]}
            """#)).map(\.description)
        #expect(found == [
            "/messages/1/content is not of type 'string', 'array' or 'null'",
            #"/messages/1/role is not one of "system", "user", "assistant", "tool""#,
            "/messages/2 is missing required property 'tool_call_id'",
            "/messages/3/content/0 is missing required property 'type'",
            "/messages/4/tool_calls/0 is missing required property 'function'",
        ])
        #expect(schema.validate(try json(#"{"messages":[]}"#)).map(\.description) == ["/messages has fewer than 1 item"])
        #expect(schema.validate(try json("{}")).map(\.description) == ["(root) is missing required property 'messages'"])
    }
}

@Suite("JSONSchema: recursion and hostile schemas")
struct JSONSchemaRecursionTests {
    static let tree = #"""
        {"$ref":"#/$defs/Node","$defs":{"Node":{"type":"object","required":["value"],"additionalProperties":false,
          "properties":{"value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#/$defs/Node"}}}}}}
        """#

    /// A chain of `depth` nodes, the deepest holding `leaf`.
    private func chain(_ depth: Int, leaf: JSONValue) -> JSONValue {
        var node: JSONValue = ["value": leaf]
        for i in 1..<depth { node = ["value": .int(Int64(i)), "children": [node, ["value": 0]]] }
        return node
    }

    @Test("a tree schema validates a deep tree and points into it", arguments: [2, 50, 300])
    func deepTree(depth: Int) throws {
        let schema = try JSONSchema(json(Self.tree))
        #expect(schema.validate(chain(depth, leaf: 7)).isEmpty)
        let found = schema.validate(chain(depth, leaf: "seven"))
        let path = String(repeating: "/children/0", count: depth - 1) + "/value"
        #expect(found == [JSONSchemaViolation(path: path, message: "is not of type 'integer'")])
    }

    @Test("the deepest document JSON.parse accepts validates")
    func parsedDeep() throws {
        let schema = try JSONSchema(json(##"{"type":"object","properties":{"next":{"$ref":"#"},"v":{"type":"string"}}}"##))
        let depth = JSON.maxDepth - 1
        let text = String(repeating: #"{"next":"#, count: depth) + #"{"v":1}"# + String(repeating: "}", count: depth)
        let found = schema.validate(try json(text))
        #expect(found == [JSONSchemaViolation(path: String(repeating: "/next", count: depth) + "/v", message: "is not of type 'string'")])
    }

    @Test("an absurdly deep instance fails closed instead of overflowing the stack")
    func tooDeep() throws {
        let schema = try JSONSchema(json(##"{"properties":{"next":{"$ref":"#"}}}"##))
        var value: JSONValue = [:]
        for _ in 0..<3000 { value = ["next": value] }
        let found = schema.validate(value)
        #expect(found.count == 1)
        #expect(found.first?.message == "is nested too deeply to validate")
        #expect(found.first.map { $0.path.hasPrefix("/next/next") } == true)
    }

    @Test("recursion through a child is not mistaken for a loop (pydantic's JsonValue)")
    func recursiveUnion() throws {
        let schema = try JSONSchema(json(##"""
            {"$defs":{"J":{"anyOf":[{"type":"string"},{"type":"number"},{"type":"boolean"},{"type":"null"},
              {"type":"array","items":{"$ref":"#/$defs/J"}},{"type":"object","additionalProperties":{"$ref":"#/$defs/J"}}]}},
             "$ref":"#/$defs/J"}
            """##))
        #expect(schema.validate(try json(#"{"a":[1,"x",{"b":[null,true,2.5]}],"c":{}}"#)).isEmpty)
    }

    @Test("one compiled schema validates from many tasks at once")
    func concurrent() async throws {
        let schema = try JSONSchema(json(JSONSchemaRealWorldTests.pydantic))
        let bad = try json(#"{"question":"","history":[{"role":"x","text":"t"}]}"#)
        let expected = schema.validate(bad)
        #expect(expected.count == 2)
        let results = await withTaskGroup(of: [JSONSchemaViolation].self) { group in
            for _ in 0..<32 { group.addTask { schema.validate(bad) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 32 && results.allSatisfy { $0 == expected })
    }

    static let loops: [SchemaRejectCase] = [
        SchemaRejectCase(##"{"$ref":"#"}"##, "invalid schema at #: it refers back to itself (# → #) without descending into the instance"),
        SchemaRejectCase(##"{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}"##,
                         "invalid schema at #/$defs/a: it refers back to itself (#/$defs/a → #/$defs/b → #/$defs/a) without descending into the instance"),
        SchemaRejectCase(##"{"anyOf":[{"type":"string"},{"$ref":"#"}]}"##,
                         "invalid schema at #: it refers back to itself (# → #/anyOf/1 → #) without descending into the instance"),
        SchemaRejectCase(##"{"allOf":[{"$ref":"#/$defs/x"}],"$defs":{"x":{"not":{"$ref":"#"}}}}"##,
                         "invalid schema at #: it refers back to itself (# → #/allOf/0 → #/$defs/x → #/$defs/x/not → #) without descending into the instance"),
        SchemaRejectCase(##"{"$defs":{"a":{"if":{"$ref":"#/$defs/a"}}}}"##,
                         "invalid schema at #/$defs/a: it refers back to itself (#/$defs/a → #/$defs/a/if → #/$defs/a) without descending into the instance"),
    ]

    @Test("a $ref loop that never descends is rejected at init", arguments: loops)
    func loopsRejected(_ c: SchemaRejectCase) throws {
        #expect(throws: JSONSchemaError(message: c.message)) { try JSONSchema(json(c.schema)) }
    }

    @Test("an exponentially branching schema stops at the work limit and fails closed")
    func exponential() throws {
        var defs: [String: JSONValue] = ["d40": false]
        for i in 0..<40 {
            let next: JSONValue = ["$ref": .string("#/$defs/d\(i + 1)")]
            defs["d\(i)"] = ["anyOf": [next, ["allOf": [next]]]]
        }
        let schema = try JSONSchema(["$defs": .object(defs), "$ref": "#/$defs/d0"])
        let clock = ContinuousClock()
        let start = clock.now
        let found = schema.validate(1)
        #expect(found == [JSONSchemaViolation(path: "", message: "could not be validated: the schema needs too much work for this value")])
        #expect(!schema.isValid(1))
        #expect(clock.now - start < .seconds(30))
    }
}

@Suite("JSONSchema: invalid schemas")
struct JSONSchemaInvalidTests {
    static let cases: [SchemaRejectCase] = [
        SchemaRejectCase("5", "invalid schema at #: a schema must be an object or a boolean, not a number"),
        SchemaRejectCase(#""string""#, "invalid schema at #: a schema must be an object or a boolean, not a string"),
        SchemaRejectCase(#"{"type":"strng"}"#,
                         #"invalid schema at #: 'type' has unknown type "strng"; expected one of 'string', 'integer', 'number', 'boolean', 'object', 'array', 'null'"#),
        SchemaRejectCase(#"{"properties":{"a":{"type":5}}}"#,
                         "invalid schema at #/properties/a: 'type' must be a type name or a non-empty array of type names"),
        SchemaRejectCase(#"{"type":[]}"#, "invalid schema at #: 'type' must be a type name or a non-empty array of type names"),
        SchemaRejectCase(#"{"properties":[]}"#, "invalid schema at #: 'properties' must be an object of schemas"),
        SchemaRejectCase(#"{"properties":{"a":[]}}"#, "invalid schema at #/properties/a: a schema must be an object or a boolean, not an array"),
        SchemaRejectCase(#"{"items":[5]}"#, "invalid schema at #/items/0: a schema must be an object or a boolean, not a number"),
        SchemaRejectCase(##"{"$ref":"#/$defs/Missing"}"##, "invalid schema at #: '$ref' '#/$defs/Missing' does not point to anything in the schema"),
        SchemaRejectCase(##"{"$ref":"#/required/0","required":["a"]}"##, "invalid schema at #: '$ref' '#/required/0' points to a string, not a schema"),
        SchemaRejectCase(#"{"$ref":"https://example.com/other.json"}"#,
                         "invalid schema at #: '$ref' 'https://example.com/other.json' is not supported: only references within the schema ('#', '#/$defs/…') are"),
        SchemaRejectCase(##"{"$ref":"#foo"}"##, "invalid schema at #: '$ref' '#foo' uses an anchor; only JSON Pointer references ('#/$defs/…') are supported"),
        SchemaRejectCase(#"{"$ref":5}"#, "invalid schema at #: '$ref' must be a string"),
        SchemaRejectCase(#"{"pattern":"("}"#, "invalid schema at #: 'pattern' is not a valid regular expression: '('"),
        SchemaRejectCase(#"{"patternProperties":{"[":{}}}"#, "invalid schema at #: 'patternProperties' has an invalid regular expression '['"),
        SchemaRejectCase(#"{"minLength":-1}"#, "invalid schema at #: 'minLength' must be a non-negative integer"),
        SchemaRejectCase(#"{"maxItems":1.5}"#, "invalid schema at #: 'maxItems' must be a non-negative integer"),
        SchemaRejectCase(#"{"minimum":"3"}"#, "invalid schema at #: 'minimum' must be a number"),
        SchemaRejectCase(#"{"multipleOf":0}"#, "invalid schema at #: 'multipleOf' must be greater than 0"),
        SchemaRejectCase(#"{"required":"a"}"#, "invalid schema at #: 'required' must be an array of strings"),
        SchemaRejectCase(#"{"required":["a",1]}"#, "invalid schema at #: 'required' must be an array of strings"),
        SchemaRejectCase(#"{"anyOf":[]}"#, "invalid schema at #: 'anyOf' must be a non-empty array of schemas"),
        SchemaRejectCase(#"{"enum":"a"}"#, "invalid schema at #: 'enum' must be an array"),
        SchemaRejectCase(#"{"uniqueItems":"yes"}"#, "invalid schema at #: 'uniqueItems' must be true or false"),
        SchemaRejectCase(#"{"prefixItems":[{}],"items":[{}]}"#, "invalid schema at #: 'items' must be a schema when 'prefixItems' is present"),
        SchemaRejectCase(#"{"unevaluatedProperties":false}"#,
                         "invalid schema at #: 'unevaluatedProperties' is not supported; use 'additionalProperties' / 'items'"),
        SchemaRejectCase(##"{"$dynamicRef":"#meta"}"##, "invalid schema at #: '$dynamicRef' is not supported; use '$ref'"),
        // Definitions are checked even when nothing refers to them.
        SchemaRejectCase(#"{"$defs":{"Bad":{"type":"nope"}}}"#,
                         #"invalid schema at #/$defs/Bad: 'type' has unknown type "nope"; expected one of 'string', 'integer', 'number', 'boolean', 'object', 'array', 'null'"#),
    ]

    @Test("malformed schemas are rejected at init with what to fix", arguments: cases)
    func rejected(_ c: SchemaRejectCase) throws {
        #expect(throws: JSONSchemaError(message: c.message)) { try JSONSchema(json(c.schema)) }
    }

    @Test("no-op spellings of unsupported keywords are accepted")
    func noOps() throws {
        #expect(try JSONSchema(json(#"{"unevaluatedProperties":true,"exclusiveMinimum":true}"#)).validate(1).isEmpty)
    }
}
