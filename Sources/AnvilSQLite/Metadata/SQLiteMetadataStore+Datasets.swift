import AnvilCore
import AnvilStorage
import Foundation

extension SQLiteMetadataStore: DatasetStore {
    static let datasetColumns = "id, tenant_id, name, description, data_type, inputs_schema, outputs_schema, transformations, metadata, created_at, modified_at, baseline_experiment_id"

    static func decodeDataset(_ row: SQLiteRow) -> Dataset {
        func json(_ i: Int) -> JSONValue? { row.bytes(i).flatMap { try? JSON.parse($0) } }
        var d = Dataset(id: row.uuid(0)!, tenantId: row.uuid(1)!, name: row.string(2) ?? "", dataType: row.string(4) ?? "kv",
                        createdAt: Timestamp(microseconds: row.int(9) ?? 0))
        d.description = row.string(3)
        d.inputsSchema = json(5)
        d.outputsSchema = json(6)
        d.transformations = json(7)
        d.metadata = json(8)
        d.modifiedAt = Timestamp(microseconds: row.int(10) ?? 0)
        d.baselineExperimentId = row.uuid(11)
        return d
    }

    static func datasetValues(_ d: Dataset) -> [SQLiteValue] {
        [.uuid(d.id), .uuid(d.tenantId), .text(d.name), .text(d.description), .text(d.dataType), .json(d.inputsSchema),
         .json(d.outputsSchema), .json(d.transformations), .json(d.metadata), .time(d.createdAt), .time(d.modifiedAt),
         .uuid(d.baselineExperimentId)]
    }

    func datasets(_ sql: String, _ bindings: [SQLiteValue]) async throws -> [Dataset] {
        try await db.read { conn in
            var out: [Dataset] = []
            try conn.query(sql, bindings) { row in out.append(Self.decodeDataset(row)) }
            return out
        }
    }

    public func createDataset(_ d: Dataset) async throws {
        try await db.write { conn in
            do {
                try conn.run("INSERT INTO datasets (\(Self.datasetColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", Self.datasetValues(d))
            } catch let e as SQLiteError where e.isConstraintViolation {
                throw StoreError(.conflict, "a dataset named '\(d.name)' (or with id \(d.id.lowercased)) already exists")
            }
        }
    }

    public func dataset(id: UUID, tenantId: UUID) async throws -> Dataset? {
        try await datasets("SELECT \(Self.datasetColumns) FROM datasets WHERE id = ? AND tenant_id = ?", [.uuid(id), .uuid(tenantId)]).first
    }

    public func dataset(name: String, tenantId: UUID) async throws -> Dataset? {
        try await datasets("SELECT \(Self.datasetColumns) FROM datasets WHERE name = ? AND tenant_id = ?", [.text(name), .uuid(tenantId)]).first
    }

    public func listDatasets(_ q: DatasetQuery) async throws -> [Dataset] {
        var conditions = ["tenant_id = ?"]
        var bindings: [SQLiteValue] = [.uuid(q.tenantId)]
        if let ids = q.ids {
            conditions.append(ids.isEmpty ? "0" : "id IN (\(SQLiteTraceStore.placeholders(ids.count)))")
            bindings += ids.map { .uuid($0) }
        }
        if let n = q.name { conditions.append("name = ?"); bindings.append(.text(n)) }
        if let c = q.nameContains { conditions.append("instr(lower(name), lower(?)) > 0"); bindings.append(.text(c)) }
        if let t = q.dataType { conditions.append("data_type = ?"); bindings.append(.text(t)) }
        let sql = "SELECT \(Self.datasetColumns) FROM datasets WHERE \(conditions.joined(separator: " AND ")) ORDER BY created_at DESC, id DESC"
        guard let metadata = q.metadata else {
            return try await datasets(sql + " LIMIT \(max(0, q.limit)) OFFSET \(max(0, q.offset))", bindings)
        }
        // Metadata equality follows the JSON rules of the memory store, so filter in Swift.
        let all = try await datasets(sql, bindings).filter { d in
            let meta = d.metadata?.objectValue ?? [:]
            return meta.containsAll(metadata)
        }
        return Array(all.dropFirst(q.offset).prefix(q.limit))
    }

