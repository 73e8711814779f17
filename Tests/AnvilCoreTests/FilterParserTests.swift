import Testing
@testable import AnvilCore

// MARK: Helpers

private func cmp(_ op: FilterOperator, _ field: FilterField?, _ value: FilterLiteral) -> FilterExpression {
    .comparison(FilterComparison(op: op, field: field, value: value))
}

private func str(_ text: String) -> FilterLiteral { .string(text) }

/// The error `source` produces, or nil when it parses.
private func failure(_ source: String) -> FilterSyntaxError? {
    do {
        _ = try FilterParser.parse(source)
        return nil
    } catch {
        return error
    }
}

/// A filter and the AST it must produce.
struct ParseCase: Sendable, CustomTestStringConvertible {
    var source: String
    var expected: FilterExpression
    var testDescription: String { source }
}

/// A filter that must fail with `code` at `offset`, with `fragment` in the message.
struct ErrorCase: Sendable, CustomTestStringConvertible {
    var source: String
    var code: FilterSyntaxError.Code
    var offset: Int
    var fragment: String
    var testDescription: String { source.count > 60 ? String(source.prefix(60)) + "…" : source }
}

// MARK: Documented examples

@Suite("FilterParser: LangSmith's documented filters")
struct FilterParserDocumentedTests {
    static let ts = "2023-07-15T12:34:56.000000Z"

