import AnvilCore
import Foundation
import Testing
@testable import AnvilIngest

private let tenant = UUID(uuidString: "7e000000-0000-4000-8000-000000000001")!
private let feedbackId = UUID(uuidString: "fb000000-0000-4000-8000-000000000001")!
private let runId = UUID(uuidString: "00000000-0000-4000-8000-000000000001")!
private let traceId = UUID(uuidString: "00000000-0000-4000-8000-000000000002")!
private let sessionId = UUID(uuidString: "00000000-0000-4000-8000-000000000003")!
private let experimentId = UUID(uuidString: "00000000-0000-4000-8000-000000000004")!
private let groupId = UUID(uuidString: "00000000-0000-4000-8000-000000000005")!
private let now = Timestamp(microseconds: 1_714_564_800_000_000)
private let context = "feedback.\(feedbackId.lowercased)"

private func decode(_ json: String, id: UUID? = nil) throws(IngestError) -> Feedback {
    try FeedbackDecoder.decode(Array(json.utf8), tenantId: tenant, id: id, now: now, context: context)
}

private func failure(_ json: String, id: UUID? = nil) -> IngestError? {
    do {
        _ = try decode(json, id: id)
        return nil
    } catch {
        return error
    }
}

@Suite("FeedbackDecoder")
struct FeedbackDecoderTests {
    @Test("every field of the SDK's feedback part")
    func everyField() throws {
        let f = try decode(#"""
            {"id": "\#(feedbackId.lowercased)", "created_at": "2024-05-01T12:00:01.5+00:00",
             "modified_at": "2024-05-01T12:00:02Z", "run_id": "\#(runId.lowercased)", "trace_id": "\#(traceId.lowercased)",
             "key": "correctness", "score": 0.75, "value": {"label": "good"}, "comment": "nice",
             "correction": {"text": "better"}, "feedback_source": {"type": "model", "metadata": {"m": 1}, "user_id": null, "user_name": null},
             "session_id": "\#(sessionId.lowercased)", "start_time": "2024-05-01T11:59:00Z",
             "comparative_experiment_id": "\#(experimentId.lowercased)", "feedback_group_id": "\#(groupId.lowercased)",
             "extra": {"k": "v"}, "feedback_config": {"type": "continuous", "min": 0, "max": 1}, "error": true}
            """#, id: feedbackId)
        var expected = Feedback(id: feedbackId, tenantId: tenant, key: "correctness", createdAt: Timestamp(microseconds: 1_714_564_801_500_000))
        expected.modifiedAt = Timestamp(microseconds: 1_714_564_802_000_000)
        expected.runId = runId
        expected.traceId = traceId
        expected.sessionId = sessionId
        expected.score = 0.75
        expected.value = ["label": "good"]
        expected.comment = "nice"
        expected.correction = ["text": "better"]
        expected.feedbackSource = ["type": "model", "metadata": ["m": 1], "user_id": nil, "user_name": nil]
        expected.startTime = Timestamp(microseconds: 1_714_564_740_000_000)
        expected.comparativeExperimentId = experimentId
        expected.feedbackGroupId = groupId
        expected.extra = ["k": "v"]
        expected.feedbackConfig = ["type": "continuous", "min": 0, "max": 1]
        expected.error = true
        #expect(f == expected)
        #expect(f.sourceType == "model")
        #expect(f.numericScore == 0.75)
    }

    @Test("defaults: created now, modified = created, source api, everything else absent")
    func defaults() throws {
        let f = try decode(#"{"key": "k", "run_id": "\#(runId.lowercased)", "score": null, "value": null, "comment": null, "correction": null, "feedback_source": null, "extra": null, "feedback_config": null, "error": null}"#, id: feedbackId)
        var expected = Feedback(id: feedbackId, tenantId: tenant, key: "k", createdAt: now)
        expected.runId = runId
        expected.feedbackSource = ["type": "api"]
        #expect(f == expected)
    }

    @Test("the id comes from the part name, the body, or is generated")
    func ids() throws {
        #expect(try decode(#"{"key": "k", "run_id": "\#(runId.lowercased)", "id": "\#(feedbackId.uuidString)"}"#).id == feedbackId)
        #expect(try decode(#"{"key": "k", "run_id": "\#(runId.lowercased)", "id": "\#(feedbackId.lowercased)"}"#, id: feedbackId).id == feedbackId)
        let a = try decode(#"{"key": "k", "run_id": "\#(runId.lowercased)"}"#)
        let b = try decode(#"{"key": "k", "run_id": "\#(runId.lowercased)"}"#)
        #expect(a.id != b.id)
        #expect(failure(#"{"key": "k", "run_id": "\#(runId.lowercased)", "id": "\#(runId.lowercased)"}"#, id: feedbackId)
            == IngestError(.unprocessable, "\(context): body id does not match the part name"))
    }

    @Test("scores: numbers and booleans", arguments: [
        ("1", JSONValue.int(1), 1.0),
        ("-2.5", .double(-2.5), -2.5),
        ("true", .bool(true), 1.0),
        ("false", .bool(false), 0.0),
    ])
    func scores(_ json: String, _ value: JSONValue, _ numeric: Double) throws {
        let f = try decode(#"{"key": "k", "run_id": "\#(runId.lowercased)", "score": \#(json)}"#)
        #expect(f.score == value)
        #expect(f.numericScore == numeric)
    }

    @Test("values of any type except null", arguments: [
        (#""label""#, JSONValue.string("label")), ("3", .int(3)), ("[1]", .array([1])), ("false", .bool(false)),
    ])
    func values(_ json: String, _ value: JSONValue) throws {
        #expect(try decode(#"{"key": "k", "run_id": "\#(runId.lowercased)", "value": \#(json)}"#).value == value)
    }

    @Test("feedback_source type defaults to api")
    func source() throws {
        #expect(try decode(#"{"key": "k", "run_id": "\#(runId.lowercased)", "feedback_source": {"metadata": {}}}"#).feedbackSource
            == ["type": "api", "metadata": [:]])
        #expect(try decode(#"{"key": "k", "run_id": "\#(runId.lowercased)", "feedback_source": {"type": null}}"#).feedbackSource
            == ["type": "api"])
        #expect(try decode(#"{"key": "k", "run_id": "\#(runId.lowercased)", "feedback_source": {"type": "app"}}"#).sourceType == "app")
    }

    @Test("a summary feedback on a project needs no run")
    func sessionOnly() throws {
        let f = try decode(#"{"key": "k", "session_id": "\#(sessionId.lowercased)", "score": 1}"#)
        #expect(f.runId == nil)
        #expect(f.sessionId == sessionId)
    }

    @Test("keys up to 180 characters (not bytes)")
    func keyLength() throws {
        let long = String(repeating: "é", count: 180)
        #expect(try decode(#"{"key": "\#(long)", "run_id": "\#(runId.lowercased)"}"#).key == long)
        #expect(failure(#"{"key": "\#(long)x", "run_id": "\#(runId.lowercased)"}"#)
            == IngestError(.unprocessable, "\(context): feedback key is longer than 180 characters"))
    }

    @Test("a non-boolean error flag is ignored")
    func errorFlag() throws {
        #expect(try decode(#"{"key": "k", "run_id": "\#(runId.lowercased)", "error": "yes"}"#).error == nil)
        #expect(try decode(#"{"key": "k", "run_id": "\#(runId.lowercased)", "error": false}"#).error == false)
    }

    @Test("invalid feedback is rejected with a message naming the field", arguments: [
        (#"{"run_id": "\#(runId.lowercased)"}"#, "feedback needs a non-empty 'key'"),
        (#"{"key": "", "run_id": "\#(runId.lowercased)"}"#, "feedback needs a non-empty 'key'"),
        (#"{"key": 5, "run_id": "\#(runId.lowercased)"}"#, "feedback needs a non-empty 'key'"),
        (#"{"key": "k"}"#, "feedback needs a run_id or a session_id"),
        (#"{"key": "k", "run_id": null, "session_id": null}"#, "feedback needs a run_id or a session_id"),
        (#"{"key": "k", "run_id": "run-1"}"#, "run_id 'run-1' is not a UUID"),
        (#"{"key": "k", "run_id": 1}"#, "run_id must be a UUID string"),
        (#"{"key": "k", "run_id": "\#(runId.lowercased)", "trace_id": "x"}"#, "trace_id 'x' is not a UUID"),
        (#"{"key": "k", "session_id": "x"}"#, "session_id 'x' is not a UUID"),
        (#"{"key": "k", "run_id": "\#(runId.lowercased)", "comparative_experiment_id": "x"}"#, "comparative_experiment_id 'x' is not a UUID"),
        (#"{"key": "k", "run_id": "\#(runId.lowercased)", "feedback_group_id": []}"#, "feedback_group_id must be a UUID string"),
        (#"{"key": "k", "run_id": "\#(runId.lowercased)", "id": "x"}"#, "id 'x' is not a UUID"),
        (#"{"key": "k", "run_id": "\#(runId.lowercased)", "created_at": "today"}"#, "created_at is not an ISO-8601 date-time"),
        (#"{"key": "k", "run_id": "\#(runId.lowercased)", "modified_at": 1714564800}"#, "modified_at must be an ISO-8601 string"),
        (#"{"key": "k", "run_id": "\#(runId.lowercased)", "start_time": "2024-13-01"}"#, "start_time is not an ISO-8601 date-time"),
        (#"{"key": "k", "run_id": "\#(runId.lowercased)", "score": "0.5"}"#, "score must be a number, a boolean or null"),
        (#"{"key": "k", "run_id": "\#(runId.lowercased)", "score": {}}"#, "score must be a number, a boolean or null"),
        (#"{"key": "k", "run_id": "\#(runId.lowercased)", "comment": 1}"#, "comment must be a string"),
        (#"{"key": "k", "run_id": "\#(runId.lowercased)", "feedback_source": "api"}"#, "feedback_source must be an object"),
        ("[]", "feedback must be a JSON object"),
        (#""k""#, "feedback must be a JSON object"),
    ])
    func invalid(_ json: String, _ message: String) {
        #expect(failure(json) == IngestError(.unprocessable, "\(context): \(message)"))
    }

    @Test("malformed JSON is a 400", arguments: ["", "{", #"{"key": "k",}"#, "NaN"])
    func malformed(_ json: String) {
        let error = failure(json)
        #expect(error?.code == .badRequest)
        #expect(error?.message.hasPrefix("\(context): invalid JSON: ") == true)
    }
}