    public func updateDataset(_ d: Dataset) async throws {
        try await db.write { conn in
            do {
                let changed = try conn.run("""
                    UPDATE datasets SET name = ?, description = ?, data_type = ?, inputs_schema = ?, outputs_schema = ?,
                        transformations = ?, metadata = ?, modified_at = ?, baseline_experiment_id = ? WHERE id = ? AND tenant_id = ?
                    """, [.text(d.name), .text(d.description), .text(d.dataType), .json(d.inputsSchema), .json(d.outputsSchema),
                          .json(d.transformations), .json(d.metadata), .time(d.modifiedAt), .uuid(d.baselineExperimentId),
                          .uuid(d.id), .uuid(d.tenantId)])
                guard changed > 0 else { throw StoreError(.notFound, "dataset \(d.id.lowercased) not found") }
            } catch let e as SQLiteError where e.isConstraintViolation {
                throw StoreError(.conflict, "a dataset named '\(d.name)' already exists")
            }
        }
    }

    public func deleteDataset(id: UUID, tenantId: UUID) async throws -> Bool {
        try await db.write { conn in
            try conn.transaction {
                guard try conn.run("DELETE FROM datasets WHERE id = ? AND tenant_id = ?", [.uuid(id), .uuid(tenantId)]) > 0 else { return false }
                for table in ["example_revisions", "examples", "dataset_versions", "dataset_tags", "dataset_shares"] {
                    try conn.run("DELETE FROM \(table) WHERE dataset_id = ?", [.uuid(id)])
                }
                try conn.run("DELETE FROM comparative_experiments WHERE reference_dataset_id = ?", [.uuid(id)])
                return true
            }
        }
    }

    public func datasetCounts(ids: [UUID], tenantId: UUID) async throws -> [UUID: DatasetCounts] {
        guard !ids.isEmpty else { return [:] }
        return try await db.read { conn in
            var out: [UUID: DatasetCounts] = [:]
            try conn.query("""
                SELECT d.id, (SELECT count(*) FROM examples e WHERE e.dataset_id = d.id),
                       (SELECT max(version) FROM dataset_versions v WHERE v.dataset_id = d.id)
                FROM datasets d WHERE d.tenant_id = ? AND d.id IN (\(SQLiteTraceStore.placeholders(ids.count)))
                """, [.uuid(tenantId)] + ids.map { .uuid($0) }) { row in
                out[row.uuid(0)!] = DatasetCounts(exampleCount: Int(row.int(1) ?? 0), lastVersion: row.int(2).map(Timestamp.init(microseconds:)))
            }
            return out
        }
    }

    // MARK: examples

    static let revisionColumns = "r.example_id, r.tenant_id, r.dataset_id, r.inputs, r.outputs, r.metadata, r.source_run_id, r.attachments, r.created_at, r.version"

    static func decodeExample(_ row: SQLiteRow) -> Example {
        var e = Example(
            id: row.uuid(0)!, tenantId: row.uuid(1)!, datasetId: row.uuid(2)!,
            inputs: RawJSON(validated: row.bytes(3) ?? Array("{}".utf8)), createdAt: Timestamp(microseconds: row.int(8) ?? 0))
        e.outputs = row.bytes(4).map(RawJSON.init(validated:))
        e.metadata = row.bytes(5).flatMap { try? JSON.parse($0) }?.objectValue ?? [:]
        e.sourceRunId = row.uuid(6)
        if let a = row.bytes(7) { e.attachments = (try? JSONDecoder().decode([Attachment].self, from: Data(a))) ?? [] }
        e.modifiedAt = Timestamp(microseconds: row.int(9) ?? 0)
        return e
    }

    /// The next version of a dataset: `at`, or one microsecond after the latest if `at` is not later.
    static func nextVersion(_ conn: SQLiteConnection, _ datasetId: UUID, _ at: Timestamp) throws -> Timestamp {
        let last = try conn.scalarInt("SELECT max(version) FROM dataset_versions WHERE dataset_id = ?", [.uuid(datasetId)])
        guard let last, at.microseconds <= last else { return at }
        return Timestamp(microseconds: last + 1)
    }

    static func recordVersion(_ conn: SQLiteConnection, _ datasetId: UUID, _ version: Timestamp) throws {
        try conn.run("INSERT INTO dataset_versions (dataset_id, version) VALUES (?, ?)", [.uuid(datasetId), .time(version)])
        try conn.run("UPDATE datasets SET modified_at = ? WHERE id = ?", [.time(version), .uuid(datasetId)])
    }

