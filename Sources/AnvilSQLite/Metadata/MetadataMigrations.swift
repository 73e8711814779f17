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
    ]
}
