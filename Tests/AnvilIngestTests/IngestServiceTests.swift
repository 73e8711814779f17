import AnvilCore
import AnvilStorage
import Foundation
import Testing
@testable import AnvilIngest

private let tenant = UUID(uuidString: "7e000000-0000-4000-8000-000000000001")!
private let runId = UUID(uuidString: "01a22861-2ab3-7a87-ab3a-cc836d0b3376")!
private let childId = UUID(uuidString: "01a22861-2ab3-7a87-ab3a-cc836d0b3377")!
private let feedbackId = UUID(uuidString: "fb000000-0000-4000-8000-000000000001")!
private let rootOrder = "20240501T120000000000Z\(runId.lowercased)"
private let start = Timestamp(microseconds: 1_714_564_800_000_000)

private func utf8(_ s: String) -> [UInt8] { Array(s.utf8) }
private func raw(_ s: String) -> RawJSON { RawJSON(validated: utf8(s)) }

/// An ingest service over in-memory stores, and what it appended.
private struct Harness {
    let queue = MemoryIngestQueue()
    let blobs = MemoryBlobStore()
    let service: IngestService

    init(limits: IngestLimits = IngestLimits(), backlog: IngestBacklog? = nil) {
        service = IngestService(queue: queue, blobs: blobs, limits: limits, backlog: backlog)
    }

    /// Every record appended so far, decoded (and consumed).
    func records() async throws -> [IngestRecord] {
        guard await queue.depth() > 0 else { return [] }
        let entries = try await queue.next(maxBytes: .max)
        if let last = entries.last { try await queue.acknowledge(through: last) }
        return try entries.map { try IngestRecord(decoding: $0.payload) }
    }

    func record() async throws -> IngestRecord {
        let all = try await records()
        try #require(all.count == 1)
        return all[0]
    }

    func multipart(_ body: MultipartBody, encoding: String? = nil) async throws -> IngestSummary {
        try await service.multipart(body: body.finished, contentType: body.contentType, contentEncoding: encoding, tenantId: tenant)
    }

    /// The IngestError a call throws, or nil.
    func error(_ call: (IngestService) async throws -> IngestSummary) async -> IngestError? {
        do {
            _ = try await call(service)
            return nil
        } catch let error as IngestError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }
}

private let mainPart = #"{"id":"\#(runId.lowercased)","trace_id":"\#(runId.lowercased)","dotted_order":"\#(rootOrder)","name":"agent","run_type":"chain","start_time":"2024-05-01T12:00:00Z","session_name":"proj","tags":["t"]}"#

