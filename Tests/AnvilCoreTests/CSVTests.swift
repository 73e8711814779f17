import Testing
@testable import AnvilCore

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// A document and the rows it must parse to.
struct CSVParseCase: Sendable, CustomTestStringConvertible {
    var bytes: [UInt8]
    var rows: [[String]]
    var why: String
    init(_ text: String, _ rows: [[String]], _ why: String) {
        self.bytes = Array(text.utf8)
        self.rows = rows
        self.why = why
    }
    init(bytes: [UInt8], _ rows: [[String]], _ why: String) {
        self.bytes = bytes
        self.rows = rows
        self.why = why
    }
    var testDescription: String { why }
}

/// A document that must be rejected, with the exact error.
struct CSVRejectCase: Sendable, CustomTestStringConvertible {
    var bytes: [UInt8]
    var error: CSVError
    var why: String
    init(_ text: String, _ message: String, line: Int, _ why: String) {
        self.init(bytes: Array(text.utf8), message, line: line, why)
    }
    init(bytes: [UInt8], _ message: String, line: Int, _ why: String) {
        self.bytes = bytes
        self.error = CSVError(message: message, line: line)
        self.why = why
    }
    var testDescription: String { why }
}

@Suite("CSV: parsing")
struct CSVParseTests {
    static let accepted: [CSVParseCase] = [
        CSVParseCase("", [], "empty input has no rows"),
        CSVParseCase(bytes: [0xEF, 0xBB, 0xBF], [], "a lone BOM has no rows"),
        CSVParseCase("a,b\r\n1,2\r\n", [["a", "b"], ["1", "2"]], "CRLF"),
        CSVParseCase("a,b\n1,2\n", [["a", "b"], ["1", "2"]], "LF"),
        CSVParseCase("a,b\r1,2\r", [["a", "b"], ["1", "2"]], "a lone CR"),
        CSVParseCase("a,b\n1,2", [["a", "b"], ["1", "2"]], "no trailing newline"),
        CSVParseCase("a\r\n\r\n\nb\n\n", [["a"], ["b"]], "blank lines are skipped"),
        CSVParseCase(bytes: [0xEF, 0xBB, 0xBF] + Array("a,b\n".utf8), [["a", "b"]], "a UTF-8 BOM is stripped"),
        CSVParseCase("\u{FEFF}\u{FEFF}a\n", [["\u{FEFF}a"]], "only one BOM is stripped"),
        CSVParseCase(",,\n", [["", "", ""]], "empty fields"),
        CSVParseCase("a,\n,b", [["a", ""], ["", "b"]], "an empty field at either end"),
        CSVParseCase("a,b,", [["a", "b", ""]], "a trailing comma at the end of input"),
        CSVParseCase("\"\"\n", [[""]], "a quoted empty field"),
        CSVParseCase("\"a,b\",c\n", [["a,b", "c"]], "a quoted comma"),
        CSVParseCase("\"say \"\"hi\"\"\",\"\"\"\"\n", [["say \"hi\"", "\""]], "doubled quotes"),
        CSVParseCase("\"line1\nline2\",\"x\r\ny\",\"cr\ronly\"\n", [["line1\nline2", "x\r\ny", "cr\ronly"]], "newlines inside quotes are kept"),
        CSVParseCase("\"a\"\r\n\"b\"", [["a"], ["b"]], "quoted fields at line ends and the end of input"),
        CSVParseCase(" a , b \n", [[" a ", " b "]], "spaces are data"),
        CSVParseCase("héllo,😀,日本\n", [["héllo", "😀", "日本"]], "UTF-8 text"),
        CSVParseCase("a,b\n1\n1,2,3\n", [["a", "b"], ["1"], ["1", "2", "3"]], "parse allows ragged rows"),
    ]

    @Test("accepted documents", arguments: accepted)
    func accepts(_ c: CSVParseCase) throws {
        #expect(try CSV.parse(c.bytes) == c.rows)
    }

    static let rejected: [CSVRejectCase] = [
        CSVRejectCase("a,b\"c\n", "a quote inside an unquoted field (quote the whole field and double the quote)", line: 1,
                      "a quote inside an unquoted field"),
        CSVRejectCase("a\nb\n c\"\n", "a quote inside an unquoted field (quote the whole field and double the quote)", line: 3,
                      "a quote after a leading space"),
        CSVRejectCase("a\n\"abc\nd\ne\n", "a quoted field is never closed", line: 2, "an unterminated quote names the line it opened on"),
        CSVRejectCase("x\n\"ab\"c\n", "text after the closing quote of a field", line: 2, "text after a closing quote"),
        CSVRejectCase("\"a\nb\",c\nd\"e\n", "a quote inside an unquoted field (quote the whole field and double the quote)", line: 3,
                      "line numbers count newlines inside quoted fields"),
        CSVRejectCase("\"a\r\nb\",c\r\n\"d\re\"f", "text after the closing quote of a field", line: 4, "CR and CRLF inside quotes count once each"),
        CSVRejectCase(bytes: Array("a\nb".utf8) + [0xFF] + Array("\n".utf8), "the text is not valid UTF-8", line: 2, "invalid UTF-8"),
        CSVRejectCase(bytes: Array("a\n\"b\"\"".utf8) + [0xC3] + Array("\"\n".utf8), "the text is not valid UTF-8", line: 2,
                      "invalid UTF-8 in an escaped quoted field"),
        CSVRejectCase(bytes: [0xEF, 0xBB], "the text is not valid UTF-8", line: 1, "a truncated BOM"),
        CSVRejectCase(bytes: Array("a\n\"b\n".utf8) + [0xFF] + Array("\nc\"\n".utf8), "the text is not valid UTF-8", line: 2,
                      "invalid UTF-8 in a multi-line field names the line the field starts on"),
    ]

