/// Schema of the embedded metadata store (`metadata.sqlite`): what LangSmith keeps in Postgres.
enum MetadataMigrations {
    static let all: [SQLiteMigration] = [
        SQLiteMigration(version: 1, name: "tenancy, keys, projects, shares", sql: """
            CREATE TABLE organizations (
                id BLOB PRIMARY KEY,
                name TEXT NOT NULL,
                created_at INTEGER NOT NULL
            );
            CREATE TABLE workspaces (
                id BLOB PRIMARY KEY,
                organization_id BLOB NOT NULL REFERENCES organizations(id),
                name TEXT NOT NULL,
                handle TEXT UNIQUE,
                created_at INTEGER NOT NULL
            );
            CREATE TABLE api_keys (
                id BLOB PRIMARY KEY,
                tenant_id BLOB NOT NULL REFERENCES workspaces(id),
                key_hash TEXT NOT NULL UNIQUE,
                short_key TEXT NOT NULL,
                description TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                last_used_at INTEGER,
                revoked_at INTEGER
            );
            CREATE TABLE projects (
                id BLOB PRIMARY KEY,
                tenant_id BLOB NOT NULL,
                name TEXT NOT NULL,
                description TEXT,
                extra TEXT,
                start_time INTEGER NOT NULL,
                end_time INTEGER,
                reference_dataset_id BLOB,
                default_dataset_id BLOB,
                UNIQUE (tenant_id, name)
            );
            CREATE INDEX projects_tenant_start ON projects (tenant_id, start_time DESC);
            CREATE INDEX projects_reference_dataset ON projects (reference_dataset_id) WHERE reference_dataset_id IS NOT NULL;
            CREATE TABLE run_shares (
                token BLOB PRIMARY KEY,
                tenant_id BLOB NOT NULL,
                run_id BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                UNIQUE (tenant_id, run_id)
            );
            """),
        SQLiteMigration(version: 2, name: "datasets, versioned examples, tags, shares, comparative experiments", sql: """
            CREATE TABLE datasets (
                id BLOB PRIMARY KEY,
                tenant_id BLOB NOT NULL,
                name TEXT NOT NULL,
                description TEXT,
                data_type TEXT NOT NULL,
                inputs_schema TEXT,
                outputs_schema TEXT,
                transformations TEXT,
                metadata TEXT,
                created_at INTEGER NOT NULL,
                modified_at INTEGER NOT NULL,
                baseline_experiment_id BLOB,
                UNIQUE (tenant_id, name)
            );
            -- Every state an example has had; a deleted example has a revision with deleted = 1.
            CREATE TABLE example_revisions (
                example_id BLOB NOT NULL,
                version INTEGER NOT NULL,
                tenant_id BLOB NOT NULL,
                dataset_id BLOB NOT NULL,
                deleted INTEGER NOT NULL,
                inputs TEXT,
                outputs TEXT,
                metadata TEXT,
                source_run_id BLOB,
                attachments TEXT,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (example_id, version)
            );
            CREATE INDEX example_revisions_dataset ON example_revisions (dataset_id, version);
            -- The latest live revision of each example (deleted examples are absent): reads of the
            -- current version never scan history.
            CREATE TABLE examples (
                example_id BLOB PRIMARY KEY,
                tenant_id BLOB NOT NULL,
                dataset_id BLOB NOT NULL,
                version INTEGER NOT NULL,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX examples_dataset ON examples (dataset_id, created_at, example_id);
            CREATE TABLE dataset_versions (
                dataset_id BLOB NOT NULL,
                version INTEGER NOT NULL,
                PRIMARY KEY (dataset_id, version)
            ) WITHOUT ROWID;
            CREATE TABLE dataset_tags (
                dataset_id BLOB NOT NULL,
                tag TEXT NOT NULL,
                version INTEGER NOT NULL,
                PRIMARY KEY (dataset_id, tag)
            ) WITHOUT ROWID;
            CREATE TABLE dataset_shares (
                token BLOB PRIMARY KEY,
                tenant_id BLOB NOT NULL,
                dataset_id BLOB NOT NULL UNIQUE
            );
            CREATE TABLE comparative_experiments (
                id BLOB PRIMARY KEY,
                tenant_id BLOB NOT NULL,
                name TEXT,
                description TEXT,
                reference_dataset_id BLOB NOT NULL,
                experiment_ids TEXT NOT NULL,
                extra TEXT,
                created_at INTEGER NOT NULL,
                modified_at INTEGER NOT NULL
            );
            CREATE INDEX comparative_experiments_dataset ON comparative_experiments (reference_dataset_id, created_at);
            """),
        SQLiteMigration(version: 3, name: "feedback configs, feedback tokens, annotation queues", sql: """
            CREATE TABLE feedback_configs (
                tenant_id BLOB NOT NULL,
                feedback_key TEXT NOT NULL,
                config TEXT NOT NULL,
                is_lower_score_better INTEGER,
                is_enforced INTEGER NOT NULL DEFAULT 0,
                modified_at INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, feedback_key)
            );
            CREATE TABLE feedback_tokens (
                id BLOB PRIMARY KEY,
                tenant_id BLOB NOT NULL,
                run_id BLOB NOT NULL,
                feedback_key TEXT NOT NULL,
                feedback_config TEXT,
                feedback_id BLOB,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL
            );
            CREATE INDEX feedback_tokens_run ON feedback_tokens (tenant_id, run_id, created_at, id);
            CREATE TABLE annotation_queues (
                id BLOB PRIMARY KEY,
                tenant_id BLOB NOT NULL,
                name TEXT NOT NULL,
                description TEXT,
                rubric_instructions TEXT,
                rubric_items TEXT NOT NULL,
                default_dataset_id BLOB,
                num_reviewers_per_item INTEGER,
                metadata TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                UNIQUE (tenant_id, name)
            );
            CREATE INDEX annotation_queues_tenant_created ON annotation_queues (tenant_id, created_at DESC, id DESC);
            CREATE TABLE annotation_queue_runs (
                id BLOB PRIMARY KEY,
                tenant_id BLOB NOT NULL,
                queue_id BLOB NOT NULL,
                run_id BLOB NOT NULL,
                added_at INTEGER NOT NULL,
                last_reviewed_time INTEGER,
                reviewed_by BLOB,
                source_proposed_example_id BLOB,
                UNIQUE (queue_id, run_id)
            );
            CREATE INDEX annotation_queue_runs_order ON annotation_queue_runs (tenant_id, queue_id, added_at, id);
            CREATE INDEX annotation_queue_runs_run ON annotation_queue_runs (tenant_id, run_id);
            """),
        SQLiteMigration(version: 4, name: "prompt hub", sql: """
            CREATE TABLE prompt_repos (
                id BLOB PRIMARY KEY,
                tenant_id BLOB NOT NULL,
                repo_handle TEXT NOT NULL,
                description TEXT,
                readme TEXT,
                tags TEXT NOT NULL,
                is_public INTEGER NOT NULL,
                is_archived INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                UNIQUE (tenant_id, repo_handle)
            );
            CREATE INDEX prompt_repos_public ON prompt_repos (updated_at) WHERE is_public = 1;
            -- The commit chain of each prompt; seq orders commits (newest = highest). The manifest
            -- is kept as the exact bytes pushed, so pulls return it verbatim.
            CREATE TABLE prompt_commits (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id BLOB NOT NULL UNIQUE,
                tenant_id BLOB NOT NULL,
                repo_id BLOB NOT NULL,
                commit_hash TEXT NOT NULL,
                parent_id BLOB,
                parent_hash TEXT,
                manifest BLOB NOT NULL,
                description TEXT,
                created_at INTEGER NOT NULL,
                num_downloads INTEGER NOT NULL DEFAULT 0,
                num_views INTEGER NOT NULL DEFAULT 0,
                UNIQUE (repo_id, commit_hash)
            );
            CREATE INDEX prompt_commits_repo ON prompt_commits (repo_id, seq);
            CREATE TABLE prompt_tags (
                id BLOB PRIMARY KEY,
                tenant_id BLOB NOT NULL,
                repo_id BLOB NOT NULL,
                tag_name TEXT NOT NULL,
                commit_id BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                UNIQUE (repo_id, tag_name)
            );
            -- tenant_id is the prompt's workspace; liker_id the workspace that likes it.
            CREATE TABLE prompt_likes (
                repo_id BLOB NOT NULL,
                liker_id BLOB NOT NULL,
                tenant_id BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (repo_id, liker_id)
            ) WITHOUT ROWID;
            """),
        SQLiteMigration(version: 5, name: "users, memberships, sessions, invitations, key kinds, audit log", sql: """
            CREATE TABLE users (
                id BLOB PRIMARY KEY,
                email TEXT NOT NULL,
                display_name TEXT NOT NULL,
                password_hash TEXT,
                oidc_subject TEXT UNIQUE,
                created_at INTEGER NOT NULL,
                disabled INTEGER NOT NULL DEFAULT 0
            );
            CREATE UNIQUE INDEX users_email ON users (lower(email));
            CREATE TABLE organization_members (
                organization_id BLOB NOT NULL,
                user_id BLOB NOT NULL,
                role TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (organization_id, user_id)
            ) WITHOUT ROWID;
            CREATE INDEX organization_members_user ON organization_members (user_id);
            CREATE TABLE workspace_members (
                workspace_id BLOB NOT NULL,
                user_id BLOB NOT NULL,
                role TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (workspace_id, user_id)
            ) WITHOUT ROWID;
            CREATE INDEX workspace_members_user ON workspace_members (user_id);
            CREATE TABLE sessions (
                id BLOB PRIMARY KEY,
                hash TEXT NOT NULL UNIQUE,
                user_id BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                revoked_at INTEGER
            );
            CREATE INDEX sessions_user ON sessions (user_id);
            CREATE TABLE invitations (
                id BLOB PRIMARY KEY,
                organization_id BLOB NOT NULL,
                email TEXT NOT NULL,
                organization_role TEXT NOT NULL,
                workspace_id BLOB,
                workspace_role TEXT,
                token_hash TEXT NOT NULL UNIQUE,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                accepted_at INTEGER
            );
            CREATE TABLE audit_log (
                id BLOB PRIMARY KEY,
                organization_id BLOB NOT NULL,
                workspace_id BLOB,
                time INTEGER NOT NULL,
                activity INTEGER NOT NULL,
                operation TEXT NOT NULL,
                success INTEGER NOT NULL,
                status_code INTEGER NOT NULL,
                actor_user_id BLOB,
                actor_email TEXT,
                actor_key_id BLOB,
                resource_type TEXT,
                resource_id TEXT,
                method TEXT,
                path TEXT,
                source_ip TEXT,
                user_agent TEXT,
                message TEXT
            );
            CREATE INDEX audit_log_org_time ON audit_log (organization_id, time DESC);
            ALTER TABLE api_keys ADD COLUMN kind TEXT NOT NULL DEFAULT 'service';
            ALTER TABLE api_keys ADD COLUMN user_id BLOB;
            ALTER TABLE api_keys ADD COLUMN role TEXT NOT NULL DEFAULT 'admin';
            CREATE INDEX api_keys_user ON api_keys (user_id) WHERE user_id IS NOT NULL;
            """),
    ]
}