    public func putExamples(_ examples: [Example], datasetId: UUID, tenantId: UUID, at: Timestamp) async throws -> Timestamp {
        try await db.write { conn in
            try conn.transaction {
                guard try conn.scalarInt("SELECT 1 FROM datasets WHERE id = ? AND tenant_id = ?", [.uuid(datasetId), .uuid(tenantId)]) != nil else {
                    throw StoreError(.notFound, "dataset \(datasetId.lowercased) not found")
                }
                let owners = try Self.exampleOwners(conn, examples.map(\.id))
                for e in examples {
                    if let o = owners[e.id], o.dataset != datasetId || o.tenant != tenantId {
                        throw StoreError(.conflict, "example \(e.id.lowercased) belongs to another dataset")
                    }
                }
                let version = try Self.nextVersion(conn, datasetId, at)
                for e in examples {
                    let attachments: SQLiteValue = e.attachments.isEmpty ? .null
                        : (try? JSONEncoder().encode(e.attachments)).map { .textBytes(Array($0)) } ?? .null
                    try conn.run("""
                        INSERT INTO example_revisions (example_id, version, tenant_id, dataset_id, deleted, inputs, outputs, metadata,
                            source_run_id, attachments, created_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)
                        """, [.uuid(e.id), .time(version), .uuid(tenantId), .uuid(datasetId), .json(e.inputs), .json(e.outputs),
                              .json(JSONValue.object(e.metadata)), .uuid(e.sourceRunId), attachments, .time(e.createdAt)])
                    try conn.run("""
                        INSERT INTO examples (example_id, tenant_id, dataset_id, version, created_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (example_id) DO UPDATE SET version = excluded.version
                        """, [.uuid(e.id), .uuid(tenantId), .uuid(datasetId), .time(version), .time(e.createdAt)])
                }
                try Self.recordVersion(conn, datasetId, version)
                return version
            }
        }
    }

    static func exampleOwners(_ conn: SQLiteConnection, _ ids: [UUID]) throws -> [UUID: (dataset: UUID, tenant: UUID)] {
        var out: [UUID: (dataset: UUID, tenant: UUID)] = [:]
        for start in stride(from: 0, to: ids.count, by: 400) {
            let slice = Array(ids[start..<min(ids.count, start + 400)])
            try conn.query(
                "SELECT DISTINCT example_id, dataset_id, tenant_id FROM example_revisions WHERE example_id IN (\(SQLiteTraceStore.placeholders(slice.count)))",
                slice.map { .uuid($0) }
            ) { row in out[row.uuid(0)!] = (row.uuid(1)!, row.uuid(2)!) }
        }
        return out
    }

    public func deleteExamples(ids: [UUID], datasetId: UUID, tenantId: UUID, at: Timestamp, hard: Bool) async throws -> Timestamp? {
        try await db.write { conn in
            try conn.transaction {
                let owners = try Self.exampleOwners(conn, ids)
                let mine = ids.filter { owners[$0].map { $0.dataset == datasetId && $0.tenant == tenantId } ?? false }
                guard !mine.isEmpty else { return nil }
                if hard {
                    for id in mine {
                        try conn.run("DELETE FROM example_revisions WHERE example_id = ?", [.uuid(id)])
                        try conn.run("DELETE FROM examples WHERE example_id = ?", [.uuid(id)])
                    }
                    let version = try Self.nextVersion(conn, datasetId, at)
                    try Self.recordVersion(conn, datasetId, version)
                    return version
                }
                var live: [(UUID, Int64)] = []
                for id in mine {
                    if let created = try conn.scalarInt("SELECT created_at FROM examples WHERE example_id = ?", [.uuid(id)]) {
                        live.append((id, created))
                    }
                }
                guard !live.isEmpty else { return nil }
                let version = try Self.nextVersion(conn, datasetId, at)
                for (id, created) in live {
                    try conn.run("""
                        INSERT INTO example_revisions (example_id, version, tenant_id, dataset_id, deleted, created_at)
                        VALUES (?, ?, ?, ?, 1, ?)
                        """, [.uuid(id), .time(version), .uuid(tenantId), .uuid(datasetId), .int(created)])
                    try conn.run("DELETE FROM examples WHERE example_id = ?", [.uuid(id)])
                }
                try Self.recordVersion(conn, datasetId, version)
                return version
            }
        }
    }

