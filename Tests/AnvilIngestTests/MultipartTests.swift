import AnvilCore
import Foundation
import Testing
@testable import AnvilIngest

private func utf8(_ s: String) -> [UInt8] { Array(s.utf8) }

/// A parsed part with its body as text, for readable expectations.
private struct Part: Equatable, CustomStringConvertible {
    var name: String
    var contentType: String?
    var body: String
    init(_ name: String, _ contentType: String?, _ body: String) {
        self.name = name
        self.contentType = contentType
        self.body = body
    }
    var description: String { "\(name) [\(contentType ?? "-")] \(body.debugDescription)" }
}

private func parts(_ body: [UInt8], _ boundary: String) throws -> [Part] {
    try Multipart.parse(body, boundary: boundary).map { p in
        #expect(p.body.lowerBound >= 0 && p.body.upperBound <= body.count)
        return Part(p.name, p.contentType, String(decoding: body[p.body], as: UTF8.self))
    }
}

private func failure(_ body: [UInt8], _ boundary: String) -> MultipartError? {
    do {
        _ = try Multipart.parse(body, boundary: boundary)
        return nil
    } catch {
        return error
    }
}

private let runId = "01a22861-2ab3-7a87-ab3a-cc836d0b3376"
private let pyBoundary = "5c7d0e3a9b1f4c2d8e6a7b9c0d1e2f3a"

@Suite("Multipart.boundary")
struct MultipartBoundaryTests {
    @Test("finds the boundary parameter", arguments: [
        ("multipart/form-data; boundary=abc", "abc"),
        ("multipart/form-data; boundary=\(pyBoundary)", pyBoundary),
        ("multipart/form-data; boundary=----LangSmithFormBoundaryq8Xz2Lm", "----LangSmithFormBoundaryq8Xz2Lm"),
        ("multipart/form-data; boundary=\"abc def\"", "abc def"),
        ("multipart/form-data; boundary=\"a=b\"", "a=b"),
        ("Multipart/Form-Data; BOUNDARY=xyz", "xyz"),
        ("multipart/form-data; charset=utf-8; boundary=xyz", "xyz"),
        ("multipart/form-data;boundary=xyz;charset=utf-8", "xyz"),
        (" multipart/form-data ; boundary = xyz ", "xyz"),
        ("multipart/form-data; xboundary=a; boundary=b", "b"),
        ("multipart/form-data; boundary=\(String(repeating: "b", count: 200))", String(repeating: "b", count: 200)),
    ])
    func finds(_ contentType: String, _ expected: String) {
        #expect(Multipart.boundary(contentType: contentType) == expected)
    }

    @Test("no boundary for other types or empty values", arguments: [
        "multipart/form-data", "multipart/form-data;", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"",
        "multipart/form-data; charset=utf-8", "multipart/mixed; boundary=x", "application/json; boundary=x", "",
        "multipart/form-data; boundary=\(String(repeating: "b", count: 201))", "boundary=x",
    ])
    func none(_ contentType: String) {
        #expect(Multipart.boundary(contentType: contentType) == nil)
    }
}

@Suite("Multipart.parse")
struct MultipartParseTests {
    /// What the Python SDK sends (wire doc §4.5): per-part Content-Length, boundary a uuid4 hex.
    static let python = [
        "--\(pyBoundary)\r\n",
        "Content-Disposition: form-data; name=\"post.\(runId)\"\r\n",
        "Content-Type: application/json\r\n",
        "Content-Length: 56\r\n",
        "\r\n",
        #"{"id":"\#(runId)","name":"x"}"#, "\r\n",
        "--\(pyBoundary)\r\n",
        "Content-Disposition: form-data; name=\"post.\(runId).inputs\"\r\n",
        "Content-Type: application/json\r\n",
        "Content-Length: 7\r\n",
        "\r\n",
        #"{"a":1}"#, "\r\n",
        "--\(pyBoundary)\r\n",
        "Content-Disposition: form-data; name=\"attachment.\(runId).img\"\r\n",
        "Content-Type: image/png\r\n",
        "Content-Length: 4\r\n",
        "\r\n",
        "\u{89}PNG", "\r\n",
        "--\(pyBoundary)--\r\n",
    ].joined()