    @Test("rejected documents name the line", arguments: rejected)
    func rejects(_ c: CSVRejectCase) {
        #expect(throws: c.error) { try CSV.parse(c.bytes) }
    }

    @Test("errors describe themselves")
    func errorDescription() {
        #expect(CSVError(message: "bad", line: 3).description == "line 3: bad")
    }
}

@Suite("CSV: records")
struct CSVRecordTests {
    @Test("the header names each row's fields")
    func records() throws {
        let (header, rows) = try CSV.records(bytes("question,answer\r\nwhy?,\"because, well\"\r\n\"multi\nline\",\r\n"))
        #expect(header == ["question", "answer"])
        #expect(rows == [["question": "why?", "answer": "because, well"], ["question": "multi\nline", "answer": ""]])
    }

    @Test("empty input and a header alone")
    func degenerate() throws {
        let empty = try CSV.records([])
        #expect(empty.header.isEmpty && empty.rows.isEmpty)
        let headerOnly = try CSV.records(bytes("a,b\n"))
        #expect(headerOnly.header == ["a", "b"] && headerOnly.rows.isEmpty)
    }

    static let ragged: [CSVRejectCase] = [
        CSVRejectCase("a,b\n1,2\n3\n", "the row has 1 field but the header has 2", line: 3, "too few fields"),
        CSVRejectCase("a,b\n1,2,3\n", "the row has 3 fields but the header has 2", line: 2, "too many fields"),
        CSVRejectCase("a,b\n\"x\ny\",2\n\n3\n", "the row has 1 field but the header has 2", line: 5,
                      "the line counts quoted newlines and blank lines"),
        CSVRejectCase("a,b,a\n1,2,3\n", "the header repeats the column name 'a'", line: 1, "a repeated column name"),
        CSVRejectCase("\n\na,a\n", "the header repeats the column name 'a'", line: 3, "the header's own line"),
    ]

    @Test("ragged rows and repeated columns are rejected with their line", arguments: ragged)
    func rejectsRagged(_ c: CSVRejectCase) {
        #expect(throws: c.error) { try CSV.records(c.bytes) }
    }
}

@Suite("CSV: writing and round trips")
struct CSVWriteTests {
    @Test("quotes only what needs it, with CRLF after every row")
    func write() {
        let text = CSV.write([
            ["plain", "a,b", "say \"hi\"", " lead", "trail ", "\ttab", "x\ny", "cr\r", ""],
            [""],
            ["", ""],
            ["é😀"],
        ])
        #expect(text == "plain,\"a,b\",\"say \"\"hi\"\"\",\" lead\",\"trail \",\"\ttab\",\"x\ny\",\"cr\r\",\r\n\"\"\r\n,\r\né😀\r\n")
        #expect(CSV.write([]) == "")
    }

    @Test("a leading U+FEFF in the first field survives (it would otherwise read as a BOM)")
    func leadingBOMCharacter() throws {
        let rows = [["\u{FEFF}a", "\u{FEFF}b"], ["\u{FEFF}c"]]
        let text = CSV.write(rows)
        #expect(text == "\"\u{FEFF}a\",\u{FEFF}b\r\n\u{FEFF}c\r\n")
        #expect(try CSV.parse(bytes(text)) == rows)
    }

    @Test("random rows survive write then parse", arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func roundTrip(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let alphabet: [String] = ["a", "b", "Z", "0", " ", ",", "\"", "\r", "\n", "\r\n", "\t", "é", "😀", "\u{FEFF}", "日"]
        for iteration in 0..<200 {
            let rows: [[String]] = (0..<Int.random(in: 0...6, using: &rng)).map { _ in
                (0..<Int.random(in: 1...6, using: &rng)).map { _ in
                    String((0..<Int.random(in: 0...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined())
                }
            }
            let text = CSV.write(rows)
            #expect(try CSV.parse(bytes(text)) == rows, "seed \(seed) iteration \(iteration)")
        }
    }

    @Test("records round-trip through write")
    func recordsRoundTrip() throws {
        let header = ["input", "output", "notes"]
        let rows = [["what is 2+2?", "4", ""], ["say \"hi\"", "hi,\nthere", " spaced "]]
        let (parsedHeader, records) = try CSV.records(bytes(CSV.write([header] + rows)))
        #expect(parsedHeader == header)
        #expect(records == rows.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) })
    }

    @Test("parses about 10 MB (fast in release; here it only has to finish)")
    func largeDocument() throws {
        var rng = SplitMix64(seed: 42)
        var rows: [[String]] = [["id", "question", "answer", "score", "notes"]]
        var size = 0
        while size < 11_000_000 {
            let row = [
                String(rows.count),
                "What is \(Int.random(in: 0...1_000_000, using: &rng)) plus something, really?",
                "It is \"probably\" \(Int.random(in: 0...1_000, using: &rng))\nsecond line of the answer",
                String(Double(Int.random(in: 0...100, using: &rng)) / 100),
                Bool.random(using: &rng) ? "" : "plain note text without any specials",
            ]
            size += row.reduce(0) { $0 + $1.utf8.count + 3 }
            rows.append(row)
        }
        let data = bytes(CSV.write(rows))
        #expect(data.count > 10_000_000)
        let clock = ContinuousClock()
        let start = clock.now
        let parsed = try CSV.parse(data)
        let elapsed = clock.now - start
        #expect(parsed.count == rows.count)
        #expect(parsed.last == rows.last)
        #expect(elapsed < .seconds(60))
        print("CSV.parse: \(data.count) bytes in \(elapsed)")
    }
}
