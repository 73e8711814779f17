import AnvilCore
import AnvilStorage
import Foundation
import HTTPTypes
import Hummingbird

extension DatasetsController {
    /// `POST /datasets/{id}/runs`: examples of the dataset, each with the root runs of the given
    /// experiments that ran on it (`get_experiment_results` pages through this).
    @Sendable func experimentRuns(request: Request, context: TenantContext) async throws -> Response {
        let d = try await dataset(context)
        var request = request
        let b = try await request.jsonObject()
        let sessions = try b.uuids("session_ids") ?? []
        guard !sessions.isEmpty else { throw APIError.unprocessable("session_ids is required") }
        for s in sessions {
            guard let p = try await projects.project(id: s, tenantId: context.tenantId) else { throw APIError.notFound("experiment \(s.lowercased)") }
            guard p.referenceDatasetId == d.id else {
                throw APIError.unprocessable("experiment \(s.lowercased) does not reference dataset \(d.id.lowercased)")
            }
        }
        var q = ExampleQuery(tenantId: context.tenantId)
        q.datasetId = d.id
        q.ids = try b.uuids("example_ids")
        q.offset = max(0, try b.int("offset") ?? 0)
        q.limit = min(max(1, try b.int("limit") ?? 100), 1000)
        let examples = try await datasets.examples(q)
        let preview = try b.bool("preview") ?? false
        var byExample: [UUID: [Run]] = [:]
        if !examples.isEmpty {
            var rq = RunQuery(tenantId: context.tenantId, limit: RunQuery.maximumLimit, order: .asc)
            rq.sessionIds = sessions
            rq.referenceExampleIds = examples.map(\.id)
            rq.isRoot = true
            if preview { rq.omit = [.extra, .events, .serialized] }
            while true {
                let page = try await traces.queryRuns(rq)
                for r in page.runs { if let e = r.referenceExampleId { byExample[e, default: []].append(r) } }
                guard let next = page.next else { break }
                rq.cursor = next
            }
        }
        let allRuns = byExample.values.flatMap { $0 }
        let fields = RunJSON.defaultFields
        let extras = try await reader.extras(for: allRuns, fields: fields, tenantId: context.tenantId)
        var w = JSONWriter(capacity: 64 * 1024)
        w.beginArray()
        for e in examples {
            DatasetJSON.write(e, attachmentURL: links.url, into: &w) { w in
                w.key("runs")
                w.beginArray()
                let runs = (byExample[e.id] ?? []).sorted { ($0.startTime ?? Timestamp(microseconds: 0)) < ($1.startTime ?? Timestamp(microseconds: 0)) }
                for r in runs { RunJSON.write(r, fields: fields, extras: extras[r.id] ?? RunExtras(), into: &w) }
                w.endArray()
            }
        }
        w.endArray()
        return .json(w.bytes, for: request)
    }

    var reader: RunReader { RunReader(traces: traces, shares: shares, signer: links.signer) }

    @Sendable func createComparative(request: Request, context: TenantContext) async throws -> Response {
        var request = request
        let b = try await request.jsonObject()
        guard let datasetId = try b.uuid("reference_dataset_id") else { throw APIError.unprocessable("reference_dataset_id is required") }
        guard try await datasets.dataset(id: datasetId, tenantId: context.tenantId) != nil else {
            throw APIError.notFound("dataset \(datasetId.lowercased)")
        }
        let ids = try b.uuids("experiment_ids") ?? []
        guard ids.count >= 2 else { throw APIError.unprocessable("experiment_ids needs at least two experiments") }
        var experiments: [Project] = []
        for id in ids {
            guard let p = try await projects.project(id: id, tenantId: context.tenantId) else { throw APIError.notFound("experiment \(id.lowercased)") }
            guard p.referenceDatasetId == datasetId else {
                throw APIError.unprocessable("experiment \(id.lowercased) does not reference dataset \(datasetId.lowercased)")
            }
            experiments.append(p)
        }
        let c = ComparativeExperiment(
            id: try b.uuid("id") ?? UUID(), tenantId: context.tenantId, name: try b.string("name"),
            description: try b.string("description"), referenceDatasetId: datasetId, experimentIds: ids,
            extra: b["extra"].flatMap { $0.isNull ? nil : $0 }, createdAt: try b.time("created_at") ?? .now())
        try await datasets.createComparativeExperiment(c)
        return .json { w in DatasetJSON.write(c, experiments: experiments, feedback: [:], into: &w) }
    }