    /// Every filter string in LangSmith's docs, SDK docstrings and OpenAPI descriptions that we
    /// found (see the report for sources), plus the wire doc §5.6 examples.
    static let cases: [ParseCase] = [
        ParseCase(source: #"eq(name, "extractor")"#, expected: cmp(.eq, .name, str("extractor"))),
        ParseCase(
            source: #"and(eq(feedback_key, "user_score"), eq(feedback_score, 1))"#,
            expected: .and([cmp(.eq, .feedbackKey, str("user_score")), cmp(.eq, .feedbackScore, .number(1))])
        ),
        ParseCase(
            source: #"and(eq(feedback_key, "star_rating"), gt(feedback_score, 4))"#,
            expected: .and([cmp(.eq, .feedbackKey, str("star_rating")), cmp(.gt, .feedbackScore, .number(4))])
        ),
        ParseCase(source: #"gt(latency, "5s")"#, expected: cmp(.gt, .latency, .number(5))),
        ParseCase(source: "gt(total_tokens, 5000)", expected: cmp(.gt, .totalTokens, .number(5000))),
        ParseCase(source: "neq(error, null)", expected: cmp(.neq, .error, .null)),
        ParseCase(source: "eq(error, false)", expected: cmp(.eq, .error, .bool(false))),
        ParseCase(source: #"gt(start_time, "2023-07-15T12:34:56Z")"#, expected: cmp(.gt, .startTime, str(ts))),
        ParseCase(source: #"search("substring")"#, expected: cmp(.search, nil, str("substring"))),
        ParseCase(source: #"has(tags, "2aa1cf4")"#, expected: cmp(.has, .tags, str("2aa1cf4"))),
        ParseCase(
            source: #"and(eq(run_type, "chain"), gt(latency, 10), gt(total_tokens, 5000))"#,
            expected: .and([
                cmp(.eq, .runType, str("chain")), cmp(.gt, .latency, .number(10)),
                cmp(.gt, .totalTokens, .number(5000)),
            ])
        ),
        ParseCase(
            source: #"and(gt(start_time, "2023-07-15T12:34:56Z"), or(neq(error, null), and(eq(feedback_key, "Correctness"), eq(feedback_score, 0.0))))"#,
            expected: .and([
                cmp(.gt, .startTime, str(ts)),
                .or([
                    cmp(.neq, .error, .null),
                    .and([cmp(.eq, .feedbackKey, str("Correctness")), cmp(.eq, .feedbackScore, .number(0))]),
                ]),
            ])
        ),
        ParseCase(
            source: #"and(or(has(tags, "experimental"), has(tags, "beta")), gt(latency, 2))"#,
            expected: .and([
                .or([cmp(.has, .tags, str("experimental")), cmp(.has, .tags, str("beta"))]),
                cmp(.gt, .latency, .number(2)),
            ])
        ),
        ParseCase(source: #"search("image classification")"#, expected: cmp(.search, nil, str("image classification"))),
        ParseCase(source: "eq(metadata_key, 'user_id')", expected: cmp(.eq, .metadataKey, str("user_id"))),
        ParseCase(
            source: "and(eq(metadata_key, 'user_id'), eq(metadata_value, '4070f233-f61e-44eb-bff1-da3c163895a3'))",
            expected: .and([
                cmp(.eq, .metadataKey, str("user_id")),
                cmp(.eq, .metadataValue, str("4070f233-f61e-44eb-bff1-da3c163895a3")),
            ])
        ),
        ParseCase(
            source: "and(eq(metadata_key,'user_id'), eq(metadata_value,'abc'))",
            expected: .and([cmp(.eq, .metadataKey, str("user_id")), cmp(.eq, .metadataValue, str("abc"))])
        ),
        // A one-condition and() is the condition itself.
        ParseCase(source: "and(neq(metadata_key, 'conversation_id'))", expected: cmp(.neq, .metadataKey, str("conversation_id"))),
        ParseCase(
            source: "and(neq(metadata_key, 'conversation_id'), eq(metadata_value, 'a1b2c3d4-e5f6-7890'))",
            expected: .and([
                cmp(.neq, .metadataKey, str("conversation_id")), cmp(.eq, .metadataValue, str("a1b2c3d4-e5f6-7890")),
            ])
        ),
        ParseCase(
            source: #"and(in(metadata_key, ["session_id","conversation_id","thread_id"]), eq(metadata_value, "t-1"))"#,
            expected: .and([
                cmp(.in, .metadataKey, .list([str("session_id"), str("conversation_id"), str("thread_id")])),
                cmp(.eq, .metadataValue, str("t-1")),
            ])
        ),
        ParseCase(
            source: #"and(not(has(metadata, '{"foo": "bar"}')), exists(metadata, "tenant_id"))"#,
            expected: .and([
                .not(cmp(.has, .metadata, str(#"{"foo": "bar"}"#))), cmp(.exists, .metadata, str("tenant_id")),
            ])
        ),
        ParseCase(source: #"has(metadata, '{"foo":"bar"}')"#, expected: cmp(.has, .metadata, str(#"{"foo":"bar"}"#))),
        ParseCase(
            source: #"and(eq(run_type, "llm"), eq(name, "ChatOpenAI"), eq(input_key, "messages.content"), like(input_value, "%messages.content%"))"#,
            expected: .and([
                cmp(.eq, .runType, str("llm")), cmp(.eq, .name, str("ChatOpenAI")),
                cmp(.eq, .inputKey, str("messages.content")), cmp(.like, .inputValue, str("%messages.content%")),
            ])
        ),
        // The UI's "copy filter" output: the inner and() stays a group (never flattened).
        ParseCase(
            source: #"and(eq(is_root, true), and(eq(feedback_key, "user_score"), eq(feedback_score, 1)))"#,
            expected: .and([
                cmp(.eq, .isRoot, .bool(true)),
                .and([cmp(.eq, .feedbackKey, str("user_score")), cmp(.eq, .feedbackScore, .number(1))]),
            ])
        ),
        ParseCase(
            source: "and(eq(is_root, true), and(eq(metadata_key, 'model'), eq(metadata_value, 'gpt-4')))",
            expected: .and([
                cmp(.eq, .isRoot, .bool(true)),
                .and([cmp(.eq, .metadataKey, str("model")), cmp(.eq, .metadataValue, str("gpt-4"))]),
            ])
        ),
        // What the Python SDK's read_thread sends: json.dumps escapes non-ASCII as \uXXXX.
        ParseCase(source: #"eq(thread_id, "caf\u00e9 \ud83d\ude00")"#, expected: cmp(.eq, .threadId, str("café 😀"))),
        ParseCase(source: #"eq(status, "error")"#, expected: cmp(.eq, .status, str("error"))),
        ParseCase(source: #"eq(status, "success")"#, expected: cmp(.eq, .status, str("success"))),
        ParseCase(
            source: #"and(eq(run_type, "llm"), gt(latency, 5))"#,
            expected: .and([cmp(.eq, .runType, str("llm")), cmp(.gt, .latency, .number(5))])
        ),
        ParseCase(source: #"has(tags, "production")"#, expected: cmp(.has, .tags, str("production"))),
    ]

    @Test(arguments: cases)
    func parsesToExpectedTree(_ example: ParseCase) throws {
        #expect(try FilterParser.parse(example.source) == example.expected)
    }

    @Test(arguments: cases)
    func canonicalTextRoundTrips(_ example: ParseCase) throws {
        let parsed = try FilterParser.parse(example.source)
        #expect(try FilterParser.parse(parsed.description) == parsed)
    }

    @Test func canonicalTextIsReadable() throws {
        let parsed = try FilterParser.parse(#"AND( eq(RunType,'llm') , GT(latency, "1.5m"), has(tags, "a\"b"))"#)
        #expect(parsed.description == #"and(eq(run_type, "llm"), gt(latency, 90), has(tags, "a\"b"))"#)
    }
}

// MARK: Operators and fields

@Suite("FilterParser: operators and fields")
struct FilterParserOperatorTests {
    /// A value that fits `field` for `op`.
    static func sampleValue(_ field: FilterField, _ op: FilterOperator) -> String {
        switch op {
        case .in:
            switch field.valueKind {
            case .uuid: return #"["0E3A7C4E-5B1F-4C3D-9A8B-2F6D1E0C9B7A"]"#
            case .number: return "[1, 2]"
            case .duration: return #"["1s", 2]"#
            case .timestamp: return #"["2024-01-15"]"#
            case .boolean: return "[true]"
            default: return #"["a", "b"]"#
            }
        case .has: return field.valueKind == .jsonObject ? #"'{"k": 1}'"# : #""beta""#
        case .exists, .search, .like, .notLike: return #""x%""#
        case .eq, .neq, .gt, .gte, .lt, .lte:
            switch field.valueKind {
            case .uuid: return #""0E3A7C4E-5B1F-4C3D-9A8B-2F6D1E0C9B7A""#
            case .timestamp: return #""2024-01-15T00:00:00Z""#
            case .duration: return #""250ms""#
            case .number: return "42"
            case .boolean: return "true"
            case .error: return "null"
            case .jsonObject: return #""k""#
            default: return #""value""#
            }
        }
    }

    /// Every operator on every field: accepted exactly when the field allows it.
    @Test(arguments: FilterField.allCases, FilterOperator.allCases)
    func operatorFieldMatrix(_ field: FilterField, _ op: FilterOperator) throws {
        let source = "\(op.rawValue)(\(field.name), \(Self.sampleValue(field, op)))"
        if field.accepts(op) {
            guard case .comparison(let comparison) = try FilterParser.parse(source) else {
                Issue.record("\(source) did not parse to a comparison")
                return
            }
            #expect(comparison.op == op)
            #expect(comparison.field == field)
        } else {
            let error = try #require(failure(source))
            #expect(error.code == .operatorNotAllowed)
            #expect(error.offset == 0)
            #expect(error.message.contains(field.name))
            #expect(error.message.contains("supports"))
        }
    }

    @Test(arguments: FilterField.allCases)
    func fieldNamesRoundTripAndHaveOperators(_ field: FilterField) throws {
        #expect(FilterField(name: field.name) == field)
        #expect(FilterField(name: field.name.uppercased()) == field)
        #expect(!field.allowedOperators.isEmpty)
        // The example that error messages offer must itself be a valid filter.
        _ = try FilterParser.parse(FilterAnalyzer.exampleCondition(field))
    }

    @Test func foldedFieldNamesAreUnique() {
        let folded = FilterField.allCases.map { FilterField.fold($0.name) }
        #expect(Set(folded).count == folded.count)
    }

    @Test(arguments: [
        ("run_type", FilterField.runType), ("RUN_TYPE", .runType), ("runType", .runType), ("runtype", .runType),
        ("metadataKey", .metadataKey), ("Metadata_Value", .metadataValue), ("IS_ROOT", .isRoot),
        ("run_id", .id), ("project_id", .sessionId), ("parent_id", .parentRunId), ("firstTokenTime", .firstTokenTime),
    ])
    func fieldNamesIgnoreCaseAndUnderscores(_ name: String, _ field: FilterField) {
        #expect(FilterField(name: name) == field)
    }

    @Test func operatorAndKeywordNamesIgnoreCase() throws {
        let parsed = try FilterParser.parse(#"OR(EQ(Is_Root, TRUE), NeQ(error, NULL), Not_Like(name, "x"), NOTLIKE(name, "y"), eq(is_root, False))"#)
        #expect(parsed == .or([
            cmp(.eq, .isRoot, .bool(true)), cmp(.neq, .error, .null), cmp(.notLike, .name, str("x")),
            cmp(.notLike, .name, str("y")), cmp(.eq, .isRoot, .bool(false)),
        ]))
    }

    @Test func everyOperatorHasADedicatedExample() throws {
        let examples: [(String, FilterExpression)] = [
            (#"eq(name, "a")"#, cmp(.eq, .name, str("a"))),
            (#"neq(name, "a")"#, cmp(.neq, .name, str("a"))),
            ("gt(total_cost, 0.5)", cmp(.gt, .totalCost, .number(0.5))),
            ("gte(prompt_tokens, 10)", cmp(.gte, .promptTokens, .number(10))),
            (#"lt(end_time, "2024-01-15")"#, cmp(.lt, .endTime, str("2024-01-15T00:00:00.000000Z"))),
            (#"lte(first_token_time, "100ms")"#, cmp(.lte, .firstTokenTime, .number(0.1))),
            (#"has(tags, "beta")"#, cmp(.has, .tags, str("beta"))),
            (#"search("needle")"#, cmp(.search, nil, str("needle"))),
            (#"search(output, "needle")"#, cmp(.search, .output, str("needle"))),
            (#"in(run_type, ["llm", "chain"])"#, cmp(.in, .runType, .list([str("llm"), str("chain")]))),
            (#"like(name, "%foo%")"#, cmp(.like, .name, str("%foo%"))),
            (#"not_like(name, "%foo%")"#, cmp(.notLike, .name, str("%foo%"))),
            (#"exists(metadata, "key")"#, cmp(.exists, .metadata, str("key"))),
        ]
        #expect(Set(examples.compactMap { if case .comparison(let c) = $0.1 { c.op } else { nil } }) == Set(FilterOperator.allCases))
        for (source, expected) in examples {
            #expect(try FilterParser.parse(source) == expected, "\(source)")
        }
    }

    @Test func uuidsAreNormalisedToLowerCase() throws {
        let parsed = try FilterParser.parse(#"in(trace_id, ["0E3A7C4E-5B1F-4C3D-9A8B-2F6D1E0C9B7A"])"#)
        #expect(parsed == cmp(.in, .traceId, .list([str("0e3a7c4e-5b1f-4c3d-9a8b-2f6d1e0c9b7a")])))
    }

    @Test func nullableFieldsAcceptNull() throws {
        #expect(try FilterParser.parse("eq(parent_run_id, null)") == cmp(.eq, .parentRunId, .null))
        #expect(try FilterParser.parse("neq(end_time, null)") == cmp(.neq, .endTime, .null))
        #expect(try FilterParser.parse("eq(reference_example_id, NULL)") == cmp(.eq, .referenceExampleId, .null))
    }

    @Test func metadataValuesKeepTheirType() throws {
        let parsed = try FilterParser.parse(#"in(metadata_value, ["a", 1, true])"#)
        #expect(parsed == cmp(.in, .metadataValue, .list([str("a"), .number(1), .bool(true)])))
    }
}

// MARK: Literals and lexical structure

@Suite("FilterParser: literals, quoting and structure")
struct FilterParserLiteralTests {
    /// `eq(metadata_value, X)` keeps X as written, so it exposes the literal syntax directly.
    @Test(arguments: [
        (#""double""#, FilterLiteral.string("double")),
        ("'single'", .string("single")),
        (#""""#, .string("")),
        (#"'it\'s'"#, .string("it's")),
        (#""say \"hi\"""#, .string(#"say "hi""#)),
        (#"'mixed "quotes"'"#, .string(#"mixed "quotes""#)),
        (#""it's""#, .string("it's")),
        (#""a\\b""#, .string(#"a\b"#)),
        (#""a\/b""#, .string("a/b")),
        (#""\n\t\r\b\f""#, .string("\n\t\r\u{08}\u{0C}")),
        (#""\u00e9\u00C9""#, .string("éÉ")),
        (#""\uD83D\uDE00""#, .string("😀")),
        (#""100\%""#, .string(#"100\%"#)),
        (#""snake\_case""#, .string(#"snake\_case"#)),
        (#""naïve 日本語 😀""#, .string("naïve 日本語 😀")),
        ("\"line\nbreak\"", .string("line\nbreak")),
        ("5", .number(5)),
        ("-2.5", .number(-2.5)),
        ("+3", .number(3)),
        (".5", .number(0.5)),
        ("1.", .number(1)),
        ("-.25", .number(-0.25)),
        ("1e3", .number(1000)),
        ("2.5E-2", .number(0.025)),
        ("1.e2", .number(100)),
        ("007", .number(7)),
        ("-0", .number(0)),
        ("true", .bool(true)),
        ("FALSE", .bool(false)),
        ("True", .bool(true)),
    ])
    func literalForms(_ literal: String, _ expected: FilterLiteral) throws {
        #expect(try FilterParser.parse("eq(metadata_value, \(literal))") == cmp(.eq, .metadataValue, expected))
    }

    @Test func listsMixScalarsAndQuoteStyles() throws {
        let parsed = try FilterParser.parse(#"in(feedback_value, ["a", 'b', 1, -2.5e1, false])"#)
        #expect(parsed == cmp(.in, .feedbackValue, .list([str("a"), str("b"), .number(1), .number(-25), .bool(false)])))
    }

    @Test func whitespaceIsAllowedAnywhereBetweenTokens() throws {
        let source = "\n\t and ( eq ( name ,\"x\" ) ,\r\n gt( latency ,2 ) , in ( run_type , [ 'llm' , \"tool\" ] ) )  \n"
        #expect(try FilterParser.parse(source) == .and([
            cmp(.eq, .name, str("x")), cmp(.gt, .latency, .number(2)), cmp(.in, .runType, .list([str("llm"), str("tool")])),
        ]))
        #expect(try FilterParser.parse(#"eq(name,"x")"#) == cmp(.eq, .name, str("x")))
    }

    @Test func singleChildGroupsCollapseButNestedGroupsStay() throws {
        let a = cmp(.eq, .name, str("a"))
        let b = cmp(.eq, .name, str("b"))
        let c = cmp(.eq, .name, str("c"))
        #expect(try FilterParser.parse(#"and(eq(name, "a"))"#) == a)
        #expect(try FilterParser.parse(#"or(eq(name, "a"))"#) == a)
        #expect(try FilterParser.parse(#"and(or(and(eq(name, "a"))))"#) == a)
        #expect(try FilterParser.parse(#"and(and(eq(name, "a"), eq(name, "b")), eq(name, "c"))"#) == .and([.and([a, b]), c]))
        #expect(try FilterParser.parse(#"not(not(eq(name, "a")))"#) == .not(.not(a)))
        #expect(try FilterParser.parse(#"or(not(eq(name, "a")), and(eq(name, "b"), not(eq(name, "c"))))"#)
            == .or([.not(a), .and([b, .not(c)])]))
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let depth = FilterParser.maximumDepth - 1
        let source = String(repeating: "not(", count: depth) + #"eq(name, "x")"# + String(repeating: ")", count: depth)
        var expected = cmp(.eq, .name, str("x"))
        for _ in 0..<depth { expected = .not(expected) }
        #expect(try FilterParser.parse(source) == expected)
    }

    @Test func inputOfExactlyTheMaximumLengthIsAccepted() throws {
        let prefix = #"eq(name, ""#
        let padding = String(repeating: "a", count: FilterParser.maximumSourceLength - prefix.utf8.count - 2)
        let source = prefix + padding + "\")"
        #expect(source.utf8.count == FilterParser.maximumSourceLength)
        #expect(try FilterParser.parse(source) == cmp(.eq, .name, str(padding)))
    }
}

// MARK: Durations and timestamps

@Suite("FilterParser: durations and timestamps")
struct FilterParserTimeTests {
    @Test(arguments: [
        ("5s", 5.0), ("100ms", 0.1), ("1.5m", 90), ("2h", 7200), ("2", 2), ("0.5", 0.5), (".5s", 0.5),
        ("1h30m", 5400), ("1m 30s", 90), (" 250 ms ", 0.25), ("1d", 86400), ("10us", 0.00001), ("3S", 3),
        ("2 hours", 7200), ("5 min", 300), ("1.5 seconds", 1.5), ("0s", 0),
    ])
    func durationsInSeconds(_ text: String, _ seconds: Double) throws {
        let parsed = try #require(FilterDuration.seconds(from: text))
        #expect(abs(parsed - seconds) < 1e-9)
        #expect(try FilterParser.parse("gte(latency, \"\(text)\")") == cmp(.gte, .latency, .number(parsed)))
    }

    @Test(arguments: ["", " ", "s", "5 parsecs", "-5s", "5s5", "5 5", "1.2.3s", "five", "5s-", "1e3s", "∞s"])
    func invalidDurations(_ text: String) throws {
        #expect(FilterDuration.seconds(from: text) == nil)
        let error = try #require(failure("gt(latency, \"\(text)\")"))
        #expect(error.code == .invalidValue)
        #expect(error.offset == 12)
        #expect(error.message.contains("\"5s\""))
    }

    @Test func bareNumbersAreSeconds() throws {
        #expect(try FilterParser.parse("gt(latency, 2)") == cmp(.gt, .latency, .number(2)))
        #expect(try FilterParser.parse("lt(first_token_time, 0.25)") == cmp(.lt, .firstTokenTime, .number(0.25)))
    }

    @Test(arguments: [
        ("2023-07-15T12:34:56Z", "2023-07-15T12:34:56.000000Z"),
        ("2023-07-15t12:34:56z", "2023-07-15T12:34:56.000000Z"),
        ("2024-01-15", "2024-01-15T00:00:00.000000Z"),
        ("2024-01-15T12:34", "2024-01-15T12:34:00.000000Z"),
        ("2024-01-15T12:34:56", "2024-01-15T12:34:56.000000Z"),
        ("2024-01-15 12:34:56.789+02:00", "2024-01-15T10:34:56.789000Z"),
        ("2024-01-15T12:34:56,5Z", "2024-01-15T12:34:56.500000Z"),
        ("2024-02-29T23:59:59.123456789Z", "2024-02-29T23:59:59.123456Z"),
        ("2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00.000000Z"),
        ("2024-01-01T00:00:00-0530", "2024-01-01T05:30:00.000000Z"),
        ("2024-01-01T00:00:00+05", "2023-12-31T19:00:00.000000Z"),
        ("2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000000Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000Z"),
        ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"),
        ("1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.500000Z"),
    ])
    func timestampsAreValidatedAndNormalised(_ text: String, _ canonical: String) throws {
        #expect(FilterTimestamp(iso8601: text)?.iso8601 == canonical)
        #expect(FilterTimestamp(iso8601: canonical)?.iso8601 == canonical)
        #expect(try FilterParser.parse("gt(start_time, '\(text)')") == cmp(.gt, .startTime, str(canonical)))
    }

    @Test func timestampsCountFromTheUnixEpoch() throws {
        #expect(FilterTimestamp(iso8601: "1970-01-01T00:00:00Z")?.microsecondsSinceEpoch == 0)
        #expect(FilterTimestamp(iso8601: "2000-03-01")?.microsecondsSinceEpoch == 951_868_800_000_000)
        #expect(FilterTimestamp(iso8601: "1969-12-31T23:59:59.999999Z")?.microsecondsSinceEpoch == -1)
        let earlier = try #require(FilterTimestamp(iso8601: "2024-01-15T10:00:00+02:00"))
        let later = try #require(FilterTimestamp(iso8601: "2024-01-15T09:00:00Z"))
        #expect(earlier < later)
    }

    @Test(arguments: [
        "yesterday", "", "2023-02-29", "2100-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-1-5",
        "2024-01-15T24:00:00Z", "2024-01-15T12:60:00Z", "2024-01-15T12:34:60Z", "2024-01-15T12:34:56.Z",
        "2024-01-15T12:34:56.1234567890Z", "2024-01-15Z", "2024-01-15T12", "2024-01-15T12:34:56+2",
        "2024-01-15T12:34:56+24:00", "2024-01-15T12:34:56+01:60", "0000-01-01", "9999-12-31T23:00:00-05:00",
        "2024-01-15T12:34:56Z ", " 2024-01-15", "１２３４-01-01", "2024/01/15", "1705312496",
    ])
    func invalidTimestampsAreRejected(_ text: String) throws {
        #expect(FilterTimestamp(iso8601: text) == nil)
        let error = try #require(failure("lt(end_time, \"\(text)\")"))
        #expect(error.code == .invalidValue)
        #expect(error.offset == 13)
        #expect(error.message.contains("ISO-8601"))
    }

    @Test func timestampFieldsRejectNumbers() throws {
        let error = try #require(failure("gt(start_time, 1705312496)"))
        #expect(error.code == .invalidValue)
        #expect(error.message.contains("ISO-8601"))
    }
}

// MARK: Errors

@Suite("FilterParser: errors say what is wrong, and where")
struct FilterParserErrorTests {
    static let cases: [ErrorCase] = [
        // Empty input and limits
        ErrorCase(source: "", code: .emptyFilter, offset: 0, fragment: "empty"),
        ErrorCase(source: "  \n ", code: .emptyFilter, offset: 4, fragment: "eq(name"),
        // Lexical
        ErrorCase(source: #"eq(name, "x"#, code: .unterminatedString, offset: 9, fragment: "no closing \""),
        ErrorCase(source: #"eq(name, 'x")"#, code: .unterminatedString, offset: 9, fragment: "no closing '"),
        ErrorCase(source: #"eq(name, "x\")"#, code: .unterminatedString, offset: 9, fragment: "closing"),
        ErrorCase(source: #"eq(name, “x”)"#, code: .unexpectedCharacter, offset: 9, fragment: "curly quote"),
        ErrorCase(source: "eq(name, `x`)", code: .unexpectedCharacter, offset: 9, fragment: "backticks"),
        ErrorCase(source: #"eq(name, "x") @"#, code: .unexpectedCharacter, offset: 14, fragment: "'@'"),
        ErrorCase(source: #"eq(name, "\u12")"#, code: .invalidEscape, offset: 10, fragment: "four hex digits"),
        ErrorCase(source: #"eq(name, "\uD83D")"#, code: .invalidEscape, offset: 10, fragment: "surrogate"),
        ErrorCase(source: #"eq(name, "\uDE00")"#, code: .invalidEscape, offset: 10, fragment: "\\u"),
        ErrorCase(source: "gt(latency, 5s)", code: .invalidNumber, offset: 12, fragment: #""5s""#),
        ErrorCase(source: "gt(latency, 1.5.2)", code: .invalidNumber, offset: 12, fragment: "'1.5.2'"),
        ErrorCase(source: "gt(total_tokens, 1e)", code: .invalidNumber, offset: 17, fragment: "exponent"),
        ErrorCase(source: "gt(total_tokens, 1e999)", code: .invalidNumber, offset: 17, fragment: "too large"),
        ErrorCase(source: "gt(total_tokens, -)", code: .invalidNumber, offset: 17, fragment: "expected a number"),
        // Structure
        ErrorCase(source: #"eq(name, "x"))"#, code: .trailingInput, offset: 13, fragment: "unbalanced ')'"),
        ErrorCase(source: #"eq(name, "x"), eq(name, "y")"#, code: .trailingInput, offset: 13, fragment: "and(first, second)"),
        ErrorCase(source: #"eq(name, "x") "y""#, code: .trailingInput, offset: 14, fragment: "after the end"),
        ErrorCase(source: #"eq(name, "é") x"#, code: .trailingInput, offset: 15, fragment: "after the end"),
        ErrorCase(source: #"eq(name, "x""#, code: .unexpectedToken, offset: 12, fragment: "closes 'eq(' at offset 2"),
        ErrorCase(source: #"and(eq(name, "x")"#, code: .unexpectedToken, offset: 17, fragment: "closes 'and(' at offset 3"),
        ErrorCase(source: "and(", code: .unexpectedToken, offset: 4, fragment: "missing ')'"),
        ErrorCase(source: #"eq(name "x")"#, code: .unexpectedToken, offset: 8, fragment: "expected ',' or ')'"),
        ErrorCase(source: #"eq(, "x")"#, code: .unexpectedToken, offset: 3, fragment: "expected an argument"),
        ErrorCase(source: #"and(eq(name, "x"),)"#, code: .unexpectedToken, offset: 17, fragment: "trailing ','"),
        ErrorCase(source: #"eq(name, "x"]"#, code: .unexpectedToken, offset: 12, fragment: "expected ',' or ')'"),
        ErrorCase(source: #"eq(name, ])"#, code: .unexpectedToken, offset: 9, fragment: "unbalanced ']'"),
        ErrorCase(source: #"in(run_type, ["llm""#, code: .unexpectedToken, offset: 19, fragment: "closes the list at offset 13"),
        ErrorCase(source: #"in(run_type, ["a",])"#, code: .unexpectedToken, offset: 17, fragment: "trailing ','"),
        ErrorCase(source: "in(run_type, [llm])", code: .unexpectedToken, offset: 14, fragment: #""llm""#),
        ErrorCase(source: #"in(run_type, [["a"]])"#, code: .unexpectedToken, offset: 14, fragment: "cannot contain lists"),
        ErrorCase(source: #"in(run_type, [eq(name, "a")])"#, code: .unexpectedToken, offset: 14, fragment: "list items are values"),
        ErrorCase(source: #"in(run_type, ["a" "b"])"#, code: .unexpectedToken, offset: 18, fragment: "',' or ']'"),
        ErrorCase(source: "name", code: .unexpectedToken, offset: 4, fragment: "is a field"),
        ErrorCase(source: "equals", code: .unexpectedToken, offset: 6, fragment: "expected '('"),
        ErrorCase(source: #""eq(name, 'x')""#, code: .unexpectedToken, offset: 0, fragment: "function call"),
        ErrorCase(source: "(eq(name, 'x'))", code: .unexpectedToken, offset: 0, fragment: "function call"),
        ErrorCase(source: "true", code: .unexpectedToken, offset: 4, fragment: "expected '('"),
        // Operators and arity
        ErrorCase(source: #"foo(name, "x")"#, code: .unknownOperator, offset: 0, fragment: "unknown function 'foo'"),
        ErrorCase(source: #"eqq(name, "x")"#, code: .unknownOperator, offset: 0, fragment: "did you mean eq?"),
        ErrorCase(source: #"contains(name, "x")"#, code: .unknownOperator, offset: 0, fragment: "not_like, exists"),
        ErrorCase(source: "eq(name)", code: .wrongArguments, offset: 7, fragment: "given 1"),
        ErrorCase(source: "eq()", code: .wrongArguments, offset: 3, fragment: "two arguments"),
        ErrorCase(source: #"eq(name, "x", "y")"#, code: .wrongArguments, offset: 14, fragment: "given 3"),
        ErrorCase(source: #"search(name, "x", "y")"#, code: .wrongArguments, offset: 18, fragment: "one or two"),
        ErrorCase(source: "search()", code: .wrongArguments, offset: 7, fragment: "one or two"),
        ErrorCase(source: "not()", code: .wrongArguments, offset: 4, fragment: "exactly one"),
        ErrorCase(source: #"not(eq(name, "a"), eq(name, "b"))"#, code: .wrongArguments, offset: 19, fragment: "not(and("),
        ErrorCase(source: "and()", code: .wrongArguments, offset: 4, fragment: "at least one"),
        ErrorCase(source: "or()", code: .wrongArguments, offset: 3, fragment: "at least one"),
        ErrorCase(source: "and(is_root)", code: .wrongArguments, offset: 4, fragment: "eq(is_root, true)"),
        ErrorCase(source: #"or(eq(name, "a"), "b")"#, code: .wrongArguments, offset: 18, fragment: "not values"),
        ErrorCase(source: #"not("x")"#, code: .wrongArguments, offset: 4, fragment: "conditions"),
        ErrorCase(source: #"eq("name", "x")"#, code: .wrongArguments, offset: 3, fragment: "without quotes: eq(name, …)"),
        ErrorCase(source: #"eq("colour", "x")"#, code: .wrongArguments, offset: 3, fragment: "field name without quotes"),
        ErrorCase(source: #"eq(1, "x")"#, code: .wrongArguments, offset: 3, fragment: "is a field name"),
        ErrorCase(source: #"eq(eq(name, "a"), "x")"#, code: .wrongArguments, offset: 3, fragment: "nest only inside"),
        ErrorCase(source: #"eq(name, eq(name, "x"))"#, code: .wrongArguments, offset: 9, fragment: "is a value"),
        ErrorCase(source: "search(1)", code: .wrongArguments, offset: 7, fragment: #"search("timeout")"#),
        ErrorCase(source: "search(name)", code: .wrongArguments, offset: 7, fragment: "quoted text"),
        // Fields
        ErrorCase(source: #"eq(nme, "x")"#, code: .unknownField, offset: 3, fragment: "did you mean name?"),
        ErrorCase(source: #"eq(run_typ, "x")"#, code: .unknownField, offset: 3, fragment: "did you mean run_type?"),
        ErrorCase(source: #"eq(colour, "x")"#, code: .unknownField, offset: 3, fragment: "The fields are id, name, run_type"),
        ErrorCase(source: "gt(tags, 1)", code: .operatorNotAllowed, offset: 0, fragment: "tags, which supports has"),
        ErrorCase(source: "has(latency, 1)", code: .operatorNotAllowed, offset: 0, fragment: "latency"),
        ErrorCase(source: #"like(run_type, "l%")"#, code: .operatorNotAllowed, offset: 0, fragment: "eq, neq, in"),
        ErrorCase(source: #"  eq(tags, "x")"#, code: .operatorNotAllowed, offset: 2, fragment: #"has(tags, "value")"#),
        ErrorCase(source: #"exists(name, "x")"#, code: .operatorNotAllowed, offset: 0, fragment: "name"),
        // Values
        ErrorCase(source: "eq(run_type, llm)", code: .invalidValue, offset: 13, fragment: #"put text in quotes: "llm""#),
        ErrorCase(source: "eq(name, run_type)", code: .invalidValue, offset: 9, fragment: "is a field"),
        ErrorCase(source: #"eq(run_type, ["llm"])"#, code: .invalidValue, offset: 13, fragment: "in(run_type"),
        ErrorCase(source: #"in(run_type, "llm")"#, code: .invalidValue, offset: 13, fragment: "takes a list"),
        ErrorCase(source: "in(run_type, [])", code: .invalidValue, offset: 13, fragment: "at least one value"),
        ErrorCase(source: "in(parent_run_id, [null])", code: .invalidValue, offset: 19, fragment: "null cannot be a list item"),
        ErrorCase(source: #"in(id, ["0e3a7c4e-5b1f-4c3d-9a8b-2f6d1e0c9b7a", "x"])"#, code: .invalidValue, offset: 48, fragment: "UUID"),
        ErrorCase(source: #"eq(is_root, "true")"#, code: .invalidValue, offset: 12, fragment: "eq(is_root, true)"),
        ErrorCase(source: "eq(is_root, 1)", code: .invalidValue, offset: 12, fragment: "true or false"),
        ErrorCase(source: #"eq(id, "nope")"#, code: .invalidValue, offset: 7, fragment: "UUID"),
        ErrorCase(source: #"gt(start_time, "yesterday")"#, code: .invalidValue, offset: 15, fragment: #""yesterday" is not a valid ISO-8601"#),
        ErrorCase(source: #"gt(latency, "fast")"#, code: .invalidValue, offset: 12, fragment: "not a duration"),
        ErrorCase(source: "gt(latency, true)", code: .invalidValue, offset: 12, fragment: "not a duration"),
        ErrorCase(source: #"gt(total_tokens, "5000")"#, code: .invalidValue, offset: 17, fragment: "without quotes"),
        ErrorCase(source: "eq(name, 5)", code: .invalidValue, offset: 9, fragment: #"in quotes, e.g. "5""#),
        ErrorCase(source: "eq(name, null)", code: .invalidValue, offset: 9, fragment: "never null"),
        ErrorCase(source: "gt(latency, null)", code: .invalidValue, offset: 12, fragment: "neq(latency, null)"),
        ErrorCase(source: "eq(error, 5)", code: .invalidValue, offset: 10, fragment: "neq(error, null)"),
        ErrorCase(source: #"has(metadata, "foo")"#, code: .invalidValue, offset: 14, fragment: #"exists(metadata, "key")"#),
        ErrorCase(source: "has(metadata, '[1]')", code: .invalidValue, offset: 14, fragment: "JSON object"),
        ErrorCase(source: "has(inputs, '{\"a\":')", code: .invalidValue, offset: 12, fragment: "JSON object"),
        ErrorCase(source: "has(tags, 1)", code: .invalidValue, offset: 10, fragment: #"has(tags, "beta")"#),
        ErrorCase(source: #"search("")"#, code: .invalidValue, offset: 7, fragment: "empty"),
        ErrorCase(source: #"search(name, "")"#, code: .invalidValue, offset: 13, fragment: "empty"),
        ErrorCase(source: "search(name, 1)", code: .invalidValue, offset: 13, fragment: "quoted text"),
        ErrorCase(source: #"exists(metadata, "")"#, code: .invalidValue, offset: 17, fragment: "quoted key"),
        ErrorCase(source: "like(name, 5)", code: .invalidValue, offset: 11, fragment: "quoted pattern"),
    ]

    @Test(arguments: cases)
    func reportsCodeOffsetAndHelpfulMessage(_ example: ErrorCase) throws {
        let error = try #require(failure(example.source), "expected \(example.source) to fail")
        #expect(error.code == example.code)
        #expect(error.offset == example.offset)
        #expect(error.message.contains(example.fragment), "message was: \(error.message)")
        #expect(error.description.contains("offset \(example.offset)"))
    }

    @Test func unknownFieldListsEveryField() throws {
        let error = try #require(failure(#"eq(colour, "x")"#))
        for field in FilterField.allCases {
            #expect(error.message.contains(field.name))
        }
    }

    @Test(arguments: [
        "eq(\(String(repeating: "x", count: 50_000)), 1)",
        "\(String(repeating: "y", count: 50_000))(name, 1)",
        "eq(name, \(String(repeating: "z", count: 50_000)))",
        "gt(latency, 5\(String(repeating: "s", count: 50_000)))",
        "in(name, [\(String(repeating: "w", count: 50_000))])",
    ])
    func messagesQuoteOnlyAnExcerptOfLongInput(_ source: String) throws {
        let error = try #require(failure(source))
        #expect(error.message.count < 1_000)
        #expect(error.message.contains("…"))
    }

    @Test func tooLongInputIsRejectedBeforeParsing() throws {
        let source = String(repeating: " ", count: FilterParser.maximumSourceLength + 1)
        let error = try #require(failure(source))
        #expect(error.code == .tooLong)
        #expect(error.offset == FilterParser.maximumSourceLength)
    }

    @Test func nestingBeyondTheLimitIsRejected() throws {
        let depth = FilterParser.maximumDepth
        let source = String(repeating: "not(", count: depth) + #"eq(name, "x")"# + String(repeating: ")", count: depth)
        let error = try #require(failure(source))
        #expect(error.code == .tooDeep)
        #expect(error.offset == 4 * depth)
        #expect(error.message.contains("\(FilterParser.maximumDepth)"))
    }

    /// Inputs shaped to overflow a naive recursive parser's stack.
    @Test(arguments: [
        String(repeating: "not(", count: 16_000),
        String(repeating: "and(", count: 16_000) + String(repeating: ")", count: 16_000),
        String(repeating: "(", count: 60_000),
        "in(run_type, " + String(repeating: "[", count: 60_000),
        "has(metadata, '" + String(repeating: "[", count: 60_000) + "')",
        "has(metadata, '" + String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000) + "')",
    ])
    func hostileNestingFailsCleanly(_ source: String) throws {
        let error = try #require(failure(source))
        #expect((0...source.utf8.count).contains(error.offset))
    }
}

// MARK: Totality

/// SplitMix64: deterministic, so any failure reproduces from its seed.
@Suite("FilterParser: total on any input")
struct FilterParserTotalityTests {
    static var validSources: [String] {
        FilterParserDocumentedTests.cases.map(\.source) + [
            #"in(metadata_value, ["a", 'b', 1, -2.5e1, true, false])"#,
            #"and(gt(latency, "1h30m"), lt(start_time, "2024-01-15 12:34:56.789+02:00"), eq(name, "caf\u00e9 \"q\""))"#,
            #"or(not(like(name, "100\%")), search(output, 'it\'s'), eq(parent_run_id, null))"#,
        ]
    }

    /// Parses `source`; the only acceptable outcomes are a tree or a well-formed error.
    private func checkTotal(_ source: String) {
        do {
            let parsed = try FilterParser.parse(source)
            // Anything accepted must also survive its own canonical rendering.
            #expect((try? FilterParser.parse(parsed.description)) == parsed, "\(source)")
        } catch {
            #expect((0...source.utf8.count).contains(error.offset), "\(source)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test func everyPrefixOfAValidFilterIsHandled() {
        for source in Self.validSources {
            let bytes = Array(source.utf8)
            for end in 0...bytes.count {
                checkTotal(String(decoding: bytes[0..<end], as: UTF8.self))
            }
        }
    }

    @Test func randomByteStringsOnlyEverThrowFilterSyntaxError() {
        var random = SplitMix64(seed: 0xA11CE)
        for _ in 0..<3000 {
            let length = Int.random(in: 0...80, using: &random)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            checkTotal(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test func randomTokenSoupOnlyEverThrowsFilterSyntaxError() {
        let pieces = [
            "and(", "or(", "not(", "eq(", "neq(", "gt(", "has(", "search(", "in(", "like(", "exists(", ")", "(",
            "[", "]", ",", " ", "name", "latency", "tags", "metadata", "start_time", "is_root", "\"x\"", "'y'",
            "\"5s\"", "\"2024-01-15\"", "1", "-2.5e3", "true", "null", "\"", "'", "\\", "\\u", "é", "😀", "{\"k\":1}",
        ]
        var random = SplitMix64(seed: 0xF117E5)
        for _ in 0..<5000 {
            let count = Int.random(in: 1...24, using: &random)
            checkTotal((0..<count).map { _ in pieces.randomElement(using: &random)! }.joined())
        }
    }

    @Test func randomMutationsOfValidFiltersOnlyEverThrowFilterSyntaxError() {
        let alphabet = Array("()[],'\"\\ azEL019.-+_%{}:\u{0}é".utf8)
        var random = SplitMix64(seed: 0x5EED)
        for source in Self.validSources {
            for _ in 0..<150 {
                var bytes = Array(source.utf8)
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let position = Int.random(in: 0...bytes.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: bytes.insert(alphabet.randomElement(using: &random)!, at: position)
                    case 1 where position < bytes.count: bytes.remove(at: position)
                    default:
                        if position < bytes.count { bytes[position] = alphabet.randomElement(using: &random)! }
                    }
                }
                checkTotal(String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    /// Random trees built from valid comparisons render to text that parses back to themselves.
    @Test func randomTreesRoundTripThroughText() throws {
        let leaves = try [
            #"eq(name, "a\"b\\c\n")"#, "gt(latency, 0.001)", "neq(error, null)", #"has(tags, "t")"#,
            #"search("x y")"#, #"in(run_type, ["llm", "chain"])"#, #"gte(start_time, "2024-01-15")"#,
            "lt(total_cost, 1e-7)", #"exists(metadata, "k")"#, "eq(feedback_score, -3.25)", "eq(is_root, false)",
        ].map { try FilterParser.parse($0) }
        var random = SplitMix64(seed: 0x7EE)
        func tree(depth: Int) -> FilterExpression {
            guard depth < 6, Int.random(in: 0..<3, using: &random) > 0 else { return leaves.randomElement(using: &random)! }
            switch Int.random(in: 0..<3, using: &random) {
            case 0: return .not(tree(depth: depth + 1))
            case 1: return .and((0..<Int.random(in: 2...4, using: &random)).map { _ in tree(depth: depth + 1) })
            default: return .or((0..<Int.random(in: 2...4, using: &random)).map { _ in tree(depth: depth + 1) })
            }
        }
        for _ in 0..<500 {
            let expression = tree(depth: 0)
            #expect(try FilterParser.parse(expression.description) == expression)
        }
    }
}
