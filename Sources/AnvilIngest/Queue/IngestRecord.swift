import AnvilCore
import Foundation

/// The versioned contract between the ingest endpoints and the queue worker: everything one
/// accepted request asks to be written. Owned by this file; encoding changes add a new version
/// and keep decoding the old ones (records may outlive an upgrade in the on-disk queue).
///
/// Layout (little-endian): `u8 version` `uuid tenant` `i64 receivedAt` `varint nUpdates` updates…
/// `varint nFeedback` (feedback as JSON bytes)…. Each update is a sequence of `u8 tag` fields ended
/// by tag 0; unknown tags are a decode error within a version.
public struct IngestRecord: Sendable, Hashable {
    public static let currentVersion: UInt8 = 1

    public var tenantId: UUID
    public var receivedAt: Timestamp
    public var updates: [RunUpdate]
    public var feedback: [Feedback]

    public init(tenantId: UUID, receivedAt: Timestamp, updates: [RunUpdate], feedback: [Feedback]) {
        self.tenantId = tenantId
        self.receivedAt = receivedAt
        self.updates = updates
        self.feedback = feedback
    }

    private enum Tag: UInt8 {
        case end = 0, kind, id, traceId, parentRunId, dottedOrder, name, runType, startTime, endTime
        case sessionId, sessionName, inputs, outputs, extra, events, serialized, error, tags
        case referenceExampleId, attachment
    }

    public func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.u8(Self.currentVersion)
        w.uuid(tenantId)
        w.i64(receivedAt.microseconds)
        w.varint(updates.count)
        for u in updates {
            w.u8(Tag.kind.rawValue); w.u8(u.kind.rawValue)
            w.u8(Tag.id.rawValue); w.uuid(u.id)
            func put(_ tag: Tag, _ value: UUID?) { if let value { w.u8(tag.rawValue); w.uuid(value) } }
            func put(_ tag: Tag, _ value: String?) { if let value { w.u8(tag.rawValue); w.bytes(Array(value.utf8)) } }
            func put(_ tag: Tag, _ value: Timestamp?) { if let value { w.u8(tag.rawValue); w.i64(value.microseconds) } }
            func put(_ tag: Tag, _ value: RawJSON?) { if let value { w.u8(tag.rawValue); w.bytes(value.bytes) } }
            put(.traceId, u.traceId)
            put(.parentRunId, u.parentRunId)
            put(.dottedOrder, u.dottedOrder)
            put(.name, u.name)
            put(.runType, u.runType)
            put(.startTime, u.startTime)
            put(.endTime, u.endTime)
            put(.sessionId, u.sessionId)
            put(.sessionName, u.sessionName)
            put(.inputs, u.inputs)
            put(.outputs, u.outputs)
            put(.extra, u.extra)
            put(.events, u.events)
            put(.serialized, u.serialized)
            put(.error, u.error)
            put(.referenceExampleId, u.referenceExampleId)
            if let tags = u.tags {
                w.u8(Tag.tags.rawValue)
                w.varint(tags.count)
                for t in tags { w.bytes(Array(t.utf8)) }
            }
            for a in u.attachments {
                w.u8(Tag.attachment.rawValue)
                w.bytes(Array(a.name.utf8)); w.bytes(Array(a.mimeType.utf8)); w.bytes(Array(a.key.utf8)); w.varint(a.size)
            }
            w.u8(Tag.end.rawValue)
        }
        w.varint(feedback.count)
        for f in feedback { w.bytes(FeedbackCodec.encode(f)) }
        return w.bytes
    }

    public init(decoding bytes: [UInt8]) throws(RecordError) {
        var r = ByteReader(bytes)
        let version = try r.u8()
        guard version == 1 else { throw RecordError(message: "unknown ingest record version \(version)") }
        tenantId = try r.uuid()
        receivedAt = Timestamp(microseconds: try r.i64())
        let count = try r.varint()
        updates = []
        updates.reserveCapacity(min(count, 10_000))
        for _ in 0..<count {
            var u = RunUpdate(kind: .post, id: UUID())
            while true {
                let raw = try r.u8()
                guard let tag = Tag(rawValue: raw) else { throw RecordError(message: "unknown field tag \(raw)") }
                switch tag {
                case .end: break
                case .kind:
                    guard let k = RunUpdateKind(rawValue: try r.u8()) else { throw RecordError(message: "bad kind") }
                    u.kind = k
                case .id: u.id = try r.uuid()
                case .traceId: u.traceId = try r.uuid()
                case .parentRunId: u.parentRunId = try r.uuid()
                case .dottedOrder: u.dottedOrder = try r.string()
                case .name: u.name = try r.string()
                case .runType: u.runType = try r.string()
                case .startTime: u.startTime = Timestamp(microseconds: try r.i64())
                case .endTime: u.endTime = Timestamp(microseconds: try r.i64())
                case .sessionId: u.sessionId = try r.uuid()
                case .sessionName: u.sessionName = try r.string()
                case .inputs: u.inputs = RawJSON(validated: try r.bytes())
                case .outputs: u.outputs = RawJSON(validated: try r.bytes())
                case .extra: u.extra = RawJSON(validated: try r.bytes())
                case .events: u.events = RawJSON(validated: try r.bytes())
                case .serialized: u.serialized = RawJSON(validated: try r.bytes())
                case .error: u.error = try r.string()
                case .referenceExampleId: u.referenceExampleId = try r.uuid()
                case .tags:
                    let n = try r.varint()
                    var tags: [String] = []
                    for _ in 0..<n { tags.append(try r.string()) }
                    u.tags = tags
                case .attachment:
                    u.attachments.append(
                        Attachment(name: try r.string(), mimeType: try r.string(), key: try r.string(), size: try r.varint()))
                }
                if tag == .end { break }
            }
            updates.append(u)
        }
        let nFeedback = try r.varint()
        feedback = []
        for _ in 0..<nFeedback {
            feedback.append(try FeedbackCodec.decode(try r.bytes(), tenantId: tenantId))
        }
        guard r.atEnd else { throw RecordError(message: "trailing bytes in ingest record") }
    }
}

