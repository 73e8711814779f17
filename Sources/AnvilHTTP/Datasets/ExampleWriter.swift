import AnvilCore
import AnvilIngest
import AnvilStorage
import Foundation
import HTTPTypes

/// Applies example drafts to a dataset as one new version: resolves source runs, validates against
/// the dataset's schemas, stores attachment uploads, and writes. Nothing is written when any draft
/// is invalid, so a rejected batch leaves the dataset unchanged.
struct ExampleWriter: Sendable {
    enum Mode { case create, update, upsert }

    let datasets: any DatasetStore
    let traces: any TraceStore
    let blobs: any BlobStore

    /// Returns the examples as written and the new version.
    func apply(_ drafts: [ExampleDraft], to dataset: Dataset, mode: Mode, tenantId: UUID) async throws -> ([Example], Timestamp) {
        guard !drafts.isEmpty else { return ([], dataset.modifiedAt) }
        var seen = Set<UUID>()
        for d in drafts where !seen.insert(d.id).inserted {
            throw APIError.unprocessable("example \(d.id.lowercased) appears twice in one request")
        }
        for d in drafts where d.datasetId != nil && d.datasetId != dataset.id {
            throw APIError(.conflict, "example \(d.id.lowercased) names dataset \(d.datasetId!.lowercased), not \(dataset.id.lowercased); one request updates one dataset")
        }
        let ids = drafts.map(\.id)
        let owners = try await datasets.exampleDatasets(ids: ids, tenantId: tenantId)
        for (id, owner) in owners where owner != dataset.id {
            throw APIError(.conflict, "example \(id.lowercased) belongs to another dataset")
        }
        var current: [UUID: Example] = [:]
        if !owners.isEmpty {
            var q = ExampleQuery(tenantId: tenantId)
            q.datasetId = dataset.id
            q.ids = Array(owners.keys)
            q.limit = owners.count
            for e in try await datasets.examples(q) { current[e.id] = e }
        }
        let sourceRuns = try await runs(for: drafts, tenantId: tenantId)
        let inputsSchema = try dataset.inputsSchema.map(Self.compile)
        let outputsSchema = try dataset.outputsSchema.map(Self.compile)
        let now = Timestamp.now()

        var written: [Example] = []
        for (index, d) in drafts.enumerated() {
            var e: Example
            switch (mode, current[d.id]) {
            case (.create, .some):
                throw APIError(.conflict, "example \(d.id.lowercased) already exists")
            case (.update, nil):
                throw APIError.notFound("example \(d.id.lowercased)")
            case (_, let existing?):
                e = existing
            case (_, nil):
                // Examples of one request keep their order: each gets its own microsecond.
                e = Example(id: d.id, tenantId: tenantId, datasetId: dataset.id, inputs: RawJSON(.object([:])),
                            createdAt: d.createdAt ?? Timestamp(microseconds: now.microseconds + Int64(index)))
                if d.inputs == nil && !d.useSourceRunIO {
                    throw APIError.unprocessable("example \(d.id.lowercased) has no inputs")
                }
            }
            if d.useSourceRunIO {
                guard let runId = d.sourceRunId, let run = sourceRuns[runId] else {
                    throw APIError.unprocessable("example \(d.id.lowercased): use_source_run_io needs an existing source_run_id")
                }
                e.inputs = run.inputs ?? RawJSON(.object([:]))
                e.outputs = run.outputs
                if d.useSourceRunAttachments { e.attachments = run.attachments }
            }
            if let inputs = d.inputs { e.inputs = inputs }
            if let outputs = d.outputs { e.outputs = outputs }
            if d.clearOutputs { e.outputs = nil }
            if let metadata = d.metadata {
                let splits = e.splits
                e.metadata = metadata
                if d.splits == nil && metadata["dataset_split"] == nil { e.splits = splits }
            }
            if let splits = d.splits { e.splits = splits }
            if e.splits.isEmpty { e.splits = [Example.defaultSplit] }
            if let s = d.sourceRunId { e.sourceRunId = s }
            e.attachments = try await attachments(of: e, draft: d, tenantId: tenantId)
            try Self.validate(e, inputs: inputsSchema, outputs: outputsSchema)
            written.append(e)
        }
        let version = try await datasets.putExamples(written, datasetId: dataset.id, tenantId: tenantId, at: now)
        return (written.map { var e = $0; e.modifiedAt = version; return e }, version)
    }

    func runs(for drafts: [ExampleDraft], tenantId: UUID) async throws -> [UUID: Run] {
        let ids = drafts.filter(\.useSourceRunIO).compactMap(\.sourceRunId)
        guard !ids.isEmpty else { return [:] }
        return Dictionary(try await traces.runs(ids: ids, tenantId: tenantId).filter(\.posted).map { ($0.id, $0) },
                          uniquingKeysWith: { a, _ in a })
    }

    /// Existing attachments after renames/retains, plus new uploads (stored now, before the write).
    func attachments(of e: Example, draft d: ExampleDraft, tenantId: UUID) async throws -> [Attachment] {
        // New uploads without attachments_operations replace the example's attachments (as in
        // LangSmith); with operations, only renamed/retained ones survive.
        var kept = d.renames == nil && d.retain == nil && !d.uploads.isEmpty ? [] : e.attachments
        if let renames = d.renames {
            kept = kept.map { a in
                var a = a
                if let new = renames[a.name] { a.name = new }
                return a
            }
        }
        if let retain = d.retain {
            let renamedTargets = Set(d.renames?.values.map { $0 } ?? [])
            kept = kept.filter { retain.contains($0.name) || renamedTargets.contains($0.name) }
        }
        for upload in d.uploads {
            let key = "example-attachments/\(tenantId.lowercased)/\(e.id.lowercased)/\(UUID().uuidString.lowercased())"
            try await blobs.put(key: key, data: upload.bytes)
            kept.removeAll { $0.name == upload.name }
            kept.append(Attachment(name: upload.name, mimeType: upload.mimeType, key: key, size: upload.bytes.count))
        }
        return kept
    }

    static func compile(_ schema: JSONValue) throws -> JSONSchema {
        do {
            return try JSONSchema(schema)
        } catch {
            throw APIError.unprocessable("the dataset's schema is invalid: \(error.message)")
        }
    }

    static func validate(_ e: Example, inputs: JSONSchema?, outputs: JSONSchema?) throws {
        func check(_ schema: JSONSchema?, _ raw: RawJSON?, _ field: String) throws {
            guard let schema, let raw, let value = try? raw.parsed() else { return }
            let violations = schema.validate(value)
            guard !violations.isEmpty else { return }
            let shown = violations.prefix(5).map(\.description).joined(separator: "; ")
            let more = violations.count > 5 ? " (and \(violations.count - 5) more)" : ""
            throw APIError.unprocessable("example \(e.id.lowercased): \(field) do not match the dataset's \(field) schema: \(shown)\(more)")
        }
        // Outputs are checked when present: examples without reference outputs are allowed.
        try check(inputs, e.inputs, "inputs")
        try check(outputs, e.outputs, "outputs")
    }
}
