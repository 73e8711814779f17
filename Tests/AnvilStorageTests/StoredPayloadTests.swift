import AnvilCore
@testable import AnvilSQLite
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

/// Large inputs/outputs are stored zstd-compressed (`StoredPayload`); everything that reads them —
/// the run itself, filters, full-text search, thread previews — sees the JSON exactly as sent.
@Suite("SQLite trace store: compressed payloads")
struct StoredPayloadTests {
    let tenant = UUID()

    /// ~4 KB of text a model might write: compresses well.
    static let prose = String(repeating: "The refund for order 1234 was issued to the original card; allow five business days. ", count: 48)

    /// A pseudo-random hex string: compresses only about 2:1.
    static let noise: String = {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return String((0..<600).map { _ -> Character in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Array("0123456789abcdef")[Int(state >> 60)]
        })
    }()

    func store() throws -> (SQLiteTraceStore, TemporaryDirectory) {
        let dir = try TemporaryDirectory(prefix: "anvil-payload")
        return (try SQLiteTraceStore(path: dir.file("traces.sqlite"), logger: .test), dir)
    }

    /// (typeof, length) of a run's stored inputs and outputs columns.
    func stored(_ traces: SQLiteTraceStore, _ id: UUID) async throws -> [String] {
        try await traces.db.read { conn in
            var out: [String] = []
            try conn.query("SELECT typeof(inputs), length(CAST(inputs AS BLOB)), typeof(outputs), length(CAST(outputs AS BLOB)) FROM runs WHERE id = ?", [.uuid(id)]) { row in
                out = [row.string(0) ?? "", String(row.int(1) ?? -1), row.string(2) ?? "", String(row.int(3) ?? -1)]
            }
            return out
        }
    }

    @Test("large payloads are compressed, small and incompressible ones stay text, all read back byte for byte")
    func roundTrip() async throws {
        let (traces, dir) = try store()
        _ = dir
        // Unusual but valid JSON text: spacing and escapes must survive as sent.
        let bigInputs = #"{ "question" : "\u00e9t\u00e9?",  "context": ""# + Self.prose + #"" }"#
        let big = RunBuilder.root(name: "big", start: Fixtures.time(0)).inputs(json: bigInputs).outputs(json: #"{"noise": ""# + Self.noise + #""}"#)
        let small = RunBuilder.root(name: "small", start: Fixtures.time(1)).inputs(json: #"{"q": "hi"}"#).outputs(json: #"{"a": "yo"}"#)
        try await traces.write([big.post, small.post], tenant: tenant)

        let b = try #require(try await traces.run(big.id, tenant: tenant))
        #expect(b.inputs?.bytes == Array(bigInputs.utf8))
        #expect(b.outputs?.string == #"{"noise": ""# + Self.noise + #""}"#)
        let s = try #require(try await traces.run(small.id, tenant: tenant))
        #expect(s.inputs?.string == #"{"q": "hi"}"#)

        let bigStored = try await stored(traces, big.id)
        #expect(bigStored[0] == "blob")
        #expect(Int(bigStored[1])! < bigInputs.utf8.count / 5)
        #expect(bigStored[2] == "blob")
        #expect(try await stored(traces, small.id) == ["text", "11", "text", "11"])

        // Listing with payloads decodes too.
        let listed = try await traces.allRuns(RunQuery(tenantId: tenant))
        #expect(listed.first { $0.id == big.id }?.inputs?.bytes == Array(bigInputs.utf8))
    }

    @Test("the column value: text under 256 bytes or when zstd saves less than a tenth, else a frame that inflates to the bytes")
    func columnValue() throws {
        let short = Array(#"{"short": "under the threshold"}"#.utf8)
        #expect(StoredPayload.value(RawJSON(validated: short)) == .textBytes(short))
        #expect(StoredPayload.value(nil) == .null)
        // 300 random printable characters: about 6.5 bits each, so a frame saves less than 10%.
        var state: UInt64 = 42
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'()*+,-./:;<=>?@[]^_`{|}~ ".utf8)
        let random = (0..<300).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return alphabet[Int(state >> 33) % alphabet.count]
        }
        let dense = Array(#"{"k": ""#.utf8) + random + Array(#""}"#.utf8)
        #expect(StoredPayload.value(RawJSON(validated: dense)) == .textBytes(dense))
        let prose = Array((#"{"text": ""# + Self.prose + #""}"#).utf8)
        guard case .blob(let frame) = StoredPayload.value(RawJSON(validated: prose)) else {
            Issue.record("a compressible payload was not compressed")
            return
        }
        #expect(frame.count < prose.count / 5)
        #expect(StoredPayload.decompress(frame) == prose)
        #expect(StoredPayload.decompress(Array(frame.dropLast())) == nil)  // a damaged frame reads as nothing
    }

    @Test("filters and full-text search see compressed payloads as JSON text")
    func filters() async throws {
        let (traces, dir) = try store()
        _ = dir
        let big = RunBuilder.root(name: "big", start: Fixtures.time(0))
            .inputs(json: #"{"question": "where is my refund", "context": ""# + Self.prose + #""}"#)
            .outputs(json: #"{"answer": ""# + Self.prose + #"", "score": 3}"#)
        let other = RunBuilder.root(name: "other", start: Fixtures.time(1)).inputs(json: #"{"question": "hello"}"#)
        try await traces.write([big.post, other.post], tenant: tenant)
        #expect(try await stored(traces, big.id)[0] == "blob")
        #expect(try await stored(traces, big.id)[2] == "blob")

        func names(_ filter: String) async throws -> [String] {
            var q = RunQuery(tenantId: tenant)
            q.filter = try FilterParser.parse(filter)
            return try await traces.allRuns(q).compactMap(\.name).sorted()
        }
        #expect(try await names(#"search("five business days")"#) == ["big"])
        #expect(try await names(#"has(inputs, '{"question": "where is my refund"}')"#) == ["big"])
        #expect(try await names(#"exists(inputs, "question")"#) == ["big", "other"])
        #expect(try await names(#"has(outputs, '{"score": 3}')"#) == ["big"])
        #expect(try await names(#"eq(input_key, "context")"#) == ["big"])
        #expect(try await names(#"search("hello")"#) == ["other"])
    }

    @Test("a store written with text payloads reads unchanged (compression needs no migration)")
    func legacyText() async throws {
        let (traces, dir) = try store()
        _ = dir
        let run = RunBuilder.root(name: "legacy", start: Fixtures.time(0)).inputs(json: #"{"x": 1}"#)
        try await traces.write([run.post], tenant: tenant)
        let text = #"{"question": ""# + Self.prose + #""}"#
        try await traces.db.write { conn in
            try conn.run("UPDATE runs SET inputs = ? WHERE id = ?", [.textBytes(Array(text.utf8)), .uuid(run.id)])
        }
        #expect(try await traces.run(run.id, tenant: tenant)?.inputs?.string == text)
        var q = RunQuery(tenantId: tenant)
        q.filter = try FilterParser.parse(#"search("business days")"#)
        #expect(try await traces.allRuns(q).map(\.id) == [run.id])
    }
}
