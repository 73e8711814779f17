import AnvilCore
import AnvilIngest
import AnvilStorage
import Foundation
import HTTPTypes
import Hummingbird

/// `/datasets…`: datasets, their versions, tags, splits, exports, sharing, and experiment results.
struct DatasetsController: Sendable {
    let datasets: any DatasetStore
    let projects: any ProjectStore
    let traces: any TraceStore
    let shares: any ShareStore
    let writer: ExampleWriter
    let links: ExampleAttachmentLinks

    func addRoutes(to group: RouterGroup<TenantContext>) {
        group.post("datasets", use: create)
        group.get("datasets", use: list)
        group.post("datasets/upload", use: uploadCSV)
        group.post("datasets/clone", use: clone)
        group.post("datasets/comparative", use: createComparative)
        group.delete("datasets/comparative/:id", use: deleteComparative)
        group.get("datasets/:id", use: get)
        group.patch("datasets/:id", use: update)
        group.delete("datasets/:id", use: delete)
        group.get("datasets/:id/versions", use: versions)
        group.get("datasets/:id/versions/diff", use: diff)
        group.get("datasets/:id/version", use: version)
        group.put("datasets/:id/tags", use: tag)
        group.get("datasets/:id/splits", use: splits)
        group.put("datasets/:id/splits", use: updateSplits)
        group.get("datasets/:id/csv", use: exportCSV)
        group.get("datasets/:id/jsonl", use: exportJSONL)
        group.get("datasets/:id/openai_ft", use: exportOpenAI)
        group.get("datasets/:id/share", use: readShare)
        group.put("datasets/:id/share", use: share)
        group.delete("datasets/:id/share", use: unshare)
        group.get("datasets/:id/comparative", use: listComparative)
        group.post("datasets/:id/runs", use: experimentRuns)
        group.post("datasets/:id/runs/delta", use: runsDelta)
    }

    // MARK: helpers

    func dataset(_ context: TenantContext) async throws -> Dataset {
        let id = try context.parameters.uuid("id")
        guard let d = try await datasets.dataset(id: id, tenantId: context.tenantId) else { throw APIError.notFound("dataset \(id.lowercased)") }
        return d
    }

    /// Counts and experiment stats for dataset responses.
    func extras(_ list: [Dataset], tenantId: UUID) async throws -> [UUID: DatasetJSON.Extras] {
        let counts = try await datasets.datasetCounts(ids: list.map(\.id), tenantId: tenantId)
        var out: [UUID: DatasetJSON.Extras] = [:]
        for d in list {
            var e = DatasetJSON.Extras()
            e.exampleCount = counts[d.id]?.exampleCount ?? 0
            var q = ProjectQuery(tenantId: tenantId)
            q.referenceDatasetId = d.id
            q.limit = 10_000
            let experiments = try await projects.listProjects(q)
            e.sessionCount = experiments.count
            e.lastSessionStartTime = experiments.map(\.startTime).max()
            out[d.id] = e
        }
        return out
    }

    func respond(_ d: Dataset, tenantId: UUID, status: HTTPResponse.Status = .ok) async throws -> Response {
        let e = try await extras([d], tenantId: tenantId)[d.id] ?? DatasetJSON.Extras()
        return .json({ w in DatasetJSON.write(d, extras: e, into: &w) }, status: status)
    }

    /// An `as_of` query/body value: a version tag (`latest` included) or an ISO time.
    func resolve(_ asOf: String?, dataset: Dataset, tenantId: UUID) async throws -> Timestamp? {
        guard let asOf, !asOf.isEmpty else { return nil }
        return try await ExamplesController.resolve(asOf, dataset: dataset, datasets: datasets, tenantId: tenantId)
    }

    // MARK: CRUD

