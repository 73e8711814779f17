import AnvilAuth
import AnvilCore
import AnvilHTTP
import AnvilIngest
import AnvilOTel
import AnvilSQLite
import AnvilStorage
import AnvilWeb
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

public let anvilVersion = "0.1.0"

/// The composition root: opens the embedded stores in the data directory, bootstraps the default
/// workspace and API key, and wires the ingest worker and the HTTP server into one application.
public func buildApplication(
    config: AnvilConfig, logger baseLogger: Logger? = nil, grpcPort: OTLPGRPCServer.BoundPort? = nil
) async throws -> some ApplicationProtocol {
    var logger = baseLogger ?? Logger(label: "anvil")
    logger.logLevel = config.logLevel

    let dataDir = URL(fileURLWithPath: config.dataDir).standardizedFileURL.path
    try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])

    let metadata = try SQLiteMetadataStore(path: dataDir + "/metadata.sqlite", logger: logger)
    let traces = try SQLiteTraceStore(path: dataDir + "/traces.sqlite", logger: logger)
    let queue = try DiskQueue(directory: dataDir + "/queue", logger: logger)
    let blobs = try FileBlobStore(root: dataDir + "/blobs")

    let workspace = try await metadata.bootstrapDefaultWorkspace()
    try await ensureAPIKey(config: config, metadata: metadata, workspace: workspace, dataDir: dataDir, logger: logger)
    let secret = try loadOrCreateSecret(path: dataDir + "/secret")
    let authenticator = Authenticator(store: metadata)
    let accounts = Accounts(store: metadata, authenticator: authenticator, sessionLifetime: Double(config.sessionHours) * 3600)
    try await ensureAdmin(config: config, accounts: accounts, metadata: metadata, workspace: workspace, dataDir: dataDir, logger: logger)

    let resolver = ProjectResolver(projects: metadata)
    let backlog = config.ingestMaxLagSeconds > 0 ? IngestBacklog(targetSeconds: config.ingestMaxLagSeconds) : nil
    let ingest = IngestService(queue: queue, blobs: blobs, backlog: backlog)
    let worker = IngestWorker(queue: queue, traces: traces, resolver: resolver, logger: logger, backlog: backlog)
    let router = buildRouter(HTTPDependencies(
        metadata: metadata, datasets: metadata, prompts: metadata, traces: traces, blobs: blobs, ingest: ingest, resolver: resolver,
        authenticator: authenticator, accounts: accounts, oidc: config.oidc, signer: URLSigner(secret: secret), anvilVersion: anvilVersion,
        webDirectory: config.webDir ?? WebAssets.bundledDirectory))

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "anvil/\(anvilVersion)"),
        logger: logger)
    // Services stop in reverse order: the listeners first, then the sweeper, the worker, the queue.
    app.addServices(QueueCloser(queue: queue), worker, OrphanSweeper(traces: traces, graceSeconds: config.orphanGraceSeconds, logger: logger))
    if config.otlpGrpcPort != 0 {
        app.addServices(OTLPGRPCServer(
            host: config.host, port: config.otlpGrpcPort, ingest: OTLPIngest(ingest: ingest), authenticator: authenticator,
            logger: logger, boundPort: grpcPort))
    }
    return app
}

/// Makes sure a key can reach the default workspace: the configured one (stored hashed), or on
/// first start a generated one, printed once and saved to `<data-dir>/api-key` (mode 0600).
func ensureAPIKey(config: AnvilConfig, metadata: any TenantStore, workspace: Workspace, dataDir: String, logger: Logger) async throws {
    if let key = config.apiKey {
        if try await metadata.apiKey(hash: APIKeys.hash(key)) == nil {
            try await metadata.createAPIKey(APIKey(
                tenantId: workspace.id, hash: APIKeys.hash(key), shortKey: APIKeys.shortKey(key), description: "configured bootstrap key"))
        }
        return
    }
    let keyFile = dataDir + "/api-key"
    guard try await metadata.apiKeyCount(tenantId: workspace.id) == 0 else {
        if FileManager.default.fileExists(atPath: keyFile) {
            logger.info("API key for the default workspace is in the data directory", metadata: ["key.file": "\(keyFile)"])
        }
        return
    }
    let key = APIKeys.generate()
    try writeSecretFile(path: keyFile, contents: Array((key + "\n").utf8))
    try await metadata.createAPIKey(APIKey(
        tenantId: workspace.id, hash: APIKeys.hash(key), shortKey: APIKeys.shortKey(key), description: "generated bootstrap key"))
    print("""
        Generated an API key for the default workspace (shown once; also saved to \(keyFile)):

            \(key)

        Point the LangSmith SDK at this server with:
            export LANGSMITH_ENDPOINT=http://\(config.host):\(config.port)/api/v1
            export LANGSMITH_API_KEY=\(key)
            export LANGSMITH_TRACING=true

        """)
    fflush(nil)
}

