import AnvilServer
import ArgumentParser
import Configuration

@main
struct Anvil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anvil",
        abstract: "A self-hosted, LangSmith-compatible LLM observability and evaluation server.",
        version: anvilVersion,
        subcommands: [Serve.self, Routes.self, BenchFillCommand.self],
        defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (all roles, embedded store).")

    @Option(help: "Address to bind (env ANVIL_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "HTTP port (env ANVIL_PORT; default 1984).")
    var port: Int?

    @Option(name: .customLong("data-dir"), help: "Data directory (env ANVIL_DATA_DIR; default ./anvil-data).")
    var dataDir: String?

    @Option(name: .customLong("api-key"), help: "Bootstrap API key for the default workspace (env ANVIL_API_KEY; default: generated on first start).")
    var apiKey: String?

    @Option(name: .customLong("web-dir"), help: "Serve the web UI from this directory instead of the bundled copy (env ANVIL_WEB_DIR).")
    var webDir: String?

    @Option(name: .customLong("otlp-grpc-port"), help: "OTLP/gRPC port for OpenTelemetry traces, 0 to disable (env ANVIL_OTLP_GRPC_PORT; default 4317).")
    var otlpGrpcPort: Int?

    @Option(name: .customLong("orphan-grace-seconds"), help: "Seconds a run waits for a missing parent before it is shown as a marked root (env ANVIL_ORPHAN_GRACE_SECONDS; default 300).")
    var orphanGraceSeconds: Double?

    @Option(name: .customLong("ingest-max-lag"), help: "Seconds of unapplied work the ingest queue may hold before ingest answers 429 with Retry-After; 0 leaves only the 1 GiB limit (env ANVIL_INGEST_MAX_LAG_SECONDS; default 0.5).")
    var ingestMaxLagSeconds: Double?

    @Option(name: .customLong("admin-email"), help: "The initial admin's email (env ANVIL_ADMIN_EMAIL; password from ANVIL_ADMIN_PASSWORD, else generated on first start).")
    var adminEmail: String?

    @Option(name: .customLong("session-hours"), help: "How long a UI sign-in lasts (env ANVIL_SESSION_HOURS; default 168).")
    var sessionHours: Int?

    @Option(name: .customLong("public-url"), help: "Public base URL, for invitation links and the SSO redirect (env ANVIL_PUBLIC_URL).")
    var publicURL: String?

    @Option(name: .customLong("oidc-issuer"), help: "OpenID Connect issuer URL (env ANVIL_OIDC_ISSUER; client secret from ANVIL_OIDC_CLIENT_SECRET).")
    var oidcIssuer: String?

    @Option(name: .customLong("oidc-client-id"), help: "OpenID Connect client id (env ANVIL_OIDC_CLIENT_ID).")
    var oidcClientId: String?

    @Option(name: .customLong("oidc-name"), help: "What the SSO button says (env ANVIL_OIDC_NAME; default SSO).")
    var oidcName: String?

    @Option(name: .customLong("oidc-auto-provision-role"), help: "Workspace role for users created on first SSO sign-in (env ANVIL_OIDC_AUTO_PROVISION_ROLE; default: invited users only).")
    var oidcAutoProvisionRole: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env ANVIL_LOG_LEVEL).")
    var logLevel: String?

    func run() async throws {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        if let host { values["anvil.host"] = .init(.string(host), isSecret: false) }
        if let port { values["anvil.port"] = .init(.int(port), isSecret: false) }
        if let dataDir { values["anvil.dataDir"] = .init(.string(dataDir), isSecret: false) }
        if let apiKey { values["anvil.apiKey"] = .init(.string(apiKey), isSecret: true) }
        if let webDir { values["anvil.webDir"] = .init(.string(webDir), isSecret: false) }
        if let otlpGrpcPort { values["anvil.otlpGrpcPort"] = .init(.int(otlpGrpcPort), isSecret: false) }
        if let orphanGraceSeconds { values["anvil.orphanGraceSeconds"] = .init(.double(orphanGraceSeconds), isSecret: false) }
        if let ingestMaxLagSeconds { values["anvil.ingestMaxLagSeconds"] = .init(.double(ingestMaxLagSeconds), isSecret: false) }
        if let logLevel { values["anvil.logLevel"] = .init(.string(logLevel), isSecret: false) }
        for (key, value) in [("adminEmail", adminEmail), ("publicURL", publicURL), ("oidcIssuer", oidcIssuer), ("oidcClientId", oidcClientId),
                             ("oidcName", oidcName), ("oidcAutoProvisionRole", oidcAutoProvisionRole)] {
            if let value { values[AbsoluteConfigKey(["anvil", key])] = .init(.string(value), isSecret: false) }
        }
        if let sessionHours { values["anvil.sessionHours"] = .init(.int(sessionHours), isSecret: false) }
        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "arguments", values: values),
            EnvironmentVariablesProvider(),
        ])
        let config = try AnvilConfig(reader: reader.scoped(to: "anvil"))
        try await runServer(config: config)
    }
}

struct Routes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every HTTP route with the access it requires, as JSON lines (for tests and audits).")

    func run() async throws {
        for line in try await routeTable() { print(line) }
    }
}
