import AnvilCore
import AnvilIngest
import AnvilStorage
import Foundation
import HTTPTypes
import Hummingbird

/// `/examples…` (JSON) and the multipart example endpoints under `…/platform/…`.
struct ExamplesController: Sendable {
    let datasets: any DatasetStore
    let writer: ExampleWriter
    let links: ExampleAttachmentLinks

    /// `prefix` is the API prefix the group is mounted at (see `apiPrefixes`).
    func addRoutes(to group: RouterGroup<TenantContext>, prefix: String) {
        group.post("examples", use: create)
        group.get("examples", use: list)
        group.delete("examples", use: deleteMany)
        group.get("examples/count", use: count)
        group.post("examples/bulk", use: createBulk)
        group.patch("examples/bulk", use: updateBulk)
        group.get("examples/:id", use: get)
        group.patch("examples/:id", use: update)
        group.delete("examples/:id", use: delete)
        // The SDK's "platform" paths: `/platform/…` under a `/v1` base, `/v1/platform/…` otherwise
        // (which under the `api` prefix is the same path as `api/v1` + `platform`).
        for base in prefix.isEmpty ? ["platform", "v1/platform"] : ["platform"] {
            group.post("\(base)/datasets/:id/examples", use: multipartCreate)
            group.patch("\(base)/datasets/:id/examples", use: multipartUpdate)
            group.post("\(base)/examples/multipart", use: multipartUpsert)
            group.post("\(base)/datasets/examples/delete", use: hardDelete)
        }
    }

    // MARK: helpers

    func dataset(_ id: UUID?, tenantId: UUID) async throws -> Dataset {
        guard let id else { throw APIError.unprocessable("dataset_id is required") }
        guard let d = try await datasets.dataset(id: id, tenantId: tenantId) else { throw APIError.notFound("dataset \(id.lowercased)") }
        return d
    }

    func json(_ examples: [Example]) -> Response {
        .json { w in
            w.beginArray()
            for e in examples { DatasetJSON.write(e, attachmentURL: links.url, into: &w) }
            w.endArray()
        }
    }

    func json(_ e: Example) -> Response {
        .json { w in DatasetJSON.write(e, attachmentURL: links.url, into: &w) }
    }

    /// Groups drafts by dataset (the SDK's bulk calls name it per example), one version each.
    func write(_ drafts: [ExampleDraft], mode: ExampleWriter.Mode, tenantId: UUID, defaultDataset: UUID? = nil) async throws -> [Example] {
        var owners: [UUID: UUID] = [:]
        if mode != .create {
            owners = try await datasets.exampleDatasets(ids: drafts.map(\.id), tenantId: tenantId)
        }
        var order: [UUID] = []
        var groups: [UUID: [ExampleDraft]] = [:]
        for d in drafts {
            if mode == .update, let path = defaultDataset, let owner = owners[d.id], owner != path {
                throw APIError(.conflict, "example \(d.id.lowercased) belongs to dataset \(owner.lowercased), not \(path.lowercased)")
            }
            guard let ds = d.datasetId ?? owners[d.id] ?? defaultDataset else {
                throw mode == .update ? APIError.notFound("example \(d.id.lowercased)") : APIError.unprocessable("example \(d.id.lowercased) needs a dataset_id")
            }
            if groups[ds] == nil { order.append(ds) }
            groups[ds, default: []].append(d)
        }
        if mode == .update && order.count > 1 {
            throw APIError(.conflict, "a bulk update must stay within one dataset; these examples span \(order.count)")
        }
        var out: [Example] = []
        for ds in order {
            let dataset = try await dataset(ds, tenantId: tenantId)
            out += try await writer.apply(groups[ds]!, to: dataset, mode: mode, tenantId: tenantId).0
        }
        return out
    }

    // MARK: JSON endpoints

    @Sendable func create(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let draft = try ExampleDraft.decode(try await request.jsonObject(), context: "example")
        let written = try await write([draft], mode: .create, tenantId: context.tenantId)
        return json(written[0])
    }

    @Sendable func createBulk(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        guard case .array(let items) = try await request.jsonValue() else { throw APIError.unprocessable("body must be a list of examples") }
        let drafts = try items.enumerated().map { i, item -> ExampleDraft in
            guard case .object(let o) = item else { throw APIError.unprocessable("examples[\(i)] must be an object") }
            return try ExampleDraft.decode(o, context: "examples[\(i)]")
        }
        return json(try await write(drafts, mode: .create, tenantId: context.tenantId))
    }

    @Sendable func update(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        var request = request
        let draft = try ExampleDraft.decode(try await request.jsonObject(), id: id, context: "example")
        let written = try await write([draft], mode: .update, tenantId: context.tenantId)
        return json(written[0])
    }

