import AnvilCore
import AnvilStorage
import Foundation
import Logging

/// Limits of the ingest endpoints.
public struct IngestLimits: Sendable {
    /// Largest request body accepted, compressed or not (LangSmith's is 25 MB).
    public var maxBodyBytes: Int
    /// Unapplied bytes in the queue beyond which ingest answers 429.
    public var maxQueueBytes: Int

    public init(maxBodyBytes: Int = 25 * 1024 * 1024, maxQueueBytes: Int = 1024 * 1024 * 1024) {
        self.maxBodyBytes = maxBodyBytes
        self.maxQueueBytes = maxQueueBytes
    }
}

/// What one accepted ingest request contained.
public struct IngestSummary: Sendable, Hashable {
    public var runs: Int
    public var feedback: Int
    public var attachments: Int
}

/// The request side of ingestion (LangSmith's platform backend): decode and validate a body,
/// store attachments, and append one record to the durable queue. Returns only once the record is
/// durable, so the caller may answer 2xx.
public struct IngestService: Sendable {
    let queue: any IngestQueue
    let blobs: any BlobStore
    public let limits: IngestLimits
    /// The time-based allowance (nil: only `limits.maxQueueBytes` applies).
    let backlog: IngestBacklog?

    public init(queue: any IngestQueue, blobs: any BlobStore, limits: IngestLimits = IngestLimits(), backlog: IngestBacklog? = nil) {
        self.queue = queue
        self.blobs = blobs
        self.limits = limits
        self.backlog = backlog
    }