    @Sendable func create(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let b = try await request.jsonObject()
        guard let name = try b.string("name"), !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError.unprocessable("name is required")
        }
        var d = Dataset(id: try b.uuid("id") ?? UUID(), tenantId: context.tenantId, name: name,
                        dataType: try b.string("data_type") ?? "kv", createdAt: try b.time("created_at") ?? .now())
        guard Dataset.dataTypes.contains(d.dataType) else {
            throw APIError.unprocessable("data_type must be one of kv, llm, chat")
        }
        d.description = try b.string("description")
        d.inputsSchema = try schema(b, "inputs_schema_definition")
        d.outputsSchema = try schema(b, "outputs_schema_definition")
        d.transformations = b["transformations"].flatMap { $0.isNull ? nil : $0 }
        if let extra = try b.object("extra"), let metadata = extra["metadata"], !metadata.isNull {
            d.metadata = metadata
        }
        if let metadata = try b.object("metadata") { d.metadata = .object(metadata) }
        do {
            try await datasets.createDataset(d)
        } catch let e as StoreError where e.code == .conflict {
            throw APIError(.conflict, "Dataset with this name already exists.")
        }
        return try await respond(d, tenantId: context.tenantId)
    }

    func schema(_ b: [String: JSONValue], _ key: String) throws -> JSONValue? {
        guard let s = b[key], !s.isNull else { return nil }
        _ = try ExampleWriter.compile(s)
        return s
    }

    @Sendable func get(request: Request, context: TenantContext) async throws -> Response {
        try await respond(try await dataset(context), tenantId: context.tenantId)
    }

    @Sendable func list(request: Request, context: TenantContext) async throws -> Response {
        let qp = request.query
        var q = DatasetQuery(tenantId: context.tenantId)
        q.ids = try qp.uuids("id")
        q.name = qp.string("name")
        q.nameContains = qp.string("name_contains")
        q.dataType = qp.string("data_type")
        q.limit = try qp.int("limit", default: 100, range: 1...1000)
        q.offset = try qp.int("offset", default: 0, range: 0...Int(Int32.max))
        if let m = qp.string("metadata") {
            guard case .object(let o)? = try? JSON.parse(m) else { throw APIError.unprocessable("metadata must be a JSON object") }
            q.metadata = o
        }
        let rows = try await datasets.listDatasets(q)
        let extras = try await extras(rows, tenantId: context.tenantId)
        return .json { w in
            w.beginArray()
            for d in rows { DatasetJSON.write(d, extras: extras[d.id] ?? .init(), into: &w) }
            w.endArray()
        }
    }

    @Sendable func update(request: Request, context: TenantContext) async throws -> Response {
        var d = try await dataset(context)
        var request = request
        let b = try await request.jsonObject()
        if let name = try b.string("name") { d.name = name }
        if b.keys.contains("description") { d.description = try b.string("description") }
        if b.keys.contains("inputs_schema_definition") { d.inputsSchema = try schema(b, "inputs_schema_definition") }
        if b.keys.contains("outputs_schema_definition") { d.outputsSchema = try schema(b, "outputs_schema_definition") }
        if let m = try b.object("metadata") { d.metadata = .object(m) }
        if let t = b["transformations"] { d.transformations = t.isNull ? nil : t }
        if b.keys.contains("baseline_experiment_id") { d.baselineExperimentId = try b.uuid("baseline_experiment_id") }
        do {
            try await datasets.updateDataset(d)
        } catch let e as StoreError where e.code == .conflict {
            throw APIError(.conflict, "Dataset with this name already exists.")
        }
        return try await respond(d, tenantId: context.tenantId)
    }

    @Sendable func delete(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        guard try await datasets.deleteDataset(id: id, tenantId: context.tenantId) else { throw APIError.notFound("dataset \(id.lowercased)") }
        try? await writer.blobs.delete(prefix: "example-attachments/\(context.tenantId.lowercased)/")
        return .json(JSONValue.object([:]))
    }

    // MARK: versions

    @Sendable func versions(request: Request, context: TenantContext) async throws -> Response {
        let d = try await dataset(context)
        let qp = request.query
        var list = try await datasets.versions(
            datasetId: d.id, tenantId: context.tenantId, limit: try qp.int("limit", default: 100, range: 1...1000),
            offset: try qp.int("offset", default: 0, range: 0...Int(Int32.max)))
        if let search = qp.string("search") {
            list = list.filter { v in v.tags.contains { RunPredicate.textMatches($0, .contains(search)) } }
        }
        return .json { w in
            w.beginArray()
            for v in list { DatasetJSON.write(v, into: &w) }
            w.endArray()
        }
    }

    @Sendable func version(request: Request, context: TenantContext) async throws -> Response {
        let d = try await dataset(context)
        let qp = request.query
        let found: DatasetVersion?
        if let tag = qp.string("tag") {
            found = try await datasets.version(datasetId: d.id, tenantId: context.tenantId, tag: tag)
        } else if let asOf = qp.string("as_of") {
            guard let t = Timestamp(iso8601: asOf) else {
                throw APIError.unprocessable("as_of must be an ISO-8601 date-time (use tag= for tags)")
            }
            found = try await datasets.version(datasetId: d.id, tenantId: context.tenantId, atOrBefore: t)
        } else {
            found = try await datasets.version(datasetId: d.id, tenantId: context.tenantId, tag: "latest")
        }
        // `latest` always resolves: a dataset without examples is at its creation.
        let tag = qp.string("tag")
        guard let found = found ?? ((tag == nil || tag == "latest") && qp.string("as_of") == nil ? DatasetVersion(asOf: d.modifiedAt, tags: []) : nil) else {
            throw APIError.notFound("dataset version")
        }
        return .json { w in DatasetJSON.write(found, into: &w) }
    }

    @Sendable func tag(request: Request, context: TenantContext) async throws -> Response {
        let d = try await dataset(context)
        var request = request
        let b = try await request.jsonObject()
        guard let tag = try b.string("tag"), !tag.isEmpty, tag != "latest" else {
            throw APIError.unprocessable("tag is required (and 'latest' is reserved)")
        }
        guard let asOf = try b.time("as_of") else { throw APIError.unprocessable("as_of is required") }
        try await datasets.setTag(tag, version: asOf, datasetId: d.id, tenantId: context.tenantId)
        let v = try await datasets.version(datasetId: d.id, tenantId: context.tenantId, tag: tag)
        return .json { w in if let v { DatasetJSON.write(v, into: &w) } else { w.null() } }
    }

    @Sendable func diff(request: Request, context: TenantContext) async throws -> Response {
        let d = try await dataset(context)
        let qp = request.query
        guard let fromText = qp.string("from_version"), let toText = qp.string("to_version") else {
            throw APIError.unprocessable("from_version and to_version are required (a tag or an ISO-8601 time)")
        }
        let from = try await resolve(fromText, dataset: d, tenantId: context.tenantId) ?? .now()
        let to = try await resolve(toText, dataset: d, tenantId: context.tenantId) ?? .now()
        let result = try await datasets.diff(datasetId: d.id, tenantId: context.tenantId, from: from, to: to)
        return .json { w in
            w.beginObject()
            w.key("examples_modified"); w.stringArray(result.modified.map(\.lowercased))
            w.key("examples_added"); w.stringArray(result.added.map(\.lowercased))
            w.key("examples_removed"); w.stringArray(result.removed.map(\.lowercased))
            w.endObject()
        }
    }

    // MARK: splits

    func allExamples(_ d: Dataset, tenantId: UUID, asOf: Timestamp?) async throws -> [Example] {
        var q = ExampleQuery(tenantId: tenantId)
        q.datasetId = d.id
        q.asOf = asOf
        q.limit = Int.max
        return try await datasets.examples(q)
    }

    @Sendable func splits(request: Request, context: TenantContext) async throws -> Response {
        let d = try await dataset(context)
        let asOf = try await resolve(request.query.string("as_of"), dataset: d, tenantId: context.tenantId)
        let names = Set(try await allExamples(d, tenantId: context.tenantId, asOf: asOf).flatMap(\.splits))
        return .json(JSONValue.array(names.sorted().map { .string($0) }))
    }

    @Sendable func updateSplits(request: Request, context: TenantContext) async throws -> Response {
        let d = try await dataset(context)
        var request = request
        let b = try await request.jsonObject()
        guard let split = try b.string("split_name"), !split.isEmpty else { throw APIError.unprocessable("split_name is required") }
        let ids = try b.uuids("examples") ?? []
        let remove = try b.bool("remove") ?? false
        var drafts: [ExampleDraft] = []
        var q = ExampleQuery(tenantId: context.tenantId)
        q.datasetId = d.id
        q.ids = ids
        q.limit = ids.count
        for e in try await datasets.examples(q) {
            var s = e.splits.filter { $0 != split }
            if !remove { s.append(split) }
            var draft = ExampleDraft(id: e.id)
            draft.splits = s.isEmpty ? [Example.defaultSplit] : s
            drafts.append(draft)
        }
        let (written, _) = try await writer.apply(drafts, to: d, mode: .update, tenantId: context.tenantId)
        return .json(JSONValue.array(written.map { .string($0.id.lowercased) }))
    }

    // MARK: exports

    @Sendable func exportCSV(request: Request, context: TenantContext) async throws -> Response {
        let d = try await dataset(context)
        let asOf = try await resolve(request.query.string("as_of"), dataset: d, tenantId: context.tenantId)
        let examples = try await allExamples(d, tenantId: context.tenantId, asOf: asOf)
        return DatasetExport.csv(examples, name: d.name)
    }

    @Sendable func exportJSONL(request: Request, context: TenantContext) async throws -> Response {
        let d = try await dataset(context)
        let asOf = try await resolve(request.query.string("as_of"), dataset: d, tenantId: context.tenantId)
        return DatasetExport.jsonl(try await allExamples(d, tenantId: context.tenantId, asOf: asOf), name: d.name)
    }

    @Sendable func exportOpenAI(request: Request, context: TenantContext) async throws -> Response {
        let d = try await dataset(context)
        let asOf = try await resolve(request.query.string("as_of"), dataset: d, tenantId: context.tenantId)
        return try DatasetExport.openAIFineTuning(try await allExamples(d, tenantId: context.tenantId, asOf: asOf), name: d.name)
    }

    // MARK: upload and clone

    @Sendable func uploadCSV(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let body = try await request.bytes()
        guard let contentType = request.headers[.contentType], let boundary = Multipart.boundary(contentType: contentType) else {
            throw APIError(.unsupportedMediaType, "expected multipart/form-data with a 'file' part")
        }
        let form = try DatasetUpload.form(body, boundary: boundary)
        let upload = try DatasetUpload.parse(form)
        var d = Dataset(id: upload.id ?? UUID(), tenantId: context.tenantId, name: upload.name, dataType: upload.dataType)
        d.description = upload.description
        do {
            try await datasets.createDataset(d)
        } catch let e as StoreError where e.code == .conflict {
            throw APIError(.conflict, "Dataset with this name already exists.")
        }
        do {
            _ = try await writer.apply(upload.examples, to: d, mode: .create, tenantId: context.tenantId)
        } catch {
            _ = try? await datasets.deleteDataset(id: d.id, tenantId: context.tenantId)
            throw error
        }
        d = try await datasets.dataset(id: d.id, tenantId: context.tenantId) ?? d
        return try await respond(d, tenantId: context.tenantId)
    }

    @Sendable func clone(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let b = try await request.jsonObject()
        guard let source = try b.uuid("source_dataset_id"), let target = try b.uuid("target_dataset_id") else {
            throw APIError.unprocessable("source_dataset_id and target_dataset_id are required")
        }
        guard let src = try await datasets.dataset(id: source, tenantId: context.tenantId) else { throw APIError.notFound("dataset \(source.lowercased)") }
        guard let dst = try await datasets.dataset(id: target, tenantId: context.tenantId) else { throw APIError.notFound("dataset \(target.lowercased)") }
        let asOf = try await resolve(try b.string("as_of"), dataset: src, tenantId: context.tenantId)
        var examples = try await allExamples(src, tenantId: context.tenantId, asOf: asOf)
        if let ids = try b.uuids("examples") { examples = examples.filter { ids.contains($0.id) } }
        if let split = try b.string("split") { examples = examples.filter { $0.splits.contains(split) } }
        let drafts = examples.map { e -> ExampleDraft in
            var d = ExampleDraft(id: UUID())
            d.inputs = e.inputs
            d.outputs = e.outputs
            d.metadata = e.metadata
            d.sourceRunId = e.sourceRunId
            return d
        }
        let (written, _) = try await writer.apply(drafts, to: dst, mode: .create, tenantId: context.tenantId)
        return .json { w in
            w.beginArray()
            for e in written { DatasetJSON.write(e, attachmentURL: links.url, into: &w) }
            w.endArray()
        }
    }

    // MARK: sharing

    func shareJSON(_ datasetId: UUID, _ token: UUID?) -> Response {
        guard let token else { return .json(JSONValue.null) }
        return .json(["dataset_id": .string(datasetId.lowercased), "share_token": .string(token.lowercased)])
    }

    @Sendable func readShare(request: Request, context: TenantContext) async throws -> Response {
        let d = try await dataset(context)
        return shareJSON(d.id, try await datasets.datasetShareToken(datasetId: d.id, tenantId: context.tenantId))
    }

    @Sendable func share(request: Request, context: TenantContext) async throws -> Response {
        let d = try await dataset(context)
        let token = try await datasets.shareDataset(datasetId: d.id, tenantId: context.tenantId, token: UUID())
        return shareJSON(d.id, token)
    }

    @Sendable func unshare(request: Request, context: TenantContext) async throws -> Response {
        let d = try await dataset(context)
        try await datasets.unshareDataset(datasetId: d.id, tenantId: context.tenantId)
        return .json(JSONValue.object([:]))
    }
}