    @Sendable func updateBulk(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        guard case .array(let items) = try await request.jsonValue() else { throw APIError.unprocessable("body must be a list of example updates") }
        let drafts = try items.enumerated().map { i, item -> ExampleDraft in
            guard case .object(let o) = item, o["id"] != nil else { throw APIError.unprocessable("updates[\(i)] must be an object with an id") }
            return try ExampleDraft.decode(o, context: "updates[\(i)]")
        }
        let written = try await write(drafts, mode: .update, tenantId: context.tenantId)
        return .json(["message": .string("\(written.count) examples updated"), "count": .int(Int64(written.count))])
    }

    @Sendable func get(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        var q = ExampleQuery(tenantId: context.tenantId)
        q.ids = [id]
        q.limit = 1
        if let asOf = request.query.string("as_of") {
            guard let owner = try await datasets.exampleDatasets(ids: [id], tenantId: context.tenantId)[id],
                let d = try await datasets.dataset(id: owner, tenantId: context.tenantId)
            else { throw APIError.notFound("example \(id.lowercased)") }
            q.asOf = try await ExamplesController.resolve(asOf, dataset: d, datasets: datasets, tenantId: context.tenantId)
        }
        guard let e = try await datasets.examples(q).first else { throw APIError.notFound("example \(id.lowercased)") }
        return json(e)
    }

    /// An `as_of` value: an ISO time, a tag, or `latest` (nil: the current state, even for a
    /// dataset without versions yet).
    static func resolve(_ asOf: String, dataset: Dataset, datasets: any DatasetStore, tenantId: UUID) async throws -> Timestamp? {
        if asOf == "latest" { return nil }
        if let t = Timestamp(iso8601: asOf) { return t }
        guard let v = try await datasets.version(datasetId: dataset.id, tenantId: tenantId, tag: asOf) else {
            throw APIError.notFound("dataset version tag '\(asOf)'")
        }
        return v.asOf
    }

    func query(_ request: Request, tenantId: UUID) async throws -> ExampleQuery {
        let qp = request.query
        var q = ExampleQuery(tenantId: tenantId)
        q.datasetId = try qp.uuid("dataset")
        q.ids = try qp.uuids("id")
        let splits = qp.all("splits")
        q.splits = splits.isEmpty ? nil : splits
        q.limit = try qp.int("limit", default: 100, range: 1...10_000)
        q.offset = try qp.int("offset", default: 0, range: 0...Int(Int32.max))
        if let m = qp.string("metadata") {
            guard case .object(let o)? = try? JSON.parse(m) else { throw APIError.unprocessable("metadata must be a JSON object") }
            q.metadata = o
        }
        if let asOf = qp.string("as_of") {
            guard let ds = q.datasetId, let d = try await datasets.dataset(id: ds, tenantId: tenantId) else {
                throw APIError.unprocessable("as_of needs a dataset")
            }
            q.asOf = try await Self.resolve(asOf, dataset: d, datasets: datasets, tenantId: tenantId)
        }
        return q
    }

    @Sendable func list(request: Request, context: TenantContext) async throws -> Response {
        var q = try await query(request, tenantId: context.tenantId)
        guard let filterText = request.query.string("filter") else {
            return json(try await datasets.examples(q))
        }
        let filter = try ExampleFilter(filterText)
        let (offset, limit) = (q.offset, q.limit)
        q.offset = 0
        q.limit = Int.max
        let matching = try await datasets.examples(q).filter(filter.matches)
        return json(Array(matching.dropFirst(offset).prefix(limit)))
    }

    @Sendable func count(request: Request, context: TenantContext) async throws -> Response {
        var q = try await query(request, tenantId: context.tenantId)
        if let filterText = request.query.string("filter") {
            let filter = try ExampleFilter(filterText)
            q.offset = 0
            q.limit = Int.max
            return .json(.int(Int64(try await datasets.examples(q).filter(filter.matches).count)))
        }
        return .json(.int(Int64(try await datasets.exampleCount(q))))
    }

    func remove(_ ids: [UUID], tenantId: UUID, hard: Bool) async throws -> Int {
        let owners = try await datasets.exampleDatasets(ids: ids, tenantId: tenantId)
        var removed = 0
        for ds in Set(owners.values) {
            let mine = ids.filter { owners[$0] == ds }
            if try await datasets.deleteExamples(ids: mine, datasetId: ds, tenantId: tenantId, at: .now(), hard: hard) != nil {
                removed += mine.count
            }
        }
        return removed
    }

    @Sendable func delete(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        guard try await remove([id], tenantId: context.tenantId, hard: false) > 0 else { throw APIError.notFound("example \(id.lowercased)") }
        return .json(JSONValue.object([:]))
    }

