import AnvilCore
import AnvilStorage
import AnvilTesting
import Foundation
import Testing

/// Datasets and versioned examples behave the same on every backend.
@Suite("Dataset store contract")
struct DatasetStoreContractTests {
    let tenant = Fixtures.uuid(700)
    let other = Fixtures.uuid(701)

    func example(_ n: Int, dataset: UUID, inputs: JSONValue = ["q": "x"], splits: [String]? = nil, metadata: [String: JSONValue] = [:], t: Double = 0) -> Example {
        var e = Example(id: Fixtures.uuid(n), tenantId: tenant, datasetId: dataset, inputs: RawJSON(inputs), createdAt: Fixtures.time(t))
        for (k, v) in metadata { e.metadata[k] = v }
        if let splits { e.splits = splits }
        return e
    }

    func store(_ f: StoreFactory) throws -> (Stores, any DatasetStore) {
        let s = try f.make()
        return (s, s.datasets)
    }

    @Test("datasets: CRUD, per-tenant unique names, filters", arguments: StoreFactory.allCases)
    func datasets(factory: StoreFactory) async throws {
        let (_s, ds) = try store(factory); _ = _s
        var a = Dataset(id: Fixtures.uuid(1), tenantId: tenant, name: "alpha", createdAt: Fixtures.time(1))
        a.metadata = ["team": "ml", "n": 1]
        let b = Dataset(id: Fixtures.uuid(2), tenantId: tenant, name: "beta", dataType: "chat", createdAt: Fixtures.time(2))
        try await ds.createDataset(a)
        try await ds.createDataset(b)
        try await ds.createDataset(Dataset(id: Fixtures.uuid(3), tenantId: other, name: "alpha"))
        await #expect(throws: StoreError.self) { try await ds.createDataset(Dataset(tenantId: tenant, name: "alpha")) }
        #expect(try await ds.dataset(name: "alpha", tenantId: tenant)?.id == a.id)
        #expect(try await ds.dataset(id: a.id, tenantId: other) == nil)
        var q = DatasetQuery(tenantId: tenant)
        #expect(try await ds.listDatasets(q).map(\.name) == ["beta", "alpha"])
        q.dataType = "chat"
        #expect(try await ds.listDatasets(q).map(\.name) == ["beta"])
        q = DatasetQuery(tenantId: tenant)
        q.nameContains = "LP"
        #expect(try await ds.listDatasets(q).map(\.name) == ["alpha"])
        q = DatasetQuery(tenantId: tenant)
        q.metadata = ["n": 1.0]
        #expect(try await ds.listDatasets(q).map(\.name) == ["alpha"])
        var renamed = b
        renamed.name = "alpha"
        await #expect(throws: StoreError.self) { try await ds.updateDataset(renamed) }
        #expect(try await ds.deleteDataset(id: b.id, tenantId: other) == false)
        #expect(try await ds.deleteDataset(id: b.id, tenantId: tenant))
        #expect(try await ds.dataset(id: b.id, tenantId: tenant) == nil)
    }

