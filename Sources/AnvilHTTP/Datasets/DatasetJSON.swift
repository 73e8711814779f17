import AnvilAuth
import AnvilCore
import AnvilStorage
import Foundation

/// LangSmith's `Dataset`, `Example`, `DatasetVersion` and `ComparativeExperiment` shapes.
enum DatasetJSON {
    struct Extras {
        var exampleCount = 0
        var sessionCount = 0
        var lastSessionStartTime: Timestamp?
    }

    static func write(_ d: Dataset, extras: Extras, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(d.id.lowercased)
        w.key("tenant_id"); w.string(d.tenantId.lowercased)
        w.key("name"); w.string(d.name)
        w.key("description"); w.string(d.description)
        w.key("data_type"); w.string(d.dataType)
        w.key("created_at"); w.string(d.createdAt.iso8601)
        w.key("modified_at"); w.string(d.modifiedAt.iso8601)
        w.key("example_count"); w.int(extras.exampleCount)
        w.key("session_count"); w.int(extras.sessionCount)
        w.key("last_session_start_time"); w.string(extras.lastSessionStartTime?.iso8601)
        w.key("inputs_schema_definition"); optional(d.inputsSchema, &w)
        w.key("outputs_schema_definition"); optional(d.outputsSchema, &w)
        w.key("transformations"); optional(d.transformations, &w)
        w.key("metadata"); optional(d.metadata, &w)
        w.key("externally_managed"); w.bool(false)
        w.key("baseline_experiment_id"); w.string(d.baselineExperimentId?.lowercased)
        w.endObject()
    }

    static func optional(_ v: JSONValue?, _ w: inout JSONWriter) {
        if let v { w.value(v) } else { w.null() }
    }

    /// `attachmentURL` signs a download link for an attachment (key, media type).
    static func write(
        _ e: Example, attachmentURL: (Attachment) -> String, into w: inout JSONWriter,
        more: (inout JSONWriter) -> Void = { _ in }
    ) {
        w.beginObject()
        w.key("id"); w.string(e.id.lowercased)
        w.key("dataset_id"); w.string(e.datasetId.lowercased)
        w.key("inputs"); w.raw(e.inputs.bytes)
        w.key("outputs"); w.raw(e.outputs)
        w.key("metadata"); w.value(.object(e.metadata))
        w.key("created_at"); w.string(e.createdAt.iso8601)
        w.key("modified_at"); w.string(e.modifiedAt.iso8601)
        w.key("source_run_id"); w.string(e.sourceRunId?.lowercased)
        w.key("name"); w.null()
        w.key("attachment_urls")
        if e.attachments.isEmpty {
            w.null()
        } else {
            w.beginObject()
            for a in e.attachments.sorted(by: { $0.name < $1.name }) {
                w.key("attachment.\(a.name)")
                w.beginObject()
                w.key("presigned_url"); w.string(attachmentURL(a))
                w.key("mime_type"); w.string(a.mimeType)
                w.endObject()
            }
            w.endObject()
        }
        more(&w)
        w.endObject()
    }

    static func write(_ v: DatasetVersion, into w: inout JSONWriter) {
        w.beginObject()
        w.key("as_of"); w.string(v.asOf.iso8601)
        w.key("tags"); w.stringArray(v.tags)
        w.endObject()
    }

    static func write(_ c: ComparativeExperiment, experiments: [Project], feedback: [String: FeedbackStats], into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(c.id.lowercased)
        w.key("tenant_id"); w.string(c.tenantId.lowercased)
        w.key("name"); w.string(c.name)
        w.key("description"); w.string(c.description)
        w.key("reference_dataset_id"); w.string(c.referenceDatasetId.lowercased)
        w.key("created_at"); w.string(c.createdAt.iso8601)
        w.key("modified_at"); w.string(c.modifiedAt.iso8601)
        w.key("extra"); optional(c.extra, &w)
        w.key("experiments_info")
        w.beginArray()
        for id in c.experimentIds {
            w.beginObject()
            w.key("id"); w.string(id.lowercased)
            w.key("name"); w.string(experiments.first { $0.id == id }?.name)
            w.endObject()
        }
        w.endArray()
        w.key("feedback_stats"); FeedbackStatsJSON.write(feedback, into: &w)
        w.endObject()
    }
}

/// Signed, key-less download links for example attachments (the SDK fetches them without auth).
struct ExampleAttachmentLinks: Sendable {
    let signer: URLSigner
    var lifetime: Int64 = 3600

    func url(_ a: Attachment) -> String {
        let expires = Int64(Date().timeIntervalSince1970) + lifetime
        let token = signer.sign(a.key + "\n" + a.mimeType, expires: expires)
        let mime = a.mimeType.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "application%2Foctet-stream"
        return "/api/v1/public/blobs/\(a.key)?mime=\(mime)&token=\(token)"
    }
}
