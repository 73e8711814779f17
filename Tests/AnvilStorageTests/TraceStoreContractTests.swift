import Testing

/// The trace store contract: every backend (``StoreFactory``) must pass every test below, each
/// parameterised over the backends. The nested suites live in `TraceStore*Tests.swift` and
/// `Filter*Tests.swift`:
///
/// * ``Merge``: post/patch merging in any order and under redelivery;
/// * ``Tenancy``: workspaces never see or change each other's data;
/// * ``Lineage``: children posted without `trace_id`/`dotted_order`;
/// * ``Derived``: usage, costs, thread id and first-token time derived from payloads;
/// * ``Rollup``: usage summed to every ancestor whatever the arrival order;
/// * ``Queries`` and ``Pagination``: every `RunQuery` field, cursors, `omit`, child ids;
/// * ``FeedbackRows``: feedback upsert, get, list, delete and per-run stats;
/// * ``Stats``: `runStats`, `projectStats` and `deleteProjectData` with exact numbers;
/// * ``FilterTable``: the filter language against a fixture, with exact expected runs;
/// * ``FilterDifferential``: random filters, SQLite against the reference semantics.
@Suite("TraceStore contract")
struct TraceStoreContractTests {}