    /// Throws `.overloaded` when the worker is too far behind: more unapplied bytes than the queue's
    /// hard limit, or more than the worker applies in the backlog's target time for longer than the
    /// backlog's admission wait.
    public func checkCapacity() async throws(IngestError) {
        let depth = await queue.depth()
        if depth > limits.maxQueueBytes {
            throw IngestError(.overloaded, "ingest queue is full; retry shortly")
        }
        guard let backlog, depth > backlog.allowedBytes else { return }
        let deadline = ContinuousClock.now + backlog.admissionWait
        while ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
            if await queue.depth() <= backlog.allowedBytes { return }
        }
        throw IngestError(.overloaded, "ingest is more than \(backlog.targetSeconds) s behind; retry shortly")
    }

    public func decodeBody(_ body: [UInt8], encoding: String?) throws(IngestError) -> [UInt8] {
        guard body.count <= limits.maxBodyBytes else { throw tooLarge() }
        guard let encoding, !encoding.isEmpty else { return body }
        do {
            return try Decompression.decode(body, encoding: encoding, limit: limits.maxBodyBytes)
        } catch .tooLarge {
            throw tooLarge()
        } catch .unsupported(let e) {
            throw IngestError(.unsupportedMediaType, DecompressionError.unsupported(e).description)
        } catch {
            throw IngestError(.badRequest, error.description)
        }
    }

    func tooLarge() -> IngestError {
        IngestError(.tooLarge, "request body exceeds the \(limits.maxBodyBytes / 1_048_576) MB limit; send fewer runs per request or smaller attachments")
    }

    // MARK: endpoints

    /// `POST /runs/multipart`.
    public func multipart(body raw: [UInt8], contentType: String?, contentEncoding: String?, tenantId: UUID) async throws -> IngestSummary {
        try await checkCapacity()
        guard let contentType, let boundary = Multipart.boundary(contentType: contentType) else {
            throw IngestError(.unsupportedMediaType, "expected Content-Type: multipart/form-data with a boundary")
        }
        let body = try decodeBody(raw, encoding: contentEncoding)
        let parts: [MultipartPart]
        do {
            parts = try Multipart.parse(body, boundary: boundary)
        } catch {
            throw IngestError(.badRequest, error.message)
        }
        let now = Timestamp.now()
        var ops: [RunUpdate] = []
        var opIndex: [String: Int] = [:]  // "post.<id>" → index in ops
        var pendingFields: [(key: String, field: String, part: MultipartPart)] = []
        var attachments: [(runId: UUID, name: String, part: MultipartPart)] = []
        var feedback: [Feedback] = []

        for part in parts {
            let pieces = part.name.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard pieces.count >= 2 else { throw IngestError.bad("unknown part name '\(part.name.prefix(100))'") }
            let kind = pieces[0]
            guard let id = UUID(fast: pieces[1]) else {
                throw IngestError.invalid("part '\(part.name.prefix(100))': '\(pieces[1].prefix(64))' is not a UUID")
            }
            switch kind {
            case "post", "patch":
                let key = "\(kind).\(id.lowercased)"
                if pieces.count == 2 {
                    guard opIndex[key] == nil else { throw IngestError.invalid("part '\(key)' appears twice") }
                    let update = try RunUpdateDecoder.decode(
                        Array(body[part.body]), kind: kind == "post" ? .post : .patch, id: id, context: key)
                    opIndex[key] = ops.count
                    ops.append(update)
                } else {
                    let field = pieces[2]
                    guard RunUpdateDecoder.payloadFields.contains(field) else {
                        throw IngestError.bad("unknown run field part '\(part.name.prefix(100))' (expected one of \(RunUpdateDecoder.payloadFields.sorted().joined(separator: ", ")))")
                    }
                    pendingFields.append((key, field, part))
                }
            case "attachment":
                guard pieces.count == 3, !pieces[2].isEmpty else {
                    throw IngestError.bad("attachment part '\(part.name.prefix(100))' needs a name: attachment.<run_id>.<name>")
                }
                attachments.append((id, pieces[2], part))
            case "feedback":
                guard pieces.count == 2 else { throw IngestError.bad("unknown part name '\(part.name.prefix(100))'") }
                feedback.append(try FeedbackDecoder.decode(
                    Array(body[part.body]), tenantId: tenantId, id: id, now: now, context: part.name))
            default:
                throw IngestError.bad("unknown part name '\(part.name.prefix(100))' (expected post.*, patch.*, attachment.*, feedback.*)")
            }
        }
        for (key, field, part) in pendingFields {
            guard let i = opIndex[key] else {
                throw IngestError.invalid("part '\(key).\(field)' has no '\(key)' part in the same request")
            }
            try RunUpdateDecoder.setPayload(&ops[i], field, Array(body[part.body]), context: key)
        }
        for i in ops.indices {
            try RunUpdateDecoder.validateAndDefault(&ops[i], now: now, context: "\(ops[i].kind == .post ? "post" : "patch").\(ops[i].id.lowercased)")
        }
        for (runId, name, part) in attachments {
            let stored = try await storeAttachment(runId: runId, name: name, contentType: part.contentType, bytes: Array(body[part.body]), tenantId: tenantId)
            if let i = opIndex["post.\(runId.lowercased)"] ?? opIndex["patch.\(runId.lowercased)"] {
                ops[i].attachments.append(stored)
            } else {
                var u = RunUpdate(kind: .patch, id: runId)
                u.attachments = [stored]
                ops.append(u)
            }
        }
        try await enqueue(IngestRecord(tenantId: tenantId, receivedAt: now, updates: ops, feedback: feedback))
        return IngestSummary(runs: ops.count, feedback: feedback.count, attachments: attachments.count)
    }

    /// `POST /runs/batch`: `{"post": [run…], "patch": [run…]}`.
    public func batch(body raw: [UInt8], contentEncoding: String?, tenantId: UUID) async throws -> IngestSummary {
        try await checkCapacity()
        let body = try decodeBody(raw, encoding: contentEncoding)
        let fields: [JSONField]
        do {
            fields = try JSON.objectFields(body)
        } catch {
            throw IngestError.bad("invalid JSON body: \(error)")
        }
        let now = Timestamp.now()
        var ops: [RunUpdate] = []
        for kind in [RunUpdateKind.post, .patch] {
            let name = kind == .post ? "post" : "patch"
            guard let field = fields.last(where: { $0.key == name }) else { continue }
            let raw = Array(body[field.range])
            if raw.first == UInt8(ascii: "n") { continue }
            let elements: [Range<Int>]
            do {
                elements = try JSON.arrayElements(raw)
            } catch {
                throw IngestError.invalid("'\(name)' must be an array of runs")
            }
            for (i, range) in elements.enumerated() {
                var u = try RunUpdateDecoder.decode(Array(raw[range]), kind: kind, context: "\(name)[\(i)]")
                try RunUpdateDecoder.validateAndDefault(&u, now: now, context: "\(name)[\(i)]")
                ops.append(u)
            }
        }
        for key in fields.map(\.key) where key != "post" && key != "patch" {
            throw IngestError.invalid("unknown key '\(key.prefix(64))' in batch body (expected 'post' and 'patch')")
        }
        try await enqueue(IngestRecord(tenantId: tenantId, receivedAt: now, updates: ops, feedback: []))
        return IngestSummary(runs: ops.count, feedback: 0, attachments: 0)
    }

    /// `POST /runs` (kind `.post`) and `PATCH /runs/{id}` (kind `.patch`, `id` from the path).
    public func single(body raw: [UInt8], kind: RunUpdateKind, id: UUID?, contentEncoding: String?, tenantId: UUID) async throws -> IngestSummary {
        try await checkCapacity()
        let body = try decodeBody(raw, encoding: contentEncoding)
        let context = kind == .post ? "run" : "run update"
        var u = try RunUpdateDecoder.decode(body, kind: kind, id: id, context: context)
        try RunUpdateDecoder.validateAndDefault(&u, now: .now(), context: context)
        try await enqueue(IngestRecord(tenantId: tenantId, receivedAt: .now(), updates: [u], feedback: []))
        return IngestSummary(runs: 1, feedback: 0, attachments: 0)
    }

    /// Run updates decoded by another front end (OTLP): validated there, appended here as one
    /// record, durable when this returns.
    public func enqueue(updates: [RunUpdate], tenantId: UUID) async throws {
        try await enqueue(IngestRecord(tenantId: tenantId, receivedAt: .now(), updates: updates, feedback: []))
    }

    /// Feedback through the queue (multipart parts use this path too).
    public func feedback(_ items: [Feedback], tenantId: UUID) async throws {
        try await enqueue(IngestRecord(tenantId: tenantId, receivedAt: .now(), updates: [], feedback: items))
    }

    func enqueue(_ record: IngestRecord) async throws {
        guard !record.updates.isEmpty || !record.feedback.isEmpty else { return }
        try await queue.append(record.encoded())
    }

    // MARK: attachments

    /// Blob key of an attachment: tenant, run, and the name reduced to a safe file name. When the
    /// reduction changed the name, a hash of the original keeps distinct names apart (`a/b` vs `a_b`).
    public static func attachmentKey(tenantId: UUID, runId: UUID, name: String) -> String {
        var safe = String(name.unicodeScalars.map { c -> Character in
            (CharacterSet.alphanumerics.contains(c) && c.isASCII) || c == "-" || c == "_" || c == "." ? Character(c) : "_"
        }.prefix(120))
        if safe.hasPrefix(".") { safe = "_" + safe.dropFirst() }
        if safe.isEmpty { safe = "_" }
        if safe != name {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
            for b in name.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
            safe += "-" + String(hash, radix: 16)
        }
        return "attachments/\(tenantId.lowercased)/\(runId.lowercased)/\(safe)"
    }

    func storeAttachment(runId: UUID, name: String, contentType: String?, bytes: [UInt8], tenantId: UUID) async throws -> Attachment {
        let key = Self.attachmentKey(tenantId: tenantId, runId: runId, name: name)
        try await blobs.put(key: key, data: bytes)
        let mime = contentType.map { $0.split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? $0 }
        return Attachment(name: name, mimeType: mime ?? "application/octet-stream", key: key, size: bytes.count)
    }
}