/// Makes sure someone can sign in to the UI: the configured admin, or on first start (no users
/// yet) `admin@localhost` with a generated password, printed once and saved to
/// `<data-dir>/admin-password` (mode 0600).
func ensureAdmin(config: AnvilConfig, accounts: Accounts, metadata: any IdentityStore, workspace: Workspace, dataDir: String, logger: Logger) async throws {
    if let password = config.adminPassword {
        _ = try await accounts.ensureAdmin(email: config.adminEmail, password: password, workspace: workspace)
        return
    }
    guard try await metadata.userCount() == 0 else { return }
    let password = APIKeys.randomHex(12)
    let file = dataDir + "/admin-password"
    try writeSecretFile(path: file, contents: Array((password + "\n").utf8))
    _ = try await accounts.ensureAdmin(email: config.adminEmail, password: password, workspace: workspace)
    print("""
        Created the admin account for the web UI (password shown once; also saved to \(file)):

            email:    \(config.adminEmail)
            password: \(password)

        """)
    fflush(nil)
}

func loadOrCreateSecret(path: String) throws -> [UInt8] {
    if let data = FileManager.default.contents(atPath: path), data.count >= 32 { return Array(data) }
    var g = SystemRandomNumberGenerator()
    let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
    try writeSecretFile(path: path, contents: secret)
    return secret
}

/// Writes a file readable only by the owner, durably.
func writeSecretFile(path: String, contents: [UInt8]) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw ConfigError("cannot write \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    fchmod(fd, 0o600)
    let ok = contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) == $0.count }
    guard ok, fsync(fd) == 0 else { throw ConfigError("cannot write \(path): \(String(cString: strerror(errno)))") }
}

/// Stops the disk queue's flusher when the application shuts down.
struct QueueCloser: Service {
    let queue: DiskQueue

    func run() async throws {
        try? await gracefulShutdown()
        queue.shutdown()
    }
}

/// Builds the application and runs it until SIGINT/SIGTERM.
public func runServer(config: AnvilConfig) async throws {
    let app = try await buildApplication(config: config)
    try await app.runService()
}

/// Every route of the HTTP API with the access it requires (`public`, or a ``Permission``), as
/// JSON lines — the route table that the authorization tests walk.
public func routeTable() async throws -> [String] {
    let metadata = MemoryMetadataStore()
    let traces = MemoryTraceStore()
    let blobs = MemoryBlobStore()
    let authenticator = Authenticator(store: metadata)
    let router = buildRouter(HTTPDependencies(
        metadata: metadata, datasets: MemoryDatasetStore(), prompts: MemoryPromptStore(), traces: traces, blobs: blobs,
        ingest: IngestService(queue: MemoryIngestQueue(), blobs: blobs), resolver: ProjectResolver(projects: metadata),
        authenticator: authenticator, accounts: Accounts(store: metadata, authenticator: authenticator),
        signer: URLSigner(secret: Array(repeating: 0, count: 32)), anvilVersion: anvilVersion))
    return router.routes.map { r in
        let path = r.path.description
        let access = AccessPolicy.isPublic(endpointPath: path) ? "public" : AccessPolicy.required(method: r.method, endpointPath: path).rawValue
        return JSONValue.object([
            "method": .string(r.method.rawValue), "path": .string(path.hasPrefix("/") ? path : "/" + path),
            "route": .string(AccessPolicy.route(path)), "access": .string(access),
        ]).encodedString
    }
}