    @Test("every write is a version; as_of reads see the dataset as it was", arguments: StoreFactory.allCases)
    func versions(factory: StoreFactory) async throws {
        let (_s, ds) = try store(factory); _ = _s
        let d = Dataset(id: Fixtures.uuid(10), tenantId: tenant, name: "v")
        try await ds.createDataset(d)
        let v1 = try await ds.putExamples([example(1, dataset: d.id), example(2, dataset: d.id, t: 1)], datasetId: d.id, tenantId: tenant, at: Fixtures.time(100))
        var changed = example(1, dataset: d.id, inputs: ["q": "changed"])
        changed.createdAt = Fixtures.time(0)
        // A version not after the latest gets the latest plus one microsecond.
        let v2 = try await ds.putExamples([changed, example(3, dataset: d.id, t: 2)], datasetId: d.id, tenantId: tenant, at: Fixtures.time(50))
        #expect(v2.microseconds == v1.microseconds + 1)
        let v3 = try #require(try await ds.deleteExamples(ids: [Fixtures.uuid(2)], datasetId: d.id, tenantId: tenant, at: Fixtures.time(300), hard: false))
        #expect(v3 == Fixtures.time(300))

        func state(_ asOf: Timestamp?) async throws -> [String] {
            var q = ExampleQuery(tenantId: tenant)
            q.datasetId = d.id
            q.asOf = asOf
            return try await ds.examples(q).map { "\($0.id.lowercased.suffix(1)):\($0.inputs.value(at: "q")?.stringValue ?? "")" }
        }
        #expect(try await state(nil) == ["1:changed", "3:x"])
        #expect(try await state(v1) == ["1:x", "2:x"])
        #expect(try await state(v2) == ["1:changed", "2:x", "3:x"])
        #expect(try await state(Fixtures.time(99)) == [])
        var countQuery = ExampleQuery(tenantId: tenant)
        countQuery.datasetId = d.id
        countQuery.asOf = v2
        #expect(try await ds.exampleCount(countQuery) == 3)

        #expect(try await ds.versions(datasetId: d.id, tenantId: tenant, limit: 10, offset: 0).map(\.asOf) == [v3, v2, v1])
        #expect(try await ds.version(datasetId: d.id, tenantId: tenant, atOrBefore: Fixtures.time(200))?.asOf == v2)
        #expect(try await ds.version(datasetId: d.id, tenantId: tenant, tag: "latest")?.asOf == v3)
        try await ds.setTag("prod", version: v1, datasetId: d.id, tenantId: tenant)
        #expect(try await ds.version(datasetId: d.id, tenantId: tenant, tag: "prod")?.asOf == v1)
        #expect(try await ds.versions(datasetId: d.id, tenantId: tenant, limit: 10, offset: 0).last?.tags == ["prod"])
        await #expect(throws: StoreError.self) { try await ds.setTag("x", version: Fixtures.time(101), datasetId: d.id, tenantId: tenant) }
        try await ds.setTag("prod", version: v2, datasetId: d.id, tenantId: tenant)  // tags move
        #expect(try await ds.version(datasetId: d.id, tenantId: tenant, tag: "prod")?.asOf == v2)

        let diff = try await ds.diff(datasetId: d.id, tenantId: tenant, from: v1, to: v3)
        #expect(diff.added == [Fixtures.uuid(3)])
        #expect(diff.modified == [Fixtures.uuid(1)])
        #expect(diff.removed == [Fixtures.uuid(2)])
        #expect(try await ds.datasetCounts(ids: [d.id], tenantId: tenant)[d.id] == DatasetCounts(exampleCount: 2, lastVersion: v3))
        #expect(try await ds.dataset(id: d.id, tenantId: tenant)?.modifiedAt == v3)

        // Hard delete removes every trace of the example, history included.
        _ = try await ds.deleteExamples(ids: [Fixtures.uuid(1)], datasetId: d.id, tenantId: tenant, at: Fixtures.time(400), hard: true)
        #expect(try await state(v1) == ["2:x"])
        #expect(try await ds.exampleDatasets(ids: [Fixtures.uuid(1), Fixtures.uuid(3)], tenantId: tenant) == [Fixtures.uuid(3): d.id])
    }