public struct RecordError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Feedback inside a queue record, as JSON with LangSmith's field names.
enum FeedbackCodec {
    static func encode(_ f: Feedback) -> [UInt8] {
        var o: [String: JSONValue] = [
            "id": .string(f.id.lowercased), "key": .string(f.key),
            "created_at": .string(f.createdAt.iso8601), "modified_at": .string(f.modifiedAt.iso8601),
        ]
        o["run_id"] = f.runId.map { .string($0.lowercased) }
        o["trace_id"] = f.traceId.map { .string($0.lowercased) }
        o["session_id"] = f.sessionId.map { .string($0.lowercased) }
        o["comparative_experiment_id"] = f.comparativeExperimentId.map { .string($0.lowercased) }
        o["feedback_group_id"] = f.feedbackGroupId.map { .string($0.lowercased) }
        o["start_time"] = f.startTime.map { .string($0.iso8601) }
        o["score"] = f.score
        o["value"] = f.value
        o["comment"] = f.comment.map { .string($0) }
        o["correction"] = f.correction
        o["feedback_source"] = f.feedbackSource
        o["feedback_config"] = f.feedbackConfig
        o["extra"] = f.extra
        o["error"] = f.error.map { .bool($0) }
        return JSONValue.object(o).encoded
    }

    static func decode(_ bytes: [UInt8], tenantId: UUID) throws(RecordError) -> Feedback {
        do {
            return try FeedbackDecoder.decode(bytes, tenantId: tenantId, now: .now(), context: "queued feedback")
        } catch {
            throw RecordError(message: error.message)
        }
    }
}

/// Little-endian binary writer for queue records.
struct ByteWriter {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(4096) }

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func i64(_ v: Int64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func varint(_ v: Int) {
        var x = UInt64(v)
        while x >= 0x80 {
            bytes.append(UInt8(x & 0x7F) | 0x80)
            x >>= 7
        }
        bytes.append(UInt8(x))
    }

    mutating func uuid(_ id: UUID) {
        withUnsafeBytes(of: id.uuid) { bytes.append(contentsOf: $0) }
    }

    mutating func bytes(_ b: [UInt8]) {
        varint(b.count)
        bytes.append(contentsOf: b)
    }
}

/// The matching reader; every read is bounds-checked.
struct ByteReader {
    let data: [UInt8]
    var index = 0

    init(_ data: [UInt8]) { self.data = data }

    var atEnd: Bool { index == data.count }

    mutating func u8() throws(RecordError) -> UInt8 {
        guard index < data.count else { throw RecordError(message: "truncated record") }
        defer { index += 1 }
        return data[index]
    }

    mutating func i64() throws(RecordError) -> Int64 {
        guard index + 8 <= data.count else { throw RecordError(message: "truncated record") }
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(data[index + k]) << (8 * UInt64(k)) }
        index += 8
        return Int64(bitPattern: v)
    }

    mutating func varint() throws(RecordError) -> Int {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try u8()
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { break }
            shift += 7
            guard shift < 63 else { throw RecordError(message: "varint too long") }
        }
        guard result <= UInt64(Int32.max) else { throw RecordError(message: "length out of range") }
        return Int(result)
    }

    mutating func uuid() throws(RecordError) -> UUID {
        guard index + 16 <= data.count else { throw RecordError(message: "truncated record") }
        let d = data
        let i = index
        index += 16
        return UUID(uuid: (d[i], d[i + 1], d[i + 2], d[i + 3], d[i + 4], d[i + 5], d[i + 6], d[i + 7],
                           d[i + 8], d[i + 9], d[i + 10], d[i + 11], d[i + 12], d[i + 13], d[i + 14], d[i + 15]))
    }

    mutating func bytes() throws(RecordError) -> [UInt8] {
        let n = try varint()
        guard index + n <= data.count else { throw RecordError(message: "truncated record") }
        defer { index += n }
        return Array(data[index..<index + n])
    }

    mutating func string() throws(RecordError) -> String {
        String(decoding: try bytes(), as: UTF8.self)
    }
}
