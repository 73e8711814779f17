import AnvilCore
import Foundation
import Testing
@testable import AnvilIngest

private let tenant = UUID(uuidString: "7e000000-0000-4000-8000-000000000001")!

private func raw(_ text: String) -> RawJSON { RawJSON(validated: Array(text.utf8)) }

private func decodeFailure(_ bytes: [UInt8]) -> String? {
    do {
        _ = try IngestRecord(decoding: bytes)
        return nil
    } catch {
        return error.message
    }
}

/// Random records for the round-trip property: every optional field present or absent.
private struct RecordGenerator {
    var rng: SplitMix64

    mutating func bool() -> Bool { Bool.random(using: &rng) }
    mutating func maybe<T>(_ make: (inout RecordGenerator) -> T) -> T? { bool() ? make(&self) : nil }

    mutating func uuid() -> UUID {
        let a = rng.next(), b = rng.next()
        return withUnsafeBytes(of: (a, b)) { p in
            UUID(uuid: (p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]))
        }
    }

    mutating func string(maxLength: Int = 20) -> String {
        let alphabet = Array("abcXYZ09 _-.\"\\/\n\té✓😀\u{0}")
        return String((0..<Int.random(in: 0...maxLength, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    mutating func timestamp() -> Timestamp {
        // Years 0001–9999: what feedback's ISO-8601 times can express. Run times are raw i64.
        Timestamp(microseconds: Int64.random(in: -62_135_596_800_000_000...253_402_300_799_999_999, using: &rng))
    }

    mutating func json(depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0..<(depth > 2 ? 5 : 7), using: &rng) {
        case 0: return .bool(bool())
        case 1: return .int(Int64.random(in: .min ... .max, using: &rng))
        case 2: return .double(Double(Int.random(in: -10_000...10_000, using: &rng)) / 16)
        case 3: return .string(string())
        case 4: return depth > 0 ? .null : .string("top")
        case 5: return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in json(depth: depth + 1) })
        default:
            var o: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...3, using: &rng) { o[string(maxLength: 5)] = json(depth: depth + 1) }
            return .object(o)
        }
    }

    mutating func rawJSON() -> RawJSON { RawJSON(json()) }

    mutating func update() -> RunUpdate {
        var u = RunUpdate(kind: bool() ? .post : .patch, id: uuid())
        u.traceId = maybe { $0.uuid() }
        u.parentRunId = maybe { $0.uuid() }
        u.dottedOrder = maybe { $0.string(maxLength: 80) }
        u.name = maybe { $0.string() }
        u.runType = maybe { $0.string(maxLength: 8) }
        u.startTime = maybe { Timestamp(microseconds: Int64.random(in: .min ... .max, using: &$0.rng)) }
        u.endTime = maybe { $0.timestamp() }
        u.sessionId = maybe { $0.uuid() }
        u.sessionName = maybe { $0.string() }
        u.inputs = maybe { $0.rawJSON() }
        u.outputs = maybe { $0.rawJSON() }
        u.extra = maybe { $0.rawJSON() }
        u.events = maybe { $0.rawJSON() }
        u.serialized = maybe { $0.rawJSON() }
        u.error = maybe { $0.string(maxLength: 200) }
        u.tags = maybe { g in (0..<Int.random(in: 0...4, using: &g.rng)).map { _ in g.string(maxLength: 8) } }
        u.referenceExampleId = maybe { $0.uuid() }
        u.attachments = (0..<Int.random(in: 0...2, using: &rng)).map { _ in
            AnvilCore.Attachment(name: string(maxLength: 10), mimeType: string(maxLength: 10), key: string(), size: Int.random(in: 0...50_000_000, using: &rng))
        }
        return u
    }

    /// Feedback as `FeedbackDecoder` produces it (the only source of queued feedback), in the
    /// record's tenant (a record's feedback always belongs to the record's tenant).
    mutating func feedback(tenant: UUID) -> Feedback {
        let key = String(string(maxLength: 30).prefix(180))
        var f = Feedback(id: uuid(), tenantId: tenant, key: key.isEmpty ? "k" : key, createdAt: timestamp())
        f.modifiedAt = timestamp()
        f.runId = maybe { $0.uuid() }
        f.sessionId = f.runId == nil ? uuid() : maybe { $0.uuid() }
        f.traceId = maybe { $0.uuid() }
        f.comparativeExperimentId = maybe { $0.uuid() }
        f.feedbackGroupId = maybe { $0.uuid() }
        f.startTime = maybe { $0.timestamp() }
        f.score = maybe { g in
            switch Int.random(in: 0..<3, using: &g.rng) {
            case 0: .bool(g.bool())
            case 1: .int(Int64.random(in: -5...5, using: &g.rng))
            default: .double(Double(Int.random(in: -100...100, using: &g.rng)) / 8)
            }
        }
        f.value = maybe { $0.json(depth: 0) }
        f.comment = maybe { $0.string() }
        f.correction = maybe { $0.json(depth: 0) }
        f.feedbackSource = .object(["type": .string(bool() ? "api" : "model"), "metadata": json(depth: 1)])
        f.feedbackConfig = maybe { $0.json(depth: 0) }
        f.extra = maybe { $0.json(depth: 0) }
        f.error = maybe { $0.bool() }
        return f
    }

    mutating func record() -> IngestRecord {
        let tenant = uuid()
        return IngestRecord(
            tenantId: tenant, receivedAt: Timestamp(microseconds: Int64.random(in: .min ... .max, using: &rng)),
            updates: (0..<Int.random(in: 0...4, using: &rng)).map { _ in update() },
            feedback: (0..<Int.random(in: 0...2, using: &rng)).map { _ in feedback(tenant: tenant) })
    }
}