    /// SQL selecting the revision visible in the query's version, and its bindings (no paging).
    static func exampleSQL(_ q: ExampleQuery, select: String) -> (String, [SQLiteValue]) {
        var conditions: [String] = []
        var bindings: [SQLiteValue] = []
        let from: String
        if let asOf = q.asOf {
            from = "example_revisions r"
            conditions.append("r.tenant_id = ?")
            bindings.append(.uuid(q.tenantId))
            conditions.append("r.version = (SELECT max(x.version) FROM example_revisions x WHERE x.example_id = r.example_id AND x.version <= ?)")
            bindings.append(.time(asOf))
            conditions.append("r.deleted = 0")
        } else {
            from = "examples e JOIN example_revisions r ON r.example_id = e.example_id AND r.version = e.version"
            conditions.append("e.tenant_id = ?")
            bindings.append(.uuid(q.tenantId))
        }
        if let d = q.datasetId { conditions.append("r.dataset_id = ?"); bindings.append(.uuid(d)) }
        if let ids = q.ids {
            conditions.append(ids.isEmpty ? "0" : "r.example_id IN (\(SQLiteTraceStore.placeholders(ids.count)))")
            bindings += ids.map { .uuid($0) }
        }
        if let splits = q.splits, !splits.isEmpty {
            conditions.append("EXISTS (SELECT 1 FROM json_each(r.metadata, '$.dataset_split') s WHERE s.value IN (\(SQLiteTraceStore.placeholders(splits.count))))")
            bindings += splits.map { .text($0) }
        }
        let sql = "SELECT \(select) FROM \(from) WHERE \(conditions.joined(separator: " AND ")) ORDER BY r.created_at, r.example_id"
        return (sql, bindings)
    }

    public func examples(_ q: ExampleQuery) async throws -> [Example] {
        var (sql, bindings) = Self.exampleSQL(q, select: Self.revisionColumns)
        let metadata = q.metadata
        if metadata == nil {
            sql += " LIMIT ? OFFSET ?"
            bindings += [.int(Int64(max(0, q.limit))), .int(Int64(max(0, q.offset)))]
        }
        let finalSQL = sql
        let finalBindings = bindings
        let rows: [Example] = try await db.read { conn in
            var out: [Example] = []
            try conn.query(finalSQL, finalBindings) { row in
                let e = Self.decodeExample(row)
                if let metadata, !e.metadataContains(metadata) { return }
                out.append(e)
            }
            return out
        }
        return metadata == nil ? rows : Array(rows.dropFirst(q.offset).prefix(q.limit))
    }

    public func exampleCount(_ q: ExampleQuery) async throws -> Int {
        if q.metadata != nil {
            var all = q
            all.offset = 0
            all.limit = Int.max
            return try await examples(all).count
        }
        let (sql, bindings) = Self.exampleSQL(q, select: "1")
        return try await db.read { conn in
            Int(try conn.scalarInt("SELECT count(*) FROM (\(sql))", bindings) ?? 0)
        }
    }

    public func exampleDatasets(ids: [UUID], tenantId: UUID) async throws -> [UUID: UUID] {
        try await db.read { conn in
            try Self.exampleOwners(conn, ids).filter { $0.value.tenant == tenantId }.mapValues(\.dataset)
        }
    }

    // MARK: versions

    func tags(_ conn: SQLiteConnection, _ datasetId: UUID) throws -> [Int64: [String]] {
        var out: [Int64: [String]] = [:]
        try conn.query("SELECT tag, version FROM dataset_tags WHERE dataset_id = ? ORDER BY tag", [.uuid(datasetId)]) { row in
            out[row.int(1) ?? 0, default: []].append(row.string(0) ?? "")
        }
        return out
    }

    func owned(_ conn: SQLiteConnection, _ datasetId: UUID, _ tenantId: UUID) throws -> Bool {
        try conn.scalarInt("SELECT 1 FROM datasets WHERE id = ? AND tenant_id = ?", [.uuid(datasetId), .uuid(tenantId)]) != nil
    }