    @Sendable func listComparative(request: Request, context: TenantContext) async throws -> Response {
        let d = try await dataset(context)
        let list = try await datasets.comparativeExperiments(datasetId: d.id, tenantId: context.tenantId)
        var q = ProjectQuery(tenantId: context.tenantId)
        q.referenceDatasetId = d.id
        q.limit = 10_000
        let experiments = try await projects.listProjects(q)
        var stats: [UUID: [String: FeedbackStats]] = [:]
        for c in list {
            var fq = FeedbackQuery(tenantId: context.tenantId)
            fq.comparativeExperimentId = c.id
            fq.limit = 100_000
            stats[c.id] = FeedbackStats.aggregate(try await traces.listFeedback(fq))
        }
        return .json { w in
            w.beginArray()
            for c in list { DatasetJSON.write(c, experiments: experiments, feedback: stats[c.id] ?? [:], into: &w) }
            w.endArray()
        }
    }

    @Sendable func deleteComparative(request: Request, context: TenantContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        guard try await datasets.deleteComparativeExperiment(id: id, tenantId: context.tenantId) else {
            throw APIError.notFound("comparative experiment \(id.lowercased)")
        }
        return .json(JSONValue.object([:]))
    }
}

extension DatasetsController {
    /// Mean score of `key` per example over an experiment's root runs (repetitions averaged).
    func scoresByExample(session: UUID, key: String, tenantId: UUID) async throws -> [UUID: Double] {
        var q = RunQuery(tenantId: tenantId, limit: RunQuery.maximumLimit, order: .asc)
        q.sessionIds = [session]
        q.isRoot = true
        q.omit = Set(RunQuery.Payload.allCases)
        var runs: [Run] = []
        while true {
            let page = try await traces.queryRuns(q)
            runs += page.runs
            guard let next = page.next else { break }
            q.cursor = next
        }
        let stats = try await traces.feedbackStats(runIds: runs.map(\.id), tenantId: tenantId)
        var sums: [UUID: (Double, Int)] = [:]
        for r in runs {
            guard let example = r.referenceExampleId, let avg = stats[r.id]?[key]?.avg else { continue }
            let s = sums[example] ?? (0, 0)
            sums[example] = (s.0 + avg, s.1 + 1)
        }
        return sums.mapValues { $0.0 / Double($0.1) }
    }

    /// `POST /datasets/{id}/runs/delta`: per comparison experiment, the examples whose score on
    /// `feedback_key` rose or fell against the baseline (higher is better).
    @Sendable func runsDelta(request: Request, context: TenantContext) async throws -> Response {
        let d = try await dataset(context)
        var request = request
        let b = try await request.jsonObject()
        guard let baseline = try b.uuid("baseline_session_id"), let key = try b.string("feedback_key") else {
            throw APIError.unprocessable("baseline_session_id and feedback_key are required")
        }
        let others = try b.uuids("comparison_session_ids") ?? []
        for s in [baseline] + others {
            guard let p = try await projects.project(id: s, tenantId: context.tenantId), p.referenceDatasetId == d.id else {
                throw APIError.notFound("experiment \(s.lowercased) of dataset \(d.id.lowercased)")
            }
        }
        let base = try await scoresByExample(session: baseline, key: key, tenantId: context.tenantId)
        var deltas: [(UUID, [UUID], [UUID])] = []
        for s in others {
            let scores = try await scoresByExample(session: s, key: key, tenantId: context.tenantId)
            var improved: [UUID] = []
            var regressed: [UUID] = []
            for (example, score) in scores {
                guard let reference = base[example] else { continue }
                if score > reference { improved.append(example) } else if score < reference { regressed.append(example) }
            }
            deltas.append((s, improved.sorted { $0.lowercased < $1.lowercased }, regressed.sorted { $0.lowercased < $1.lowercased }))
        }
        return .json { w in
            w.beginObject()
            w.key("feedback_deltas")
            w.beginObject()
            for (s, improved, regressed) in deltas {
                w.key(s.lowercased)
                w.beginObject()
                w.key("improved_examples"); w.stringArray(improved.map(\.lowercased))
                w.key("regressed_examples"); w.stringArray(regressed.map(\.lowercased))
                w.endObject()
            }
            w.endObject()
            w.endObject()
        }
    }
}