    @Test("examples: ids, splits, metadata filters, paging, ownership and tenancy", arguments: StoreFactory.allCases)
    func examples(factory: StoreFactory) async throws {
        let (_s, ds) = try store(factory); _ = _s
        let d = Dataset(id: Fixtures.uuid(20), tenantId: tenant, name: "e")
        let d2 = Dataset(id: Fixtures.uuid(21), tenantId: tenant, name: "e2")
        try await ds.createDataset(d)
        try await ds.createDataset(d2)
        try await ds.putExamples([
            example(1, dataset: d.id, splits: ["train"], metadata: ["lang": "en", "score": 1], t: 1),
            example(2, dataset: d.id, splits: ["train", "hard"], metadata: ["lang": "fr"], t: 2),
            example(3, dataset: d.id, metadata: ["lang": "en", "score": 1.0], t: 3),
        ], datasetId: d.id, tenantId: tenant, at: Fixtures.time(10))
        var q = ExampleQuery(tenantId: tenant)
        q.datasetId = d.id
        q.splits = ["hard", "base"]
        #expect(try await ds.examples(q).map(\.id) == [Fixtures.uuid(2), Fixtures.uuid(3)])
        q.splits = nil
        q.metadata = ["lang": "en", "score": 1]
        #expect(try await ds.examples(q).map(\.id) == [Fixtures.uuid(1), Fixtures.uuid(3)])
        #expect(try await ds.exampleCount(q) == 2)
        q.metadata = nil
        q.offset = 1
        q.limit = 1
        #expect(try await ds.examples(q).map(\.id) == [Fixtures.uuid(2)])
        q = ExampleQuery(tenantId: tenant)
        q.ids = [Fixtures.uuid(3), Fixtures.uuid(1)]
        #expect(Set(try await ds.examples(q).map(\.id)) == [Fixtures.uuid(1), Fixtures.uuid(3)])
        #expect(try await ds.examples(q).map(\.splits) == [["train"], [Example.defaultSplit]])

        // An example id lives in one dataset only.
        await #expect(throws: StoreError.self) {
            try await ds.putExamples([example(1, dataset: d2.id)], datasetId: d2.id, tenantId: tenant, at: Fixtures.time(20))
        }
        // Another tenant sees nothing and cannot write into this dataset.
        var foreign = ExampleQuery(tenantId: other)
        foreign.datasetId = d.id
        #expect(try await ds.examples(foreign).isEmpty)
        await #expect(throws: StoreError.self) {
            try await ds.putExamples([example(9, dataset: d.id)], datasetId: d.id, tenantId: other, at: Fixtures.time(20))
        }
        #expect(try await ds.deleteExamples(ids: [Fixtures.uuid(1)], datasetId: d.id, tenantId: other, at: .now(), hard: false) == nil)
    }

    @Test("sharing and comparative experiments", arguments: StoreFactory.allCases)
    func sharing(factory: StoreFactory) async throws {
        let (_s, ds) = try store(factory); _ = _s
        let d = Dataset(id: Fixtures.uuid(30), tenantId: tenant, name: "shared")
        try await ds.createDataset(d)
        let token = try await ds.shareDataset(datasetId: d.id, tenantId: tenant, token: Fixtures.uuid(31))
        #expect(token == Fixtures.uuid(31))
        #expect(try await ds.shareDataset(datasetId: d.id, tenantId: tenant, token: Fixtures.uuid(32)) == token)
        #expect(try await ds.sharedDataset(token: token)?.id == d.id)
        #expect(try await ds.datasetShareToken(datasetId: d.id, tenantId: other) == nil)
        try await ds.unshareDataset(datasetId: d.id, tenantId: tenant)
        #expect(try await ds.sharedDataset(token: token) == nil)

        let c = ComparativeExperiment(id: Fixtures.uuid(33), tenantId: tenant, name: "a vs b", description: nil, referenceDatasetId: d.id,
                                      experimentIds: [Fixtures.uuid(34), Fixtures.uuid(35)], extra: ["metadata": ["k": "v"]], createdAt: Fixtures.time(5))
        try await ds.createComparativeExperiment(c)
        #expect(try await ds.comparativeExperiments(datasetId: d.id, tenantId: tenant) == [c])
        #expect(try await ds.comparativeExperiment(id: c.id, tenantId: other) == nil)
        #expect(try await ds.deleteComparativeExperiment(id: c.id, tenantId: tenant))
        #expect(try await ds.comparativeExperiments(datasetId: d.id, tenantId: tenant).isEmpty)
    }
}
