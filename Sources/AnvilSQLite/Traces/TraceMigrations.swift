/// Schema of the embedded trace store (`traces.sqlite`): runs and feedback.
///
/// Ids are 16-byte BLOBs; times are INTEGER microseconds since the epoch (UTC); JSON payloads are
/// TEXT holding the bytes exactly as received. `own_*` columns are a run's own usage, the
/// unprefixed token/cost columns its roll-up over the subtree (what LangSmith reports).
enum TraceMigrations {
    static let all: [SQLiteMigration] = [
        SQLiteMigration(version: 1, name: "runs and feedback", sql: """
            CREATE TABLE runs (
                id BLOB PRIMARY KEY,
                tenant_id BLOB NOT NULL,
                session_id BLOB,
                trace_id BLOB,
                parent_run_id BLOB,
                dotted_order TEXT,
                name TEXT,
                run_type TEXT,
                start_time INTEGER,
                end_time INTEGER,
                status TEXT NOT NULL,
                error TEXT,
                inputs TEXT,
                outputs TEXT,
                extra TEXT,
                events TEXT,
                serialized TEXT,
                tags TEXT,
                reference_example_id BLOB,
                attachments TEXT,
                posted INTEGER NOT NULL,
                first_token_time INTEGER,
                thread_id TEXT,
                own_prompt_tokens INTEGER,
                own_completion_tokens INTEGER,
                own_total_tokens INTEGER,
                own_prompt_cost REAL,
                own_completion_cost REAL,
                own_total_cost REAL,
                own_usage_details TEXT,
                prompt_tokens INTEGER,
                completion_tokens INTEGER,
                total_tokens INTEGER,
                prompt_cost REAL,
                completion_cost REAL,
                total_cost REAL,
                usage_details TEXT,
                inserted_at INTEGER NOT NULL
            );
            -- Listing a project's runs newest first, and its traces (root runs).
            CREATE INDEX runs_session_start ON runs (session_id, start_time DESC, id DESC) WHERE posted = 1;
            CREATE INDEX runs_session_roots ON runs (session_id, start_time DESC, id DESC)
                WHERE posted = 1 AND parent_run_id IS NULL;
            -- Whole traces in execution order, subtree ranges for roll-ups.
            CREATE INDEX runs_trace ON runs (trace_id, dotted_order);
            CREATE INDEX runs_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
            CREATE INDEX runs_thread ON runs (session_id, thread_id) WHERE thread_id IS NOT NULL;
            CREATE INDEX runs_reference_example ON runs (reference_example_id) WHERE reference_example_id IS NOT NULL;

            CREATE TABLE feedback (
                id BLOB PRIMARY KEY,
                tenant_id BLOB NOT NULL,
                run_id BLOB,
                trace_id BLOB,
                session_id BLOB,
                key TEXT NOT NULL,
                score REAL,
                score_json TEXT,
                value TEXT,
                comment TEXT,
                correction TEXT,
                feedback_source TEXT,
                source_type TEXT,
                feedback_config TEXT,
                created_at INTEGER NOT NULL,
                modified_at INTEGER NOT NULL,
                start_time INTEGER,
                comparative_experiment_id BLOB,
                feedback_group_id BLOB,
                extra TEXT,
                error INTEGER
            );
            CREATE INDEX feedback_run ON feedback (run_id, key);
            CREATE INDEX feedback_session ON feedback (session_id, key);
            CREATE INDEX feedback_tenant_created ON feedback (tenant_id, created_at DESC);
            """),
        SQLiteMigration(version: 2, name: "runs awaiting a late parent", sql: """
            -- Children written before their parent (OTel spans arrive in any order): adopted when the
            -- parent is written, promoted to roots (promoted = 1) when it has not come within the
            -- orphan grace period. See Run+Lineage.swift.
            CREATE TABLE awaiting_parent (
                run_id BLOB PRIMARY KEY,
                tenant_id BLOB NOT NULL,
                parent_id BLOB NOT NULL,
                since INTEGER NOT NULL,
                promoted INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX awaiting_parent_parent ON awaiting_parent (tenant_id, parent_id);
            CREATE INDEX awaiting_parent_since ON awaiting_parent (since) WHERE promoted = 0;
            """),
    ]
}