    public func versions(datasetId: UUID, tenantId: UUID, limit: Int, offset: Int) async throws -> [DatasetVersion] {
        try await db.read { conn in
            guard try self.owned(conn, datasetId, tenantId) else { return [] }
            let t = try self.tags(conn, datasetId)
            var out: [DatasetVersion] = []
            try conn.query(
                "SELECT version FROM dataset_versions WHERE dataset_id = ? ORDER BY version DESC LIMIT ? OFFSET ?",
                [.uuid(datasetId), .int(Int64(max(0, limit))), .int(Int64(max(0, offset)))]
            ) { row in
                let v = row.int(0) ?? 0
                out.append(DatasetVersion(asOf: Timestamp(microseconds: v), tags: t[v] ?? []))
            }
            return out
        }
    }

    public func version(datasetId: UUID, tenantId: UUID, atOrBefore time: Timestamp) async throws -> DatasetVersion? {
        try await db.read { conn in
            guard try self.owned(conn, datasetId, tenantId),
                let v = try conn.scalarInt("SELECT max(version) FROM dataset_versions WHERE dataset_id = ? AND version <= ?", [.uuid(datasetId), .time(time)])
            else { return nil }
            return DatasetVersion(asOf: Timestamp(microseconds: v), tags: try self.tags(conn, datasetId)[v] ?? [])
        }
    }

    public func version(datasetId: UUID, tenantId: UUID, tag: String) async throws -> DatasetVersion? {
        try await db.read { conn in
            guard try self.owned(conn, datasetId, tenantId) else { return nil }
            let v = tag == "latest"
                ? try conn.scalarInt("SELECT max(version) FROM dataset_versions WHERE dataset_id = ?", [.uuid(datasetId)])
                : try conn.scalarInt("SELECT version FROM dataset_tags WHERE dataset_id = ? AND tag = ?", [.uuid(datasetId), .text(tag)])
            guard let v else { return nil }
            return DatasetVersion(asOf: Timestamp(microseconds: v), tags: try self.tags(conn, datasetId)[v] ?? [])
        }
    }

    public func setTag(_ tag: String, version: Timestamp, datasetId: UUID, tenantId: UUID) async throws {
        try await db.write { conn in
            guard try self.owned(conn, datasetId, tenantId),
                try conn.scalarInt("SELECT 1 FROM dataset_versions WHERE dataset_id = ? AND version = ?", [.uuid(datasetId), .time(version)]) != nil
            else { throw StoreError(.notFound, "dataset version \(version.iso8601) not found") }
            try conn.run("""
                INSERT INTO dataset_tags (dataset_id, tag, version) VALUES (?, ?, ?)
                ON CONFLICT (dataset_id, tag) DO UPDATE SET version = excluded.version
                """, [.uuid(datasetId), .text(tag), .time(version)])
        }
    }

    public func diff(datasetId: UUID, tenantId: UUID, from: Timestamp, to: Timestamp) async throws -> DatasetDiff {
        func state(_ asOf: Timestamp) async throws -> [UUID: Timestamp] {
            var q = ExampleQuery(tenantId: tenantId)
            q.datasetId = datasetId
            q.asOf = asOf
            let (sql, bindings) = Self.exampleSQL(q, select: "r.example_id, r.version")
            return try await db.read { conn in
                var out: [UUID: Timestamp] = [:]
                try conn.query(sql, bindings) { row in out[row.uuid(0)!] = Timestamp(microseconds: row.int(1) ?? 0) }
                return out
            }
        }
        let before = try await state(from)
        let after = try await state(to)
        func sorted(_ ids: [UUID]) -> [UUID] { ids.sorted { $0.lowercased < $1.lowercased } }
        return DatasetDiff(
            added: sorted(after.keys.filter { before[$0] == nil }),
            modified: sorted(after.keys.filter { id in before[id].map { $0 != after[id]! } ?? false }),
            removed: sorted(before.keys.filter { after[$0] == nil }))
    }

    // MARK: sharing

    public func shareDataset(datasetId: UUID, tenantId: UUID, token: UUID) async throws -> UUID {
        try await db.write { conn in
            guard try self.owned(conn, datasetId, tenantId) else { throw StoreError(.notFound, "dataset not found") }
            try conn.run("INSERT INTO dataset_shares (token, tenant_id, dataset_id) VALUES (?, ?, ?) ON CONFLICT (dataset_id) DO NOTHING",
                         [.uuid(token), .uuid(tenantId), .uuid(datasetId)])
            var out = token
            try conn.query("SELECT token FROM dataset_shares WHERE dataset_id = ?", [.uuid(datasetId)]) { row in out = row.uuid(0) ?? token }
            return out
        }
    }