/// A record with every field of every type set.
private let fullRecord: IngestRecord = {
    var g = RecordGenerator(rng: SplitMix64(seed: 1))
    var u = RunUpdate(kind: .post, id: UUID(uuidString: "00000000-0000-4000-8000-000000000001")!)
    u.traceId = g.uuid()
    u.parentRunId = g.uuid()
    u.dottedOrder = "20240501T120000000000Z00000000-0000-4000-8000-000000000001"
    u.name = "name ✓"
    u.runType = "llm"
    u.startTime = Timestamp(microseconds: 1_714_564_800_000_000)
    u.endTime = Timestamp(microseconds: -1)
    u.sessionId = g.uuid()
    u.sessionName = "project"
    u.inputs = raw(#"{"q": "hi"}"#)
    u.outputs = raw(#"{"a": 1}"#)
    u.extra = raw(#"{"metadata": {}}"#)
    u.events = raw("[]")
    u.serialized = raw(#"{"name": "x"}"#)
    u.error = "Traceback\n  ValueError"
    u.tags = ["a", "b"]
    u.referenceExampleId = g.uuid()
    u.attachments = [
        AnvilCore.Attachment(name: "img", mimeType: "image/png", key: "attachments/t/r/img", size: 1234),
        AnvilCore.Attachment(name: "doc", mimeType: "text/plain", key: "attachments/t/r/doc", size: 0),
    ]
    var patch = RunUpdate(kind: .patch, id: u.id)
    patch.tags = []
    var f = Feedback(id: g.uuid(), tenantId: tenant, key: "correctness", createdAt: Timestamp(microseconds: 1_714_564_800_000_001))
    f.modifiedAt = Timestamp(microseconds: 1_714_564_900_000_000)
    f.runId = u.id
    f.traceId = u.traceId
    f.sessionId = u.sessionId
    f.comparativeExperimentId = g.uuid()
    f.feedbackGroupId = g.uuid()
    f.startTime = Timestamp(microseconds: 0)
    f.score = 0.5
    f.value = ["label": "good"]
    f.comment = "c"
    f.correction = "fixed"
    f.feedbackSource = ["type": "model", "metadata": nil]
    f.feedbackConfig = ["type": "continuous"]
    f.extra = ["x": [1, 2]]
    f.error = false
    return IngestRecord(tenantId: tenant, receivedAt: Timestamp(microseconds: 1_714_564_800_123_456), updates: [u, patch], feedback: [f])
}()

@Suite("IngestRecord")
struct IngestRecordTests {
    @Test("a record with every field set round-trips")
    func full() throws {
        let bytes = fullRecord.encoded()
        #expect(try IngestRecord(decoding: bytes) == fullRecord)
    }

    @Test("a record with nothing set round-trips, in the documented layout")
    func minimal() throws {
        let record = IngestRecord(tenantId: tenant, receivedAt: Timestamp(microseconds: 0x0102_0304_0506_0708), updates: [], feedback: [])
        let bytes = record.encoded()
        // u8 version, uuid tenant, i64 receivedAt (little-endian), varint 0 updates, varint 0 feedback.
        #expect(bytes == [1] + Array(withUnsafeBytes(of: tenant.uuid) { Array($0) }) + [8, 7, 6, 5, 4, 3, 2, 1, 0, 0])
        #expect(try IngestRecord(decoding: bytes) == record)
    }

    @Test("an update with only kind and id encodes as three tagged fields")
    func bareUpdate() throws {
        let id = UUID(uuidString: "00000000-0000-4000-8000-0000000000ff")!
        let record = IngestRecord(tenantId: tenant, receivedAt: Timestamp(microseconds: 0), updates: [RunUpdate(kind: .patch, id: id)], feedback: [])
        let bytes = record.encoded()
        let idBytes = withUnsafeBytes(of: id.uuid) { Array($0) }
        #expect(Array(bytes[25...]) == [1, 1, 2, 2] + idBytes + [0, 0])
        #expect(try IngestRecord(decoding: bytes) == record)
    }

    @Test("random records round-trip", arguments: [1, 2, 3] as [UInt64])
    func randomRoundTrip(seed: UInt64) throws {
        var g = RecordGenerator(rng: SplitMix64(seed: seed))
        for iteration in 0..<300 {
            let record = g.record()
            let decoded = try IngestRecord(decoding: record.encoded())
            #expect(decoded == record, "seed \(seed) iteration \(iteration)")
        }
    }

    @Test("a record cut at every byte throws RecordError")
    func truncation() {
        let bytes = fullRecord.encoded()
        for n in 0..<bytes.count {
            #expect(throws: RecordError.self, "prefix of \(n) bytes") { try IngestRecord(decoding: Array(bytes[..<n])) }
        }
    }

    @Test("corrupted records throw RecordError or decode, never crash")
    func corruption() {
        var rng = SplitMix64(seed: 42)
        let base = fullRecord.encoded()
        var rejected = 0
        for _ in 0..<3000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] = Bool.random(using: &rng) ? UInt8.random(in: 0...255, using: &rng) : bytes[i] ^ (1 << UInt8.random(in: 0...7, using: &rng))
            }
            if (try? IngestRecord(decoding: bytes)) == nil { rejected += 1 }
        }
        #expect(rejected > 0)
    }

    @Test("unknown versions are rejected", arguments: [0, 2, 255] as [UInt8])
    func version(_ v: UInt8) {
        var bytes = fullRecord.encoded()
        bytes[0] = v
        #expect(decodeFailure(bytes) == "unknown ingest record version \(v)")
    }

    @Test("structural errors say what is wrong")
    func structure() {
        let empty = IngestRecord(tenantId: tenant, receivedAt: Timestamp(microseconds: 0), updates: [], feedback: []).encoded()
        #expect(decodeFailure([]) == "truncated record")
        #expect(decodeFailure(empty + [0]) == "trailing bytes in ingest record")
        // One update whose first tag is unknown.
        var unknownTag = Array(empty.dropLast(2))
        unknownTag += [1, 99]
        #expect(decodeFailure(unknownTag) == "unknown field tag 99")
        // A kind byte that is neither post nor patch.
        var badKind = Array(empty.dropLast(2))
        badKind += [1, 1, 7]
        #expect(decodeFailure(badKind) == "bad kind")
        // A varint longer than 9 bytes.
        var longVarint = Array(empty.dropLast(2))
        longVarint += [UInt8](repeating: 0xFF, count: 10)
        #expect(decodeFailure(longVarint) == "varint too long")
        // A count beyond Int32.
        var hugeCount = Array(empty.dropLast(2))
        hugeCount += [0xFF, 0xFF, 0xFF, 0xFF, 0x7F]
        #expect(decodeFailure(hugeCount) == "length out of range")
        // Feedback that FeedbackDecoder rejects.
        var badFeedback = Array(empty.dropLast(1))
        badFeedback += [1, 2] + Array("{}".utf8)
        #expect(decodeFailure(badFeedback) == "queued feedback: feedback needs a non-empty 'key'")
    }
}