    @Sendable func deleteMany(request: Request, context: TenantContext) async throws -> Response {
        guard let ids = try request.query.uuids("example_ids") else { throw APIError.unprocessable("example_ids is required") }
        _ = try await remove(ids, tenantId: context.tenantId, hard: false)
        return .json(JSONValue.object([:]))
    }

    @Sendable func hardDelete(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let b = try await request.jsonObject()
        let ids = try b.uuids("example_ids") ?? []
        let hard = try b.bool("hard_delete") ?? false
        let count = try await remove(ids, tenantId: context.tenantId, hard: hard)
        return .json(["count": .int(Int64(count))])
    }

    // MARK: multipart endpoints

    @Sendable func multipartCreate(request: Request, context: TenantContext) async throws -> Response {
        try await multipart(request, context, mode: .create)
    }

    @Sendable func multipartUpdate(request: Request, context: TenantContext) async throws -> Response {
        try await multipart(request, context, mode: .update)
    }

    @Sendable func multipartUpsert(request: Request, context: TenantContext) async throws -> Response {
        try await multipart(request, context, mode: .upsert)
    }

    func multipart(_ request: Request, _ context: TenantContext, mode: ExampleWriter.Mode) async throws -> Response {
        var request = request
        let body = try await request.bytes()
        guard let contentType = request.headers[.contentType], let boundary = Multipart.boundary(contentType: contentType) else {
            throw APIError(.unsupportedMediaType, "expected Content-Type: multipart/form-data with a boundary")
        }
        let datasetId = context.parameters.get("id").flatMap { UUID(fast: $0) }
        if context.parameters.get("id") != nil && datasetId == nil { throw APIError.notFound("dataset") }
        let drafts = try ExampleMultipart.decode(body, boundary: boundary, requireInputs: mode == .create)
        let written = try await write(drafts, mode: mode, tenantId: context.tenantId, defaultDataset: datasetId)
        let version = written.map(\.modifiedAt).max()
        return .json { w in
            w.beginObject()
            w.key("example_ids"); w.stringArray(written.map(\.id.lowercased))
            w.key("count"); w.int(written.count)
            w.key("as_of"); w.string(version?.iso8601)
            w.endObject()
        }
    }
}

/// The `filter` of `GET /examples`: the run filter language restricted to what examples have
/// (`has`/`exists` on `metadata`, `inputs`, `outputs`, combined with `and`/`or`/`not`).
struct ExampleFilter {
    let predicate: RunPredicate

    init(_ text: String) throws {
        do {
            predicate = RunPredicate(try FilterParser.parse(text))
        } catch {
            throw APIError.badRequest("invalid filter at offset \(error.offset): \(error.message)")
        }
        try Self.check(predicate)
    }

    static func check(_ p: RunPredicate) throws {
        switch p {
        case .and(let items), .or(let items): try items.forEach(check)
        case .not(let item): try check(item)
        case .contains, .hasKey, .entry, .text(.payload, _): return
        default: throw APIError.badRequest("example filters support has(), exists() and search over metadata, inputs and outputs, combined with and/or/not")
        }
    }

    func matches(_ e: Example) -> Bool {
        var run = Run(id: e.id, tenantId: e.tenantId)
        run.inputs = e.inputs
        run.outputs = e.outputs
        run.extra = RawJSON(.object(["metadata": .object(e.metadata)]))
        let facts = RunFacts(run: run, feedback: [])
        return Self.evaluate(predicate, facts)
    }

    /// Examples live in Postgres in LangSmith, where `has(metadata, {...})` is JSON containment
    /// (`@>`: nested objects and arrays may hold more than the filter names). Everything else
    /// follows the run filter semantics.
    static func evaluate(_ p: RunPredicate, _ facts: RunFacts) -> Bool {
        switch p {
        case .and(let items): return items.allSatisfy { evaluate($0, facts) }
        case .or(let items): return items.contains { evaluate($0, facts) }
        case .not(let item): return !evaluate(item, facts)
        case .contains(let payload, let object):
            let source: JSONValue?
            switch payload {
            case .metadata: source = .object(facts.metadata)
            case .inputs: source = facts.run.inputs.flatMap { try? $0.parsed() }
            case .outputs: source = facts.run.outputs.flatMap { try? $0.parsed() }
            }
            return source.map { contains($0, .object(object)) } ?? false
        default: return p.matches(facts)
        }
    }

    static func contains(_ value: JSONValue, _ wanted: JSONValue) -> Bool {
        switch (value, wanted) {
        case (.object(let v), .object(let w)):
            return w.allSatisfy { key, inner in v[key].map { contains($0, inner) } ?? false }
        case (.array(let v), .array(let w)):
            return w.allSatisfy { inner in v.contains { contains($0, inner) } }
        default:
            return value.jsonEquals(wanted)
        }
    }
}