@Suite("IngestService: multipart")
struct IngestServiceMultipartTests {
    @Test("every part kind ends up in one record")
    func allParts() async throws {
        let h = Harness()
        var body = MultipartBody()
        body.add("post.\(runId.lowercased)", json: mainPart)
        body.add("post.\(runId.lowercased).inputs", json: #"{"q": "hi"}"#)
        body.add("post.\(runId.lowercased).outputs", json: #"{"a": "yo"}"#)
        body.add("post.\(runId.lowercased).events", json: #"[{"name": "start", "time": "2024-05-01T12:00:00Z"}]"#)
        body.add("post.\(runId.lowercased).extra", json: #"{"metadata": {"k": "v"}}"#)
        body.add("post.\(runId.lowercased).error", json: #""ValueError: bad""#)
        body.add("post.\(runId.lowercased).serialized", json: #"{"name": "Agent"}"#)
        body.add("attachment.\(runId.lowercased).image", contentType: "image/png; length=4", [0x89, 0x50, 0x4E, 0x47])
        body.add("feedback.\(feedbackId.lowercased)", json: #"{"id": "\#(feedbackId.lowercased)", "run_id": "\#(runId.lowercased)", "trace_id": "\#(runId.lowercased)", "key": "correctness", "score": 1}"#)

        let summary = try await h.multipart(body)
        #expect(summary == IngestSummary(runs: 1, feedback: 1, attachments: 1))

        let record = try await h.record()
        #expect(record.tenantId == tenant)
        let key = "attachments/\(tenant.lowercased)/\(runId.lowercased)/image"
        var expected = RunUpdate(kind: .post, id: runId)
        expected.traceId = runId
        expected.dottedOrder = rootOrder
        expected.name = "agent"
        expected.runType = "chain"
        expected.startTime = start
        expected.sessionName = "proj"
        expected.tags = ["t"]
        expected.inputs = raw(#"{"q": "hi"}"#)
        expected.outputs = raw(#"{"a": "yo"}"#)
        expected.events = raw(#"[{"name": "start", "time": "2024-05-01T12:00:00Z"}]"#)
        expected.extra = raw(#"{"metadata": {"k": "v"}}"#)
        expected.error = "ValueError: bad"
        expected.serialized = raw(#"{"name": "Agent"}"#)
        expected.attachments = [AnvilCore.Attachment(name: "image", mimeType: "image/png", key: key, size: 4)]
        #expect(record.updates == [expected])
        #expect(record.feedback.map(\.id) == [feedbackId])
        #expect(record.feedback.first?.key == "correctness")
        #expect(record.feedback.first?.score == 1)
        #expect(record.feedback.first?.runId == runId)
        #expect(try await h.blobs.get(key: key) == [0x89, 0x50, 0x4E, 0x47])
    }

    @Test("the JS SDK's body style is accepted too")
    func javascriptStyle() async throws {
        let h = Harness()
        var body = MultipartBody(boundary: "----LangSmithFormBoundaryAbC123", style: .javascript)
        body.add("post.\(runId.lowercased)", json: mainPart)
        body.add("post.\(runId.lowercased).inputs", json: #"{"q": 1}"#)
        #expect(try await h.multipart(body) == IngestSummary(runs: 1, feedback: 0, attachments: 0))
        #expect(try await h.record().updates.first?.inputs == raw(#"{"q": 1}"#))
    }

    @Test("a post and a patch of one run in one request, in order")
    func postAndPatch() async throws {
        let h = Harness()
        var body = MultipartBody()
        body.add("post.\(runId.lowercased)", json: mainPart)
        body.add("patch.\(runId.lowercased)", json: #"{"id": "\#(runId.lowercased)", "trace_id": "\#(runId.lowercased)", "dotted_order": "\#(rootOrder)", "end_time": "2024-05-01T12:00:01Z", "parent_run_id": null, "session_id": null}"#)
        body.add("patch.\(runId.lowercased).outputs", json: #"{"answer": 42}"#)
        #expect(try await h.multipart(body).runs == 2)
        let updates = try await h.record().updates
        #expect(updates.map(\.kind) == [.post, .patch])
        #expect(updates.map(\.id) == [runId, runId])
        #expect(updates[0].outputs == nil)
        #expect(updates[1].outputs == raw(#"{"answer": 42}"#))
        #expect(updates[1].endTime == Timestamp(microseconds: 1_714_564_801_000_000))
        #expect(updates[1].startTime == nil)
        #expect(updates[1].parentRunId == nil)
        #expect(updates[1].traceId == runId)
    }

    @Test("a root post without lineage or start time gets defaults")
    func defaults() async throws {
        let h = Harness()
        var body = MultipartBody()
        body.add("post.\(runId.lowercased)", json: #"{"name": "bare"}"#)
        let before = Timestamp.now()
        _ = try await h.multipart(body)
        let after = Timestamp.now()
        let u = try #require(try await h.record().updates.first)
        let started = try #require(u.startTime)
        #expect(started >= before && started <= after)
        #expect(u.traceId == runId)
        #expect(u.dottedOrder == DottedOrder.root(id: runId, start: started).string)
    }

    @Test("an attachment for a run not in the request becomes an attachment-only patch")
    func attachmentOnly() async throws {
        let h = Harness()
        var body = MultipartBody()
        body.add("attachment.\(childId.lowercased).notes.txt", contentType: "text/plain", utf8("hello"))
        #expect(try await h.multipart(body) == IngestSummary(runs: 1, feedback: 0, attachments: 1))
        var expected = RunUpdate(kind: .patch, id: childId)
        expected.attachments = [AnvilCore.Attachment(
            name: "notes.txt", mimeType: "text/plain", key: "attachments/\(tenant.lowercased)/\(childId.lowercased)/notes.txt", size: 5)]
        #expect(try await h.record().updates == [expected])
    }

    @Test("an attachment without a content type is octet-stream")
    func attachmentMime() async throws {
        let h = Harness()
        let body = utf8("--B\r\nContent-Disposition: form-data; name=\"attachment.\(runId.lowercased).blob\"\r\n\r\n\u{0}\u{1}\r\n--B--\r\n")
        _ = try await h.service.multipart(body: body, contentType: "multipart/form-data; boundary=B", contentEncoding: nil, tenantId: tenant)
        #expect(try await h.record().updates.first?.attachments.first?.mimeType == "application/octet-stream")
    }

    @Test("attachments are stored under sanitised keys inside attachments/<tenant>/<run>/", arguments: [
        ("../../etc/passwd", "_._.._etc_passwd"),
        ("..", "_."),
        ("a/b\\c", "a_b_c"),
        (".hidden", "_hidden"),
        ("héllo wörld.png", "h_llo_w_rld.png"),
        ("%2e%2e%2f", "_2e_2e_2f"),
        ("\u{0}", "_"),
        ("x.y-z_1", "x.y-z_1"),
        (String(repeating: "a", count: 200), String(repeating: "a", count: 120)),
    ])
    func sanitisedKeys(_ name: String, _ file: String) async throws {
        let prefix = "attachments/\(tenant.lowercased)/\(runId.lowercased)/"
        let key = IngestService.attachmentKey(tenantId: tenant, runId: runId, name: name)
        // A name that had to change carries a hash of the original, so distinct names never collide.
        if file == name {
            #expect(key == prefix + file)
        } else {
            #expect(key.hasPrefix(prefix + file + "-"))
            #expect(key != IngestService.attachmentKey(tenantId: tenant, runId: runId, name: file))
        }
        #expect(!key.dropFirst(prefix.count).contains("/"))
        #expect(!key.dropFirst(prefix.count).hasPrefix("."))

        // End to end: the blob lands under that key and the attachment keeps its original name.
        // (A backslash would be read as a quoted-string escape in the part header, so skip those.)
        guard !name.contains("\\") else { return }
        let h = Harness()
        var body = MultipartBody()
        body.add("post.\(runId.lowercased)", json: mainPart)
        body.add("attachment.\(runId.lowercased).\(name)", contentType: "text/plain", utf8("data"))
        _ = try await h.multipart(body)
        let attachment = try #require(try await h.record().updates.first?.attachments.first)
        #expect(attachment.name == name)
        #expect(attachment.key == key)
        #expect(try await h.blobs.get(key: key) == utf8("data"))
    }

    @Test("a field part without its main part is a 422")
    func orphanField() async {
        let h = Harness()
        var body = MultipartBody()
        body.add("patch.\(runId.lowercased).outputs", json: "{}")
        let error = await h.error { try await $0.multipart(body: body.finished, contentType: body.contentType, contentEncoding: nil, tenantId: tenant) }
        #expect(error == IngestError(.unprocessable, "part 'patch.\(runId.lowercased).outputs' has no 'patch.\(runId.lowercased)' part in the same request"))
        #expect(await h.queue.depth() == 0)
    }

    @Test("a field part of a post does not attach to a patch of the same run")
    func fieldOfOtherKind() async {
        let h = Harness()
        var body = MultipartBody()
        body.add("patch.\(runId.lowercased)", json: "{}")
        body.add("post.\(runId.lowercased).inputs", json: "{}")
        let error = await h.error { try await $0.multipart(body: body.finished, contentType: body.contentType, contentEncoding: nil, tenantId: tenant) }
        #expect(error?.code == .unprocessable)
    }

    @Test("unknown and malformed part names", arguments: [
        ("foo.\(runId.lowercased)", IngestError.Code.badRequest),
        ("nodot", .badRequest),
        ("post.\(runId.lowercased).unknown", .badRequest),
        ("post.\(runId.lowercased).attachments", .badRequest),
        ("feedback.\(feedbackId.lowercased).extra", .badRequest),
        ("attachment.\(runId.lowercased)", .badRequest),
        ("attachment.\(runId.lowercased).", .badRequest),
        ("post.not-a-uuid", .unprocessable),
        ("post.", .unprocessable),
    ])
    func unknownParts(_ name: String, _ code: IngestError.Code) async {
        let h = Harness()
        var body = MultipartBody()
        body.add(name, json: "{}")
        let error = await h.error { try await $0.multipart(body: body.finished, contentType: body.contentType, contentEncoding: nil, tenantId: tenant) }
        #expect(error?.code == code)
        #expect(error?.message.contains(name.prefix(20)) == true)
        #expect(await h.queue.depth() == 0)
    }

    @Test("a duplicated main part is a 422")
    func duplicateMain() async {
        let h = Harness()
        var body = MultipartBody()
        body.add("post.\(runId.lowercased)", json: mainPart)
        body.add("post.\(runId.uuidString)", json: mainPart)
        let error = await h.error { try await $0.multipart(body: body.finished, contentType: body.contentType, contentEncoding: nil, tenantId: tenant) }
        #expect(error == IngestError(.unprocessable, "part 'post.\(runId.lowercased)' appears twice"))
    }

    @Test("bad run JSON, bad feedback and bad bodies map to 400/422/415")
    func badContent() async {
        let h = Harness()
        func send(_ body: MultipartBody) async -> IngestError? {
            await h.error { try await $0.multipart(body: body.finished, contentType: body.contentType, contentEncoding: nil, tenantId: tenant) }
        }
        var invalidJSON = MultipartBody()
        invalidJSON.add("post.\(runId.lowercased)", json: "{")
        #expect(await send(invalidJSON)?.code == .badRequest)

        var badRunType = MultipartBody()
        badRunType.add("post.\(runId.lowercased)", json: #"{"run_type": "agent"}"#)
        #expect(await send(badRunType)?.code == .unprocessable)

        var badFeedback = MultipartBody()
        badFeedback.add("feedback.\(feedbackId.lowercased)", json: #"{"key": "k"}"#)
        #expect(await send(badFeedback) == IngestError(.unprocessable, "feedback.\(feedbackId.lowercased): feedback needs a run_id or a session_id"))

        var badOrder = MultipartBody()
        badOrder.add("post.\(runId.lowercased)", json: #"{"dotted_order": "20240501T120000000000Z\#(childId.lowercased)"}"#)
        #expect(await send(badOrder) == IngestError(.unprocessable, "post.\(runId.lowercased): dotted_order must end with the run's own id \(runId.lowercased)"))

        let truncated = await h.error {
            try await $0.multipart(body: utf8("--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n{}"), contentType: "multipart/form-data; boundary=B", contentEncoding: nil, tenantId: tenant)
        }
        #expect(truncated == IngestError(.badRequest, "multipart body truncated: part 'x' has no closing boundary"))

        for contentType in [nil, "application/json", "multipart/form-data"] as [String?] {
            let error = await h.error { try await $0.multipart(body: [], contentType: contentType, contentEncoding: nil, tenantId: tenant) }
            #expect(error == IngestError(.unsupportedMediaType, "expected Content-Type: multipart/form-data with a boundary"))
        }
        var ok = MultipartBody()
        ok.add("post.\(runId.lowercased)", json: mainPart)
        let brotli = await h.error { try await $0.multipart(body: ok.finished, contentType: ok.contentType, contentEncoding: "br", tenantId: tenant) }
        #expect(brotli?.code == .unsupportedMediaType)
        let corrupt = await h.error { try await $0.multipart(body: ok.finished, contentType: ok.contentType, contentEncoding: "gzip", tenantId: tenant) }
        #expect(corrupt?.code == .badRequest)
        #expect(await h.queue.depth() == 0)
    }

    @Test("a compressed body is decoded first", .enabled(if: Compressor.gzipAvailable))
    func gzipBody() async throws {
        let h = Harness()
        var body = MultipartBody()
        body.add("post.\(runId.lowercased)", json: mainPart)
        let compressed = try Compressor.gzip(body.finished)
        _ = try await h.service.multipart(body: compressed, contentType: body.contentType, contentEncoding: "gzip", tenantId: tenant)
        #expect(try await h.record().updates.map(\.name) == ["agent"])
    }

    @Test("bodies over 25 MB are .tooLarge, compressed or not", .enabled(if: Compressor.gzipAvailable))
    func tooLarge() async throws {
        let h = Harness()
        #expect(h.service.limits.maxBodyBytes == 25 * 1024 * 1024)
        var body = MultipartBody()
        body.add("attachment.\(runId.lowercased).big", contentType: "application/octet-stream", [UInt8](repeating: 0x41, count: 25 * 1024 * 1024))
        let big = body.finished
        #expect(big.count > 25 * 1024 * 1024)
        let error = await h.error { try await $0.multipart(body: big, contentType: body.contentType, contentEncoding: nil, tenantId: tenant) }
        #expect(error == IngestError(.tooLarge, "request body exceeds the 25 MB limit; send fewer runs per request or smaller attachments"))

        // A small gzip body that inflates past the limit.
        let bomb = try Compressor.gzip(big)
        #expect(bomb.count < 1024 * 1024)
        let inflated = await h.error { try await $0.multipart(body: bomb, contentType: body.contentType, contentEncoding: "gzip", tenantId: tenant) }
        #expect(inflated?.code == .tooLarge)
        #expect(await h.queue.depth() == 0)
        #expect(try await h.blobs.get(key: IngestService.attachmentKey(tenantId: tenant, runId: runId, name: "big")) == nil)
    }

    @Test("an overloaded queue refuses with .overloaded before reading the body")
    func overloaded() async throws {
        let h = Harness(limits: IngestLimits(maxQueueBytes: 10))
        try await h.queue.append([UInt8](repeating: 0, count: 11))
        var body = MultipartBody()
        body.add("post.\(runId.lowercased)", json: mainPart)
        let overloaded = IngestError(.overloaded, "ingest queue is full; retry shortly")
        #expect(await h.error { try await $0.multipart(body: body.finished, contentType: body.contentType, contentEncoding: nil, tenantId: tenant) } == overloaded)
        #expect(await h.error { try await $0.multipart(body: [], contentType: nil, contentEncoding: nil, tenantId: tenant) } == overloaded)
        #expect(await h.error { try await $0.batch(body: utf8("{}"), contentEncoding: nil, tenantId: tenant) } == overloaded)
        #expect(await h.error { try await $0.single(body: utf8("{}"), kind: .post, id: nil, contentEncoding: nil, tenantId: tenant) } == overloaded)
        #expect(await h.queue.depth() == 11)

        // At the limit it still accepts.
        let atLimit = Harness(limits: IngestLimits(maxQueueBytes: 11))
        try await atLimit.queue.append([UInt8](repeating: 0, count: 11))
        #expect(try await atLimit.multipart(body).runs == 1)
    }

    @Test("the backlog allowance is the worker's measured rate times the target lag")
    func backlogAllowance() {
        let b = IngestBacklog(targetSeconds: 0.5, floorBytes: 1_000, initialBytes: 5_000)
        #expect(b.allowedBytes == 5_000)  // before the worker's first batch
        b.record(bytes: 40_000, seconds: 2)  // 20,000 B/s
        #expect(b.allowedBytes == 10_000)
        b.record(bytes: 0, seconds: 1)  // ignored: no work
        b.record(bytes: 10, seconds: 0)  // ignored: no time
        #expect(b.allowedBytes == 10_000)
        b.record(bytes: 120_000, seconds: 1)  // moving average: 20,000 + 0.2 × 100,000
        #expect(b.bytesPerSecond == 40_000)
        #expect(b.allowedBytes == 20_000)
        for _ in 0..<200 { b.record(bytes: 1, seconds: 1) }  // a crawling worker: the floor holds
        #expect(b.allowedBytes == 1_000)
    }

    @Test("ingest refuses with .overloaded past the backlog's time allowance, well under the byte limit")
    func overloadedByLag() async throws {
        let backlog = IngestBacklog(targetSeconds: 0.5, floorBytes: 100, initialBytes: 100, admissionWait: .zero)
        backlog.record(bytes: 400, seconds: 1)  // 400 B/s: 200 bytes of backlog allowed
        let h = Harness(backlog: backlog)
        var body = MultipartBody()
        body.add("post.\(runId.lowercased)", json: mainPart)
        try await h.queue.append([UInt8](repeating: 0, count: 200))
        #expect(try await h.multipart(body).runs == 1)  // at the allowance: accepted
        let refused = await h.error { try await $0.multipart(body: body.finished, contentType: body.contentType, contentEncoding: nil, tenantId: tenant) }
        #expect(refused == IngestError(.overloaded, "ingest is more than 0.5 s behind; retry shortly"))
        // The worker catches up: accepted again.
        let drained = try await h.queue.next(maxBytes: .max)
        try await h.queue.acknowledge(through: drained.last!)
        #expect(await h.queue.depth() == 0)
        #expect(try await h.multipart(body).runs == 1)
    }

    @Test("over the allowance, a request waits for the worker and is admitted once the queue drains")
    func admissionWait() async throws {
        let backlog = IngestBacklog(targetSeconds: 0.5, floorBytes: 100, initialBytes: 100, admissionWait: .seconds(60))
        let h = Harness(backlog: backlog)
        var body = MultipartBody()
        body.add("post.\(runId.lowercased)", json: mainPart)
        try await h.queue.append([UInt8](repeating: 0, count: 500))
        let started = ContinuousClock.now
        let (bytes, contentType) = (body.finished, body.contentType)
        let service = h.service
        async let admitted = service.multipart(body: bytes, contentType: contentType, contentEncoding: nil, tenantId: tenant)
        try await Task.sleep(for: .milliseconds(200))
        #expect(await h.queue.depth() == 500)  // still waiting: nothing appended
        let drained = try await h.queue.next(maxBytes: .max)
        try await h.queue.acknowledge(through: drained.last!)
        #expect(try await admitted.runs == 1)
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(try await h.records().count == 1)

        // A worker that does not catch up within the wait: refused.
        let impatient = Harness(backlog: IngestBacklog(targetSeconds: 0.5, floorBytes: 100, initialBytes: 100, admissionWait: .milliseconds(50)))
        try await impatient.queue.append([UInt8](repeating: 0, count: 500))
        let refused = await impatient.error { try await $0.multipart(body: body.finished, contentType: body.contentType, contentEncoding: nil, tenantId: tenant) }
        #expect(refused?.code == .overloaded)
    }

    @Test("an empty multipart request appends nothing")
    func empty() async throws {
        let h = Harness()
        let summary = try await h.service.multipart(body: utf8("--B--\r\n"), contentType: "multipart/form-data; boundary=B", contentEncoding: nil, tenantId: tenant)
        #expect(summary == IngestSummary(runs: 0, feedback: 0, attachments: 0))
        #expect(await h.queue.depth() == 0)
    }
}

@Suite("IngestService: batch, single and feedback")
struct IngestServiceBatchTests {
    @Test("batch: posts then patches, each validated and defaulted")
    func batch() async throws {
        let h = Harness()
        let body = #"""
            {"patch": [{"id": "\#(runId.lowercased)", "end_time": "2024-05-01T12:00:01Z", "outputs": {"a": 1}}],
             "post": [\#(mainPart), {"id": "\#(childId.lowercased)", "parent_run_id": "\#(runId.lowercased)", "trace_id": "\#(runId.lowercased)",
                      "dotted_order": "\#(rootOrder).20240501T120000500000Z\#(childId.lowercased)", "start_time": "2024-05-01T12:00:00.5Z",
                      "name": "child", "run_type": "llm", "inputs": {"x": 1}}]}
            """#
        #expect(try await h.service.batch(body: utf8(body), contentEncoding: nil, tenantId: tenant) == IngestSummary(runs: 3, feedback: 0, attachments: 0))
        let updates = try await h.record().updates
        #expect(updates.map(\.kind) == [.post, .post, .patch])
        #expect(updates.map(\.id) == [runId, childId, runId])
        #expect(updates[1].parentRunId == runId)
        #expect(updates[1].inputs == raw(#"{"x": 1}"#))
        #expect(updates[2].outputs == raw(#"{"a": 1}"#))
        #expect(updates[2].endTime == Timestamp(microseconds: 1_714_564_801_000_000))
    }

    @Test("batch: a null or missing side is skipped; an empty batch appends nothing")
    func batchEmpty() async throws {
        let h = Harness()
        #expect(try await h.service.batch(body: utf8(#"{"post": null, "patch": []}"#), contentEncoding: nil, tenantId: tenant).runs == 0)
        #expect(try await h.service.batch(body: utf8("{}"), contentEncoding: nil, tenantId: tenant).runs == 0)
        #expect(await h.queue.depth() == 0)
        #expect(try await h.service.batch(body: utf8(#"{"patch": [{"id": "\#(runId.lowercased)"}]}"#), contentEncoding: nil, tenantId: tenant).runs == 1)
        #expect(try await h.record().updates == [RunUpdate(kind: .patch, id: runId)])
    }

    @Test("batch errors", arguments: [
        (#"{"post": [{"id": "\#(runId.lowercased)"}], "runs": []}"#, IngestError(.unprocessable, "unknown key 'runs' in batch body (expected 'post' and 'patch')")),
        (#"{"post": {}}"#, IngestError(.unprocessable, "'post' must be an array of runs")),
        (#"{"patch": "x"}"#, IngestError(.unprocessable, "'patch' must be an array of runs")),
        (#"{"post": [{}, {"id": "bad"}]}"#, IngestError(.unprocessable, "post[0]: the run has no 'id'")),
        (#"{"post": [{"id": "\#(runId.lowercased)"}, {"id": "bad"}]}"#, IngestError(.unprocessable, "post[1]: id 'bad' is not a UUID")),
        (#"{"patch": [{"id": "\#(runId.lowercased)", "end_time": "soon"}]}"#, IngestError(.unprocessable, "patch[0]: end_time 'soon' is not an ISO-8601 date-time")),
    ])
    func batchErrors(_ body: String, _ expected: IngestError) async {
        let h = Harness()
        #expect(await h.error { try await $0.batch(body: utf8(body), contentEncoding: nil, tenantId: tenant) } == expected)
        #expect(await h.queue.depth() == 0)
    }

    @Test("batch: invalid JSON is a 400")
    func batchInvalid() async {
        let h = Harness()
        let error = await h.error { try await $0.batch(body: utf8(#"{"post": [}"#), contentEncoding: nil, tenantId: tenant) }
        #expect(error?.code == .badRequest)
        #expect(error?.message.hasPrefix("invalid JSON body: ") == true)
    }

    @Test("single POST /runs and PATCH /runs/{id}")
    func single() async throws {
        let h = Harness()
        #expect(try await h.service.single(body: utf8(mainPart), kind: .post, id: nil, contentEncoding: nil, tenantId: tenant)
            == IngestSummary(runs: 1, feedback: 0, attachments: 0))
        let post = try #require(try await h.record().updates.first)
        #expect(post.kind == .post)
        #expect(post.name == "agent")
        #expect(post.sessionName == "proj")

        _ = try await h.service.single(body: utf8(#"{"end_time": "2024-05-01T12:00:01Z", "error": "x"}"#), kind: .patch, id: runId, contentEncoding: nil, tenantId: tenant)
        var expected = RunUpdate(kind: .patch, id: runId)
        expected.endTime = Timestamp(microseconds: 1_714_564_801_000_000)
        expected.error = "x"
        #expect(try await h.record().updates == [expected])

        let mismatch = await h.error {
            try await $0.single(body: utf8(#"{"id": "\#(childId.lowercased)"}"#), kind: .patch, id: runId, contentEncoding: nil, tenantId: tenant)
        }
        #expect(mismatch == IngestError(.unprocessable, "run update: body id \(childId.lowercased) does not match \(runId.lowercased)"))
        let noId = await h.error { try await $0.single(body: utf8("{}"), kind: .post, id: nil, contentEncoding: nil, tenantId: tenant) }
        #expect(noId == IngestError(.unprocessable, "run: the run has no 'id'"))
    }

    @Test("a child posted without lineage (AsyncClient.create_run) is queued as sent")
    func childWithoutLineage() async throws {
        let h = Harness()
        _ = try await h.service.single(
            body: utf8(#"{"id": "\#(childId.lowercased)", "parent_run_id": "\#(runId.lowercased)", "name": "c", "run_type": "tool"}"#),
            kind: .post, id: nil, contentEncoding: nil, tenantId: tenant)
        let u = try #require(try await h.record().updates.first)
        #expect(u.parentRunId == runId)
        #expect(u.traceId == nil)
        #expect(u.dottedOrder == nil)
        #expect(u.startTime != nil)
    }

    @Test("feedback goes through the queue")
    func feedback() async throws {
        let h = Harness()
        var f = Feedback(id: feedbackId, tenantId: tenant, key: "k", createdAt: start)
        f.runId = runId
        f.feedbackSource = ["type": "api"]
        try await h.service.feedback([f], tenantId: tenant)
        let record = try await h.record()
        #expect(record.feedback == [f])
        #expect(record.updates == [])
        try await h.service.feedback([], tenantId: tenant)
        #expect(await h.queue.depth() == 0)
    }
}