    @Test("Python SDK body")
    func pythonStyle() throws {
        let body = utf8(Self.python)
        #expect(try parts(body, pyBoundary) == [
            Part("post.\(runId)", "application/json", #"{"id":"\#(runId)","name":"x"}"#),
            Part("post.\(runId).inputs", "application/json", #"{"a":1}"#),
            Part("attachment.\(runId).img", "image/png", "\u{89}PNG"),
        ])
        // Exact ranges: each body starts right after its blank line and ends before CRLF--boundary.
        let ranges = try Multipart.parse(body, boundary: pyBoundary).map(\.body)
        let firstStart = utf8("--\(pyBoundary)\r\nContent-Disposition: form-data; name=\"post.\(runId)\"\r\nContent-Type: application/json\r\nContent-Length: 56\r\n\r\n").count
        #expect(ranges[0] == firstStart..<firstStart + 56)
        #expect(ranges[2].count == 5)  // U+0089 is two bytes in UTF-8
    }

    @Test("JS SDK body: length in the content type, LangSmithFormBoundary")
    func javascriptStyle() throws {
        let boundary = "----LangSmithFormBoundary7MA4YWxkTrZu0gW"
        let body = utf8([
            "--\(boundary)\r\n",
            "Content-Disposition: form-data; name=\"post.\(runId)\"\r\n",
            "Content-Type: application/json; length=2\r\n",
            "\r\n",
            "{}\r\n",
            "--\(boundary)\r\n",
            "Content-Disposition: form-data; name=\"post.\(runId).outputs\"\r\n",
            "Content-Type: application/json; length=11\r\n",
            "\r\n",
            #"{"o":"--x"}"#, "\r\n",
            "--\(boundary)\r\n",
            "Content-Disposition: form-data; name=\"attachment.\(runId).notes\"\r\n",
            "Content-Type: text/plain; length=3\r\n",
            "\r\n",
            "abc\r\n",
            "--\(boundary)--",
        ].joined())
        #expect(try parts(body, boundary) == [
            Part("post.\(runId)", "application/json; length=2", "{}"),
            Part("post.\(runId).outputs", "application/json; length=11", #"{"o":"--x"}"#),
            Part("attachment.\(runId).notes", "text/plain; length=3", "abc"),
        ])
    }

    @Test("the MultipartBody helper produces what the parser reads, in both styles")
    func builder() throws {
        for style in [MultipartBody.Style.python, .javascript] {
            var b = MultipartBody(style: style)
            b.add("post.\(runId)", json: "{}")
            b.add("attachment.\(runId).bin", contentType: "application/octet-stream", [0, 13, 10, 45, 45, 255])
            let parsed = try Multipart.parse(b.finished, boundary: b.boundary)
            #expect(parsed.map(\.name) == ["post.\(runId)", "attachment.\(runId).bin"])
            #expect(Array(b.finished[parsed[1].body]) == [0, 13, 10, 45, 45, 255])
        }
    }

    @Test("preamble and epilogue are ignored")
    func preambleEpilogue() throws {
        let body = utf8("This is the preamble.\r\nIt has --B in it.\r\n--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nA\r\n--B--\r\nThis is the epilogue.\r\n--B\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nB\r\n--B--\r\n")
        #expect(try parts(body, "B") == [Part("a", nil, "A")])
    }

    @Test("boundary-like text that is not a delimiter stays in the body", arguments: [
        "x--B",  // not at the start of a line
        "--B",  // at the start of the body, but the delimiter needs a CRLF before it
        "line\r\n-B",  // one dash
        "line\r\n--Bogus",  // the boundary followed by more boundary characters
        "line\r\n--B_",
        "line\r\n--B\u{0}",
        "line\r\n--B \tx\r\n",  // blanks then not CRLF
        "a\r\n--Bx\r\n--By\r\nb",
    ])
    func boundaryLikeText(_ content: String) throws {
        let body = utf8("--B\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\n\(content)\r\n--B--\r\n")
        #expect(try parts(body, "B") == [Part("p", nil, content)])
    }

    @Test("CRLFs, blank lines and binary inside a part are kept")
    func crlfInside() throws {
        let content = "line1\r\nline2\r\n\r\n\r\nContent-Type: fake\r\n\r\n--\r\n"
        let body = utf8("--B\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\n\(content)\r\n--B\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\n\r\n--B--")
        #expect(try parts(body, "B") == [Part("p", nil, content), Part("q", nil, "")])
    }

    @Test("transport padding after a boundary and a close right after the first boundary")
    func padding() throws {
        let body = utf8("--B \t\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nx\r\n--B  \r\nContent-Disposition: form-data; name=\"q\"\r\n\r\ny\r\n--B--")
        #expect(try parts(body, "B") == [Part("p", nil, "x"), Part("q", nil, "y")])
        #expect(try parts(utf8("--B--\r\n"), "B") == [])
        #expect(try parts(utf8("preamble\r\n--B--"), "B") == [])
    }

    @Test("header names are case-insensitive; other headers are ignored")
    func headers() throws {
        let body = utf8("--B\r\ncontent-disposition: form-data; name=\"p\"\r\nCONTENT-TYPE:text/plain\r\nX-Other: 1\r\nContent-Length: 999\r\n\r\nx\r\n--B--")
        #expect(try parts(body, "B") == [Part("p", "text/plain", "x")])
    }

    @Test("Content-Disposition names", arguments: [
        ("form-data; name=\"post.x\"", "post.x"),
        ("form-data; filename=\"f.png\"; name=\"attachment.x.img\"", "attachment.x.img"),
        ("form-data; name=\"n\"; filename=\"f\"", "n"),
        ("form-data; name=plain", "plain"),
        ("form-data; name=plain; filename=x", "plain"),
        ("form-data;name=\"tight\"", "tight"),
        ("form-data; name=\"quote\\\"d\"", "quote\"d"),
        ("form-data; name=\"semi;colon\"", "semi;colon"),
    ])
    func dispositionNames(_ disposition: String, _ expected: String) throws {
        let body = utf8("--B\r\nContent-Disposition: \(disposition)\r\n\r\nx\r\n--B--")
        #expect(try parts(body, "B").map(\.name) == [expected])
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        var body: String
        var message: String
        var testDescription: String { message }
    }

    static let malformed: [Malformed] = [
        Malformed(body: "", message: "multipart body has no boundary line (expected '--B')"),
        Malformed(body: "no delimiter here", message: "multipart body has no boundary line (expected '--B')"),
        Malformed(body: "preamble--B\r\n", message: "multipart body has no boundary line (expected '--B')"),
        Malformed(body: "--B\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nbody never closed",
                  message: "multipart body truncated: part 'p' has no closing boundary"),
        Malformed(body: "--B\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nx\r\n--Bogus",
                  message: "multipart body truncated: part 'p' has no closing boundary"),
        Malformed(body: "--B\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nx\r\n--B",
                  message: "malformed multipart boundary line at byte 55"),
        Malformed(body: "--B\r\nContent-Disposition: form-data; name=\"p\"\r\nContent-Type: a/b",
                  message: "multipart part headers not terminated at byte 5"),
        Malformed(body: "--B\r\n", message: "multipart part headers not terminated at byte 5"),
        Malformed(body: "--Bjunk\r\n", message: "multipart body has no boundary line (expected '--B')"),
        Malformed(body: "--B\r\nContent-Type: application/json\r\n\r\n{}\r\n--B--",
                  message: "multipart part without a Content-Disposition name"),
        Malformed(body: "--B\r\nContent-Disposition: form-data; filename=\"f\"\r\n\r\n{}\r\n--B--",
                  message: "multipart part without a Content-Disposition name"),
        Malformed(body: "--B\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n{}\r\n--B--",
                  message: "multipart part without a Content-Disposition name"),
        Malformed(body: "--B\r\nContent-Disposition: form-data; name=\"unterminated\r\n\r\n{}\r\n--B--",
                  message: "multipart part without a Content-Disposition name"),
        Malformed(body: "--B\r\nContent-Disposition: form-data; name=\"p\"\r\nContent-Encoding: gzip\r\n\r\n{}\r\n--B--",
                  message: "per-part Content-Encoding is not supported; compress the whole body instead"),
        Malformed(body: "--B\r\nContent-Disposition: form-data; name=\"p\"\r\nno colon here\r\n\r\n{}\r\n--B--",
                  message: "malformed multipart part header 'no colon here'"),
        Malformed(body: "--B\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nx\r\n--B\r\n",
                  message: "multipart part headers not terminated at byte 57"),
    ]

    @Test("malformed bodies throw a MultipartError saying what is wrong", arguments: malformed)
    func rejects(_ c: Malformed) {
        #expect(failure(utf8(c.body), "B") == MultipartError(message: c.message))
    }

    @Test("headers must end within 16 KiB")
    func headerLimit() {
        let big = "--B\r\nContent-Disposition: form-data; name=\"p\"\r\nX-Pad: \(String(repeating: "a", count: 17 * 1024))\r\n\r\nx\r\n--B--"
        #expect(failure(utf8(big), "B") == MultipartError(message: "multipart part headers not terminated at byte 5"))
        let fine = "--B\r\nContent-Disposition: form-data; name=\"p\"\r\nX-Pad: \(String(repeating: "a", count: 15 * 1024))\r\n\r\nx\r\n--B--"
        #expect(failure(utf8(fine), "B") == nil)
    }

    @Test("a valid body cut anywhere before its closing delimiter throws")
    func truncation() throws {
        let body = utf8(Self.python)
        let expected = try Multipart.parse(body, boundary: pyBoundary)
        let closeStart = body.count - "--\(pyBoundary)--\r\n".utf8.count - 2
        for n in 0..<body.count {
            let prefix = Array(body[..<n])
            let result = Result { try Multipart.parse(prefix, boundary: pyBoundary) }
            if n < closeStart + 2 + 2 + pyBoundary.utf8.count + 2 {
                // Up to and including "CRLF--boundary-": no complete closing delimiter yet.
                #expect(throws: MultipartError.self, "prefix of \(n) bytes") { try result.get() }
            } else {
                #expect(try result.get() == expected, "prefix of \(n) bytes")
            }
        }
    }

    @Test("fuzz: mutated bodies either parse to in-bounds parts or throw MultipartError", arguments: [11, 12, 13] as [UInt64])
    func fuzz(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let base = utf8(Self.python)
        let alphabet = utf8("\r\n-\"=;: \(pyBoundary.prefix(4))") + [0x00, 0xFF]
        var parsed = 0
        for iteration in 0..<2000 {
            var body = base
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                body = Array(body[..<Int.random(in: 0...body.count, using: &rng)])
            case 1:
                for _ in 0..<Int.random(in: 1...8, using: &rng) where !body.isEmpty {
                    body[Int.random(in: 0..<body.count, using: &rng)] = alphabet.randomElement(using: &rng)!
                }
            case 2:
                let start = Int.random(in: 0..<body.count, using: &rng)
                let end = min(body.count, start + Int.random(in: 1...40, using: &rng))
                body.removeSubrange(start..<end)
            default:
                let at = Int.random(in: 0...body.count, using: &rng)
                let insert = Bool.random(using: &rng) ? utf8("\r\n--\(pyBoundary)") : utf8("\r\n\r\n")
                body.insert(contentsOf: insert, at: at)
            }
            do {
                let result = try Multipart.parse(body, boundary: pyBoundary)
                parsed += 1
                for part in result {
                    #expect(part.body.lowerBound >= 0 && part.body.lowerBound <= part.body.upperBound
                            && part.body.upperBound <= body.count, "seed \(seed) iteration \(iteration)")
                    #expect(!part.name.isEmpty, "seed \(seed) iteration \(iteration)")
                }
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
        #expect(parsed > 0)
    }
}
