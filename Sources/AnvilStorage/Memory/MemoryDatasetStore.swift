import AnvilCore
import Foundation

/// The reference ``DatasetStore``: datasets plus every example revision in memory.
public actor MemoryDatasetStore: DatasetStore {
    private var datasets: [UUID: Dataset] = [:]
    /// Example id → revisions in version order; a nil example is a deletion.
    private var revisions: [UUID: [(version: Timestamp, example: Example?)]] = [:]
    private var exampleDataset: [UUID: (dataset: UUID, tenant: UUID)] = [:]
    private var versionsByDataset: [UUID: [Timestamp]] = [:]
    private var tags: [UUID: [String: Timestamp]] = [:]
    private var shares: [UUID: (tenant: UUID, dataset: UUID)] = [:]
    private var comparatives: [UUID: ComparativeExperiment] = [:]

    public init() {}

    // MARK: datasets

    public func createDataset(_ d: Dataset) async throws {
        if datasets[d.id] != nil { throw StoreError(.conflict, "a dataset with id \(d.id.lowercased) already exists") }
        if datasets.values.contains(where: { $0.tenantId == d.tenantId && $0.name == d.name }) {
            throw StoreError(.conflict, "a dataset named '\(d.name)' already exists")
        }
        datasets[d.id] = d
    }

    public func dataset(id: UUID, tenantId: UUID) async throws -> Dataset? {
        datasets[id].flatMap { $0.tenantId == tenantId ? $0 : nil }
    }

    public func dataset(name: String, tenantId: UUID) async throws -> Dataset? {
        datasets.values.first { $0.tenantId == tenantId && $0.name == name }
    }

    public func listDatasets(_ q: DatasetQuery) async throws -> [Dataset] {
        let rows = datasets.values.filter { d in
            guard d.tenantId == q.tenantId else { return false }
            if let ids = q.ids, !ids.contains(d.id) { return false }
            if let n = q.name, d.name != n { return false }
            if let c = q.nameContains, !RunPredicate.textMatches(d.name, .contains(c)) { return false }
            if let t = q.dataType, d.dataType != t { return false }
            if let m = q.metadata {
                let meta = d.metadata?.objectValue ?? [:]
                guard meta.containsAll(m) else { return false }
            }
            return true
        }
        return Array(rows.sorted { ($0.createdAt, $0.id.lowercased) > ($1.createdAt, $1.id.lowercased) }
            .dropFirst(q.offset).prefix(q.limit))
    }

    public func updateDataset(_ d: Dataset) async throws {
        guard let existing = datasets[d.id], existing.tenantId == d.tenantId else {
            throw StoreError(.notFound, "dataset \(d.id.lowercased) not found")
        }
        if datasets.values.contains(where: { $0.tenantId == d.tenantId && $0.name == d.name && $0.id != d.id }) {
            throw StoreError(.conflict, "a dataset named '\(d.name)' already exists")
        }
        datasets[d.id] = d
    }

    public func deleteDataset(id: UUID, tenantId: UUID) async throws -> Bool {
        guard let d = datasets[id], d.tenantId == tenantId else { return false }
        datasets[id] = nil
        for (example, owner) in exampleDataset where owner.dataset == id {
            revisions[example] = nil
            exampleDataset[example] = nil
        }
        versionsByDataset[id] = nil
        tags[id] = nil
        for (token, s) in shares where s.dataset == id { shares[token] = nil }
        for (cid, c) in comparatives where c.referenceDatasetId == id { comparatives[cid] = nil }
        return true
    }

    public func datasetCounts(ids: [UUID], tenantId: UUID) async throws -> [UUID: DatasetCounts] {
        var out: [UUID: DatasetCounts] = [:]
        for id in ids {
            guard let d = datasets[id], d.tenantId == tenantId else { continue }
            var q = ExampleQuery(tenantId: tenantId)
            q.datasetId = id
            out[id] = DatasetCounts(exampleCount: current(q).count, lastVersion: versionsByDataset[id]?.last)
        }
        return out
    }

    // MARK: examples

    private func nextVersion(_ datasetId: UUID, _ at: Timestamp) -> Timestamp {
        guard let last = versionsByDataset[datasetId]?.last, at <= last else { return at }
        return Timestamp(microseconds: last.microseconds + 1)
    }

    private func record(_ datasetId: UUID, _ version: Timestamp) {
        versionsByDataset[datasetId, default: []].append(version)
        if var d = datasets[datasetId] {
            d.modifiedAt = version
            datasets[datasetId] = d
        }
    }

    public func putExamples(_ examples: [Example], datasetId: UUID, tenantId: UUID, at: Timestamp) async throws -> Timestamp {
        guard datasets[datasetId]?.tenantId == tenantId else { throw StoreError(.notFound, "dataset \(datasetId.lowercased) not found") }
        for e in examples {
            if let owner = exampleDataset[e.id], owner.dataset != datasetId || owner.tenant != tenantId {
                throw StoreError(.conflict, "example \(e.id.lowercased) belongs to another dataset")
            }
        }
        let version = nextVersion(datasetId, at)
        for var e in examples {
            e.tenantId = tenantId
            e.datasetId = datasetId
            e.modifiedAt = version
            revisions[e.id, default: []].append((version, e))
            exampleDataset[e.id] = (datasetId, tenantId)
        }
        record(datasetId, version)
        return version
    }

    public func deleteExamples(ids: [UUID], datasetId: UUID, tenantId: UUID, at: Timestamp, hard: Bool) async throws -> Timestamp? {
        let mine = ids.filter { exampleDataset[$0].map { $0.dataset == datasetId && $0.tenant == tenantId } ?? false }
        guard !mine.isEmpty else { return nil }
        if hard {
            for id in mine {
                revisions[id] = nil
                exampleDataset[id] = nil
            }
            let version = nextVersion(datasetId, at)
            record(datasetId, version)
            return version
        }
        let live = mine.filter { revisions[$0]?.last?.example != nil }
        guard !live.isEmpty else { return nil }
        let version = nextVersion(datasetId, at)
        for id in live { revisions[id, default: []].append((version, nil)) }
        record(datasetId, version)
        return version
    }

    /// The state of every example matching the query's scope at its version.
    private func current(_ q: ExampleQuery) -> [Example] {
        var out: [Example] = []
        for (id, owner) in exampleDataset where owner.tenant == q.tenantId {
            if let d = q.datasetId, owner.dataset != d { continue }
            if let ids = q.ids, !ids.contains(id) { continue }
            guard let revs = revisions[id] else { continue }
            let rev: (version: Timestamp, example: Example?)?
            if let asOf = q.asOf { rev = revs.last { $0.version <= asOf } } else { rev = revs.last }
            guard let e = rev?.example else { continue }
            if let splits = q.splits, !e.splits.contains(where: splits.contains) { continue }
            if let m = q.metadata, !e.metadataContains(m) { continue }
            out.append(e)
        }
        return out.sorted { ($0.createdAt, $0.id.lowercased) < ($1.createdAt, $1.id.lowercased) }
    }

    public func examples(_ q: ExampleQuery) async throws -> [Example] {
        Array(current(q).dropFirst(q.offset).prefix(q.limit))
    }

    public func exampleCount(_ q: ExampleQuery) async throws -> Int { current(q).count }

    public func exampleDatasets(ids: [UUID], tenantId: UUID) async throws -> [UUID: UUID] {
        var out: [UUID: UUID] = [:]
        for id in ids { if let o = exampleDataset[id], o.tenant == tenantId { out[id] = o.dataset } }
        return out
    }

    // MARK: versions

    private func tagsByVersion(_ datasetId: UUID) -> [Timestamp: [String]] {
        var out: [Timestamp: [String]] = [:]
        for (tag, v) in tags[datasetId] ?? [:] { out[v, default: []].append(tag) }
        return out.mapValues { $0.sorted() }
    }

    public func versions(datasetId: UUID, tenantId: UUID, limit: Int, offset: Int) async throws -> [DatasetVersion] {
        guard datasets[datasetId]?.tenantId == tenantId else { return [] }
        let t = tagsByVersion(datasetId)
        return Array((versionsByDataset[datasetId] ?? []).reversed().dropFirst(offset).prefix(limit))
            .map { DatasetVersion(asOf: $0, tags: t[$0] ?? []) }
    }

    public func version(datasetId: UUID, tenantId: UUID, atOrBefore time: Timestamp) async throws -> DatasetVersion? {
        guard datasets[datasetId]?.tenantId == tenantId,
            let v = versionsByDataset[datasetId]?.last(where: { $0 <= time })
        else { return nil }
        return DatasetVersion(asOf: v, tags: tagsByVersion(datasetId)[v] ?? [])
    }

    public func version(datasetId: UUID, tenantId: UUID, tag: String) async throws -> DatasetVersion? {
        guard datasets[datasetId]?.tenantId == tenantId else { return nil }
        if tag == "latest" {
            guard let v = versionsByDataset[datasetId]?.last else { return nil }
            return DatasetVersion(asOf: v, tags: tagsByVersion(datasetId)[v] ?? [])
        }
        guard let v = tags[datasetId]?[tag] else { return nil }
        return DatasetVersion(asOf: v, tags: tagsByVersion(datasetId)[v] ?? [])
    }

    public func setTag(_ tag: String, version: Timestamp, datasetId: UUID, tenantId: UUID) async throws {
        guard datasets[datasetId]?.tenantId == tenantId, versionsByDataset[datasetId]?.contains(version) == true else {
            throw StoreError(.notFound, "dataset version \(version.iso8601) not found")
        }
        tags[datasetId, default: [:]][tag] = version
    }

    public func diff(datasetId: UUID, tenantId: UUID, from: Timestamp, to: Timestamp) async throws -> DatasetDiff {
        var a = ExampleQuery(tenantId: tenantId)
        a.datasetId = datasetId
        a.asOf = from
        var b = a
        b.asOf = to
        let before = Dictionary(current(a).map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        let after = Dictionary(current(b).map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        let added = after.keys.filter { before[$0] == nil }
        let removed = before.keys.filter { after[$0] == nil }
        let modified = after.keys.filter { id in before[id].map { $0.modifiedAt != after[id]!.modifiedAt } ?? false }
        func sorted(_ ids: [UUID]) -> [UUID] { ids.sorted { $0.lowercased < $1.lowercased } }
        return DatasetDiff(added: sorted(added), modified: sorted(modified), removed: sorted(removed))
    }

    // MARK: sharing and comparisons

    public func shareDataset(datasetId: UUID, tenantId: UUID, token: UUID) async throws -> UUID {
        guard datasets[datasetId]?.tenantId == tenantId else { throw StoreError(.notFound, "dataset not found") }
        if let existing = shares.first(where: { $0.value.dataset == datasetId })?.key { return existing }
        shares[token] = (tenantId, datasetId)
        return token
    }

    public func datasetShareToken(datasetId: UUID, tenantId: UUID) async throws -> UUID? {
        shares.first { $0.value.dataset == datasetId && $0.value.tenant == tenantId }?.key
    }

    public func sharedDataset(token: UUID) async throws -> Dataset? {
        shares[token].flatMap { datasets[$0.dataset] }
    }

    public func unshareDataset(datasetId: UUID, tenantId: UUID) async throws {
        for (token, s) in shares where s.dataset == datasetId && s.tenant == tenantId { shares[token] = nil }
    }

    public func createComparativeExperiment(_ c: ComparativeExperiment) async throws {
        if comparatives[c.id] != nil { throw StoreError(.conflict, "comparative experiment \(c.id.lowercased) already exists") }
        comparatives[c.id] = c
    }

    public func comparativeExperiments(datasetId: UUID, tenantId: UUID) async throws -> [ComparativeExperiment] {
        comparatives.values.filter { $0.tenantId == tenantId && $0.referenceDatasetId == datasetId }
            .sorted { ($0.createdAt, $0.id.lowercased) > ($1.createdAt, $1.id.lowercased) }
    }

    public func comparativeExperiment(id: UUID, tenantId: UUID) async throws -> ComparativeExperiment? {
        comparatives[id].flatMap { $0.tenantId == tenantId ? $0 : nil }
    }

    public func deleteComparativeExperiment(id: UUID, tenantId: UUID) async throws -> Bool {
        guard comparatives[id]?.tenantId == tenantId else { return false }
        comparatives[id] = nil
        return true
    }
}