    public func datasetShareToken(datasetId: UUID, tenantId: UUID) async throws -> UUID? {
        try await db.read { conn in
            var out: UUID?
            try conn.query("SELECT token FROM dataset_shares WHERE dataset_id = ? AND tenant_id = ?", [.uuid(datasetId), .uuid(tenantId)]) { row in
                out = row.uuid(0)
            }
            return out
        }
    }

    public func sharedDataset(token: UUID) async throws -> Dataset? {
        try await datasets(
            "SELECT \(Self.datasetColumns.split(separator: ",").map { "d." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")) FROM dataset_shares s JOIN datasets d ON d.id = s.dataset_id AND d.tenant_id = s.tenant_id WHERE s.token = ?",
            [.uuid(token)]
        ).first
    }

    public func unshareDataset(datasetId: UUID, tenantId: UUID) async throws {
        _ = try await db.write { conn in
            try conn.run("DELETE FROM dataset_shares WHERE dataset_id = ? AND tenant_id = ?", [.uuid(datasetId), .uuid(tenantId)])
        }
    }

    // MARK: comparative experiments

    static func decodeComparative(_ row: SQLiteRow) -> ComparativeExperiment {
        let ids = row.bytes(5).flatMap { try? JSON.parse($0) }?.arrayValue?.compactMap { $0.stringValue.flatMap { UUID(fast: $0) } } ?? []
        var c = ComparativeExperiment(
            id: row.uuid(0)!, tenantId: row.uuid(1)!, name: row.string(2), description: row.string(3),
            referenceDatasetId: row.uuid(4)!, experimentIds: ids, extra: row.bytes(6).flatMap { try? JSON.parse($0) },
            createdAt: Timestamp(microseconds: row.int(7) ?? 0))
        c.modifiedAt = Timestamp(microseconds: row.int(8) ?? 0)
        return c
    }

    static let comparativeColumns = "id, tenant_id, name, description, reference_dataset_id, experiment_ids, extra, created_at, modified_at"

    public func createComparativeExperiment(_ c: ComparativeExperiment) async throws {
        try await db.write { conn in
            do {
                try conn.run("INSERT INTO comparative_experiments (\(Self.comparativeColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                    .uuid(c.id), .uuid(c.tenantId), .text(c.name), .text(c.description), .uuid(c.referenceDatasetId),
                    .json(JSONValue.array(c.experimentIds.map { .string($0.lowercased) })), .json(c.extra), .time(c.createdAt), .time(c.modifiedAt),
                ])
            } catch let e as SQLiteError where e.isConstraintViolation {
                throw StoreError(.conflict, "comparative experiment \(c.id.lowercased) already exists")
            }
        }
    }

    func comparatives(_ sql: String, _ bindings: [SQLiteValue]) async throws -> [ComparativeExperiment] {
        try await db.read { conn in
            var out: [ComparativeExperiment] = []
            try conn.query(sql, bindings) { row in out.append(Self.decodeComparative(row)) }
            return out
        }
    }

    public func comparativeExperiments(datasetId: UUID, tenantId: UUID) async throws -> [ComparativeExperiment] {
        try await comparatives(
            "SELECT \(Self.comparativeColumns) FROM comparative_experiments WHERE reference_dataset_id = ? AND tenant_id = ? ORDER BY created_at DESC, id DESC",
            [.uuid(datasetId), .uuid(tenantId)])
    }

    public func comparativeExperiment(id: UUID, tenantId: UUID) async throws -> ComparativeExperiment? {
        try await comparatives("SELECT \(Self.comparativeColumns) FROM comparative_experiments WHERE id = ? AND tenant_id = ?", [.uuid(id), .uuid(tenantId)]).first
    }

    public func deleteComparativeExperiment(id: UUID, tenantId: UUID) async throws -> Bool {
        try await db.write { conn in
            try conn.run("DELETE FROM comparative_experiments WHERE id = ? AND tenant_id = ?", [.uuid(id), .uuid(tenantId)]) > 0
        }
    }
}
